import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg, framesOf } from "./tg-client.js";

const DOCS = [
  { id: "doc-moon", title: "The Moon", content: "The Moon orbits the Earth every 27 days. Its surface is covered in craters." },
  { id: "doc-mars", title: "Mars", content: "Mars has two small moons, Phobos and Deimos. Its red colour comes from iron oxide." },
];

/** Adds a document to the librarian's store of a running gateway (collection `default`), over REST. */
async function addDocument(gw: TestGateway, doc: { id: string; title: string; content: string }): Promise<void> {
  const res = await gw.api("/api/v1/documents", { body: doc });
  assert.equal(res.status, 201, `adding ${doc.id}: ${res.status}`);
}

describe("TrustGraph document-rag", () => {
  describe("with the embedded engine", () => {
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      gw = await startTestGateway();
      client = await connectTg(gw);
      for (const d of DOCS) await addDocument(gw, d);
      // A document of another collection, added through the librarian's service.
      await gw.server.context.library.add({
        id: "doc-lab",
        user: "trustgraph",
        title: "Lab notes",
        content: Buffer.from("The crater experiment used a steel ball. Craters grew with speed."),
        kind: "text/plain",
        collection: "research",
      });
    });
    after(async () => {
      client.close();
      await gw.close();
    });

    it("streams {response, end-of-stream:false} chunks citing the document, then a last frame with sources [{uri, title}]", async () => {
      const frames = await call(client, "document-rag", { query: "How many days does an orbit around the Earth take?", streaming: true }, "default");
      const last = frames.at(-1)!;
      const chunks = frames.slice(0, -1);
      assert.ok(chunks.length > 3, `the answer streams in several chunks: ${frames.length} frames`);
      for (const f of chunks) {
        assert.deepEqual(Object.keys(f.response).sort(), ["end-of-stream", "response"], JSON.stringify(f));
        assert.equal(f.response["end-of-stream"], false);
        assert.equal(f.complete, false);
      }
      const text = chunks.map((f) => f.response.response as string).join("");
      assert.match(text, /From "The Moon": The Moon orbits the Earth every 27 days\./, text);
      assert.equal(last.complete, true);
      assert.deepEqual(last.response, {
        response: "",
        "end-of-stream": true,
        sources: [{ uri: "doc-moon", title: "The Moon" }],
        "in-token": last.response["in-token"],
        "out-token": chunks.length,
        model: "livegate-embedded",
      });
      assert.equal(typeof last.response["in-token"], "number");
    });

    it("answers one body without streaming", async () => {
      const r = await ask(client, "document-rag", { query: "What gives Mars its red colour?" }, "default");
      assert.match(r.response as string, /From "Mars": Its red colour comes from iron oxide\./);
      assert.deepEqual(r.sources, [{ uri: "doc-mars", title: "Mars" }]);
      assert.equal(r["end-of-stream"], true);
    });

    it("takes the real server's underscore keys (doc_limit) and answers in them when asked", async () => {
      const under = await connectTg(gw, { spelling: "underscore" });
      try {
        const frames = await call(under, "document-rag", { query: "moons craters", doc_limit: 1, streaming: true }, "default");
        const last = frames.at(-1)!.response;
        assert.equal(last.end_of_stream, true, JSON.stringify(last));
        assert.equal(last["end-of-stream"], undefined);
        assert.equal(typeof last.in_token, "number");
        assert.equal((last.sources as unknown[]).length, 1, `doc_limit 1 gives one passage: ${JSON.stringify(last.sources)}`);
        for (const f of frames.slice(0, -1)) assert.equal(f.response.end_of_stream, false);
      } finally {
        under.close();
      }
    });

    it("searches only the collection asked for (default: documents added without one)", async () => {
      const inResearch = await ask(client, "document-rag", { query: "crater experiment", collection: "research" }, "default");
      assert.deepEqual(inResearch.sources, [{ uri: "doc-lab", title: "Lab notes" }]);
      const inDefault = await ask(client, "document-rag", { query: "crater experiment" }, "default");
      assert.ok(!(inDefault.sources as { uri: string }[]).some((s) => s.uri === "doc-lab"), `default must not see research: ${JSON.stringify(inDefault.sources)}`);
    });

    it("answers plainly, not with an error, when the collection has no documents", async () => {
      const frames = await call(client, "document-rag", { query: "anything", collection: "empty", streaming: true }, "default");
      assert.deepEqual(frames.map((f) => f.response), [
        {
          response: 'There are no documents in collection "empty" to answer from yet. Add documents with the librarian\'s add-document operation (service librarian), then ask again.',
          "end-of-stream": false,
        },
        { response: "", "end-of-stream": true, sources: [], "in-token": 0, "out-token": 0, model: "livegate-embedded" },
      ]);
    });

    it("says so when nothing in the collection matches", async () => {
      const r = await ask(client, "document-rag", { query: "xylophone quartet" }, "default");
      assert.equal(r.response, `I am livegate's built-in engine. Nothing that was found matches "xylophone quartet", so I cannot answer from it.`);
      assert.deepEqual(r.sources, []);
    });

    it("refuses a missing query and a bad doc-limit with invalid-request", async () => {
      const [a] = await call(client, "document-rag", {}, "default");
      assert.equal(a!.error?.type, "invalid-request");
      assert.equal(a!.error?.message, '"query" is required (a string)');
      const [b] = await call(client, "document-rag", { query: "x", "doc-limit": 0 }, "default");
      assert.equal(b!.error?.message, '"doc-limit" must be an integer from 1 to 1000');
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
      for (const d of DOCS) await addDocument(gw, d);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    it("gives the model the matching documents as passages, asks it to cite them, and reports them as sources", async () => {
      llm.script({ deltas: ["Every 27 days ", '["The Moon"]'], usage: { prompt_tokens: 50, completion_tokens: 6 } });
      const frames = await call(client, "document-rag", { query: "How many days does an orbit around the Earth take?", streaming: true }, "default");
      assert.deepEqual(frames.map((f) => f.response), [
        { response: "Every 27 days ", "end-of-stream": false },
        { response: '["The Moon"]', "end-of-stream": false },
        { response: "", "end-of-stream": true, sources: [{ uri: "doc-moon", title: "The Moon" }], "in-token": 50, "out-token": 6, model: "gpt-test" },
      ]);
      const sent = llm.last.body.messages;
      assert.equal(sent.at(-1)!.content, "How many days does an orbit around the Earth take?");
      assert.match(String(sent[0]!.content), /\[1\] "The Moon" \(id: doc-moon\)\nThe Moon orbits the Earth every 27 days\./);
      assert.match(String(sent[0]!.content), /Cite every passage you use by its title/);
    });

    it("cancelling aborts the model request", async () => {
      llm.script({ deltas: ["a", "b", "c"], hang: 1 });
      client.send({ id: "rag-cancel", service: "document-rag", flow: "default", request: { query: "Moon", streaming: true } });
      await client.next((f) => f.id === "rag-cancel", 5000, "the first chunk");
      client.send({ type: "cancel", id: "rag-cancel" });
      const rest = await framesOf(client, "rag-cancel");
      assert.equal(rest.at(-1)!.error?.type, "cancelled", JSON.stringify(rest));
      await llm.last.closed;
      assert.equal(llm.last.abortedByClient, true);
    });

    it("reports a model failure as a clear error frame", async () => {
      llm.script({ status: 500 });
      const [f] = await call(client, "document-rag", { query: "Moon" }, "default");
      assert.equal(f!.error?.type, "error");
      assert.match(f!.error?.message as string, /^document-rag: chat failed: the model server answered 500/);
    });
  });
});
