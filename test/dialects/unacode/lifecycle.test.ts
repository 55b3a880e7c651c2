import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { optionsFrom } from "../../../src/cli/settings.js";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { ask, assertEnvelope, assertError, chat, connectReady, connectUna, ISO_UTC } from "./helpers.js";

/** `exp` has whole seconds: a 2 s token expires between 1 and 2 s from now, never before it is checked. */
const SHORT_TTL_SEC = 2;
// Wide enough that a socket on a busy 2-core machine authenticates (or refreshes) in time; the timeout
// tests wait for them to pass, so they stay short enough for the suite.
const AUTH_TIMEOUT_MS = 1500;
const GRACE_MS = 1500;

describe("UnaCODE authentication", { concurrency: true }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ limits: { authTimeoutMs: AUTH_TIMEOUT_MS, tokenExpiryGraceMs: GRACE_MS, maxConnectionsPerUser: 2 } });
  });
  after(() => gw.close());

  it("takes the token from ?token=, the Authorization header with or without Bearer, or the bearer subprotocol", async () => {
    const token = await gw.token("ann");
    const ways = [
      { what: "?token=", open: () => TestClient.connect(gw.wsUrl("/", { token })) },
      { what: "Authorization: Bearer", open: () => TestClient.connect(gw.wsUrl("/"), [], { headers: { authorization: `Bearer ${token}` } }) },
      { what: "a bare Authorization header", open: () => TestClient.connect(gw.wsUrl("/"), [], { headers: { authorization: token } }) },
      { what: "the bearer subprotocol", open: () => TestClient.connect(gw.wsUrl("/"), ["bearer", token]) },
    ];
    for (const way of ways) {
      const client = await way.open();
      const hb = await ask(client, { type: "heartbeat" });
      assert.equal(hb.user_id, "ann", `a token in ${way.what} should authenticate the socket`);
      assert.equal(client.frames.length, 0, `nothing is sent on a connect-time authentication (${way.what}): ${JSON.stringify(client.frames)}`);
      client.close();
      await client.waitClosed();
    }
  });

  it("answers an auth message sent after connecting with auth {status: authenticated, user_id, expires_at} under the request's id", async () => {
    const client = await connectUna(gw);
    const reply = await ask(client, { type: "auth", payload: { token: await gw.token("bea") } });
    assertEnvelope(reply, "bea", "the auth reply");
    assert.equal(reply.type, "auth");
    assert.equal(reply.payload.status, "authenticated");
    assert.equal(reply.payload.user_id, "bea");
    assert.match(reply.payload.expires_at as string, ISO_UTC, "expires_at is the token's expiry");
    const list = await chat(client, "list_conversations");
    assert.equal(list.type, "chat", `an authenticated socket may chat: ${JSON.stringify(list)}`);
    client.close();
  });

  it("reads the auth message's token at the top level too", async () => {
    const client = await connectUna(gw);
    const reply = await ask(client, { type: "auth", token: await gw.token("bob") });
    assert.equal(reply.payload.user_id, "bob", `a top-level token should authenticate: ${JSON.stringify(reply)}`);
    client.close();
  });

  it("allows only heartbeat and auth before authentication; anything else is UNAUTHORIZED and the socket stays open", async () => {
    const client = await connectUna(gw);
    const hb = await ask(client, { type: "heartbeat" });
    assert.equal(hb.payload.status, "alive", "a heartbeat is answered before authentication");
    assert.equal(hb.user_id, null, "no user yet");
    for (const msg of [
      { type: "chat", action: "start_conversation" },
      { type: "subscribe", message_types: ["system_alert"] },
      { type: "unsubscribe", message_types: ["system_alert"] },
    ]) {
      assertError(await ask(client, msg), "UNAUTHORIZED", `${msg.type} before auth`);
    }
    const auth = await ask(client, { type: "auth", payload: { token: await gw.token("cid") } });
    assert.equal(auth.payload.status, "authenticated", "the socket is still usable after the refusals");
    client.close();
  });

  it("closes with 4001 after an UNAUTHORIZED error when no auth message comes within limits.authTimeoutMs", async () => {
    const client = await connectUna(gw);
    const started = Date.now();
    const closed = await client.waitClosed(AUTH_TIMEOUT_MS + 5000);
    assert.deepEqual(closed, { code: 4001, reason: "Unauthorized" }, "the close code and reason of an auth timeout");
    assert.ok(Date.now() - started >= AUTH_TIMEOUT_MS - 100, "not before the timeout");
    assert.equal(client.frames.length, 1, `exactly one message before the close: ${JSON.stringify(client.frames)}`);
    const err = assertError(client.frames[0]!, "UNAUTHORIZED", "the auth timeout");
    assert.match(err.error as string, new RegExp(`no auth message within ${AUTH_TIMEOUT_MS} ms`));
  });

  it("keeps a socket that authenticated by message past the auth timeout", async () => {
    const client = await connectUna(gw);
    await ask(client, { type: "auth", payload: { token: await gw.token("dan") } });
    assert.ok(await client.nothingWithin(AUTH_TIMEOUT_MS + 300, (f) => f.type === "error"), "no auth timeout after authentication");
    assert.equal((await ask(client, { type: "heartbeat" })).payload.status, "alive", "still open");
    client.close();
  });

  it("closes with 4001 after an UNAUTHORIZED error when the token at connect is bad", async () => {
    const client = await TestClient.connect(gw.wsUrl("/", { token: "not-a-jwt" }));
    assert.deepEqual(await client.waitClosed(), { code: 4001, reason: "Unauthorized" });
    assertError(client.frames[0]!, "UNAUTHORIZED", "a bad connect-time token");
  });

  it("closes with 4001 when the first auth message carries a bad token, answering it under the request's id", async () => {
    const client = await connectUna(gw);
    const reply = await ask(client, { type: "auth", payload: { token: "not-a-jwt" } });
    assertError(reply, "UNAUTHORIZED", "a bad auth message");
    assert.deepEqual(await client.waitClosed(), { code: 4001, reason: "Unauthorized" });
  });

  it("answers an auth message without a token with INVALID_MESSAGE", async () => {
    const client = await connectUna(gw);
    assertError(await ask(client, { type: "auth", payload: {} }), "INVALID_MESSAGE", "auth without a token");
    client.close();
  });

  it("keeps the first user when a later auth message is for another user", async () => {
    const client = await connectReady(gw, "eve");
    assertError(await ask(client, { type: "auth", payload: { token: await gw.token("mallory") } }), "UNAUTHORIZED", "a token of another user");
    assert.equal((await ask(client, { type: "heartbeat" })).user_id, "eve", "the socket still belongs to eve");
    client.close();
  });

  it("sends auth_required when the token expires, and an auth message with a fresh token keeps the socket", async () => {
    const client = await connectUna(gw);
    await ask(client, { type: "auth", payload: { token: await gw.token("fay", { ttlSec: SHORT_TTL_SEC }) } });
    const required = await client.nextOfType("auth_required", SHORT_TTL_SEC * 1000 + 5000);
    assertEnvelope(required, "fay", "auth_required");
    assert.match(required.payload.expired_at as string, ISO_UTC);
    assert.equal(required.payload.grace_ms, GRACE_MS);
    const refreshed = await ask(client, { type: "auth", payload: { token: await gw.token("fay") } });
    assert.equal(refreshed.payload.status, "authenticated", "the fresh token is accepted");
    assert.ok(await client.nothingWithin(GRACE_MS + 300, (f) => f.type === "error"), "no expiry error after the refresh");
    assert.equal((await ask(client, { type: "heartbeat" })).payload.status, "alive", "still open after the grace period");
    client.close();
  });

  it("closes with 4001 Token expired after an UNAUTHORIZED error when the token is not refreshed in time", async () => {
    const client = await TestClient.connect(gw.wsUrl("/", { token: await gw.token("gus", { ttlSec: SHORT_TTL_SEC }) }));
    assert.deepEqual(await client.waitClosed(SHORT_TTL_SEC * 1000 + GRACE_MS + 5000), { code: 4001, reason: "Token expired" });
    assert.deepEqual(client.frames.map((f) => f.type), ["auth_required", "error"], "auth_required, then the error");
    assertError(client.frames[1]!, "UNAUTHORIZED", "the expiry");
  });

  it("closes with 4003 after a RATE_LIMIT_EXCEEDED error when the user has too many connections", async () => {
    const open = [await connectReady(gw, "hal"), await connectReady(gw, "hal")];
    const third = await connectUna(gw, "hal");
    assert.deepEqual(await third.waitClosed(), { code: 4003, reason: "Too many connections" });
    assertError(third.frames[0]!, "RATE_LIMIT_EXCEEDED", "the connection over the limit");
    for (const c of open) c.close();
  });
});

