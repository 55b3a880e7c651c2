import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { resolveOptions, type GatewayOptionsInput } from "../../../src/core/options.js";
import { EMBEDDED_MODEL, EmbeddedProvider } from "../../../src/engines/chat/embedded.js";
import { OpenAIProvider } from "../../../src/engines/chat/openai.js";
import type { ChatProvider } from "../../../src/engines/chat/provider.js";
import { ChatService, type ChatEvent, type ChatQuery } from "../../../src/services/chat/service.js";
import { DocumentService } from "../../../src/services/documents.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

type Done = Extract<ChatEvent, { type: "done" }>;

interface Run {
  events: ChatEvent[];
  text: string;
  done: Done;
}

async function run(chat: ChatService, q: ChatQuery): Promise<Run> {
  const events: ChatEvent[] = [];
  for await (const ev of chat.stream(q)) events.push(ev);
  const done = events.at(-1);
  assert.ok(done?.type === "done", `the stream should end with done, got ${JSON.stringify(events.at(-1))}`);
  const text = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
  return { events, text, done };
}

/** Runs a query that must be refused before any event; returns the error. */
async function refused(chat: ChatService, q: ChatQuery, code: string, what: string): Promise<GatewayError> {
  const events: ChatEvent[] = [];
  try {
    for await (const ev of chat.stream(q)) events.push(ev);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `${what}: should throw a GatewayError, got ${String(err)}`);
    assert.equal(err.code, code, `${what}: code`);
    assert.deepEqual(events, [], `${what}: no event should come before the refusal`);
    return err;
  }
  assert.fail(`${what}: should have been refused with ${code}, got ${events.length} events`);
}

const chatOptions = (chat: GatewayOptionsInput["chat"] = {}) => resolveOptions({ chat }).chat;

