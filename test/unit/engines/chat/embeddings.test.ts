import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { EmbeddingsError } from "../../../../src/engines/chat/embeddings.js";
import { OpenAIEmbeddings } from "../../../../src/engines/chat/openai-embeddings.js";
import { OPENAI_ERRORS, OpenAITestServer, embeddingOf } from "../../../helpers/openai-server.js";

const API_KEY = "sk-test-embeddings-0123456789SECRET";

async function failure(p: Promise<unknown>): Promise<EmbeddingsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EmbeddingsError, `should fail with an EmbeddingsError, got ${String(err)}`);
    return err;
  }
  assert.fail("the request should have failed");
}

describe("OpenAIEmbeddings against an OpenAI-compatible server", () => {
  let server: OpenAITestServer;
  let client: OpenAIEmbeddings;
  before(async () => {
    server = await OpenAITestServer.start();
    client = new OpenAIEmbeddings({ baseUrl: server.baseUrl, apiKey: API_KEY, model: "text-embedding-test", timeoutMs: 5000 });
  });
  after(() => server.close());

  it("sends POST /v1/embeddings with the model, the texts and encoding_format float, and returns one vector per text in order", async () => {
    const r = await client.embed(["first text", "Second one here"]);
    assert.deepEqual(r.vectors, [embeddingOf("first text"), embeddingOf("Second one here")]);
    assert.equal(r.model, "text-embedding-test");
    assert.ok(r.promptTokens > 0, "usage is reported");
    const sent = server.embeddingRequests.at(-1)!;
    assert.deepEqual(sent.body, { model: "text-embedding-test", input: ["first text", "Second one here"], encoding_format: "float" });
    assert.equal(sent.headers.authorization, `Bearer ${API_KEY}`);
  });

  it("the test server speaks OpenAI's base64 encoding too: the SDK's default request decodes to the same vectors", async () => {
    const sdk = new OpenAI({ baseURL: server.baseUrl, apiKey: "k", maxRetries: 0 });
    const res = await sdk.embeddings.create({ model: "m", input: ["alpha beta"] });
    assert.equal(server.embeddingRequests.at(-1)!.body.encoding_format, "base64", "the SDK asks for base64 by default");
    assert.deepEqual(Array.from(res.data[0]!.embedding), embeddingOf("alpha beta"));
  });

  it("says what the server answered on an error, with the API key blotted out", async () => {
    server.scriptEmbeddings({ status: 401, error: OPENAI_ERRORS.invalidApiKey(API_KEY) });
    const err = await failure(client.embed(["x"]));
    assert.equal(err.reason, "failed");
    assert.match(err.message, /^the embeddings server answered 401 \(invalid_api_key\): Incorrect API key provided: \[redacted\]/, err.message);
    assert.ok(!err.message.includes(API_KEY), "the key must not leak");
  });

  it("says when the server cannot be reached", async () => {
    const dead = new OpenAIEmbeddings({ baseUrl: "http://127.0.0.1:9/v1", model: "m", timeoutMs: 2000 });
    const err = await failure(dead.embed(["x"]));
    assert.match(err.message, /^the embeddings server at 127\.0\.0\.1:9 could not be reached: /, err.message);
  });

  it("aborts the HTTP request when the caller's signal is aborted, as `cancelled`", async () => {
    server.scriptEmbeddings({ hang: true });
    const before = server.embeddingRequests.length;
    const ac = new AbortController();
    const p = client.embed(["x"], ac.signal);
    await server.waitForEmbeddingRequests(before + 1);
    ac.abort();
    const err = await failure(p);
    assert.equal(err.reason, "cancelled");
    const req = server.embeddingRequests.at(-1)!;
    await req.closed;
    assert.equal(req.abortedByClient, true, "the server should see the request aborted");
  });
});