describe("UnaCODE envelope and errors", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("answers heartbeat with {status: alive, timestamp} in the {id, type, payload, timestamp, user_id} envelope", async () => {
    const client = await connectReady(gw, "ivy");
    client.send({ type: "heartbeat" });
    const hb = await client.nextOfType("heartbeat");
    assertEnvelope(hb, "ivy", "the heartbeat reply");
    assert.deepEqual(Object.keys(hb.payload), ["status", "timestamp"]);
    assert.equal(hb.payload.status, "alive");
    assert.match(hb.payload.timestamp as string, ISO_UTC);
    assert.match(hb.id as string, /^msg_[0-9a-f]{16}$/, "a request without an id gets a fresh one");
    client.close();
  });

  it("echoes the request's id, a string or a number, in the reply", async () => {
    const client = await connectReady(gw, "jon");
    client.send({ id: 42, type: "heartbeat" });
    assert.equal((await client.nextOfType("heartbeat")).id, 42, "a numeric id comes back as a number");
    client.send({ id: "msg_123", type: "heartbeat", payload: {}, timestamp: "2025-08-12T14:00:00Z" });
    assert.equal((await client.nextOfType("heartbeat")).id, "msg_123");
    client.close();
  });

  it("answers bad frames with INVALID_MESSAGE and keeps the socket open", async () => {
    const client = await connectReady(gw, "kim");
    const bad: [string | Buffer, string, string | undefined][] = [
      ["{not json", "text that is not JSON", undefined],
      [Buffer.from([1, 2, 3]), "a binary frame", undefined],
      ["[1,2]", "a JSON array", undefined],
      [JSON.stringify({ id: "b1" }), "no type", "b1"],
      [JSON.stringify({ id: "b2", type: 7 }), "a type that is not a string", "b2"],
      [JSON.stringify({ id: "b3", type: "heartbeat", payload: "x" }), "a payload that is not an object", "b3"],
      [JSON.stringify({ id: { x: 1 }, type: "heartbeat" }), "an id that is an object", undefined],
    ];
    for (const [data, what, id] of bad) {
      if (typeof data === "string") client.send(data);
      else client.ws.send(data);
      const err = await client.nextOfType("error");
      assertError(err, "INVALID_MESSAGE", what);
      if (id !== undefined) assert.equal(err.id, id, `${what}: the error carries the frame's id`);
    }
    assert.equal((await ask(client, { type: "heartbeat" })).payload.status, "alive", "the socket is still open");
    client.close();
  });

  it("answers an unknown type with UNKNOWN_TYPE under the request's id", async () => {
    const client = await connectReady(gw, "lee");
    const err = assertError(await ask(client, { type: "teleport" }), "UNKNOWN_TYPE", "an unknown type");
    assert.match(err.error as string, /teleport/, "the error names the type");
    client.close();
  });

  it("answers a store failure with INTERNAL_ERROR without its details, and keeps the socket open", async () => {
    const client = await connectReady(gw, "max");
    const conversations = gw.server.context.store.conversations;
    const list = conversations.list.bind(conversations);
    conversations.list = () => Promise.reject(new Error("disk on fire"));
    try {
      const err = assertError(await chat(client, "list_conversations"), "INTERNAL_ERROR", "a failing store");
      assert.doesNotMatch(err.error as string, /disk/, "internal details never reach the client");
    } finally {
      conversations.list = list;
    }
    assert.equal((await chat(client, "list_conversations")).type, "chat", "the socket still works");
    client.close();
  });
});

