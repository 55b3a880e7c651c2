import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OPENAI_ERRORS, OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, assertEnvelope, assertError, chat, connectReady, ISO_UTC, sendMessage, startConversation } from "./helpers.js";

/** Prices per 1,000 tokens for the embedded engine's model, so every answer has a cost. */
const PRICES = { "livegate-embedded": { input: 2, output: 4 } };
const costOf = (tokensIn: number, tokensOut: number): number => (tokensIn * 2 + tokensOut * 4) / 1000;
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

describe("UnaCODE chat over the embedded engine", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ chat: { prices: PRICES }, unacode: { chatRequestsPerMinute: 0 } });
    const doc = { title: "Team handbook", content: "The healthcare team deploys on Fridays. Deployments are reviewed by the code review orchestrator." };
    assert.equal((await gw.api("/api/v1/documents", { body: doc })).status, 201);
  });
  after(() => gw.close());

  it("starts a conversation: chat {action, conversation_id, conversation} with zero totals", async () => {
    const client = await connectReady(gw, "ann");
    const reply = await chat(client, "start_conversation", { payload: { title: "Deploys", metadata: { topic: "ops" } } });
    assertEnvelope(reply, "ann", "the start_conversation reply");
    assert.equal(reply.type, "chat");
    assert.equal(reply.payload.action, "start_conversation");
    assert.match(reply.payload.conversation_id as string, /^conv_[0-9a-f-]{36}$/);
    const c = reply.payload.conversation;
    assert.equal(c.conversation_id, reply.payload.conversation_id);
    assert.deepEqual(
      { title: c.title, status: c.status, model: c.model, ended_at: c.ended_at, tokens_in: c.tokens_in, tokens_out: c.tokens_out, cost: c.cost },
      { title: "Deploys", status: "active", model: null, ended_at: null, tokens_in: 0, tokens_out: 0, cost: 0 },
      "a new conversation, title from the payload",
    );
    assert.match(c.created_at as string, ISO_UTC);
    client.close();
  });

  it("answers send_message with the seed's user_notification chat_message under the request's id, with tokens and cost", async () => {
    const client = await connectReady(gw, "ben");
    const conv = await startConversation(client);
    const frames = await sendMessage(client, conv, "When does the healthcare team deploy?");
    assert.deepEqual(frames.map((f) => f.type), ["user_notification"], "without streaming, one message answers");
    const n = frames[0]!;
    assertEnvelope(n, "ben", "the answer");
    const m = n.payload.chat_message;
    assert.equal(m.type, "ai_response");
    assert.equal(m.conversation_id, conv);
    assert.match(m.content as string, /Fridays/, "the answer comes from the loaded document");
    assert.equal(typeof m.id, "string");
    assert.equal(m.model, "livegate-embedded");
    assert.ok(m.tokens_in > 0 && m.tokens_out > 0, `token usage of the answer: ${JSON.stringify(m)}`);
    assert.ok(close(m.cost, costOf(m.tokens_in, m.tokens_out)), `cost from chat.prices: ${m.cost}`);
    assert.equal(n.payload.conversation.conversation_id, conv);
    assert.ok(close(n.payload.conversation.cost, m.cost), "the conversation's total after its first answer is that answer's cost");
    client.close();
  });

  it("reads send_message's fields from the payload as well as from the top level", async () => {
    const client = await connectReady(gw, "cat");
    const conv = await startConversation(client);
    const reply = await ask(client, { type: "chat", payload: { action: "send_message", conversation_id: conv, content: "Who reviews deployments?" } }, 5000);
    assert.equal(reply.type, "user_notification", `a payload-only send_message is answered: ${JSON.stringify(reply)}`);
    assert.match(reply.payload.chat_message.content as string, /orchestrator/);
    client.close();
  });

  it("streams the answer as chat_chunk messages before the user_notification when metadata.stream is true", async () => {
    const client = await connectReady(gw, "dot");
    const conv = await startConversation(client);
    const frames = await sendMessage(client, conv, "When does the healthcare team deploy?", { stream: true });
    const chunks = frames.slice(0, -1);
    assert.ok(chunks.length >= 2, `several chunks: ${frames.map((f) => f.type).join(",")}`);
    assert.ok(chunks.every((f) => f.type === "chat_chunk"), "only chunks before the answer");
    chunks.forEach((f, i) => {
      assertEnvelope(f, "dot", `chunk ${i}`);
      assert.equal(f.payload.index, i, "chunks are numbered from 0 in order");
      assert.equal(f.payload.conversation_id, conv);
    });
    const full = frames.at(-1)!.payload.chat_message.content as string;
    assert.equal(chunks.map((f) => f.payload.content as string).join(""), full, "the chunks joined are the answer");
    client.close();
  });

  it("keeps history: get_history returns the messages in order with the conversation's totals", async () => {
    const client = await connectReady(gw, "eli");
    const conv = await startConversation(client);
    const a1 = (await sendMessage(client, conv, "When does the healthcare team deploy?")).at(-1)!.payload.chat_message;
    const a2 = (await sendMessage(client, conv, "Who reviews deployments?")).at(-1)!.payload.chat_message;
    const h = await chat(client, "get_history", { conversation_id: conv });
    assert.equal(h.type, "chat");
    assert.equal(h.payload.action, "get_history");
    assert.equal(h.payload.conversation_id, conv);
    const msgs = h.payload.messages as Record<string, unknown>[];
    assert.deepEqual(msgs.map((m) => m.type), ["user_message", "ai_response", "user_message", "ai_response"]);
    assert.deepEqual(msgs.map((m) => m.content), ["When does the healthcare team deploy?", a1.content, "Who reviews deployments?", a2.content]);
    assert.equal(msgs[1]!.id, a1.id, "an answer's id in history is the chat_message id");
    assert.equal(msgs[1]!.model, "livegate-embedded");
    for (const m of msgs) assert.match(m.created_at as string, ISO_UTC);
    const c = h.payload.conversation;
    assert.equal(c.tokens_in, a1.tokens_in + a2.tokens_in, "the conversation's input tokens are the answers' sum");
    assert.equal(c.tokens_out, a1.tokens_out + a2.tokens_out);
    assert.ok(close(c.cost, a1.cost + a2.cost), `the conversation's cost is the answers' sum: ${c.cost}`);
    const last = await chat(client, "get_history", { conversation_id: conv, limit: 2 });
    assert.deepEqual((last.payload.messages as Record<string, unknown>[]).map((m) => m.content), ["Who reviews deployments?", a2.content], "limit keeps the newest");
    client.close();
  });

  it("lists the user's conversations, most recently active first, with their costs and totals", async () => {
    const client = await connectReady(gw, "fin");
    const first = await startConversation(client, { payload: { title: "first" } });
    const second = await startConversation(client, { payload: { title: "second" } });
    const answer = (await sendMessage(client, first, "When does the healthcare team deploy?")).at(-1)!.payload.chat_message;
    const other = await connectReady(gw, "not-fin");
    await startConversation(other);
    const list = await chat(client, "list_conversations");
    assert.equal(list.payload.action, "list_conversations");
    const convs = list.payload.conversations as Record<string, unknown>[];
    assert.deepEqual(convs.map((c) => c.conversation_id), [first, second], "only fin's, the one just answered first");
    assert.ok(close(convs[0]!.cost as number, answer.cost), "each conversation carries its cost");
    assert.equal(convs[1]!.cost, 0);
    assert.deepEqual(list.payload.totals, { tokens_in: answer.tokens_in, tokens_out: answer.tokens_out, cost: convs[0]!.cost }, "totals over the list");
    assert.equal((await chat(client, "list_conversations", { limit: 1 })).payload.conversations.length, 1, "limit");
    client.close();
    other.close();
  });

  it("ends a conversation: status ended, history kept, and send_message then gets CONVERSATION_ENDED", async () => {
    const client = await connectReady(gw, "gil");
    const conv = await startConversation(client);
    await sendMessage(client, conv, "When does the healthcare team deploy?");
    const ended = await chat(client, "end_conversation", { conversation_id: conv });
    assert.equal(ended.payload.action, "end_conversation");
    assert.equal(ended.payload.conversation.status, "ended");
    assert.match(ended.payload.conversation.ended_at as string, ISO_UTC);
    const again = await chat(client, "end_conversation", { conversation_id: conv });
    assert.equal(again.payload.conversation.ended_at, ended.payload.conversation.ended_at, "ending twice changes nothing");
    const refused = await sendMessage(client, conv, "one more?");
    assertError(refused[0]!, "CONVERSATION_ENDED", "a message to an ended conversation");
    const h = await chat(client, "get_history", { conversation_id: conv });
    assert.equal(h.payload.messages.length, 2, "the history of an ended conversation is kept");
    client.close();
  });

  it("answers NOT_FOUND for a missing conversation or another user's, for every action that names one", async () => {
    const owner = await connectReady(gw, "hank");
    const conv = await startConversation(owner);
    const thief = await connectReady(gw, "ivan");
    for (const id of [conv, "conv_missing"]) {
      for (const [action, fields] of [
        ["send_message", { conversation_id: id, content: "hi" }],
        ["get_history", { conversation_id: id }],
        ["end_conversation", { conversation_id: id }],
      ] as const) {
        const err = assertError(await chat(thief, action, fields), "NOT_FOUND", `${action} on ${id === conv ? "another user's" : "a missing"} conversation`);
        assert.match(err.error as string, new RegExp(id), "the error names the conversation");
      }
    }
    const h = await chat(owner, "get_history", { conversation_id: conv });
    assert.equal(h.payload.conversation.status, "active", "the owner's conversation is untouched");
    assert.equal(h.payload.messages.length, 0, "nothing was stored in it");
    owner.close();
    thief.close();
  });

  it("answers bad chat requests with INVALID_MESSAGE naming the field", async () => {
    const client = await connectReady(gw, "jay");
    const conv = await startConversation(client);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /action: missing/],
      [{ action: "fly" }, /"fly" is not an action/],
      [{ action: "send_message", content: "hi" }, /conversation_id/],
      [{ action: "send_message", conversation_id: conv }, /content/],
      [{ action: "send_message", conversation_id: conv, content: "   " }, /content: expected a non-empty message/],
      [{ action: "get_history", conversation_id: conv, limit: 0 }, /limit/],
      [{ action: "send_message", conversation_id: conv, content: "hi", metadata: { stream: "yes" } }, /metadata.stream/],
    ];
    for (const [fields, detail] of cases) {
      const err = assertError(await ask(client, { type: "chat", ...fields }), "INVALID_MESSAGE", JSON.stringify(fields));
      assert.match(err.error as string, detail, `the error should name what is wrong with ${JSON.stringify(fields)}`);
    }
    client.close();
  });

  it("refuses a model that is not configured with INVALID_MESSAGE naming the configured ones", async () => {
    const client = await connectReady(gw, "kai");
    const err = assertError(await chat(client, "start_conversation", { metadata: { model: "gpt-5-ultra" } }), "INVALID_MESSAGE", "an unknown model at start");
    assert.match(err.error as string, /unknown model "gpt-5-ultra"; configured: livegate-embedded/);
    const conv = await startConversation(client);
    const refused = await sendMessage(client, conv, "hi", { model: "gpt-5-ultra" });
    assertError(refused[0]!, "INVALID_MESSAGE", "an unknown model in send_message");
    client.close();
  });
});

