import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EmbeddedProvider } from "../../../../src/engines/chat/embedded.js";
import { OpenAIProvider } from "../../../../src/engines/chat/openai.js";
import { MAX_PASSAGE_CHARS, withPassages } from "../../../../src/engines/chat/passages.js";
import type { ChatProvider, ChatSource, ContextPassage, ProviderEvent, ProviderRequest } from "../../../../src/engines/chat/provider.js";
import { DocumentService } from "../../../../src/services/documents.js";
import { OpenAITestServer } from "../../../helpers/openai-server.js";
import { openTempStore, type TempStore } from "../../../helpers/temp-store.js";

interface Answer {
  text: string;
  sources: ChatSource[];
  order: string[];
  done: Extract<ProviderEvent, { type: "done" }>;
}

async function run(provider: ChatProvider, req: ProviderRequest): Promise<Answer> {
  let text = "";
  let sources: ChatSource[] = [];
  const order: string[] = [];
  let done: Answer["done"] | undefined;
  for await (const ev of provider.stream(req)) {
    order.push(ev.type);
    if (ev.type === "delta") text += ev.text;
    else if (ev.type === "sources") sources = ev.sources;
    else done = ev;
  }
  assert.ok(done, "the stream should end with done");
  return { text, sources, order, done };
}

const PASSAGES: ContextPassage[] = [
  { id: "doc-rivers", title: "Rivers of Europe", text: "The Danube flows through ten countries. The Rhine rises in the Swiss Alps. The river Thames flows through London." },
  { id: "doc-cities", title: "Capital cities", text: "Vienna lies on the Danube. The city of Paris is on the Seine. The capital of Hungary is Budapest." },
];

describe("answering from given passages", () => {
  describe("the embedded engine", () => {
    let temp: TempStore;
    let engine: EmbeddedProvider;
    before(async () => {
      temp = await openTempStore();
      // A loaded document that matches the question too: with passages it must not be searched.
      const docs = new DocumentService(temp.store.documents);
      await docs.add({ id: "loaded", title: "Loaded document", content: "The Danube is mentioned in a loaded document." });
      engine = new EmbeddedProvider(docs);
    });
    after(() => temp.close());

    it("answers extractively from the passages, each sentence with its passage's title, and lists only the passages it used", async () => {
      const a = await run(engine, { messages: [{ role: "user", content: "Which countries does the Danube flow through?" }], passages: PASSAGES });
      assert.match(a.text, /^Here is what the sources say \(built-in engine, extractive answer\):\n/, `intro: ${a.text}`);
      assert.match(a.text, /From "Rivers of Europe": The Danube flows through ten countries\./, `the best sentence with its title: ${a.text}`);
      assert.doesNotMatch(a.text, /Loaded document/, `loaded documents are not searched when passages are given: ${a.text}`);
      assert.doesNotMatch(a.text, /Paris|Budapest/, `sentences without the question's words are left out: ${a.text}`);
      assert.deepEqual(a.order[0], "sources", "sources come first");
      assert.ok(a.sources.length >= 1 && a.sources[0]!.id === "doc-rivers", `sources: ${JSON.stringify(a.sources)}`);
    });

    it("scores by the terms a passage says it matched", async () => {
      const passages = PASSAGES.map((p) => ({ ...p, terms: ["hungary"] }));
      const a = await run(engine, { messages: [{ role: "user", content: "anything at all" }], passages });
      assert.equal(a.text.split("\n")[1], 'From "Capital cities": The capital of Hungary is Budapest.', `the sentence with the matched term: ${a.text}`);
      assert.deepEqual(a.sources.map((s) => s.id), ["doc-cities"], "only the passage used is a source");
    });

    it("ignores words that occur in most sentences (\"the\"), so they do not pick sentences", async () => {
      const a = await run(engine, { messages: [{ role: "user", content: "the Thames" }], passages: PASSAGES });
      assert.equal(a.text.split("\n").length, 2, `one sentence matches "Thames": ${a.text}`);
      assert.match(a.text, /The river Thames flows through London\./, a.text);
    });

    it("says plainly that nothing was found when the passages are empty, without searching its documents", async () => {
      const a = await run(engine, { messages: [{ role: "user", content: "Where is the Danube?" }], passages: [] });
      assert.equal(a.text, `I am livegate's built-in engine. Nothing that was found matches "Where is the Danube?", so I cannot answer from it.`);
      assert.deepEqual(a.sources, []);
      assert.equal(a.done.finishReason, "stop");
    });
  });

  describe("an OpenAI-compatible model", () => {
    let server: OpenAITestServer;
    let provider: OpenAIProvider;
    before(async () => {
      server = await OpenAITestServer.start();
      provider = new OpenAIProvider({ baseUrl: server.baseUrl, model: "gpt-test", timeoutMs: 5000 });
    });
    after(() => server.close());

    it("gets the passages in a system message after the caller's, is asked to cite titles, and reports every passage as a source", async () => {
      server.script({ deltas: ["The Danube ", '["Rivers of Europe"]'] });
      const a = await run(provider, {
        messages: [
          { role: "system", content: "You are a geography bot." },
          { role: "user", content: "Where does the Danube flow?" },
        ],
        passages: PASSAGES,
      });
      assert.equal(a.text, 'The Danube ["Rivers of Europe"]');
      const sent = server.last.body.messages;
      assert.deepEqual(sent.map((m) => m.role), ["system", "system", "user"], "caller's system, passages, question");
      assert.equal(sent[0]!.content, "You are a geography bot.");
      const passages = String(sent[1]!.content);
      assert.match(passages, /using only the passages below/, passages);
      assert.match(passages, /Cite every passage you use by its title/, passages);
      assert.match(passages, /\[1\] "Rivers of Europe" \(id: doc-rivers\)\nThe Danube flows through ten countries\./, passages);
      assert.match(passages, /\[2\] "Capital cities" \(id: doc-cities\)\nVienna lies on the Danube\./, passages);
      assert.equal(sent[2]!.content, "Where does the Danube flow?");
      assert.deepEqual(a.sources.map((s) => [s.id, s.title]), [["doc-rivers", "Rivers of Europe"], ["doc-cities", "Capital cities"]]);
      assert.equal(a.order[0], "sources", "sources come first");
    });

    it("is told that nothing was found when there are no passages, and reports no sources", async () => {
      server.script({ deltas: ["Nothing found."] });
      const a = await run(provider, { messages: [{ role: "user", content: "Where does the Danube flow?" }], passages: [] });
      const sent = server.last.body.messages;
      assert.equal(sent.length, 2);
      assert.match(String(sent[0]!.content), /found nothing relevant.*Say so plainly/s);
      assert.deepEqual(a.sources, []);
    });
  });

  it("cuts long passages in a model's prompt", () => {
    const long = "x".repeat(MAX_PASSAGE_CHARS + 500);
    const msgs = withPassages([{ role: "user", content: "q" }], [{ id: "a", title: "A", text: long }]);
    assert.equal(msgs.length, 2);
    assert.ok(msgs[0]!.content.length < MAX_PASSAGE_CHARS + 400, `the passage should be cut, the message is ${msgs[0]!.content.length} characters`);
    assert.ok(msgs[0]!.content.endsWith("x…"), "a cut passage ends with an ellipsis");
  });
});