describe("UnaCODE per-connection message rate", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ limits: { messagesPerSecond: 1, messageBurst: 3, rateLimitStrikes: 4 } });
  });
  after(() => gw.close());

  it("answers frames over the rate with RATE_LIMIT_EXCEEDED, retry_after and the frame's id, then closes 1008 after the strikes", async () => {
    const client = await connectUna(gw, "ned");
    for (let i = 1; i <= 4; i++) client.send({ id: `hb${i}`, type: "heartbeat" });
    const refused = await client.next((f) => f.id === "hb4");
    const err = assertError(refused, "RATE_LIMIT_EXCEEDED", "the fourth frame of a burst of three");
    assert.equal(err.error, "Rate limit exceeded", "the seed's error text");
    assert.ok(Number.isInteger(err.retry_after) && err.retry_after >= 1, `retry_after is whole seconds, at least 1: ${err.retry_after}`);
    for (const id of ["hb1", "hb2", "hb3"]) assert.equal((await client.next((f) => f.id === id)).type, "heartbeat", `${id} within the burst is answered`);
    for (let i = 5; i <= 7; i++) client.send({ id: `hb${i}`, type: "heartbeat" });
    assert.deepEqual(await client.waitClosed(), { code: 1008, reason: "Rate limit exceeded" }, "the close after four refusals in a row");
  });
});

