import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { addSessionMember, assertClosed, chatPath, framesUntil, ISO_UTC, joinChat, loadDocument, openAs, unique } from "./helpers.js";

/** Asserts a complete answer in the seed's vocabulary; returns the streamed text and the end frame. */
function assertApiAnswer(frames: Frame[], what: string): { text: string; start: Frame; end: Frame } {
  const types = frames.map((f) => f.type);
  assert.equal(types[0], "response_start", `${what}: starts with response_start, got ${types.join(",")}`);
  assert.equal(types.at(-1), "response_end", `${what}: ends with response_end`);
  const deltas = frames.filter((f) => f.type === "text-delta");
  assert.ok(deltas.length >= 2, `${what}: streamed in several text-delta frames, got ${deltas.length}`);
  assert.deepEqual(deltas.map((d) => d.index), deltas.map((_, i) => i), `${what}: text-delta indexes count from 0`);
  const start = frames[0]!;
  const end = frames.at(-1)!;
  assert.match(String(start.message_id), /^msg_/, `${what}: response_start carries a message_id`);
  for (const f of frames) {
    assert.match(String(f.timestamp), ISO_UTC, `${what}: ${f.type} has an ISO timestamp`);
    if (f.message_id !== undefined) assert.equal(f.message_id, start.message_id, `${what}: ${f.type} belongs to the same message`);
  }
  const text = deltas.map((d) => d.text as string).join("");
  assert.equal(end.full_response, text, `${what}: full_response is the deltas joined`);
  assert.equal(typeof end.tokens_used, "number", `${what}: tokens_used is a number`);
  assert.equal(typeof end.response_time, "number", `${what}: response_time is a number of seconds`);
  return { text, start, end };
}

describe("Nadoo chat socket /ws/chat/{session_id}", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    await loadDocument(gw, "Q4 report", "Q4 revenue increased by 15% to 12.3 million dollars. Operating costs fell by 4% in the fourth quarter.");
  });
  after(() => gw.close());

  it("closes with 1008 Invalid token when the token is missing, forged or expired", async () => {
    const session = unique("s");
    const cases: [string, Record<string, string>][] = [
      ["no token", {}],
      ["a forged token", { token: "eyJhbGciOiJIUzI1NiIs.eyJzdWIiOiJ4In0.bad" }],
      ["an expired token", { token: await gw.token("alice", { ttlSec: -10 }) }],
    ];
    for (const [what, query] of cases) {
      const client = await TestClient.connect(gw.wsUrl(chatPath(session), query));
      await assertClosed(client, 1008, "Invalid token", what);
      const err = client.frames.find((f) => f.type === "error");
      assert.equal(err?.message, "Invalid token", `${what}: the error frame says why in message`);
    }
  });

  it("confirms the connection with session_id, user_id and timestamp, and answers ping with pong", async () => {
    const session = unique("s");
    const client = await openAs(gw, chatPath(session), "alice");
    const connected = await client.nextOfType("connected");
    assert.deepEqual(Object.keys(connected).sort(), ["session_id", "timestamp", "type", "user_id"]);
    assert.equal(connected.session_id, session);
    assert.equal(connected.user_id, "alice");
    assert.match(connected.timestamp as string, ISO_UTC);
    client.send({ type: "ping" });
    const pong = await client.nextOfType("pong");
    assert.match(pong.timestamp as string, ISO_UTC, "pong carries a timestamp");
    client.close();
  });

  it("answers bad frames with an error frame carrying message, and stays open", async () => {
    const client = await joinChat(gw, unique("s"), "alice");
    for (const [bad, expect] of [
      ["not json", /Invalid message format/],
      [JSON.stringify({ type: "dance" }), /unknown message type "dance"/],
      [JSON.stringify({ type: "chat", application_id: "app" }), /content/],
      [JSON.stringify({ type: "chat", content: "Hi" }), /application_id/],
      [JSON.stringify([1, 2]), /JSON object/],
    ] as const) {
      client.send(bad);
      const err = await client.nextOfType("error");
      assert.match(String(err.message), expect, `error for ${bad}`);
      assert.equal(typeof err.code, "string", `the error for ${bad} has a code`);
    }
    client.send({ type: "ping" });
    await client.nextOfType("pong");
    client.close();
  });

  it("streams an answer as response_start, text-delta…, sources, response_end to every participant", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    alice.send({ type: "chat", content: "How did Q4 revenue change?", application_id: "app-1" });
    const [fa, fb] = await Promise.all([framesUntil(alice, "response_end"), framesUntil(bob, "response_end")]);
    const a = assertApiAnswer(fa, "the asker's stream");
    const b = assertApiAnswer(fb, "the other participant's stream");
    assert.deepEqual(fb, fa, "both participants see the same frames");
    assert.match(a.text, /15%/, "the answer comes from the loaded document");
    const sources = fa.find((f) => f.type === "sources");
    assert.ok(sources, "a sources frame tells which documents were used");
    assert.equal(sources.sources[0].title, "Q4 report");
    assert.ok(fa.indexOf(sources) < fa.length - 1, "sources come before response_end");
    assert.equal(b.start.user_id, "alice", "response_start says who asked");
    assert.match(String(a.end.chat_id), /^chat_/, "a chat is created when chat_id is omitted");
    assert.equal(a.end.cancelled, false);
    alice.close();
    bob.close();
  });

  it("continues a chat given its chat_id, and refuses another user's chat", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    alice.send({ type: "chat", content: "Q4 revenue?", application_id: "app-1" });
    const first = (await framesUntil(alice, "response_end")).at(-1)!;
    alice.send({ type: "chat", content: "And operating costs?", application_id: "app-1", chat_id: first.chat_id, user_id: "ignored", timestamp: "2025-01-15T10:30:00Z" });
    const second = (await framesUntil(alice, "response_end")).at(-1)!;
    assert.equal(second.chat_id, first.chat_id, "the second answer belongs to the same chat");
    const mallory = await joinChat(gw, unique("s"), "mallory");
    mallory.send({ type: "chat", content: "Q4 revenue?", application_id: "app-1", chat_id: first.chat_id });
    const err = await mallory.nextOfType("error");
    assert.match(String(err.message), /chat .* not found/, "another user's chat is not found");
    alice.close();
    mallory.close();
  });

  it("answers questions asked at once one after the other, never interleaved", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    alice.send({ type: "chat", content: "How did Q4 revenue change?", application_id: "app-1" });
    bob.send({ type: "chat", content: "What about operating costs in Q4?", application_id: "app-1" });
    const first = await framesUntil(alice, "response_end");
    const second = await framesUntil(alice, "response_end");
    for (const [what, frames] of [["first", first], ["second", second]] as const) {
      const ids = new Set(frames.map((f) => f.message_id));
      assert.equal(ids.size, 1, `the ${what} answer's frames all belong to one message: ${[...ids].join(", ")}`);
      assertApiAnswer(frames, `the ${what} answer`);
    }
    assert.deepEqual(new Set([first[0]!.user_id, second[0]!.user_id]), new Set(["alice", "bob"]), "both questions were answered");
    alice.close();
    bob.close();
  });

  it("relays typing to the other participants only", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    alice.send({ type: "typing" });
    const typing = await bob.nextOfType("typing");
    assert.equal(typing.user_id, "alice", "typing says who is typing");
    assert.match(typing.timestamp as string, ISO_UTC);
    assert.ok(await alice.nothingWithin(150, (f) => f.type === "typing"), "the typist does not get their own typing back");
    alice.close();
    bob.close();
  });

  it("tells the others user_disconnected when a participant leaves", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    bob.close();
    const left = await alice.nextOfType("user_disconnected");
    assert.equal(left.user_id, "bob");
    alice.close();
  });

  it("refuses a user who is neither the session's owner nor a member with 1008", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    const eve = await openAs(gw, chatPath(session), "eve");
    await assertClosed(eve, 1008, "Not a session member", "an outsider");
    assert.ok(eve.frames.some((f) => f.type === "error"), "the outsider is told why");
    const carol = await joinChat(gw, session, "carol", {}, { channels: [`session:${session}`] });
    carol.close();
    alice.close();
  });

  it("serves streaming.mdx's vocabulary to a socket that sends message, and the seed's to the others", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    alice.send({ type: "message", content: "What happened to Q4 revenue?" });
    const fa = await framesUntil(alice, "done");
    const types = [...new Set(fa.map((f) => f.type))];
    assert.deepEqual(types, ["message_start", "sources", "text_chunk", "done"], `streaming vocabulary, got ${types.join(",")}`);
    const text = fa.filter((f) => f.type === "text_chunk").map((f) => f.content as string).join("");
    assert.match(text, /15%/);
    assert.equal(fa.at(-1)!.full_response, text);
    const fb = await framesUntil(bob, "response_end");
    assert.equal(assertApiAnswer(fb, "the observer's stream").text, text, "the observer sees the same answer in the seed's vocabulary");
    alice.close();
    bob.close();
  });
});

