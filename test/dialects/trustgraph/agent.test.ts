import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Frame, TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OPENAI_ERRORS, OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg, framesOf } from "./tg-client.js";

const DOC = { id: "doc-tea", title: "Tea guide", content: "Green tea is brewed at 80 degrees for two minutes. Black tea needs boiling water." };
const QUESTION = "At what temperature is green tea brewed?";

async function setUp(gw: TestGateway): Promise<void> {
  const res = await gw.api("/api/v1/documents", { body: DOC });
  assert.equal(res.status, 201);
  await gw.server.context.triples.add("default", "test:graph", [
    {
      s: { value: "http://example.org/green-tea", kind: "i" },
      p: { value: "http://example.org/origin", kind: "i" },
      o: { value: "China", kind: "l" },
    },
  ]);
}

describe("TrustGraph agent", () => {
  describe("with the embedded engine", () => {
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      gw = await startTestGateway();
      client = await connectTg(gw);
      await setUp(gw);
    });
    after(async () => {
      client.close();
      await gw.close();
    });

    it("streams a thought, an observation of what its search found, then answer chunks; the last ends the dialog", async () => {
      const frames = await call(client, "agent", { question: QUESTION, streaming: true }, "default");
      const bodies = frames.map((f) => f.response as Frame);
      assert.deepEqual(bodies[0], {
        "chunk-type": "thought",
        content: `I will search the documents and the knowledge graph of collection "default" for "${QUESTION}", then answer from what I find.`,
        "end-of-message": true,
        "end-of-dialog": false,
        "end-of-stream": false,
      });
      assert.deepEqual(bodies[1], {
        "chunk-type": "observation",
        content: 'The search found 1 document: "Tea guide"; and facts about "green tea".',
        "end-of-message": true,
        "end-of-dialog": false,
        "end-of-stream": false,
      });
      const answers = bodies.slice(2, -1);
      assert.ok(answers.length > 3, "the answer streams in chunks");
      for (const a of answers) {
        assert.deepEqual(Object.keys(a).sort(), ["chunk-type", "content", "end-of-dialog", "end-of-message", "end-of-stream"]);
        assert.equal(a["chunk-type"], "answer");
        assert.equal(a["end-of-dialog"], false);
        assert.equal(a["end-of-message"], false);
      }
      const text = answers.map((a) => a.content as string).join("");
      assert.match(text, /From "Tea guide": Green tea is brewed at 80 degrees for two minutes\./, text);
      const last = bodies.at(-1)!;
      assert.deepEqual(last, {
        "chunk-type": "answer",
        content: "",
        "end-of-message": true,
        "end-of-dialog": true,
        "end-of-stream": true,
        "in-token": last["in-token"],
        "out-token": answers.length,
        model: "livegate-embedded",
      });
      assert.deepEqual(frames.map((f) => f.complete), [...frames.slice(0, -1).map(() => false), true], "only the last frame is complete");
    });

    it("answers one {answer, thought, observation} without streaming", async () => {
      const r = await ask(client, "agent", { question: QUESTION }, "default");
      assert.deepEqual(Object.keys(r).sort(), ["answer", "observation", "thought"]);
      assert.match(r.answer as string, /Green tea is brewed at 80 degrees/);
      assert.match(r.thought as string, /^I will search the documents/);
      assert.match(r.observation as string, /^The search found 1 document: "Tea guide"/);
    });

    it("writes the real server's seed-era keys (chunk_type, end_of_message, end_of_dialog) for an underscore client", async () => {
      const under = await connectTg(gw, { spelling: "underscore" });
      try {
        const frames = await call(under, "agent", { question: QUESTION, streaming: true }, "default");
        assert.equal(frames[0]!.response.chunk_type, "thought");
        assert.equal(frames[0]!.response.end_of_message, true);
        const last = frames.at(-1)!.response;
        assert.equal(last.end_of_dialog, true, JSON.stringify(last));
        assert.equal(last["end-of-dialog"], undefined);
      } finally {
        under.close();
      }
    });

    it("says in its observation when the search found nothing, and still answers", async () => {
      const r = await ask(client, "agent", { question: "xylophone quartet", collection: "empty" }, "default");
      assert.equal(r.observation, "The search found nothing in the documents or the knowledge graph.");
      assert.equal(r.thought, 'I will search the documents of collection "empty" for "xylophone quartet", then answer from what I find.');
      assert.match(r.answer as string, /Nothing that was found matches/);
    });

    it("refuses a missing question and a malformed history with invalid-request", async () => {
      const [a] = await call(client, "agent", { streaming: true }, "default");
      assert.equal(a!.error?.message, '"question" is required (a string)');
      const [b] = await call(client, "agent", { question: "q", history: "no" }, "default");
      assert.equal(b!.error?.type, "invalid-request");
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
      await setUp(gw);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    it("answers with the model from what the search found, with the history steps as earlier context", async () => {
      llm.script({ deltas: ["80 degrees ", '["Tea guide"]'] });
      const history = [{ thought: "The user asks about tea.", action: "search", arguments: { query: "tea" }, observation: "Found a tea guide." }];
      const r = await ask(client, "agent", { question: QUESTION, history }, "default");
      assert.equal(r.answer, '80 degrees ["Tea guide"]');
      const sent = llm.last.body.messages;
      assert.deepEqual(sent.map((m) => m.role), ["system", "system", "assistant", "user"]);
      assert.match(String(sent[0]!.content), /^You are a research agent/);
      assert.match(String(sent[1]!.content), /"Tea guide" \(id: doc-tea\)\nGreen tea is brewed/);
      assert.match(String(sent[1]!.content), /"green tea" \(id: http:\/\/example\.org\/green-tea\)\ngreen tea origin China\./);
      assert.equal(sent[2]!.content, 'Thought: The user asks about tea.\nAction: search {"query":"tea"}\nObservation: Found a tea guide.');
      assert.equal(sent[3]!.content, QUESTION);
    });

    it("cancelling a streaming call aborts the model request", async () => {
      llm.script({ deltas: ["a", "b", "c"], hang: 1 });
      client.send({ id: "agent-cancel", service: "agent", flow: "default", request: { question: QUESTION, streaming: true } });
      await client.next((f) => f.id === "agent-cancel" && f.response?.["chunk-type"] === "answer", 5000, "the first answer chunk");
      client.send({ type: "cancel", id: "agent-cancel" });
      const rest = await framesOf(client, "agent-cancel");
      assert.equal(rest.at(-1)!.error?.type, "cancelled", JSON.stringify(rest));
      await llm.last.closed;
      assert.equal(llm.last.abortedByClient, true);
    });

    it("reports a model failure as a clear error frame after its thought, and the socket stays open", async () => {
      llm.script({ status: 401, error: OPENAI_ERRORS.invalidApiKey("sk-****") });
      const frames = await call(client, "agent", { question: QUESTION, streaming: true }, "default");
      assert.deepEqual(frames.slice(0, 2).map((f) => f.response["chunk-type"]), ["thought", "observation"]);
      const last = frames.at(-1)!;
      assert.equal(last.complete, true);
      assert.equal(last.error?.type, "error");
      assert.match(last.error?.message as string, /^agent: chat rejected by the model server, retrying the same request will not help: the model server answered 401 \(invalid_api_key\)/);
      llm.script({ deltas: ["fine"] });
      assert.equal((await ask(client, "agent", { question: QUESTION }, "default")).answer, "fine");
    });
  });
});
