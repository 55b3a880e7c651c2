import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { claimsFor, hmacToken, sleep } from "../../helpers/tokens.js";
import { assertClosedWith, CHAT, connectAs, ISO_UTC, jobPath, NOTIFICATIONS } from "./helpers.js";

describe("codegraph lifecycle", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("sends connected with connection_id and user_id on every endpoint", async () => {
    const job = (await (await gw.api("/api/v1/jobs", { body: { type: "import", owner: "alice" } })).json()) as { job_id: string };
    for (const path of [CHAT, NOTIFICATIONS, jobPath(job.job_id)]) {
      const { client, connected } = await connectAs(gw, path, "alice");
      assert.equal(connected.payload.user_id, "alice", `${path}: user_id`);
      assert.match(connected.payload.connection_id as string, /^c_/, `${path}: connection_id`);
      assert.match(connected.timestamp as string, ISO_UTC, `${path}: timestamp`);
      assert.equal(connected.request_id, undefined, `${path}: connected answers no request`);
      client.close();
    }
  });

  for (const [name, token] of [
    ["missing", undefined],
    ["invalid", "not-a-jwt"],
    ["signed with another secret", "other"],
    ["expired", "expired"],
  ] as const) {
    it(`closes with 4001 "Invalid token" when the token is ${name}`, async () => {
      let value: string | undefined = token;
      if (token === "other") value = await hmacToken(claimsFor("alice"), "HS256", "another-secret-0123456789abcdef");
      if (token === "expired") value = await hmacToken(claimsFor("alice", { exp: Math.floor(Date.now() / 1000) - 60 }));
      const client = await TestClient.connect(gw.wsUrl(CHAT, value === undefined ? {} : { token: value }));
      await assertClosedWith(client, 4001, "Invalid token", `${name} token`);
      const types = client.frames.map((f) => f.type);
      assert.deepEqual(types, ["error", "disconnected"], `a refused socket gets error then disconnected, never connected; got ${types.join(",")}`);
      assert.equal(client.frames[0]!.payload.error, "Invalid token");
      assert.equal(typeof client.frames[0]!.payload.details, "string", "details say why the token was refused");
    });
  }

  it("takes the token from ?token= only, not from an Authorization header", async () => {
    const token = await gw.token("alice");
    const client = await TestClient.connect(gw.wsUrl(CHAT), [], { headers: { authorization: `Bearer ${token}` } });
    await assertClosedWith(client, 4001, "Invalid token", "header token");
  });

  it("answers ping with pong carrying the same request_id", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    client.send({ type: "ping", payload: {}, request_id: "p-1" });
    const pong = await client.nextOfType("pong");
    assert.equal(pong.request_id, "p-1");
    assert.deepEqual(pong.payload, {});
    assert.match(pong.timestamp as string, ISO_UTC);
    client.send({ type: "ping" });
    const bare = await client.nextOfType("pong");
    assert.equal(bare.request_id, undefined, "a ping without request_id gets a pong without one");
    client.close();
  });

  it("answers malformed JSON with Invalid message format and keeps the socket open", async () => {
    const { client } = await connectAs(gw, NOTIFICATIONS, "alice");
    client.send("{not json");
    const err = await client.nextOfType("error");
    assert.equal(err.payload.error, "Invalid message format");
    assert.equal(typeof err.payload.details, "string");
    assert.equal(err.request_id, undefined);
    client.send({ type: "ping", request_id: "still-open" });
    assert.equal((await client.nextOfType("pong")).request_id, "still-open", "the socket stays open after a bad frame");
    client.close();
  });

  it("echoes the request_id of a frame whose structure is wrong", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    for (const [frame, detail] of [
      [{ type: "chat.query", payload: "text", request_id: "bad-1" }, /payload/],
      [{ payload: {}, request_id: "bad-1" }, /type/],
      [{ type: "ping", timestamp: "yesterday", request_id: "bad-1" }, /timestamp/],
    ] as const) {
      client.send(frame);
      const err = await client.nextOfType("error");
      assert.deepEqual([err.payload.error, err.request_id], ["Invalid message format", "bad-1"], `error for ${JSON.stringify(frame)}`);
      assert.match(err.payload.details as string, detail);
    }
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await client.nextOfType("error")).payload.error, "Invalid message format", "a binary frame is an invalid message");
    client.close();
  });

  it("answers an unsupported type with Unknown message type and its request_id", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    client.send({ type: "chat.subscribe", payload: {}, request_id: "u-1" });
    const err = await client.nextOfType("error");
    assert.deepEqual([err.type, err.payload.error, err.request_id], ["error", "Unknown message type", "u-1"]);
    const { client: notif } = await connectAs(gw, NOTIFICATIONS, "alice");
    notif.send({ type: "chat.query", payload: { query: "hi" }, request_id: "u-2" });
    assert.equal((await notif.nextOfType("error")).payload.error, "Unknown message type", "chat.query is for the chat socket only");
    client.close();
    notif.close();
  });

  it("sends disconnected, then closes with 1001, on every endpoint when the server shuts down", async () => {
    const own = await startTestGateway();
    const job = (await (await own.api("/api/v1/jobs", { body: { type: "import", owner: "bob" } })).json()) as { job_id: string };
    const clients = await Promise.all([CHAT, NOTIFICATIONS, jobPath(job.job_id)].map(async (p) => (await connectAs(own, p, "bob")).client));
    const closes = Promise.all(clients.map((c, i) => assertClosedWith(c, 1001, "Server shutting down", `socket ${i}`)));
    await own.close();
    await closes;
  });
});