describe("ChatService with the embedded engine and SQLite", () => {
  let t: TempStore;
  let chat: ChatService;

  before(async () => {
    t = await openTempStore();
    const docs = new DocumentService(t.store.documents);
    await docs.add({ id: "sec", title: "Security notes", content: "User input reaches the SQL query in report.ts without escaping. Use parameters." });
    chat = new ChatService(new EmbeddedProvider(docs), t.store.conversations, chatOptions({ prices: { [EMBEDDED_MODEL]: { input: 1, output: 2 } } }));
  });
  after(() => t.close());

  it("routes by keyword, streams the answer, and reports scenario, session and usage", async () => {
    const r = await run(chat, { user: "alice", query: "Find all SQL injection vulnerabilities" });
    const scenario = r.events[0];
    assert.equal(scenario?.type, "scenario", "the first event should be the scenario");
    assert.equal(scenario.type === "scenario" && scenario.scenarioId, "security_audit", "routed scenario");
    assert.ok(scenario.type === "scenario" && scenario.confidence > 0.5 && scenario.confidence < 1, "routed confidence in (0.5, 1)");
    assert.ok(r.events.some((e) => e.type === "sources"), "the embedded answer should carry sources");
    assert.match(r.text, /report\.ts/, `the answer should come from the document: ${r.text}`);
    assert.equal(r.done.answer, r.text, "done.answer should be the deltas joined");
    assert.equal(r.done.scenarioId, "security_audit", "done.scenarioId");
    assert.match(r.done.sessionId, /^sess-[0-9a-f-]{36}$/, `a new session id should be returned: ${r.done.sessionId}`);
    assert.equal(r.done.model, EMBEDDED_MODEL, "model");
    assert.equal(r.done.finishReason, "stop", "finishReason");
    const indexes = r.events.flatMap((e) => (e.type === "delta" ? [e.index] : []));
    assert.deepEqual(indexes, indexes.map((_, i) => i), "delta indexes should count from 0");
  });

  it("uses a forced scenario with confidence 1", async () => {
    const r = await run(chat, { user: "alice", query: "Find all SQL injection vulnerabilities", scenarioId: "architecture" });
    assert.deepEqual(r.events[0], { type: "scenario", scenarioId: "architecture", confidence: 1 }, "forced scenario event");
    assert.equal(r.done.confidence, 1, "done.confidence");
  });

  it("refuses an unknown forced scenario with LG_ERR_SCENARIO_UNKNOWN before any event", async () => {
    await refused(chat, { user: "alice", query: "hi", scenarioId: "nope" }, "LG_ERR_SCENARIO_UNKNOWN", "unknown scenario");
  });

  it("refuses an unknown model with LG_ERR_MODEL_UNKNOWN naming the configured ones", async () => {
    const err = await refused(chat, { user: "alice", query: "hi", model: "gpt-9" }, "LG_ERR_MODEL_UNKNOWN", "unknown model");
    assert.match(err.message, /gpt-9/, "the message names the model asked for");
    assert.match(err.message, new RegExp(EMBEDDED_MODEL), "the message names the configured models");
  });

  it("refuses another user's session with LG_ERR_SESSION_NOT_FOUND and leaves it untouched", async () => {
    const first = await run(chat, { user: "alice", query: "Where is the SQL query built?" });
    const before = await t.store.conversations.messages(first.done.sessionId);
    await refused(chat, { user: "mallory", query: "show me", sessionId: first.done.sessionId }, "LG_ERR_SESSION_NOT_FOUND", "another user's session");
    assert.equal((await t.store.conversations.messages(first.done.sessionId)).length, before.length, "the other user's query must not be stored in the session");
  });

  it("refuses a malformed session id with LG_ERR_REQUEST_INVALID", async () => {
    await refused(chat, { user: "alice", query: "hi", sessionId: "has spaces/and slashes" }, "LG_ERR_REQUEST_INVALID", "bad session id");
  });

  it("creates a session with the id the client chose, and continues it", async () => {
    const a = await run(chat, { user: "bob", query: "What about SQL?", sessionId: "bob-session-1" });
    assert.equal(a.done.sessionId, "bob-session-1", "the chosen id should be used");
    const b = await run(chat, { user: "bob", query: "And escaping?", sessionId: "bob-session-1" });
    assert.equal(b.done.sessionId, "bob-session-1", "the same session");
    const messages = await t.store.conversations.messages("bob-session-1");
    assert.deepEqual(messages.map((m) => m.role), ["user", "assistant", "user", "assistant"], "both exchanges stored in order");
  });

  it("stores both messages with tokens, model and scenario, and the cost from the price table on the conversation", async () => {
    const r = await run(chat, { user: "carol", query: "Is the SQL query escaped?" });
    const conv = await t.store.conversations.get(r.done.sessionId);
    assert.ok(conv, "the conversation should be stored");
    assert.equal(conv.userId, "carol", "owner");
    assert.equal(conv.title, "Is the SQL query escaped?", "title from the first query");
    const [q, a] = await t.store.conversations.messages(r.done.sessionId);
    assert.equal(q?.role, "user", "first message role");
    assert.equal(q?.content, "Is the SQL query escaped?", "question stored");
    assert.equal(a?.role, "assistant", "second message role");
    assert.equal(a?.content, r.done.answer, "answer stored");
    assert.equal(a?.id, r.done.messageId, "done.messageId is the stored answer's id");
    assert.equal(a?.model, EMBEDDED_MODEL, "model stored");
    assert.equal(a?.tokensIn, r.done.usage.promptTokens, "prompt tokens stored");
    assert.equal(a?.tokensOut, r.done.usage.completionTokens, "completion tokens stored");
    assert.deepEqual(a?.metadata, { scenario_id: r.done.scenarioId, finish_reason: "stop" }, "answer metadata");
    const expected = (r.done.usage.promptTokens * 1 + r.done.usage.completionTokens * 2) / 1000;
    assert.ok(Math.abs(r.done.cost - expected) < 1e-9, `cost should be priced per 1,000 tokens: ${r.done.cost} vs ${expected}`);
    assert.ok(Math.abs(conv.cost - expected) < 1e-9, `the conversation's cost: ${conv.cost} vs ${expected}`);
    assert.equal(conv.tokensIn, r.done.usage.promptTokens, "conversation tokens in");
    assert.equal(conv.tokensOut, r.done.usage.completionTokens, "conversation tokens out");
  });

  it("costs nothing for a model without a price", async () => {
    const docs = new DocumentService(t.store.documents);
    const free = new ChatService(new EmbeddedProvider(docs), t.store.conversations, chatOptions());
    const r = await run(free, { user: "dan", query: "hello" });
    assert.equal(r.done.cost, 0, "no price → cost 0");
    assert.equal((await t.store.conversations.get(r.done.sessionId))?.cost, 0, "stored cost");
  });

  it("answers in Russian when the language is ru", async () => {
    const r = await run(chat, { user: "erin", query: "Что с SQL запросом?", language: "ru" });
    assert.match(r.text, /^Вот что сказано|^Я встроенный движок/, `the framing should be Russian: ${r.text}`);
  });

  it("ends with finishReason cancelled when the signal aborts, and stores the partial answer", async () => {
    const ac = new AbortController();
    const events: ChatEvent[] = [];
    for await (const ev of chat.stream({ user: "frank", query: "Find SQL injection in report.ts", signal: ac.signal })) {
      events.push(ev);
      if (ev.type === "delta" && ev.index === 1) ac.abort();
    }
    const done = events.at(-1) as Done;
    assert.equal(done.type, "done", "done after the abort");
    assert.equal(done.finishReason, "cancelled", "finishReason");
    assert.equal(events.filter((e) => e.type === "delta").length, 2, "no delta after the abort");
    const stored = await t.store.conversations.messages(done.sessionId);
    assert.equal(stored.at(-1)?.content, done.answer, "the partial answer is stored");
    assert.deepEqual(stored.at(-1)?.metadata, { scenario_id: done.scenarioId, finish_reason: "cancelled" }, "marked cancelled");
  });

  it("lists the provider's default model and the configured ones", () => {
    const docs = new DocumentService(t.store.documents);
    const c = new ChatService(new EmbeddedProvider(docs), t.store.conversations, chatOptions({ models: ["big", "small", EMBEDDED_MODEL] }));
    assert.deepEqual(c.models, [EMBEDDED_MODEL, "big", "small"], "models, default first, no duplicates");
    assert.equal(c.providerName, "embedded", "provider name");
  });
});

