import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJson, expectJsonError } from "../../helpers/http.js";
import { addSessionMember, framesUntil, joinChat, loadDocument, unique } from "./helpers.js";

interface Message {
  id: string;
  chat_id: string;
  session_id: string | null;
  role: string;
  content: string;
  created_at: string;
  tokens_used: number;
  finish_reason: string | null;
}
interface History {
  application_id: string;
  messages: Message[];
  next_offset: number | null;
}

describe("Nadoo message history GET /api/v1/chat/{app_id}/messages", () => {
  let gw: TestGateway;
  const session = unique("s");
  const app = unique("app");
  let chatId = "";
  let answers: { message_id: string; full_response: string; tokens_used: number }[] = [];
  const get = async (user: string, query = "", appId = app) =>
    fetch(`${gw.url}/api/v1/chat/${appId}/messages${query}`, { headers: { authorization: `Bearer ${await gw.token(user)}` } });

  before(async () => {
    gw = await startTestGateway();
    await loadDocument(gw, "Q4 report", "Q4 revenue increased by 15% to 12.3 million dollars. Operating costs fell by 4% in the fourth quarter.");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    alice.send({ type: "chat", content: "How did Q4 revenue change?", application_id: app });
    const first = (await framesUntil(alice, "response_end")).at(-1)!;
    chatId = first.chat_id as string;
    alice.send({ type: "chat", content: "And operating costs?", application_id: app, chat_id: chatId });
    const second = (await framesUntil(alice, "response_end")).at(-1)!;
    alice.send({ type: "chat", content: "Q4 revenue?", application_id: unique("other-app") });
    await framesUntil(alice, "response_end");
    answers = [first, second].map((f) => ({ message_id: f.message_id as string, full_response: f.full_response as string, tokens_used: f.tokens_used as number }));
    alice.close();
  });
  after(() => gw.close());

  it("returns the application's messages oldest first, the stored answers as they were streamed", async () => {
    const body = await expectJson<History>(await get("alice"), 200, "alice's history");
    assert.equal(body.application_id, app);
    assert.deepEqual(body.messages.map((m) => m.role), ["user", "assistant", "user", "assistant"], "only this application's chat, oldest first");
    const [q1, a1, , a2] = body.messages;
    assert.equal(q1!.content, "How did Q4 revenue change?");
    assert.deepEqual([a1!.id, a1!.content, a1!.tokens_used], [answers[0]!.message_id, answers[0]!.full_response, answers[0]!.tokens_used], "the first answer");
    assert.equal(a2!.id, answers[1]!.message_id, "the message id announced by response_start");
    assert.ok(body.messages.every((m) => m.chat_id === chatId && m.session_id === session));
    assert.equal(a1!.finish_reason, "stop");
    assert.equal(body.next_offset, null, "no more pages");
  });

  it("pages with limit and offset, and filters by chat_id and since", async () => {
    const page = await expectJson<History>(await get("alice", "?limit=1&offset=1"), 200, "page 2 of 1");
    assert.deepEqual(page.messages.map((m) => m.role), ["assistant"]);
    assert.equal(page.next_offset, 2);
    const all = (await expectJson<History>(await get("alice"), 200, "all")).messages;
    const since = await expectJson<History>(await get("alice", `?since=${encodeURIComponent(all[1]!.created_at)}`), 200, "since the first answer");
    assert.ok(since.messages.length >= 1 && since.messages.length <= 2, `messages after the first answer: ${since.messages.length}`);
    assert.ok(since.messages.every((m) => Date.parse(m.created_at) > Date.parse(all[1]!.created_at)), "only later messages");
    const byChat = await expectJson<History>(await get("alice", `?chat_id=${chatId}`), 200, "by chat");
    assert.equal(byChat.messages.length, 4);
    await expectJsonError(await get("alice", "?limit=0"), 400, "LG_ERR_REQUEST_INVALID", "limit 0");
  });

  it("lets a session member read the session's chats, and nobody else", async () => {
    const bob = await expectJson<History>(await get("bob"), 200, "a member's history");
    assert.equal(bob.messages.length, 4, "a member of the session reads its chats");
    const carol = await expectJson<History>(await get("carol"), 200, "an outsider's history");
    assert.deepEqual(carol.messages, [], "an outsider reads nothing");
    await expectJsonError(await get("carol", `?chat_id=${chatId}`), 404, "LG_ERR_CHAT_NOT_FOUND", "an outsider naming the chat");
    const res = await fetch(`${gw.url}/api/v1/chat/${app}/messages`);
    await expectJsonError(res, 401, "LG_ERR_AUTH_TOKEN_MISSING", "no token");
  });
});
