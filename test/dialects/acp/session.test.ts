import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OPENAI_ERRORS, OpenAITestServer } from "../../helpers/openai-server.js";
import { eventually } from "../../helpers/tokens.js";
import { AcpClient, agentText, longDocument } from "./acp-client.js";

/** CodeGraph's advertised capabilities (shared/REFERENCE.md §3), which livegate serves verbatim. */
const CODEGRAPH_CAPABILITIES = {
  loadSession: true,
  setMode: false,
  promptCapabilities: { image: false, audio: false, embeddedContext: true },
  mcp: { stdio: true, http: true, sse: false },
  authMethods: ["bearer"],
};

const GUIDE = {
  title: "Heliotrope guide",
  content:
    "Heliotrope is the codename of the indexing service. The heliotrope indexer rebuilds the code graph every night. " +
    "Unrelated sentences about lunch menus stay out of answers.",
};

/** Words per sentence of the long document: an answer of thousands of deltas, so a cancel lands mid-stream. */
const LONG_WORDS = 3000;

describe("ACP sessions at /api/v1/acp/ws", () => {
  let gw: TestGateway;
  let clients: AcpClient[] = [];

  async function open(token?: string): Promise<AcpClient> {
    const c = await AcpClient.connect(gw, token);
    clients.push(c);
    return c;
  }

  /** A socket of `user`, authenticated through `authenticate`. */
  async function session(user: string): Promise<AcpClient> {
    const c = await open();
    await c.handshake(await gw.token(user));
    return c;
  }

  const stored = (sessionId: string) => gw.server.context.store.conversations.messages(sessionId);

  before(async () => {
    gw = await startTestGateway();
    for (const doc of [GUIDE, longDocument("quasar", LONG_WORDS)]) {
      const res = await gw.api("/api/v1/documents", { body: doc });
      assert.equal(res.status, 201, `loading the document "${doc.title}" failed: ${res.status}`);
    }
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  it("runs a full session: initialize, authenticate, session/new, then a prompt streamed as agent_message_chunk updates ending in end_turn", async () => {
    const c = await open();
    const init = await c.call("initialize", { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true }, clientInfo: { name: "test", version: "1" } });
    assert.deepEqual(
      init,
      { jsonrpc: "2.0", id: init.id, result: { protocolVersion: 1, agentCapabilities: CODEGRAPH_CAPABILITIES, authMethods: ["bearer"] } },
      "initialize should answer protocolVersion 1, CodeGraph's capabilities and authMethods [\"bearer\"]",
    );
    const auth = (await c.result("authenticate", { methodId: "bearer", token: await gw.token("alice") })) as { _meta?: { userId?: string } };
    assert.equal(auth._meta?.userId, "alice", `authenticate should name the user in _meta: ${JSON.stringify(auth)}`);

    const sessionId = await c.newSession();
    assert.match(sessionId, /^sess_[0-9a-f]{32}$/, "session ids look like sess_<32 hex>");
    const { stopReason, text, chunks } = await c.prompt(sessionId, "What is heliotrope?");
    assert.equal(stopReason, "end_turn", "a finished answer stops with end_turn");
    assert.ok(chunks > 1, `the answer should stream in several chunks, got ${chunks}`);
    assert.match(text, /Heliotrope is the codename of the indexing service/, `the answer should come from the loaded document: ${text}`);

    const messages = await stored(sessionId);
    assert.deepEqual(
      messages.map((m) => [m.role, m.content]),
      [["user", "What is heliotrope?"], ["assistant", text]],
      "the chunks should concatenate to the stored answer, after the stored question",
    );
  });

  it("serves a socket authenticated by ?token= without an authenticate call", async () => {
    const c = await open(await gw.token("alice"));
    const sessionId = await c.newSession();
    const { stopReason, text } = await c.prompt(sessionId, "heliotrope indexer");
    assert.equal(stopReason, "end_turn", "prompt over a ?token= socket");
    assert.match(text, /heliotrope/i, "the answer over a ?token= socket");
  });

  it("asks the chat service the prompt's text blocks and embedded text resources, joined in order", async () => {
    const c = await session("alice");
    const sessionId = await c.newSession();
    const res = (await c.result("session/prompt", {
      sessionId,
      prompt: [
        { type: "text", text: "Explain this file" },
        { type: "resource", resource: { uri: "file:///home/user/project/notes.txt", mimeType: "text/plain", text: "heliotrope nightly rebuild" } },
        { type: "resource_link", uri: "file:///home/user/project/big.bin", name: "big.bin" },
      ],
    })) as { stopReason?: string };
    assert.equal(res.stopReason, "end_turn", "prompt with resource blocks");
    c.takeUpdates(sessionId);
    const [question] = await stored(sessionId);
    assert.equal(question?.content, "Explain this file\n\nheliotrope nightly rebuild", "the stored question: text, then the resource's text; the link adds nothing");
  });

  it("refuses image and audio blocks with -32602, as promptCapabilities says", async () => {
    const c = await session("alice");
    const sessionId = await c.newSession();
    for (const type of ["image", "audio"]) {
      const err = await c.error("session/prompt", { sessionId, prompt: [{ type, data: "AAAA", mimeType: `${type}/png` }] }, -32602, `a ${type} block`);
      assert.match(err.message as string, new RegExp(`${type} content is not supported`), `the ${type} refusal should say why`);
    }
  });

  it("replays the conversation on session/load after a reconnect, then continues the session", async () => {
    const first = await session("alice");
    const sessionId = await first.newSession();
    const turn = await first.prompt(sessionId, "What is heliotrope?");
    first.close();
    await first.socket.waitClosed();

    const second = await session("alice");
    const res = await second.call("session/load", { sessionId, cwd: "/home/user/project", mcpServers: [] });
    assert.deepEqual(res.result, {}, `session/load should answer {} after the replay: ${JSON.stringify(res)}`);
    // The replay precedes the response, so it has all arrived by now.
    const replay = second.takeUpdates(sessionId).map((u) => [u.params.update.sessionUpdate, u.params.update.content]);
    assert.deepEqual(
      replay,
      [
        ["user_message_chunk", { type: "text", text: "What is heliotrope?" }],
        ["agent_message_chunk", { type: "text", text: turn.text }],
      ],
      "the replay should be the question as user_message_chunk, then the answer as agent_message_chunk",
    );

    const next = await second.prompt(sessionId, "And when does the indexer run?");
    assert.equal(next.stopReason, "end_turn", "a prompt in the loaded session");
    assert.equal((await stored(sessionId)).length, 4, "the loaded session should hold both turns");
  });

  it("answers -32002 for a session that does not exist", async () => {
    const c = await session("alice");
    const params = { sessionId: "sess_does_not_exist", cwd: "/tmp", mcpServers: [] };
    const err = await c.error("session/load", params, -32002, "session/load of an unknown session");
    assert.equal(err.data?.code, "LG_ERR_SESSION_NOT_FOUND", "data.code names livegate's error");
    await c.error("session/prompt", { sessionId: params.sessionId, prompt: [{ type: "text", text: "hi" }] }, -32002, "session/prompt in an unknown session");
    assert.deepEqual(await stored(params.sessionId), [], "a prompt in an unknown session must not create it");
  });

  it("refuses another user's session as not found, and ignores that user's session/cancel", async () => {
    const alice = await session("alice");
    const bob = await session("bob");
    const sessionId = await alice.newSession();
    await alice.prompt(sessionId, "What is heliotrope?");

    await bob.error("session/load", { sessionId, cwd: "/tmp", mcpServers: [] }, -32002, "bob loading alice's session");
    await bob.error("session/prompt", { sessionId, prompt: [{ type: "text", text: "heliotrope?" }] }, -32002, "bob prompting alice's session");
    assert.deepEqual(bob.takeUpdates(sessionId), [], "bob must receive none of alice's conversation");

    // A long answer in a fresh session (a follow-up would be searched together with the first question).
    const busy = await alice.newSession();
    const id = alice.start("session/prompt", { sessionId: busy, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
    await alice.firstUpdate(busy);
    bob.notify("session/cancel", { sessionId: busy });
    await bob.error("session/prompt", { sessionId: busy, prompt: [{ type: "text", text: "quasar?" }] }, -32002, "bob prompting alice's busy session");
    const res = await alice.response(id, 20_000, "alice's prompt");
    assert.equal(res.result?.stopReason, "end_turn", "bob's session/cancel must not cancel alice's prompt");
    const words = agentText(alice.takeUpdates(busy)).split(/\s+/).length;
    assert.ok(words > LONG_WORDS, `alice's answer should be complete, got ${words} words`);
  });

  it("cancels a prompt in progress on session/cancel: the prompt answers cancelled and the stream stops", async () => {
    const c = await session("alice");
    const sessionId = await c.newSession();
    const id = c.start("session/prompt", { sessionId, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
    await c.firstUpdate(sessionId);
    c.notify("session/cancel", { sessionId });
    const res = await c.response(id, 10_000, "the cancelled prompt");
    assert.deepEqual(res.result, { stopReason: "cancelled" }, `the prompt should answer {stopReason:"cancelled"}: ${JSON.stringify(res)}`);
    assert.equal(c.socket.frames.filter((f) => f.id === undefined && f.method !== "session/update").length, 0, "session/cancel is a notification and gets no reply");

    const text = agentText(c.takeUpdates(sessionId));
    assert.ok(text.length > 0, "some chunks arrived before the cancel");
    assert.ok(text.split(/\s+/).length < LONG_WORDS, `the stream should stop early, got ${text.split(/\s+/).length} words`);
    const answer = (await stored(sessionId)).at(-1);
    assert.equal((answer?.metadata as { finish_reason?: string }).finish_reason, "cancelled", "the partial answer is stored as cancelled");
    assert.ok(answer?.content.startsWith(text.slice(0, 100)), "the stored partial answer is what was streamed");

    const again = await c.prompt(sessionId, "What is heliotrope?");
    assert.equal(again.stopReason, "end_turn", "the session takes new prompts after a cancel");
  });

  it("answers a second prompt in a session that has one in progress with -32009", async () => {
    const c = await session("alice");
    const sessionId = await c.newSession();
    const id = c.start("session/prompt", { sessionId, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
    const err = await c.error("session/prompt", { sessionId, prompt: [{ type: "text", text: "heliotrope?" }] }, -32009, "a second prompt in a busy session");
    assert.equal(err.data?.code, "LG_ERR_SESSION_BUSY", "data.code of the busy error");
    assert.equal(err.data?.retryable, true, "a busy session is worth retrying");
    c.notify("session/cancel", { sessionId });
    assert.equal((await c.response(id, 10_000)).result?.stopReason, "cancelled", "the first prompt still ends normally");
    c.takeUpdates(sessionId);
  });

  it("streams prompts of two sessions concurrently on one socket, each session's chunks to its own answer", async () => {
    const c = await session("alice");
    const [a, b] = [await c.newSession(), await c.newSession()];
    const idA = c.start("session/prompt", { sessionId: a, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
    const idB = c.start("session/prompt", { sessionId: b, prompt: [{ type: "text", text: "What is heliotrope?" }] });
    const resB = await c.response(idB, 10_000, "prompt B");
    assert.equal(resB.result?.stopReason, "end_turn", "the short prompt B ends");
    assert.ok(!c.socket.frames.some((f) => f.id === idA), "B's short answer should finish while A's long one is still streaming");
    const resA = await c.response(idA, 20_000, "prompt A");
    assert.equal(resA.result?.stopReason, "end_turn", "the long prompt A ends");

    for (const [sessionId, what] of [[a, "A"], [b, "B"]] as const) {
      const text = agentText(c.takeUpdates(sessionId));
      assert.equal(text, (await stored(sessionId)).at(-1)?.content, `session ${what}'s chunks should concatenate to its own stored answer`);
    }
  });

  it("stops generating when the client goes away mid-prompt, and stores the partial answer", async () => {
    const c = await session("alice");
    const sessionId = await c.newSession();
    c.start("session/prompt", { sessionId, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
    await c.firstUpdate(sessionId);
    c.close();
    const ok = await eventually(async () => (await stored(sessionId)).length === 2, 5000);
    assert.ok(ok, "the answer should be stored once the stream stops");
    const answer = (await stored(sessionId)).at(-1);
    assert.equal((answer?.metadata as { finish_reason?: string }).finish_reason, "cancelled", "an answer nobody reads is cut short");
  });

  it("closes prompting sockets with 1001 on shutdown", async () => {
    const own = await startTestGateway();
    try {
      await own.api("/api/v1/documents", { body: longDocument("quasar", LONG_WORDS) });
      const c = await AcpClient.connect(own, await own.token("alice"));
      const sessionId = await c.newSession();
      c.start("session/prompt", { sessionId, prompt: [{ type: "text", text: "Tell me about the quasar" }] });
      await c.firstUpdate(sessionId);
      const closing = own.close();
      const closed = await c.socket.waitClosed();
      assert.equal(closed.code, 1001, `shutdown close code, got ${closed.code} "${closed.reason}"`);
      await closing;
    } catch (err) {
      await own.close();
      throw err;
    }
  });
});

describe("ACP prompts on an OpenAI-compatible model server that fails", () => {
  let gw: TestGateway;
  let llm: OpenAITestServer;
  before(async () => {
    llm = await OpenAITestServer.start();
    gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-4" } });
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  it("reports a 401 as LG_ERR_CHAT_REJECTED with data.retryable false, and a 503 as LG_ERR_CHAT_FAILED with data.retryable true", async () => {
    const c = await AcpClient.connect(gw);
    try {
      await c.handshake(await gw.token("rita"));
      const sessionId = await c.newSession();
      llm.script({ status: 401, error: OPENAI_ERRORS.invalidApiKey("sk-bad***key1") }, { status: 503, error: OPENAI_ERRORS.server() });

      const refused = await c.error("session/prompt", { sessionId, prompt: [{ type: "text", text: "hello" }] }, -32603, "a prompt the model server refuses with 401");
      assert.equal(refused.data?.code, "LG_ERR_CHAT_REJECTED", "data.code of a refusal");
      assert.equal(refused.data?.retryable, false, "a bad API key is not worth retrying");
      assert.match(refused.message, /answered 401 \(invalid_api_key\)/, `the message names the server's status: ${refused.message}`);

      const failed = await c.error("session/prompt", { sessionId, prompt: [{ type: "text", text: "hello again" }] }, -32603, "a prompt the model server fails with 503");
      assert.equal(failed.data?.code, "LG_ERR_CHAT_FAILED", "data.code of a server failure");
      assert.equal(failed.data?.retryable, true, "a 503 is worth retrying");
      assert.match(failed.message, /answered 503/, `the message names the server's status: ${failed.message}`);
    } finally {
      c.close();
    }
  });
});