describe("codegraph rate limits and frame size", () => {
  it("answers a rate-limited frame with Rate limit exceeded and its request_id, then closes 1008", async () => {
    const gw = await startTestGateway({ limits: { messagesPerSecond: 1, messageBurst: 2, rateLimitStrikes: 3 } });
    try {
      const { client } = await connectAs(gw, CHAT, "alice");
      for (let i = 1; i <= 5; i++) client.send({ type: "ping", request_id: `r${i}` });
      const err = await client.next((f) => f.type === "error" && f.request_id === "r3", 3000, "the error for r3");
      assert.equal(err.payload.error, "Rate limit exceeded");
      assert.ok((err.payload.retry_after as number) >= 1, "retry_after in seconds");
      await assertClosedWith(client, 1008, "Rate limit exceeded", "rate limit abuse");
    } finally {
      await gw.close();
    }
  });

  it("closes with 1009 when a frame is larger than 64 KiB", async () => {
    const gw = await startTestGateway();
    try {
      const { client } = await connectAs(gw, CHAT, "alice");
      client.send({ type: "chat.query", payload: { query: "x".repeat(70 * 1024) }, request_id: "big" });
      const info = await client.waitClosed();
      assert.equal(info.code, 1009, "the WebSocket layer closes an oversize frame with 1009");
    } finally {
      await gw.close();
    }
  });
});

describe("codegraph re-authentication", () => {
  it("sends auth_required when the token expires and authenticated after an auth message with a fresh token", async () => {
    const gw = await startTestGateway({ limits: { tokenExpiryGraceMs: 3000 } });
    try {
      const client = await TestClient.connect(gw.wsUrl(CHAT, { token: await gw.token("alice", { ttlSec: 2 }) }));
      await client.nextOfType("connected");
      const required = await client.nextOfType("auth_required", 4000);
      assert.deepEqual(required.payload, {});
      client.send({ type: "auth", payload: { token: "garbage" }, request_id: "a-0" });
      const refused = await client.nextOfType("error");
      assert.deepEqual([refused.payload.error, refused.request_id], ["Invalid token", "a-0"], "a bad refresh token is refused, the socket stays");
      client.send({ type: "auth", payload: { token: await gw.token("bob") }, request_id: "a-1" });
      assert.equal((await client.nextOfType("error")).request_id, "a-1", "a token for another user is refused");
      client.send({ type: "auth", payload: { token: await gw.token("alice") }, request_id: "a-2" });
      const ok = await client.nextOfType("authenticated");
      assert.deepEqual([ok.request_id, ok.payload], ["a-2", {}]);
      await sleep(3300);
      client.send({ type: "ping", request_id: "after-grace" });
      assert.equal((await client.nextOfType("pong")).request_id, "after-grace", "a refreshed socket outlives the grace period");
      client.close();
    } finally {
      await gw.close();
    }
  });

  it("sends disconnected and closes 4001 when no fresh token comes within the grace period", async () => {
    const gw = await startTestGateway({ limits: { tokenExpiryGraceMs: 300 } });
    try {
      const client = await TestClient.connect(gw.wsUrl(NOTIFICATIONS, { token: await gw.token("alice", { ttlSec: 2 }) }));
      await client.nextOfType("connected");
      await client.nextOfType("auth_required", 4000);
      await assertClosedWith(client, 4001, "Invalid token", "expired without refresh");
    } finally {
      await gw.close();
    }
  });
});
