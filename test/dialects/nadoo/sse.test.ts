import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJsonError } from "../../helpers/http.js";
import { eventually } from "../../helpers/tokens.js";
import { addSessionMember, framesUntil, joinChat, loadDocument, notificationsPath, openAs, unique } from "./helpers.js";

/** An SSE event as the EventSource client saw it. */
interface Received {
  event: string;
  id: string;
  data: Record<string, unknown>;
}

/** Listens for `events` on an EventSource, recording each in arrival order. */
function record(es: EventSource, events: string[]): Received[] {
  const out: Received[] = [];
  for (const event of events) {
    es.addEventListener(event, (e) => {
      // EventSource's own `error` (a dropped connection) has no data; only the server's events are recorded.
      if (typeof e.data === "string") out.push({ event, id: e.lastEventId, data: JSON.parse(e.data) as Record<string, unknown> });
    });
  }
  return out;
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  assert.ok(await eventually(() => Promise.resolve(cond()), timeoutMs, 10), `timed out waiting for ${what}`);
}

const CHAT_EVENTS = ["response_start", "text-delta", "sources", "response_end", "error", "message_start", "text_chunk", "done"];

describe("Nadoo over Server-Sent Events", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    await loadDocument(gw, "Q4 report", "Q4 revenue increased by 15% to 12.3 million dollars. Operating costs fell by 4% in the fourth quarter.");
  });
  after(() => gw.close());

  /** An EventSource that POSTs `body` with the user's token (the eventsource package lets fetch be replaced). */
  const chatStream = async (appId: string, user: string, body: unknown, query = "") => {
    const token = await gw.token(user);
    return new EventSource(`${gw.url}/api/v1/chat/${appId}/stream${query}`, {
      fetch: (input, init) =>
        fetch(input, { ...init, method: "POST", headers: { ...init?.headers, authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  };

  it("streams an answer as the chat socket's events to an EventSource client", async () => {
    const es = await chatStream("app-sse", "alice", { content: "How did Q4 revenue change?" });
    const got = record(es, CHAT_EVENTS);
    await until("response_end", () => got.some((e) => e.event === "response_end"));
    es.close();
    const types = got.map((e) => e.event);
    assert.equal(types[0], "response_start", `first event: ${types.join(",")}`);
    assert.equal(types.at(-1), "response_end");
    assert.ok(types.includes("sources"), "sources are streamed too");
    const deltas = got.filter((e) => e.event === "text-delta");
    assert.ok(deltas.length >= 2, "several text-delta events");
    const end = got.at(-1)!.data;
    assert.equal(end.full_response, deltas.map((d) => d.data.text as string).join(""), "full_response is the deltas joined");
    assert.match(String(end.full_response), /15%/);
    assert.ok(got.every((e) => e.data.type === e.event), "each event's data is the socket's frame, type included");
  });

  it("streams in streaming.mdx's vocabulary with ?vocabulary=streaming, and into a session's sockets", async () => {
    const session = unique("s");
    const alice = await joinChat(gw, session, "alice");
    await addSessionMember(gw, session, "bob");
    const es = await chatStream("app-sse", "bob", { content: "Operating costs in Q4?", session_id: session }, "?vocabulary=streaming");
    const got = record(es, CHAT_EVENTS);
    await until("done", () => got.some((e) => e.event === "done"));
    es.close();
    assert.deepEqual([...new Set(got.map((e) => e.event))], ["message_start", "sources", "text_chunk", "done"]);
    const onSocket = await framesUntil(alice, "response_end");
    assert.equal(onSocket.at(-1)!.full_response, got.at(-1)!.data.full_response, "the session's socket saw the same answer");
    assert.equal(onSocket[0]!.user_id, "bob");
    alice.close();
  });

  it("refuses a stream without a valid token with a JSON 401", async () => {
    const res = await fetch(`${gw.url}/api/v1/chat/app-sse/stream`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content: "hi" }) });
    await expectJsonError(res, 401, "LG_ERR_AUTH_TOKEN_MISSING", "no token");
    const notifications = await fetch(`${gw.url}/api/v1/sse/notifications?token=forged`);
    await expectJsonError(notifications, 401, "LG_ERR_AUTH_TOKEN_INVALID", "a forged token");
  });

  it("streams the user's notifications with epoch:offset ids and resumes from Last-Event-ID after a drop", async () => {
    const user = unique("u");
    const notify = async (title: string) => assert.equal((await gw.api("/api/v1/notifications", { body: { user_id: user, title } })).status, 201);
    await notify("while offline");
    const es = new EventSource(`${gw.url}/api/v1/sse/notifications?token=${await gw.token(user)}`);
    const got = record(es, ["connected", "notification", "history_lost"]);
    await until("connected and the offline notification", () => got.length >= 2);
    assert.equal(got[0]!.event, "connected");
    assert.match(got[0]!.id, /^[\w-]+:\d+$/, "connected carries the channel position as its id");
    assert.equal((got[1]!.data.notification as { title: string }).title, "while offline", "notifications sent while offline come first");
    await notify("live one");
    await until("the live notification", () => got.length >= 3);
    const live = got[2]!;
    assert.equal((live.data.notification as { title: string }).title, "live one");
    assert.match(live.id, /^[\w-]+:\d+$/, "live notifications carry epoch:offset ids");

    // Drop the stream from the server side; the EventSource reopens it with Last-Event-ID.
    const hub = gw.server.context.hub;
    const sse = [...hub.allConnections()].filter((c) => c.dialect === "sse" && c.userId === user);
    assert.equal(sse.length, 1, "one SSE connection for the user");
    sse[0]!.disconnect("shutdown");
    await until("the stream to be gone", () => ![...hub.allConnections()].some((c) => c.dialect === "sse" && c.userId === user));
    await notify("missed while reconnecting");
    await until("the missed notification after the reconnect", () => got.some((e) => (e.data.notification as { title?: string } | undefined)?.title === "missed while reconnecting"), 8000);
    es.close();
    const titles = got.filter((e) => e.event === "notification").map((e) => (e.data.notification as { title: string }).title);
    assert.deepEqual(titles, ["while offline", "live one", "missed while reconnecting"], "every notification once, in order");
    assert.ok(!got.some((e) => e.event === "history_lost"), "history reached back");
    const missed = got.at(-1)!;
    const [epoch, offset] = live.id.split(":");
    assert.equal(missed.id, `${epoch}:${Number(offset) + 1}`, "the resumed stream continues the same positions");
  });

  it("marks a notification replayed to a stream resumed with Last-Event-ID delivered, so the notification socket does not send it again", async () => {
    const user = unique("u");
    const notify = async (title: string) => assert.equal((await gw.api("/api/v1/notifications", { body: { user_id: user, title } })).status, 201);
    const hub = gw.server.context.hub;
    const streams = () => [...hub.allConnections()].filter((c) => c.userId === user);
    const token = await gw.token(user);

    const first = new EventSource(`${gw.url}/api/v1/sse/notifications?token=${token}`);
    const seen = record(first, ["connected"]);
    await until("connected", () => seen.length === 1);
    first.close();
    await until("the first stream to be gone", () => streams().length === 0);

    await notify("sent while no stream was open");
    const resumed = new EventSource(`${gw.url}/api/v1/sse/notifications?token=${token}&last_event_id=${encodeURIComponent(seen[0]!.id)}`);
    const got = record(resumed, ["connected", "notification", "history_lost"]);
    await until("the replayed notification", () => got.some((e) => e.event === "notification"));
    resumed.close();
    await until("the resumed stream to be gone", () => streams().length === 0);
    assert.deepEqual(got.map((e) => e.event), ["connected", "notification"], "history reached back: the notification came in the replay");
    assert.equal((got[1]!.data.notification as { title: string }).title, "sent while no stream was open");

    const socket = await openAs(gw, notificationsPath(user), user);
    await socket.nextOfType("connected");
    await notify("after the resume");
    const next = await socket.nextOfType("notification");
    assert.equal(next.notification.title, "after the resume", "the notification the stream replayed is not sent again as undelivered");
    socket.close();
  });

  it("sends the undelivered notifications once after history_lost when Last-Event-ID names a position history no longer has", async () => {
    const user = unique("u");
    const notify = async (title: string) => assert.equal((await gw.api("/api/v1/notifications", { body: { user_id: user, title } })).status, 201);
    await notify("kept while offline");
    const es = new EventSource(`${gw.url}/api/v1/sse/notifications?token=${await gw.token(user)}&last_event_id=gone-epoch:7`);
    const got = record(es, ["connected", "notification", "history_lost"]);
    await until("the undelivered notification", () => got.some((e) => e.event === "notification"));
    await notify("live after it");
    await until("the live notification", () => got.filter((e) => e.event === "notification").length === 2);
    es.close();
    assert.deepEqual(got.map((e) => e.event), ["connected", "history_lost", "notification", "notification"]);
    const titles = got.filter((e) => e.event === "notification").map((e) => (e.data.notification as { title: string }).title);
    assert.deepEqual(titles, ["kept while offline", "live after it"], "the backlog once (not again from the channel's history), then live");

    const socket = await openAs(gw, notificationsPath(user), user);
    await socket.nextOfType("connected");
    await notify("for the socket");
    assert.equal((await socket.nextOfType("notification")).notification.title, "for the socket", "the stream's backlog counts as delivered");
    socket.close();
  });
});
