import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { claimsFor, hmacToken } from "../../helpers/tokens.js";
import { AcpClient } from "./acp-client.js";

const AUTH_TIMEOUT_MS = 500;
const GRACE_MS = 400;
const MAX_CONNECTIONS = 2;
/**
 * Lifetime of a token meant to expire mid-session. `exp` has whole seconds, so a 1 s token may already be
 * expired when it arrives; 2 s expire between 1 and 2 s from now.
 */
const SHORT_TTL_SEC = 2;

describe("ACP authentication at /api/v1/acp/ws", () => {
  let gw: TestGateway;
  let clients: AcpClient[] = [];

  async function open(token?: string): Promise<AcpClient> {
    const c = await AcpClient.connect(gw, token);
    clients.push(c);
    return c;
  }

  /** Proves the socket is open and answering. */
  async function assertOpen(c: AcpClient, what: string): Promise<void> {
    const res = await c.call("initialize", { protocolVersion: 1 });
    assert.equal(res.result?.protocolVersion, 1, `${what}: the socket should still answer initialize`);
  }

  before(async () => {
    gw = await startTestGateway({ limits: { authTimeoutMs: AUTH_TIMEOUT_MS, tokenExpiryGraceMs: GRACE_MS, maxConnectionsPerUser: MAX_CONNECTIONS } });
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  it("answers initialize before authentication, with protocol version 1 whatever version the client asks for", async () => {
    const c = await open();
    for (const asked of [1, 2, 0]) {
      const res = (await c.result("initialize", { protocolVersion: asked })) as { protocolVersion?: unknown };
      assert.equal(res.protocolVersion, 1, `a client asking for version ${asked} should be told livegate speaks version 1`);
    }
  });

  it("answers session methods before authentication with -32000 and keeps the socket open", async () => {
    const c = await open();
    const calls: [string, unknown][] = [
      ["session/new", { cwd: "/tmp", mcpServers: [] }],
      ["session/load", { sessionId: "sess_x", cwd: "/tmp", mcpServers: [] }],
      ["session/prompt", { sessionId: "sess_x", prompt: [{ type: "text", text: "hi" }] }],
    ];
    for (const [method, params] of calls) {
      const err = await c.error(method, params, -32000, `${method} before authenticate`);
      assert.equal(err.data?.code, "LG_ERR_AUTH_REQUIRED", `${method}: data.code`);
      assert.match(err.message as string, /authenticate/, `${method}: the message should say how to authenticate`);
    }
    await c.result("authenticate", { methodId: "bearer", token: await gw.token("alice") });
    await c.newSession();
  });

  it("takes the JWT from _meta.token too, for SDKs that drop unknown fields", async () => {
    const c = await open();
    const res = (await c.result("authenticate", { methodId: "bearer", _meta: { token: await gw.token("alice") } })) as { _meta?: { userId?: string } };
    assert.equal(res._meta?.userId, "alice", "authenticate via _meta.token");
    await c.newSession();
  });

  it("answers a bad token in authenticate with -32000 and lets the client try again", async () => {
    const c = await open();
    const expired = await hmacToken(claimsFor("alice", { exp: Math.floor(Date.now() / 1000) - 60 }));
    for (const [token, what, code] of [
      ["not-a-jwt", "a malformed token", "LG_ERR_AUTH_TOKEN_INVALID"],
      [expired, "an expired token", "LG_ERR_AUTH_TOKEN_EXPIRED"],
      [await hmacToken(claimsFor("alice"), "HS256", "another-secret-0123456789abcdef"), "a token signed with another secret", "LG_ERR_AUTH_TOKEN_INVALID"],
    ] as const) {
      const err = await c.error("authenticate", { methodId: "bearer", token }, -32000, what);
      assert.equal(err.data?.code, code, `${what}: data.code`);
    }
    await c.error("session/new", { cwd: "/tmp" }, -32000, "session/new after failed authentications");
    await c.result("authenticate", { methodId: "bearer", token: await gw.token("alice") });
    await c.newSession();
  });

  it("answers an unknown methodId or a missing token with -32602", async () => {
    const c = await open();
    const token = await gw.token("alice");
    const unknown = await c.error("authenticate", { methodId: "oauth", token }, -32602, "methodId oauth");
    assert.deepEqual(unknown.data?.issues?.[0]?.path, "methodId", "the issue should point at methodId");
    await c.error("authenticate", { methodId: "bearer" }, -32602, "no token");
    await c.error("authenticate", { token }, -32602, "no methodId");
    await assertOpen(c, "after bad authenticate params");
  });

  it("reports a bad ?token= as an error with id null, then closes with 4001", async () => {
    const c = await open("not-a-jwt");
    const err = await c.socket.next((f) => "error" in f, 3000, "the error for a bad ?token=");
    assert.equal(err.id, null, "an error outside any request carries id null");
    assert.equal(err.error?.code, -32000, "a bad token is ACP's auth_required");
    assert.equal(err.error?.data?.code, "LG_ERR_AUTH_TOKEN_INVALID", "data.code of a bad ?token=");
    const closed = await c.socket.waitClosed();
    assert.equal(closed.code, 4001, `close code for a bad ?token=, got ${closed.code} "${closed.reason}"`);
  });

  it("closes with 4001 when no authentication arrives within the auth timeout", async () => {
    const c = await open();
    await c.result("initialize", { protocolVersion: 1 });
    const closed = await c.socket.waitClosed(AUTH_TIMEOUT_MS + 2000);
    assert.equal(closed.code, 4001, `auth timeout close code, got ${closed.code} "${closed.reason}"`);
    const err = c.socket.frames.find((f) => "error" in f);
    assert.equal(err?.id, null, "the timeout error carries id null");
    assert.equal(err?.error?.data?.code, "LG_ERR_AUTH_TIMEOUT", `the timeout is reported before the close: ${JSON.stringify(c.socket.frames)}`);
  });

  it("holds a session call sent right after connecting until the ?token= is verified", async () => {
    const c = await open(await gw.token("alice"));
    // No wait for anything: the token may still be under verification when this arrives.
    await c.newSession();
  });

  it("refreshes the token through authenticate, and refuses a token for another user with -32000", async () => {
    const c = await open(await gw.token("alice"));
    const refreshed = (await c.result("authenticate", { methodId: "bearer", token: await gw.token("alice") })) as { _meta?: { userId?: string } };
    assert.equal(refreshed._meta?.userId, "alice", "a refresh for the same user");
    const err = await c.error("authenticate", { methodId: "bearer", token: await gw.token("mallory") }, -32000, "a token for another user");
    assert.equal(err.data?.code, "LG_ERR_AUTH_USER_CHANGED", "data.code of a user change");
    const sessionId = await c.newSession();
    const conv = await gw.server.context.store.conversations.get(sessionId);
    assert.equal(conv?.userId, "alice", "the socket should still act for the first user");
  });

  it("asks for a fresh token with _livegate/auth_required when it expires; authenticate keeps the socket open", async () => {
    const c = await open(await gw.token("dave", { ttlSec: SHORT_TTL_SEC }));
    await c.newSession();
    const ask = await c.socket.next((f) => f.method === "_livegate/auth_required", SHORT_TTL_SEC * 1000 + 2000, "_livegate/auth_required");
    assert.ok(!("id" in ask), "_livegate/auth_required is a notification");
    assert.equal(typeof ask.params?.expiresAt, "string", "it says when the token expired");
    assert.equal(ask.params?.graceMs, GRACE_MS, "it says how long the client has");
    await c.result("authenticate", { methodId: "bearer", token: await gw.token("dave") });
    await new Promise((r) => setTimeout(r, GRACE_MS + 300));
    await c.newSession();
  });

  it("closes with 4002 when an expired token is not refreshed within the grace period", async () => {
    const c = await open(await gw.token("erin", { ttlSec: SHORT_TTL_SEC }));
    await c.newSession();
    await c.socket.next((f) => f.method === "_livegate/auth_required", SHORT_TTL_SEC * 1000 + 2000, "_livegate/auth_required");
    const closed = await c.socket.waitClosed(GRACE_MS + 2000);
    assert.equal(closed.code, 4002, `close code after the grace period, got ${closed.code} "${closed.reason}"`);
    const err = c.socket.frames.find((f) => "error" in f);
    assert.equal(err?.error?.data?.code, "LG_ERR_AUTH_TOKEN_EXPIRED", "the expiry is reported before the close");
  });

  it("answers authenticate over the user's connection limit with -32029, then closes with 4003", async () => {
    const token = await gw.token("carol");
    for (let i = 0; i < MAX_CONNECTIONS; i++) await (await open()).result("authenticate", { methodId: "bearer", token });
    const extra = await open();
    const err = await extra.error("authenticate", { methodId: "bearer", token }, -32029, "one connection too many");
    assert.equal(err.data?.code, "LG_ERR_CONNECTION_LIMIT", "data.code of the connection limit");
    const closed = await extra.socket.waitClosed();
    assert.equal(closed.code, 4003, `close code over the connection limit, got ${closed.code} "${closed.reason}"`);
  });
});