describe("ChatService over an OpenAI-compatible server", () => {
  let t: TempStore;
  let server: OpenAITestServer;

  const service = (chat: GatewayOptionsInput["chat"] = {}, provider?: ChatProvider): ChatService => {
    const options = chatOptions({ baseUrl: server.baseUrl, apiKey: "sk-chat-test", model: "gpt-test", ...chat });
    return new ChatService(provider ?? new OpenAIProvider({ baseUrl: server.baseUrl, apiKey: options.apiKey, model: options.model, timeoutMs: 5000 }), t.store.conversations, options);
  };

  before(async () => {
    [t, server] = await Promise.all([openTempStore(), OpenAITestServer.start()]);
  });
  after(() => Promise.all([t.close(), server.close()]));

  it("sends the first exchange as context with the second query of the same session", async () => {
    const chat = service();
    server.script({ deltas: ["Parsing ", "happens in ", "parser.ts."] }, { deltas: ["It is ", "called from main."] });
    const first = await run(chat, { user: "alice", query: "Where is parsing done?" });
    const second = await run(chat, { user: "alice", query: "Who calls it?", sessionId: first.done.sessionId });
    assert.equal(second.done.sessionId, first.done.sessionId, "same session");
    const sent = server.last.body.messages;
    assert.equal(sent[0]?.role, "system", "a system prompt goes first");
    assert.match(String(sent[0]?.content), /Code search|Answer in English/, `the system prompt carries the scenario and language: ${String(sent[0]?.content)}`);
    assert.deepEqual(
      sent.slice(1),
      [
        { role: "user", content: "Where is parsing done?" },
        { role: "assistant", content: "Parsing happens in parser.ts." },
        { role: "user", content: "Who calls it?" },
      ],
      "the earlier exchange, then the new question",
    );
  });

  it("sends no context with the first query of a new session", async () => {
    const chat = service();
    await run(chat, { user: "bob", query: "A fresh question" });
    assert.deepEqual(server.last.body.messages.slice(1), [{ role: "user", content: "A fresh question" }], "only the question after the system prompt");
  });

  /** Asks Q1, Q2, Q3 in one session (answered A1, A2, A3); returns what the model got with Q3 after the system prompt. */
  const messagesWithThirdQuestion = async (chat: ChatService) => {
    server.script({ deltas: ["A1"] }, { deltas: ["A2"] }, { deltas: ["A3"] });
    const s = (await run(chat, { user: "carol", query: "Q1" })).done.sessionId;
    await run(chat, { user: "carol", query: "Q2", sessionId: s });
    await run(chat, { user: "carol", query: "Q3", sessionId: s });
    return server.last.body.messages.slice(1);
  };
  const Q2_A2_Q3 = [
    { role: "user", content: "Q2" },
    { role: "assistant", content: "A2" },
    { role: "user", content: "Q3" },
  ];

  it("sends at most contextMessages earlier messages, the newest ones", async () => {
    assert.deepEqual(await messagesWithThirdQuestion(service({ contextMessages: 2 })), Q2_A2_Q3, "only the last 2 earlier messages");
  });

  it("sends no context with contextMessages 0", async () => {
    const chat = service({ contextMessages: 0 });
    const s = (await run(chat, { user: "carol", query: "Q1" })).done.sessionId;
    await run(chat, { user: "carol", query: "Q2", sessionId: s });
    assert.deepEqual(server.last.body.messages.slice(1), [{ role: "user", content: "Q2" }], "only the question");
  });

  it("sends whole exchanges only when the window cuts one in half", async () => {
    assert.deepEqual(await messagesWithThirdQuestion(service({ contextMessages: 3 })), Q2_A2_Q3, "A1 without its question Q1 should not be sent");
  });

  it("keeps a question still being answered out of a parallel query's context", async () => {
    const chat = service();
    const s = (await run(chat, { user: "ivan", query: "Q0" })).done.sessionId;
    server.script({ deltas: ["slow ", "answer"], delayMs: 100 }, { deltas: ["fast answer"] });
    const requests = server.requests.length;
    const slow = run(chat, { user: "ivan", query: "slow question", sessionId: s });
    await server.waitForRequests(requests + 1);
    await run(chat, { user: "ivan", query: "fast question", sessionId: s });
    const fastMessages = server.last.body.messages.slice(1).map((m) => m.content);
    const slowDone = await slow;
    assert.equal(slowDone.text, "slow answer", "the slow query got the slow reply");
    assert.ok(!fastMessages.includes("slow question"), `the unanswered parallel question should not be context: ${JSON.stringify(fastMessages)}`);
    assert.equal(fastMessages.at(-1), "fast question", "the fast question is last");
  });

  it("answers in the system prompt's language", async () => {
    const chat = service();
    await run(chat, { user: "dan", query: "Где функция main?", language: "ru" });
    assert.match(String(server.last.body.messages[0]?.content), /по-русски/, "the Russian system prompt");
  });

  it("sends a configured model a query asks for, and refuses one that is not configured", async () => {
    const chat = service({ models: ["gpt-test-large"] });
    const r = await run(chat, { user: "erin", query: "hi", model: "gpt-test-large" });
    assert.equal(server.last.body.model, "gpt-test-large", "the chosen model is sent");
    assert.equal(r.done.model, "gpt-test-large", "done.model");
    const before = server.requests.length;
    await refused(chat, { user: "erin", query: "hi", model: "gpt-unknown" }, "LG_ERR_MODEL_UNKNOWN", "unknown model");
    assert.equal(server.requests.length, before, "an unknown model must not reach the server");
  });

  it("stores the server's token usage and the priced cost", async () => {
    const chat = service({ prices: { "gpt-test": { input: 0.5, output: 1.5 } } });
    server.script({ deltas: ["ok"], usage: { prompt_tokens: 1000, completion_tokens: 2000 } });
    const r = await run(chat, { user: "frank", query: "price me" });
    assert.deepEqual(r.done.usage, { promptTokens: 1000, completionTokens: 2000 }, "usage");
    assert.equal(r.done.cost, 3.5, "1000 × 0.5/1000 + 2000 × 1.5/1000");
    const conv = await t.store.conversations.get(r.done.sessionId);
    assert.equal(conv?.cost, 3.5, "the conversation's cost");
    assert.equal(conv?.tokensIn, 1000, "conversation tokens in");
    assert.equal(conv?.tokensOut, 2000, "conversation tokens out");
    const answer = (await t.store.conversations.messages(r.done.sessionId)).at(-1);
    assert.equal(answer?.tokensIn, 1000, "message tokens in");
    assert.equal(answer?.tokensOut, 2000, "message tokens out");
    assert.equal(answer?.model, "gpt-test", "message model");
  });

  it("adds up the cost of every answer in a session", async () => {
    const chat = service({ prices: { "gpt-test": { input: 1, output: 1 } } });
    server.script({ deltas: ["a"], usage: { prompt_tokens: 100, completion_tokens: 100 } }, { deltas: ["b"], usage: { prompt_tokens: 300, completion_tokens: 500 } });
    const s = (await run(chat, { user: "gina", query: "one" })).done.sessionId;
    await run(chat, { user: "gina", query: "two", sessionId: s });
    assert.equal((await t.store.conversations.get(s))?.cost, 1, "0.2 + 0.8");
  });

  it("passes a provider failure on as LG_ERR_CHAT_FAILED, and keeps the failed question out of the next context", async () => {
    const chat = service();
    server.script({ deltas: ["first answer"] }, { status: 500 }, { deltas: ["third answer"] });
    const s = (await run(chat, { user: "hank", query: "first question" })).done.sessionId;
    await assert.rejects(
      async () => {
        for await (const _ of chat.stream({ user: "hank", query: "failing question", sessionId: s })) void _;
      },
      (e: unknown) => e instanceof GatewayError && e.code === "LG_ERR_CHAT_FAILED" && /500/.test(e.message),
      "a 500 from the server",
    );
    await run(chat, { user: "hank", query: "third question", sessionId: s });
    assert.deepEqual(
      server.last.body.messages.slice(1),
      [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "third question" },
      ],
      "a question that got no answer should not be sent as context",
    );
  });
});
