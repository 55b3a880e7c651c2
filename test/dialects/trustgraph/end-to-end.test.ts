import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Frame, TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg } from "./tg-client.js";

/**
 * The verification: a document added through the librarian (socket) is what document-rag answers
 * from, citing it, on the socket (streaming) and through the REST twin, with the embedded engine and with an
 * OpenAI-compatible model.
 */

const DOCUMENT_ID = "https://example.org/doc/pump-manual";
const TITLE = "Pump maintenance manual";
const TEXT =
  "The centrifugal pump must be inspected every 500 operating hours. " +
  "Its mechanical seal is replaced when it leaks more than ten drops per minute. " +
  "Bearings are greased with lithium grease.";
const QUESTION = "How often must the centrifugal pump be inspected?";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** librarian add-document over the socket, as a TrustGraph client sends it. */
async function addThroughLibrarian(client: TestClient): Promise<void> {
  const added = await ask(client, "librarian", {
    operation: "add-document",
    "document-metadata": { id: DOCUMENT_ID, time: 1_700_000_000, kind: "text/plain", title: TITLE, comments: "", metadata: [], user: "trustgraph", tags: [] },
    content: b64(TEXT),
  });
  assert.deepEqual(added, { "document-id": DOCUMENT_ID }, "the librarian stored the document");
}

/** document-rag streamed on the socket: the answer text and the last frame's body. */
async function askSocket(client: TestClient): Promise<{ text: string; last: Frame; frames: Frame[] }> {
  const frames = await call(client, "document-rag", { query: QUESTION, collection: "default", "doc-limit": 20, streaming: true }, "default");
  assert.ok(frames.length >= 2, `a streamed answer: ${JSON.stringify(frames)}`);
  for (const f of frames) assert.equal(f.error, undefined, `no error: ${JSON.stringify(f)}`);
  const last = frames.at(-1)!;
  assert.equal(last.complete, true);
  assert.equal(last.response["end-of-stream"], true);
  const text = frames.slice(0, -1).map((f) => f.response.response as string).join("");
  return { text, last: last.response as Frame, frames };
}

/** The same question through `POST /api/v1/flow/default/service/document-rag`. */
async function askRest(gw: TestGateway): Promise<Frame> {
  const res = await gw.api("/api/v1/flow/default/service/document-rag", { body: { query: QUESTION, collection: "default", "doc-limit": 20 } });
  const body = (await res.json()) as Frame;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

describe("end to end: librarian add-document, then document-rag answers citing it", () => {
  describe("with the embedded engine", () => {
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      gw = await startTestGateway();
      client = await connectTg(gw);
      await addThroughLibrarian(client);
    });
    after(async () => {
      client.close();
      await gw.close();
    });

    it("on the socket, streaming: the answer quotes the document under its title and the last frame cites it", async () => {
      const { text, last } = await askSocket(client);
      assert.match(text, /From "Pump maintenance manual": The centrifugal pump must be inspected every 500 operating hours\./, text);
      assert.deepEqual(last.sources, [{ uri: DOCUMENT_ID, title: TITLE }]);
    });

    it("through the REST twin: the same answer and sources in one body", async () => {
      const { text, last } = await askSocket(client);
      const body = await askRest(gw);
      assert.equal(body.response, text, "the REST twin answers what the socket streamed");
      assert.deepEqual(body.sources, last.sources);
      assert.equal(body["end-of-stream"], true);
    });
  });

  describe("with an OpenAI-compatible model", () => {
    let llm: OpenAITestServer;
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      llm = await OpenAITestServer.start();
      gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test" } });
      client = await connectTg(gw);
      await addThroughLibrarian(client);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    const ANSWER = ["Every 500 operating hours ", `["${TITLE}"].`];

    it("on the socket, streaming: the model gets the document as a passage and its cited answer streams, with the document as source", async () => {
      llm.script({ deltas: ANSWER, usage: { prompt_tokens: 80, completion_tokens: 9 } });
      const { text, last, frames } = await askSocket(client);
      assert.equal(text, ANSWER.join(""));
      assert.equal(frames.length, ANSWER.length + 1, "one frame per delta, then the last");
      assert.deepEqual(last, { response: "", "end-of-stream": true, sources: [{ uri: DOCUMENT_ID, title: TITLE }], "in-token": 80, "out-token": 9, model: "gpt-test" });
      const passages = String(llm.last.body.messages[0]!.content);
      assert.ok(passages.includes(`"${TITLE}" (id: ${DOCUMENT_ID})\n${TEXT}`), `the model saw the document: ${passages}`);
      assert.equal(llm.last.body.messages.at(-1)!.content, QUESTION);
    });

    it("through the REST twin: the same answer and sources in one body", async () => {
      llm.script({ deltas: ANSWER, usage: { prompt_tokens: 80, completion_tokens: 9 } });
      const body = await askRest(gw);
      assert.deepEqual(body, { response: ANSWER.join(""), "end-of-stream": true, sources: [{ uri: DOCUMENT_ID, title: TITLE }], "in-token": 80, "out-token": 9, model: "gpt-test" });
      assert.ok(String(llm.last.body.messages[0]!.content).includes(TEXT), "the model saw the document");
    });
  });
});