describe("Nadoo chat cancel", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    // Three very long sentences: the embedded engine's answer is thousands of words, one delta each.
    const sentence = (topic: string) => `The ${topic} ledger records ` + Array.from({ length: 1500 }, (_, i) => `${topic}entry${i}`).join(" ") + ".";
    await loadDocument(gw, "Ledger", [sentence("alpha"), sentence("beta"), sentence("gamma")].join(" "));
  });
  after(() => gw.close());

  it("stops generation at once and ends the stream with what was produced, marked cancelled", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const bob = await joinChat(gw, session, "bob");
    alice.send({ type: "chat", content: "What does the alpha ledger record?", application_id: "app-1" });
    const first = await alice.nextOfType("text-delta");
    bob.send({ type: "cancel" });
    const frames = await framesUntil(alice, "response_end", 10_000);
    const end = frames.at(-1)!;
    assert.equal(end.cancelled, true, "response_end says the answer was cancelled");
    assert.equal(end.finish_reason, "cancelled");
    const deltas = frames.filter((f) => f.type === "text-delta");
    const received = deltas.length + 1;
    assert.ok(received < 3000, `generation stopped early: ${received} deltas of about 4500`);
    assert.equal(end.tokens_used, received, "tokens_used counts only what was produced");
    assert.equal(end.full_response, [first, ...deltas].map((d) => d.text as string).join(""), "full_response holds what was produced");
    assert.ok(await alice.nothingWithin(200, (f) => f.type === "text-delta"), "no text-delta after response_end");
    // The session is free again: the next question is answered.
    alice.send({ type: "cancel" });
    alice.send({ type: "chat", content: "What does the beta ledger record?", application_id: "app-1" });
    const next = (await framesUntil(alice, "response_end", 20_000)).at(-1)!;
    assert.equal(next.cancelled, false, "a later question is answered in full");
    alice.close();
    bob.close();
  });
});
