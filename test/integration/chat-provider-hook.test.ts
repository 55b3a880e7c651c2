import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer, type ChatProvider, type LivegateServer, type ProviderEvent, type ProviderRequest } from "../../src/index.js";
import { ask, assertAnswerShape, CHAT, connectAs } from "../dialects/codegraph/helpers.js";
import { TEST_API_KEY, TEST_SECRET, type TestGateway } from "../helpers/gateway.js";

/** A gateway built with `createServer(options, { chatProvider })`, in the shape the CodeGraph helpers take. */
async function startWithHook(chatProvider: (base: ChatProvider) => ChatProvider): Promise<TestGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), "livegate-hook-"));
  const server: LivegateServer = await createServer(
    { host: "127.0.0.1", port: 0, logLevel: "silent", dataDir, auth: { jwtSecret: TEST_SECRET, apiKey: TEST_API_KEY } },
    { chatProvider },
  );
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const api: TestGateway["api"] = (path, init = {}) =>
    fetch(url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  return {
    server,
    port,
    url,
    apiKey: TEST_API_KEY,
    secret: TEST_SECRET,
    dataDir,
    wsUrl: (path = "/ws", query = {}) => `ws://127.0.0.1:${port}${path}?${new URLSearchParams(query).toString()}`,
    token: (user, opts) => server.createToken(user, opts),
    api,
    publish: () => Promise.reject(new Error("not used here")),
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe("createServer's chatProvider hook", () => {
  describe("a wrapper around the gateway's own provider", () => {
    let gw: TestGateway;
    let base: ChatProvider | undefined;
    const seen: { question: string; deltas: string[]; returned: boolean }[] = [];

    before(async () => {
      gw = await startWithHook((inner) => {
        base = inner;
        return {
          name: inner.name,
          defaultModel: inner.defaultModel,
          async *stream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
            const call = { question: req.messages.at(-1)?.content ?? "", deltas: [] as string[], returned: false };
            seen.push(call);
            try {
              for await (const ev of inner.stream(req)) {
                if (ev.type === "delta") call.deltas.push(ev.text);
                yield ev;
              }
            } finally {
              call.returned = true;
            }
          },
        };
      });
      const res = await gw.api("/api/v1/documents", {
        body: { title: "Payments service", content: "The payments service is deployed on Kubernetes with three replicas." },
      });
      assert.equal(res.status, 201, "loading a document");
    });
    after(() => gw.close());

    it("is called with the embedded engine when no model is configured", () => {
      assert.equal(base?.name, "embedded");
      assert.equal(gw.server.context.chat.providerName, "embedded");
    });

    it("sees every delta of a CodeGraph answer, the same texts in the same order as the client's chunks", async () => {
      const { client } = await connectAs(gw, CHAT, "alice");
      const frames = await ask(client, "hook-1", { query: "How is the payments service deployed?" });
      const { answer } = assertAnswerShape(frames, "answer through the wrapper");
      const call = seen.find((c) => c.question === "How is the payments service deployed?");
      assert.ok(call, `the wrapper should see the query; it saw ${JSON.stringify(seen.map((c) => c.question))}`);
      const chunks = frames.filter((f) => f.type === "chat.chunk" && f.payload.is_final === false).map((f) => f.payload.content as string);
      assert.ok(chunks.length > 1, "the answer streams in several chunks");
      assert.deepEqual(call.deltas, chunks, "one delta per chunk, same text, same order");
      assert.equal(call.deltas.join(""), answer);
      assert.match(answer, /Kubernetes/, "the real engine answered behind the wrapper");
      assert.ok(call.returned, "the wrapper's stream ran to its end");
      client.close();
    });
  });

  describe("a provider that replaces the engine", () => {
    let gw: TestGateway;
    const asked: ProviderRequest[] = [];

    before(async () => {
      gw = await startWithHook(() => ({
        name: "scripted",
        defaultModel: "scripted-1",
        async *stream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
          asked.push(req);
          for (const text of ["Scripted ", "answer ", "here."]) yield { type: "delta", text };
          yield { type: "done", usage: { promptTokens: 7, completionTokens: 3 }, model: "scripted-1", finishReason: "stop" };
        },
      }));
    });
    after(() => gw.close());

    it("answers the chat socket and names itself as the gateway's provider", async () => {
      assert.equal(gw.server.context.chat.providerName, "scripted");
      const { client } = await connectAs(gw, CHAT, "bob");
      const frames = await ask(client, "hook-2", { query: "Anything at all" });
      const { answer, response } = assertAnswerShape(frames, "scripted answer");
      assert.equal(answer, "Scripted answer here.");
      assert.equal(response.payload.answer, "Scripted answer here.");
      assert.equal(asked.length, 1, "the replacement was asked once");
      assert.equal(asked[0]!.messages.at(-1)?.content, "Anything at all", "with the client's query as the last message");
      assert.equal(asked[0]!.model, "scripted-1", "and its own default model");
      client.close();
    });
  });
});
