import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EMBEDDED_MODEL, EmbeddedProvider } from "../../../../src/engines/chat/embedded.js";
import type { ChatMessage, ChatSource, ProviderEvent } from "../../../../src/engines/chat/provider.js";
import { DocumentService } from "../../../../src/services/documents.js";
import { openTempStore, type TempStore } from "../../../helpers/temp-store.js";

type Done = Extract<ProviderEvent, { type: "done" }>;

interface Answer {
  text: string;
  deltas: string[];
  sources: ChatSource[];
  done: Done;
  /** Event types in order. */
  order: string[];
}

async function run(provider: EmbeddedProvider, messages: ChatMessage[], opts: { language?: "en" | "ru"; signal?: AbortSignal; onDelta?: (n: number) => void } = {}): Promise<Answer> {
  const deltas: string[] = [];
  const order: string[] = [];
  let sources: ChatSource[] = [];
  let done: Done | undefined;
  for await (const ev of provider.stream({ messages, language: opts.language, signal: opts.signal })) {
    order.push(ev.type);
    if (ev.type === "delta") {
      deltas.push(ev.text);
      opts.onDelta?.(deltas.length);
    } else if (ev.type === "sources") sources = ev.sources;
    else done = ev;
  }
  assert.ok(done, "the stream should end with a done event");
  return { text: deltas.join(""), deltas, sources, done, order };
}

const user = (content: string): ChatMessage[] => [{ role: "user", content }];

const DOCS = [
  {
    id: "auth",
    title: "Authentication module",
    content: "The auth module verifies JWT tokens with HS256. Tokens expire after one hour. The refresh endpoint issues a new token.",
  },
  {
    id: "db",
    title: "Database layer",
    content: "The database layer uses SQLite in WAL mode. Migrations run at start. Queries are built with Kysely to avoid SQL injection.",
  },
  {
    id: "payments",
    title: "Модуль платежей",
    content: "Модуль платежей обрабатывает транзакции через шлюз. Все суммы хранятся в копейках. Повторные платежи блокируются по ключу идемпотентности.",
  },
];