describe("UnaCODE chat with several models of an OpenAI-compatible server", () => {
  let gw: TestGateway;
  let llm: OpenAITestServer;
  before(async () => {
    llm = await OpenAITestServer.start();
    gw = await startTestGateway({
      chat: {
        baseUrl: llm.baseUrl,
        model: "gpt-4",
        models: ["claude-3", "llama-local"],
        prices: { "gpt-4": { input: 30, output: 60 }, "claude-3": { input: 3, output: 15 } },
      },
    });
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  it("sends the conversation's earlier exchanges to the model as context", async () => {
    const client = await connectReady(gw, "lia");
    const conv = await startConversation(client);
    llm.script({ deltas: ["Paris", "."] }, { deltas: ["About 2 million."] });
    await sendMessage(client, conv, "What is the capital of France?");
    await sendMessage(client, conv, "How many people live there?");
    const messages = llm.last.body.messages.map((m) => ({ role: m.role, content: m.content }));
    assert.deepEqual(messages.slice(1), [
      { role: "user", content: "What is the capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "How many people live there?" },
    ], "the second question goes with the first exchange");
    client.close();
  });

  it("picks the model by metadata.model, else the conversation's, else the default, and prices each", async () => {
    const client = await connectReady(gw, "mo");
    const conv = await startConversation(client, { metadata: { model: "claude-3" } });
    const usage = { prompt_tokens: 100, completion_tokens: 50 };
    llm.script({ usage }, { usage }, { usage });

    const byConversation = (await sendMessage(client, conv, "one")).at(-1)!.payload.chat_message;
    assert.equal(llm.last.body.model, "claude-3", "the model the conversation was started with");
    assert.equal(byConversation.model, "claude-3");
    assert.ok(close(byConversation.cost, (100 * 3 + 50 * 15) / 1000), `claude-3's price: ${byConversation.cost}`);

    const byMessage = (await sendMessage(client, conv, "two", { model: "gpt-4" })).at(-1)!.payload.chat_message;
    assert.equal(llm.last.body.model, "gpt-4", "metadata.model of the message wins");
    assert.ok(close(byMessage.cost, (100 * 30 + 50 * 60) / 1000), `gpt-4's price: ${byMessage.cost}`);

    const plain = await startConversation(client);
    const unpriced = (await sendMessage(client, plain, "three", { model: "llama-local" })).at(-1)!.payload.chat_message;
    assert.equal(llm.last.body.model, "llama-local");
    assert.equal(unpriced.cost, 0, "a model without a price costs 0");
    assert.deepEqual([unpriced.tokens_in, unpriced.tokens_out], [100, 50], "its tokens are still counted");

    const h = await chat(client, "get_history", { conversation_id: conv });
    assert.deepEqual(h.payload.messages.filter((m: { type: string }) => m.type === "ai_response").map((m: { model: string }) => m.model), ["claude-3", "gpt-4"]);
    assert.ok(close(h.payload.conversation.cost, byConversation.cost + byMessage.cost), "the conversation's cost adds both models' prices");
    client.close();
  });

  it("answers a failing model server with SERVICE_UNAVAILABLE under the request's id", async () => {
    const client = await connectReady(gw, "ned");
    const conv = await startConversation(client);
    llm.script({ status: 500 });
    const frames = await sendMessage(client, conv, "hello?");
    const err = assertError(frames.at(-1)!, "SERVICE_UNAVAILABLE", "a model server error");
    assert.match(err.error as string, /500/, "the error says what the server answered");
    client.close();
  });

  it("answers a model server's 401 with MODEL_REJECTED (retrying cannot help) and its 503 with SERVICE_UNAVAILABLE (it can)", async () => {
    const client = await connectReady(gw, "nia");
    const conv = await startConversation(client);
    llm.script(
      { status: 401, error: OPENAI_ERRORS.invalidApiKey("sk-bad***key1") },
      { status: 503, error: OPENAI_ERRORS.server(), headers: { "retry-after": "7" } },
    );

    const refused = assertError((await sendMessage(client, conv, "with a bad key")).at(-1)!, "MODEL_REJECTED", "a 401 from the model server");
    assert.match(refused.error as string, /answered 401 \(invalid_api_key\): Incorrect API key provided/, `names the status and the server's explanation: ${String(refused.error)}`);
    assert.match(refused.error as string, /will not help/, "says that retrying will not help");
    assert.equal(refused.retry_after, undefined, "no retry advice for a refusal");

    const unavailable = assertError((await sendMessage(client, conv, "while it is down")).at(-1)!, "SERVICE_UNAVAILABLE", "a 503 from the model server");
    assert.match(unavailable.error as string, /answered 503: The server had an error/, `names the status: ${String(unavailable.error)}`);
    assert.equal(unavailable.retry_after, 7, "the server's retry-after is passed on");
    client.close();
  });

  it("cancels the answer at the model server when the socket closes", async () => {
    const client = await connectReady(gw, "oz");
    const conv = await startConversation(client);
    llm.script({ hang: 1 });
    const before = llm.requests.length;
    client.send({ id: "x1", type: "chat", action: "send_message", conversation_id: conv, content: "a long one", metadata: { stream: true } });
    await client.next((f) => f.type === "chat_chunk", 3000, "the first chunk");
    await llm.waitForRequests(before + 1);
    const request = llm.last;
    client.close();
    await request.closed;
    assert.ok(request.abortedByClient, "closing the socket aborts the request to the model server");
  });
});

describe("UnaCODE per-user chat request rate", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ unacode: { chatRequestsPerMinute: 2 } });
  });
  after(() => gw.close());

  it("refuses send_message over unacode.chatRequestsPerMinute per user, across sockets, with RATE_LIMIT_EXCEEDED and retry_after", async () => {
    const a = await connectReady(gw, "pam");
    const b = await connectReady(gw, "pam");
    const conv = await startConversation(a);
    // Five requests span at most two clock minutes, so one of them holds three or more: one refusal at least.
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await sendMessage(i % 2 === 0 ? a : b, conv, `question ${i}`)).at(-1)!);
    const refused = results.filter((f) => f.type === "error");
    assert.ok(refused.length >= 1 && refused.length <= 3, `2 per minute: ${results.map((f) => f.type).join(",")}`);
    for (const f of refused) {
      const err = assertError(f, "RATE_LIMIT_EXCEEDED", "a send_message over the per-user rate");
      assert.ok(Number.isInteger(err.retry_after) && err.retry_after >= 1 && err.retry_after <= 60, `retry_after within the minute: ${err.retry_after}`);
    }
    const other = await connectReady(gw, "quin");
    const theirs = await startConversation(other);
    assert.equal((await sendMessage(other, theirs, "mine")).at(-1)!.type, "user_notification", "another user has a rate of their own");
    assert.equal((await chat(a, "get_history", { conversation_id: conv })).type, "chat", "other chat actions are not counted");
    for (const c of [a, b, other]) c.close();
  });
});
