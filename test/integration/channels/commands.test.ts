import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { RawData } from "ws";
import { TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { eventually, sleep } from "../../helpers/tokens.js";

/** The seed's (002) event examples, as written there. */
const SEED_EVENTS = [
  { type: "notification", data: { message: "New comment on your post", level: "info" } },
  { type: "chat_message", data: { conversation_id: "conv-123", sender_id: "user-456", content: "Hello there!" } },
  { type: "status_update", data: { entity_type: "task", entity_id: "task-789", status: "completed" } },
] as const;

const EVENT_KEYS = ["channel", "data", "epoch", "offset", "timestamp", "type"];

describe("channels /ws commands", () => {
  let gw: TestGateway;
  /** A gateway keeping only 3 publications per channel. */
  let small: TestGateway;
  let clients: TestClient[] = [];

  /** Connects `user` (with optional claims) to `g` and waits for `connected`. */
  async function connect(user: string, claims?: Record<string, unknown>, g: TestGateway = gw): Promise<{ client: TestClient; connected: Frame }> {
    const token = await g.token(user, claims ? { claims } : {});
    const client = await TestClient.connect(g.wsUrl("/ws", { token }));
    clients.push(client);
    const connected = await client.nextOfType("connected");
    return { client, connected };
  }

  /** Sends a request and asserts the reply type. */
  async function expectReply(client: TestClient, type: string, data: unknown, replyType: string, what: string): Promise<Frame> {
    const reply = await client.request(type, data);
    assert.equal(reply.type, replyType, `${what}: expected a "${replyType}" reply, got ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Sends a request and asserts it is answered by an error with `code`. */
  async function expectError(client: TestClient, type: string, data: unknown, code: string, what: string): Promise<Frame> {
    const reply = await client.request(type, data);
    assert.equal(reply.type, "error", `${what}: expected an error, got ${JSON.stringify(reply)}`);
    assert.equal(reply.data?.code, code, `${what}: error code should be ${code}, got ${JSON.stringify(reply.data)}`);
    assert.equal(typeof reply.data?.message, "string", `${what}: error should carry a message`);
    return reply;
  }

  /** Proves the connection is still open and answering. */
  async function assertStillOpen(client: TestClient, what: string): Promise<void> {
    const pong = await client.request("ping", {}, 2000);
    assert.equal(pong.type, "pong", `${what}: the connection should still answer ping`);
  }

  function assertEvent(ev: Frame, expected: { type: string; channel: string; data: unknown; epoch?: string; offset?: number }, what: string): void {
    assert.deepEqual(Object.keys(ev).sort(), EVENT_KEYS, `${what}: event keys should be exactly ${EVENT_KEYS.join(", ")}: ${JSON.stringify(ev)}`);
    assert.equal(ev.type, expected.type, `${what}: event type`);
    assert.equal(ev.channel, expected.channel, `${what}: event channel`);
    assert.deepEqual(ev.data, expected.data, `${what}: event data`);
    if (expected.epoch !== undefined) assert.equal(ev.epoch, expected.epoch, `${what}: event epoch`);
    if (expected.offset !== undefined) assert.equal(ev.offset, expected.offset, `${what}: event offset`);
    assert.equal(typeof ev.epoch, "string", `${what}: event epoch should be a string`);
    assert.ok(Number.isInteger(ev.offset) && ev.offset > 0, `${what}: event offset should be a positive integer`);
    assert.match(String(ev.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, `${what}: event timestamp should be ISO 8601 UTC`);
    assert.ok(Math.abs(Date.parse(ev.timestamp as string) - Date.now()) < 60_000, `${what}: event timestamp should be about now`);
  }

  before(async () => {
    [gw, small] = await Promise.all([startTestGateway(), startTestGateway({ history: { size: 3 } })]);
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => Promise.all([gw.close(), small.close()]));

  describe("subscribe and unsubscribe", () => {
    it("replies subscribed with channel, epoch and offset, then delivers offset+1", async () => {
      const { client } = await connect("alice");
      await gw.publish("public:sub-pos", { n: 1 });
      const before = await gw.publish("public:sub-pos", { n: 2 });
      const sub = await expectReply(client, "subscribe", { channel: "public:sub-pos" }, "subscribed", "subscribe public:sub-pos");
      assert.deepEqual(
        sub.data,
        { channel: "public:sub-pos", epoch: before.epoch, offset: before.offset },
        "subscribed data should be the channel and its current position",
      );
      await gw.publish("public:sub-pos", { n: 3 });
      const ev = await client.next((f) => f.channel === "public:sub-pos", 2000, "the publication after subscribing");
      assertEvent(ev, { type: "message", channel: "public:sub-pos", data: { n: 3 }, epoch: before.epoch, offset: before.offset + 1 }, "live publication");
      assert.ok(await client.nothingWithin(150, (f) => f.channel === "public:sub-pos"), "publications before the subscribe must not be delivered");
    });

    it("stops delivering a channel's publications after unsubscribe", async () => {
      const { client } = await connect("alice");
      await expectReply(client, "subscribe", { channel: "public:unsub" }, "subscribed", "subscribe public:unsub");
      await gw.publish("public:unsub", { before: true });
      await client.next((f) => f.channel === "public:unsub", 2000, "the publication before unsubscribing");
      const unsub = await expectReply(client, "unsubscribe", { channel: "public:unsub" }, "unsubscribed", "unsubscribe public:unsub");
      assert.deepEqual(unsub.data, { channel: "public:unsub" }, "unsubscribed data");
      await gw.publish("public:unsub", { after: true });
      assert.ok(await client.nothingWithin(300, (f) => f.channel === "public:unsub"), "a publication was delivered after unsubscribe");
    });

    it("answers unsubscribe from a channel the connection does not hold with not_found", async () => {
      const { client } = await connect("alice");
      await expectError(client, "unsubscribe", { channel: "public:never-subscribed" }, "not_found", "unsubscribe from an unheld channel");
      await assertStillOpen(client, "after not_found");
    });

    it("delivers publications on user:{sub} and broadcast without any subscribe", async () => {
      const { client, connected } = await connect("auto-user");
      const subs = connected.data.subscriptions as Record<string, { epoch: string; offset: number }>;
      await gw.publish("user:auto-user", { to: "me" }, "notification");
      await gw.publish("broadcast", { to: "all" }, "notification");
      const mine = await client.next((f) => f.channel === "user:auto-user", 2000, "the user-channel publication");
      assertEvent(mine, { type: "notification", channel: "user:auto-user", data: { to: "me" }, offset: subs["user:auto-user"]!.offset + 1 }, "user channel");
      const all = await client.next((f) => f.channel === "broadcast", 2000, "the broadcast publication");
      assertEvent(all, { type: "notification", channel: "broadcast", data: { to: "all" }, offset: subs.broadcast!.offset + 1 }, "broadcast");
    });

    it("does not deliver another user's user channel", async () => {
      const { client } = await connect("nosy");
      await gw.publish("user:someone-else", { secret: 1 });
      assert.ok(await client.nothingWithin(200, (f) => f.channel === "user:someone-else"), "another user's publication was delivered");
    });
  });

  describe("channel policy", () => {
    it("lets a user subscribe to their own user:{sub} channel", async () => {
      const { client, connected } = await connect("alice");
      const sub = await expectReply(client, "subscribe", { channel: "user:alice" }, "subscribed", "subscribe own user channel");
      assert.equal(sub.data.offset, connected.data.subscriptions["user:alice"].offset, "re-subscribing the user channel should repeat its position");
    });

    it("refuses another user's user:{sub} channel with subscription_failed", async () => {
      const { client } = await connect("alice");
      await expectError(client, "subscribe", { channel: "user:bob" }, "subscription_failed", "subscribe user:bob as alice");
      await assertStillOpen(client, "after a refused subscribe");
    });

    it("lets anyone subscribe to public:* channels", async () => {
      const { client } = await connect("alice");
      await expectReply(client, "subscribe", { channel: "public:anything" }, "subscribed", "subscribe public:anything");
    });

    it("refuses conversation:conv-123 without a channels claim", async () => {
      const { client } = await connect("alice");
      await expectError(client, "subscribe", { channel: "conversation:conv-123" }, "subscription_failed", "subscribe without a claim");
    });

    it("allows conversation:conv-123 with the claim channels: [conversation:*]", async () => {
      const { client } = await connect("alice", { channels: ["conversation:*"] });
      await expectReply(client, "subscribe", { channel: "conversation:conv-123" }, "subscribed", "subscribe with conversation:*");
      await expectError(client, "subscribe", { channel: "project:conv-123" }, "subscription_failed", "conversation:* must not grant project:…");
    });

    it("matches ? in a channels glob to exactly one character", async () => {
      const { client } = await connect("alice", { channels: ["room-?"] });
      await expectReply(client, "subscribe", { channel: "room-1" }, "subscribed", "room-? should allow room-1");
      await expectError(client, "subscribe", { channel: "room-12" }, "subscription_failed", "room-? must not allow room-12");
      await expectError(client, "subscribe", { channel: "room-" }, "subscription_failed", "room-? must not allow room-");
    });

    it("does not treat other regex characters in a glob as patterns", async () => {
      const { client } = await connect("alice", { channels: ["a.b"] });
      await expectReply(client, "subscribe", { channel: "a.b" }, "subscribed", "a.b should allow a.b");
      await expectError(client, "subscribe", { channel: "aXb" }, "subscription_failed", "the . in glob a.b must be literal");
    });

    it("answers invalid channel names with invalid_request and stays open", async () => {
      const { client } = await connect("alice", { channels: ["*"] });
      const bad: [unknown, string][] = [
        ["", "empty name"],
        ["has space", "a space"],
        ["a/b", "a slash"],
        ["päd", "a non-ASCII letter"],
        ["x".repeat(256), "256 characters"],
        ["a*", "a glob character"],
        [42, "a number"],
      ];
      for (const [channel, what] of bad) {
        await expectError(client, "subscribe", { channel }, "invalid_request", `subscribe to a channel name with ${what}`);
      }
      await expectReply(client, "subscribe", { channel: "x".repeat(255) }, "subscribed", "a 255-character name is valid");
      await expectReply(client, "subscribe", { channel: "A-z_0:9.@=+" }, "subscribed", "every allowed character");
      await assertStillOpen(client, "after invalid channel names");
    });
  });

  describe("publish", () => {
    it("publishes where the publish claim allows and another subscriber receives the event", async () => {
      const { client: alice } = await connect("alice", { channels: ["conversation:*"], publish: ["conversation:conv-1?"] });
      const { client: bob } = await connect("bob", { channels: ["conversation:*"] });
      await expectReply(bob, "subscribe", { channel: "conversation:conv-12" }, "subscribed", "bob subscribes");
      const data = { conversation_id: "conv-12", sender_id: "alice", content: "Hi Bob" };
      const pub = await expectReply(alice, "publish", { channel: "conversation:conv-12", type: "chat_message", data }, "published", "alice publishes");
      assert.equal(pub.data.channel, "conversation:conv-12", "published.channel");
      assert.equal(typeof pub.data.epoch, "string", "published.epoch");
      assert.ok(Number.isInteger(pub.data.offset) && pub.data.offset >= 1, `published.offset should be an integer >= 1, got ${pub.data.offset}`);
      const ev = await bob.next((f) => f.channel === "conversation:conv-12", 2000, "bob receives alice's publication");
      assertEvent(ev, { type: "chat_message", channel: "conversation:conv-12", data, epoch: pub.data.epoch, offset: pub.data.offset }, "client publication");
    });

    it("gives a publication without a type the event type message", async () => {
      const { client } = await connect("alice", { publish: ["public:*"] });
      await expectReply(client, "subscribe", { channel: "public:untyped" }, "subscribed", "subscribe public:untyped");
      await expectReply(client, "publish", { channel: "public:untyped", data: { x: 1 } }, "published", "publish without type");
      const ev = await client.next((f) => f.channel === "public:untyped", 2000, "the untyped publication");
      assert.equal(ev.type, "message", "default event type");
    });

    it("refuses publish without a matching publish claim with unauthorized", async () => {
      const { client } = await connect("alice", { channels: ["conversation:*"], publish: ["conversation:conv-1?"] });
      await expectError(client, "publish", { channel: "public:lobby", data: {} }, "unauthorized", "publish to public:lobby without claim");
      await expectError(client, "publish", { channel: "conversation:conv-123", data: {} }, "unauthorized", "conv-1? must not allow conv-123");
      await expectError(client, "publish", { channel: "user:alice", data: {} }, "unauthorized", "publish to own user channel without claim");
      const { client: plain } = await connect("plain");
      await expectError(plain, "publish", { channel: "broadcast", data: {} }, "unauthorized", "publish to broadcast without any claim");
      const res = await gw.api(`/api/v1/channels/${encodeURIComponent("public:lobby")}/history`);
      const hist = (await res.json()) as { publications: unknown[] };
      assert.equal(hist.publications.length, 0, "a refused publish must not reach history");
    });

    it("refuses reserved event types with invalid_request", async () => {
      const { client } = await connect("alice", { publish: ["public:*"] });
      for (const type of ["subscribed", "connected", "error", "pong", "auth_required"]) {
        await expectError(client, "publish", { channel: "public:reserved", type, data: {} }, "invalid_request", `publish with reserved type ${type}`);
      }
      await expectError(client, "publish", { channel: "public:reserved", type: "has space", data: {} }, "invalid_request", "publish with an invalid type");
      const hist = await expectReply(client, "history", { channel: "public:reserved" }, "history", "history of public:reserved");
      assert.equal(hist.data.publications.length, 0, "a refused publish must not reach history");
    });
  });

  describe("history", () => {
    let epoch = "";
    before(async () => {
      for (let n = 1; n <= 5; n++) epoch = (await gw.publish("public:hist", { n }, "status_update")).epoch;
    });
    const offsets = (f: Frame): number[] => (f.data.publications as Frame[]).map((p) => p.offset as number);

    it("returns the publications after since given as {epoch, offset}", async () => {
      const { client } = await connect("alice");
      const h = await expectReply(client, "history", { channel: "public:hist", since: { epoch, offset: 2 } }, "history", "history since {epoch, 2}");
      assert.equal(h.data.channel, "public:hist", "history.channel");
      assert.equal(h.data.epoch, epoch, "history.epoch");
      assert.equal(h.data.offset, 5, "history.offset should be the channel's last offset");
      assert.deepEqual(offsets(h), [3, 4, 5], "publications after offset 2, in order");
      assertEvent(h.data.publications[0], { type: "status_update", channel: "public:hist", data: { n: 3 }, epoch, offset: 3 }, "history entry");
      assert.equal(h.data.truncated, undefined, "history that reaches back to since must not be truncated");
    });

    it("treats a bare number since as an offset in the current epoch", async () => {
      const { client } = await connect("alice");
      const h = await expectReply(client, "history", { channel: "public:hist", since: 3 }, "history", "history since 3");
      assert.deepEqual(offsets(h), [4, 5], "publications after bare offset 3");
    });

    it("returns at most limit publications after since, oldest first", async () => {
      const { client } = await connect("alice");
      const h = await expectReply(client, "history", { channel: "public:hist", since: { epoch, offset: 1 }, limit: 2 }, "history", "history since 1 limit 2");
      assert.deepEqual(offsets(h), [2, 3], "the first 2 publications after offset 1");
    });

    it("returns the newest limit publications when since is omitted", async () => {
      const { client } = await connect("alice");
      const h = await expectReply(client, "history", { channel: "public:hist", limit: 2 }, "history", "history limit 2");
      assert.deepEqual(offsets(h), [4, 5], "the newest 2 publications, oldest first");
      const all = await expectReply(client, "history", { channel: "public:hist" }, "history", "history without since or limit");
      assert.deepEqual(offsets(all), [1, 2, 3, 4, 5], "the whole history");
    });

    it("marks history truncated when it was trimmed past since", async () => {
      for (let n = 1; n <= 5; n++) await small.publish("public:trim", { n });
      const { client } = await connect("alice", undefined, small);
      const h = await expectReply(client, "history", { channel: "public:trim", since: 0 }, "history", "history since 0 with size 3");
      assert.deepEqual(offsets(h), [3, 4, 5], "only the 3 kept publications");
      assert.equal(h.data.truncated, true, `history trimmed past since should say truncated: true, got ${JSON.stringify(h.data)}`);
      const kept = await expectReply(client, "history", { channel: "public:trim", since: 2 }, "history", "history since 2 with size 3");
      assert.deepEqual(offsets(kept), [3, 4, 5], "publications after 2");
      assert.equal(kept.data.truncated, undefined, "history that still reaches since must not be truncated");
    });

    it("refuses history of a channel the user may not subscribe to with subscription_failed", async () => {
      const { client } = await connect("alice");
      await expectError(client, "history", { channel: "user:bob" }, "subscription_failed", "history of user:bob as alice");
    });
  });

  describe("presence", () => {
    it("lists both users' connections on a channel and drops one after it disconnects", async () => {
      const ch = "public:presence-room";
      const a = await connect("alice");
      const b = await connect("bob");
      await expectReply(a.client, "subscribe", { channel: ch }, "subscribed", "alice subscribes");
      await expectReply(b.client, "subscribe", { channel: ch }, "subscribed", "bob subscribes");
      const p = await expectReply(a.client, "presence", { channel: ch }, "presence", "presence with two users");
      assert.equal(p.data.channel, ch, "presence.channel");
      assert.equal(p.data.connections, 2, "presence.connections");
      assert.equal(p.data.users, 2, "presence.users");
      const byConn = (clients: Frame[]) => [...clients].sort((x, y) => String(x.connection_id).localeCompare(String(y.connection_id)));
      assert.deepEqual(
        byConn(p.data.clients as Frame[]),
        byConn([
          { connection_id: a.connected.data.connection_id, user_id: "alice" },
          { connection_id: b.connected.data.connection_id, user_id: "bob" },
        ]),
        "presence.clients should list both connections with their user ids",
      );
      b.client.close();
      await b.client.waitClosed();
      let last: Frame | undefined;
      const dropped = await eventually(async () => {
        last = await a.client.request("presence", { channel: ch });
        return last.data?.connections === 1;
      });
      assert.ok(dropped, `bob's connection should leave presence after disconnecting, last reply ${JSON.stringify(last)}`);
      assert.deepEqual(last?.data.clients, [{ connection_id: a.connected.data.connection_id, user_id: "alice" }], "presence after bob left");
      assert.equal(last?.data.users, 1, "presence.users after bob left");
    });

    it("drops a connection from presence after unsubscribe", async () => {
      const ch = "public:presence-unsub";
      const a = await connect("alice");
      await expectReply(a.client, "subscribe", { channel: ch }, "subscribed", "subscribe");
      await expectReply(a.client, "unsubscribe", { channel: ch }, "unsubscribed", "unsubscribe");
      const p = await expectReply(a.client, "presence", { channel: ch }, "presence", "presence after unsubscribe");
      assert.equal(p.data.connections, 0, `presence after unsubscribe: ${JSON.stringify(p.data)}`);
    });
  });

  describe("ping and bad frames", () => {
    it("answers ping with pong carrying the same id", async () => {
      const { client } = await connect("alice");
      client.send({ type: "ping", id: "p-1", data: {} });
      const pong = await client.next((f) => f.id === "p-1", 2000, "pong p-1");
      assert.equal(pong.type, "pong", "reply to ping");
      client.send({ type: "ping", id: 7 });
      const pong7 = await client.next((f) => f.id === 7, 2000, "pong for numeric id 7");
      assert.equal(pong7.type, "pong", "reply to ping with a numeric id and no data");
    });

    const badFrames: [string, (c: TestClient) => void, string | undefined][] = [
      ["malformed JSON", (c) => c.send('{"type": "ping", '), undefined],
      ["a binary frame", (c) => c.ws.send(Buffer.from(JSON.stringify({ type: "ping", id: "bin" })), { binary: true }), undefined],
      ["a frame without type", (c) => c.send({ id: "nt", data: {} }), undefined],
      ["a JSON array", (c) => c.send("[1,2,3]"), undefined],
      ["an unknown type", (c) => c.send({ type: "teleport", id: "u1", data: {} }), "u1"],
      ["subscribe with a numeric channel", (c) => c.send({ type: "subscribe", id: "f1", data: { channel: 42 } }), "f1"],
      ["subscribe without data", (c) => c.send({ type: "subscribe", id: "f2" }), "f2"],
      ["history with a string limit", (c) => c.send({ type: "history", id: "f3", data: { channel: "public:x", limit: "ten" } }), "f3"],
      ["history with a negative since", (c) => c.send({ type: "history", id: "f4", data: { channel: "public:x", since: -1 } }), "f4"],
      ["publish without channel", (c) => c.send({ type: "publish", id: "f5", data: { data: {} } }), "f5"],
      ["publish without data", (c) => c.send({ type: "publish", id: "f8", data: { channel: "public:x", type: "notification" } }), "f8"],
      ["subscribe with a malformed recover", (c) => c.send({ type: "subscribe", id: "f6", data: { channel: "public:x", recover: { epoch: 1 } } }), "f6"],
      ["auth with a numeric token", (c) => c.send({ type: "auth", id: "f7", data: { token: 123 } }), "f7"],
    ];
    for (const [what, send, id] of badFrames) {
      it(`answers ${what} with invalid_request and keeps the connection open`, async () => {
        const { client } = await connect("alice");
        send(client);
        const err = await client.next((f) => f.type === "error", 2000, `the error for ${what}`);
        assert.equal(err.data?.code, "invalid_request", `${what}: error code should be invalid_request, got ${JSON.stringify(err.data)}`);
        assert.equal(typeof err.data?.message, "string", `${what}: error should carry a message`);
        if (id !== undefined) assert.equal(err.id, id, `${what}: the error should carry the request id`);
        assert.ok(client.ws.readyState === client.ws.OPEN, `${what}: the socket closed`);
        await assertStillOpen(client, `after ${what}`);
      });
    }

    it("answers replies in request order", async () => {
      const { client } = await connect("alice", { publish: ["public:*"] });
      const order: unknown[] = [];
      client.ws.on("message", (raw: RawData) => {
        try {
          const f = JSON.parse(raw.toString()) as Frame;
          if (typeof f.id === "string" && f.id.startsWith("o")) order.push(f.id);
        } catch {
          // not a reply
        }
      });
      const sent = [
        { type: "subscribe", id: "o1", data: { channel: "public:order" } },
        { type: "history", id: "o2", data: { channel: "public:order" } },
        { type: "publish", id: "o3", data: { channel: "public:order", data: { n: 1 } } },
        { type: "ping", id: "o4" },
        { type: "nonsense", id: "o5" },
        { type: "presence", id: "o6", data: { channel: "public:order" } },
        { type: "subscribe", id: "o7", data: { channel: "user:bob" } },
        { type: "unsubscribe", id: "o8", data: { channel: "public:order" } },
        { type: "ping", id: "o9" },
      ];
      for (const f of sent) client.send(f);
      await client.next((f) => f.id === "o9", 3000, "the last reply (o9)");
      await sleep(100); // give a reply that lagged behind o9 the time to arrive
      assert.deepEqual(order, sent.map((f) => f.id), "replies should arrive in the order of the requests");
    });
  });

  describe("the seed's event examples", () => {
    for (const example of SEED_EVENTS) {
      it(`delivers the seed's ${example.type} example as published`, async () => {
        const ch = `public:seed-${example.type}`;
        const { client } = await connect("alice");
        await expectReply(client, "subscribe", { channel: ch }, "subscribed", `subscribe ${ch}`);
        const pub = await gw.publish(ch, example.data, example.type);
        const ev = await client.next((f) => f.channel === ch, 2000, `the ${example.type} event`);
        assertEvent(ev, { type: example.type, channel: ch, data: example.data, epoch: pub.epoch, offset: pub.offset }, `seed ${example.type}`);
      });
    }

    it("delivers the seed's chat_message on conversation:conv-123 to a user with the channel claim", async () => {
      const { client } = await connect("user-456", { channels: ["conversation:*"] });
      await expectReply(client, "subscribe", { channel: "conversation:conv-123" }, "subscribed", "subscribe conversation:conv-123");
      const chat = SEED_EVENTS[1];
      await gw.publish("conversation:conv-123", chat.data, chat.type);
      const ev = await client.next((f) => f.channel === "conversation:conv-123", 2000, "the chat_message event");
      assertEvent(ev, { type: "chat_message", channel: "conversation:conv-123", data: chat.data }, "seed chat_message");
    });
  });
});