describe("EmbeddedProvider (the built-in engine) with the document service", () => {
  let empty: TempStore;
  let loaded: TempStore;
  let none: EmbeddedProvider;
  let docs: DocumentService;
  let engine: EmbeddedProvider;

  before(async () => {
    [empty, loaded] = await Promise.all([openTempStore(), openTempStore()]);
    none = new EmbeddedProvider(new DocumentService(empty.store.documents));
    docs = new DocumentService(loaded.store.documents);
    for (const d of DOCS) await docs.add(d);
    engine = new EmbeddedProvider(docs);
  });
  after(() => Promise.all([empty.close(), loaded.close()]));

  describe("without documents", () => {
    it("says it is the built-in engine, has no documents, and how to configure a real model", async () => {
      const a = await run(none, user("Find all SQL injection vulnerabilities"));
      assert.match(a.text, /built-in engine/, `should say what it is: ${a.text}`);
      assert.match(a.text, /no documents/, `should say there are no documents: ${a.text}`);
      assert.match(a.text, /POST \/api\/v1\/documents/, `should say how to load documents: ${a.text}`);
      assert.match(a.text, /LIVEGATE_LLM_BASE_URL/, `should say how to configure a real model: ${a.text}`);
      assert.deepEqual(a.sources, [], "no sources without documents");
      assert.equal(a.done.finishReason, "stop", "finishReason");
      assert.equal(a.done.model, EMBEDDED_MODEL, "model name");
    });

    it("says the same in Russian when the language is ru", async () => {
      const a = await run(none, user("Найди уязвимости"), { language: "ru" });
      assert.match(a.text, /встроенный движок/, `should say what it is, in Russian: ${a.text}`);
      assert.match(a.text, /документы ещё не загружены/, `should say there are no documents, in Russian: ${a.text}`);
      assert.match(a.text, /LIVEGATE_LLM_BASE_URL/, `should name the setting: ${a.text}`);
      assert.doesNotMatch(a.text, /built-in|no documents are loaded|how to/i, `should not fall back to English: ${a.text}`);
    });
  });

  describe("with documents", () => {
    it("answers with the matching document's sentences and names it as the source", async () => {
      const a = await run(engine, user("How long until tokens expire?"));
      assert.match(a.text, /Tokens expire after one hour\./, `the answer should quote the matching sentence: ${a.text}`);
      assert.match(a.text, /Authentication module/, `the answer should name the document: ${a.text}`);
      assert.deepEqual(a.sources.map((s) => s.id), ["auth"], `only the matching document is a source: ${JSON.stringify(a.sources)}`);
      const src = a.sources[0]!;
      assert.equal(src.title, "Authentication module", "source title");
      assert.ok(src.snippet.length > 0 && DOCS[0]!.content.includes(src.snippet), `the snippet should be a passage of the document: ${src.snippet}`);
      assert.ok(src.score > 0, "source score");
      assert.equal(a.order[0], "sources", "sources come before the answer text");
      assert.doesNotMatch(a.text, /SQLite|платеж/, `sentences of other documents should not be in the answer: ${a.text}`);
    });

    it("puts the best matching sentence first", async () => {
      const a = await run(engine, user("How are SQL injections avoided?"));
      const firstLine = a.text.split("\n")[1] ?? "";
      assert.match(firstLine, /Kysely to avoid SQL injection/, `the sentence about SQL injection should come first: ${a.text}`);
      assert.equal(a.sources[0]?.id, "db", "source");
    });

    it("says plainly when nothing in the documents matches", async () => {
      const a = await run(engine, user("xyzzy plugh"));
      assert.match(a.text, /Nothing in the 3 loaded documents matches/, `should say nothing matched: ${a.text}`);
      assert.match(a.text, /LIVEGATE_LLM_BASE_URL/, `should say how to configure a real model: ${a.text}`);
      assert.deepEqual(a.sources, [], "no sources when nothing matched");
    });

    it("does not answer an unrelated question from common words such as 'what', 'is' and 'the'", async () => {
      const a = await run(engine, user("What is the capital of France?"));
      assert.match(a.text, /Nothing in the 3 loaded documents matches/, `an unrelated question should get the no-match answer: ${a.text}`);
      assert.deepEqual(a.sources, [], `no sources for an unrelated question: ${JSON.stringify(a.sources)}`);
    });

    it("answers Russian questions from Russian documents, in Russian", async () => {
      const a = await run(engine, user("Как хранятся суммы платежей?"), { language: "ru" });
      assert.match(a.text, /Все суммы хранятся в копейках\./, `should quote the matching Russian sentence: ${a.text}`);
      assert.match(a.text, /^Вот что сказано/, `the framing should be Russian: ${a.text}`);
      assert.match(a.text, /Из «Модуль платежей»/, `should name the document in Russian framing: ${a.text}`);
      assert.deepEqual(a.sources.map((s) => s.id), ["payments"], "source");
    });

    it("says in Russian when nothing matches a Russian question", async () => {
      const a = await run(engine, user("Что такое погода?"), { language: "ru" });
      assert.match(a.text, /нет ничего по запросу «Что такое погода\?»/, `should say nothing matched, in Russian: ${a.text}`);
      assert.deepEqual(a.sources, [], "no sources");
    });

    it("streams the answer word by word, the deltas adding up to the whole answer", async () => {
      const a = await run(engine, user("How are SQL injections avoided?"));
      assert.ok(a.deltas.length >= 10, `a sentence-long answer should come in many deltas, got ${a.deltas.length}`);
      for (const d of a.deltas) assert.match(d, /^\S+\s*$/u, `each delta should be one word with its trailing space: ${JSON.stringify(d)}`);
      assert.equal(a.done.usage.completionTokens, a.deltas.length, "completion tokens should count the deltas");
      assert.ok(a.done.usage.promptTokens > 0, "prompt tokens should be estimated");
    });

    it("stops at once when cancelled, with finishReason cancelled", async () => {
      const ac = new AbortController();
      const a = await run(engine, user("How are SQL injections avoided?"), {
        signal: ac.signal,
        onDelta: (n) => {
          if (n === 2) ac.abort();
        },
      });
      assert.equal(a.deltas.length, 2, `no delta should follow the abort, got ${a.deltas.length}`);
      assert.equal(a.done.finishReason, "cancelled", "finishReason");
      assert.equal(a.done.usage.completionTokens, 2, "usage counts what was sent");
    });

    it("sends nothing when the signal is already aborted", async () => {
      const ac = new AbortController();
      ac.abort();
      const a = await run(engine, user("How long until tokens expire?"), { signal: ac.signal });
      assert.deepEqual(a.deltas, [], "no deltas");
      assert.equal(a.done.finishReason, "cancelled", "finishReason");
    });

    it("answers a follow-up with the help of the session's previous question", async () => {
      const a = await run(engine, [
        { role: "system", content: "You are a test." },
        { role: "user", content: "Tell me about JWT tokens" },
        { role: "assistant", content: "From the auth module: ..." },
        { role: "user", content: "and when do they expire?" },
      ]);
      assert.match(a.text, /Tokens expire after one hour\./, `the follow-up should be answered from the earlier topic: ${a.text}`);
    });
  });
});