describe("UnaCODE's own port", () => {
  let gw: TestGateway;
  let own: number;
  before(async () => {
    gw = await startTestGateway({ unacode: { port: 0 } });
    own = gw.server.dedicatedPorts.get("unacode")!;
  });
  after(() => gw.close());

  it("is opened by unacode.port beside the main port", () => {
    assert.ok(own > 0 && own !== gw.port, `a second listener on its own port: ${own} (main ${gw.port})`);
  });

  it("serves UnaCODE on every path, /ws included", async () => {
    for (const path of ["/", "/ws", "/any/path"]) {
      const client = await TestClient.connect(`ws://127.0.0.1:${own}${path}?token=${await gw.token("oli")}`);
      const hb = await ask(client, { type: "heartbeat" });
      assertEnvelope(hb, "oli", `a heartbeat on ${path} of the UnaCODE port`);
      client.close();
    }
  });

  it("is not opened without the option", async () => {
    const plain = await startTestGateway();
    try {
      assert.equal(plain.server.dedicatedPorts.size, 0, "no second listener by default");
    } finally {
      await plain.close();
    }
  });

  it("is set by --unacode-port or LIVEGATE_UNACODE_PORT", () => {
    assert.deepEqual(optionsFrom({ LIVEGATE_UNACODE_PORT: "8765" }, {}), { unacode: { port: 8765 } });
    assert.deepEqual(optionsFrom({}, { "unacode-port": "9765", "unacode-chat-requests-per-minute": "5" }), {
      unacode: { port: 9765, chatRequestsPerMinute: 5 },
    });
  });
});

describe("UnaCODE on shutdown", () => {
  it("closes sockets on the main port and on UnaCODE's own port with 1001", async () => {
    const gw = await startTestGateway({ unacode: { port: 0 } });
    const own = gw.server.dedicatedPorts.get("unacode")!;
    const main = await connectReady(gw, "pat");
    const second = await TestClient.connect(`ws://127.0.0.1:${own}/?token=${await gw.token("pat")}`);
    await ask(second, { type: "heartbeat" });
    await gw.close();
    for (const [client, where] of [[main, "the main port"], [second, "UnaCODE's port"]] as const) {
      assert.deepEqual(await client.waitClosed(), { code: 1001, reason: "Server shutting down" }, `the close on ${where}`);
    }
    await assert.rejects(TestClient.connect(`ws://127.0.0.1:${own}/`), "UnaCODE's port no longer accepts sockets");
  });
});
