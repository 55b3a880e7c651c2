import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { ClientOptions } from "ws";
import { TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { algNoneToken, claimsFor, forgedHeaderToken, hmacToken, rs256Token, sleep } from "../../helpers/tokens.js";

const AUTH_TIMEOUT_MS = 500;
const GRACE_MS = 400;

describe("channels /ws authentication", () => {
  let gw: TestGateway;
  let clients: TestClient[] = [];

  /** Opens a socket that is closed after the test. */
  async function open(url: string, protocols?: string[], options?: ClientOptions): Promise<TestClient> {
    const c = await TestClient.connect(url, protocols, options);
    clients.push(c);
    return c;
  }

  /** Connects with `token` in the query and asserts: `unauthorized` error, close 4001, never `connected`. */
  async function expectRefused(token: string, what: string): Promise<void> {
    const client = await open(gw.wsUrl("/ws", { token }));
    const err = await client.next((f) => f.type === "error", 3000, `an error frame for ${what}`);
    assert.equal(err.data?.code, "unauthorized", `${what}: error code should be unauthorized, got ${JSON.stringify(err.data)}`);
    assert.equal(typeof err.data?.message, "string", `${what}: error frame should carry a message`);
    const closed = await client.waitClosed();
    assert.equal(closed.code, 4001, `${what}: close code should be 4001, got ${closed.code} "${closed.reason}"`);
    assert.ok(
      !client.frames.some((f) => f.type === "connected"),
      `${what}: the server must not send connected for a refused token`,
    );
  }

  function assertConnected(connected: Frame, user: string, how: string): void {
    assert.equal(connected.type, "connected", `${how}: expected a connected frame`);
    assert.equal(connected.data?.user_id, user, `${how}: connected.user_id`);
    assert.match(String(connected.data?.connection_id), /^c_.+/, `${how}: connected.connection_id should look like c_…`);
    const subs = connected.data?.subscriptions as Record<string, { epoch: unknown; offset: unknown }>;
    assert.deepEqual(Object.keys(subs ?? {}).sort(), ["broadcast", `user:${user}`], `${how}: auto-subscriptions`);
    for (const [ch, pos] of Object.entries(subs)) {
      assert.equal(typeof pos.epoch, "string", `${how}: subscriptions["${ch}"].epoch should be a string`);
      assert.ok(Number.isInteger(pos.offset) && (pos.offset as number) >= 0, `${how}: subscriptions["${ch}"].offset should be an integer >= 0`);
    }
  }

  before(async () => {
    gw = await startTestGateway({ limits: { authTimeoutMs: AUTH_TIMEOUT_MS, tokenExpiryGraceMs: GRACE_MS } });
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  describe("a valid token", () => {
    it("sends connected with connection_id, user_id and the positions of user:{sub} and broadcast", async () => {
      const pub = await gw.publish("broadcast", { hello: "everyone" });
      const client = await open(gw.wsUrl("/ws", { token: await gw.token("alice") }));
      const connected = await client.nextOfType("connected");
      assertConnected(connected, "alice", "?token=");
      assert.deepEqual(
        connected.data.subscriptions.broadcast,
        { epoch: pub.epoch, offset: pub.offset },
        "subscriptions.broadcast should be the position of the last broadcast publication",
      );
      assert.equal(connected.id, undefined, "connected is not a reply and should carry no id");
    });

    it("gives each connection its own connection_id", async () => {
      const token = await gw.token("alice");
      const a = await open(gw.wsUrl("/ws", { token }));
      const b = await open(gw.wsUrl("/ws", { token }));
      const [ca, cb] = await Promise.all([a.nextOfType("connected"), b.nextOfType("connected")]);
      assert.notEqual(ca.data.connection_id, cb.data.connection_id, "two connections of one user share a connection_id");
    });
  });

  describe("a bad token gets unauthorized, then close 4001", () => {
    it("closes with 4001 when the token has expired", async () => {
      await expectRefused(await gw.token("alice", { ttlSec: -60 }), "expired token");
    });

    it("closes with 4001 when the token is not yet valid (nbf in the future)", async () => {
      const nbf = Math.floor(Date.now() / 1000) + 600;
      await expectRefused(await hmacToken(claimsFor("alice", { nbf })), "token with nbf in the future");
    });

    it("closes with 4001 when the token is signed with another secret", async () => {
      await expectRefused(await hmacToken(claimsFor("alice"), "HS256", "another-secret-0123456789abcdefghij"), "token signed with another secret");
    });

    it("closes with 4001 when the token is unsigned (alg: none)", async () => {
      await expectRefused(algNoneToken(claimsFor("alice")), "alg:none token");
    });

    it("closes with 4001 when the token is HS384-signed with the right secret (only HS256 is accepted)", async () => {
      await expectRefused(await hmacToken(claimsFor("alice"), "HS384"), "HS384 token");
    });

    it("closes with 4001 when the token is HS512-signed with the right secret (only HS256 is accepted)", async () => {
      await expectRefused(await hmacToken(claimsFor("alice"), "HS512"), "HS512 token");
    });

    it("closes with 4001 when the token is RS256-signed with an unknown RSA key", async () => {
      await expectRefused(await rs256Token(claimsFor("alice")), "RS256 token");
    });

    it("closes with 4001 when an RS256 header covers an HMAC signature made with the secret (algorithm confusion)", async () => {
      await expectRefused(forgedHeaderToken(claimsFor("alice"), "RS256"), "RS256-header HMAC-signed token");
    });

    it("closes with 4001 when the token has no sub claim", async () => {
      await expectRefused(await hmacToken(claimsFor(undefined)), "token without sub");
    });

    it("closes with 4001 when the token has an empty sub claim", async () => {
      await expectRefused(await hmacToken(claimsFor("")), "token with empty sub");
    });

    it("closes with 4001 when the token is not a JWT at all", async () => {
      await expectRefused("not-a-jwt", "garbage token");
    });
  });

  describe("token sources", () => {
    it("accepts the token in the ?token= query parameter", async () => {
      const client = await open(gw.wsUrl("/ws", { token: await gw.token("q-user") }));
      assertConnected(await client.nextOfType("connected"), "q-user", "?token=");
    });

    it("accepts the token in an Authorization: Bearer header", async () => {
      const token = await gw.token("h-user");
      const client = await open(gw.wsUrl("/ws"), undefined, { headers: { authorization: `Bearer ${token}` } });
      assertConnected(await client.nextOfType("connected"), "h-user", "Authorization header");
    });

    it("accepts the token as the subprotocol pair [bearer, token] and selects bearer", async () => {
      const token = await gw.token("sp-user");
      const client = await open(gw.wsUrl("/ws"), ["bearer", token]);
      assert.equal(client.ws.protocol, "bearer", `the server should select the "bearer" subprotocol, selected "${client.ws.protocol}"`);
      assertConnected(await client.nextOfType("connected"), "sp-user", "subprotocol pair");
    });

    it("refuses a bad token given as a subprotocol pair with 4001", async () => {
      const client = await open(gw.wsUrl("/ws"), ["bearer", "not-a-jwt"]);
      const err = await client.nextOfType("error");
      assert.equal(err.data?.code, "unauthorized", "bad subprotocol token: error code");
      assert.equal((await client.waitClosed()).code, 4001, "bad subprotocol token: close code");
    });

    it("uses the first token source when several are given: query before header", async () => {
      const good = await gw.token("first-wins");
      const refused = await open(gw.wsUrl("/ws", { token: "not-a-jwt" }), undefined, { headers: { authorization: `Bearer ${good}` } });
      const err = await refused.nextOfType("error");
      assert.equal(err.data?.code, "unauthorized", "bad query token with a good header: the query token should win and be refused");
      assert.equal((await refused.waitClosed()).code, 4001, "bad query token with a good header: close code");
      const accepted = await open(gw.wsUrl("/ws", { token: good }), undefined, { headers: { authorization: "Bearer not-a-jwt" } });
      assertConnected(await accepted.nextOfType("connected"), "first-wins", "good query token with a bad header");
    });

    it("accepts an in-band auth message: authenticated (same id), then connected", async () => {
      const client = await open(gw.wsUrl("/ws"));
      assert.ok(await client.nothingWithin(100, (f) => f.type === "connected"), "connected must not be sent before auth");
      client.send({ type: "auth", id: "a1", data: { token: await gw.token("inband") } });
      const authenticated = await client.next((f) => f.id === "a1", 3000, "the reply to auth a1");
      assert.equal(authenticated.type, "authenticated", `auth reply type: ${JSON.stringify(authenticated)}`);
      assert.equal(authenticated.data?.user_id, "inband", "authenticated.user_id");
      assert.ok(!Number.isNaN(Date.parse(authenticated.data?.expires_at)), `authenticated.expires_at should be an ISO date, got ${authenticated.data?.expires_at}`);
      assertConnected(await client.nextOfType("connected"), "inband", "in-band auth");
    });

    it("closes with 4001 when the in-band auth message carries a bad token", async () => {
      const client = await open(gw.wsUrl("/ws"));
      client.send({ type: "auth", id: "a1", data: { token: algNoneToken(claimsFor("alice")) } });
      const err = await client.next((f) => f.id === "a1", 3000, "the reply to auth a1");
      assert.equal(err.type, "error", "bad in-band token: reply type");
      assert.equal(err.data?.code, "unauthorized", "bad in-band token: error code");
      assert.equal((await client.waitClosed()).code, 4001, "bad in-band token: close code");
    });
  });

  describe("before authentication", () => {
    it("answers subscribe with unauthorized and keeps the socket open", async () => {
      const client = await open(gw.wsUrl("/ws"));
      const err = await client.request("subscribe", { channel: "public:lobby" });
      assert.equal(err.type, "error", `subscribe before auth should be refused, got ${JSON.stringify(err)}`);
      assert.equal(err.data?.code, "unauthorized", "subscribe before auth: error code");
      const pong = await client.request("ping", {});
      assert.equal(pong.type, "pong", "the socket should still answer ping after a refused subscribe");
      client.send({ type: "auth", id: "late", data: { token: await gw.token("late-user") } });
      assert.equal((await client.next((f) => f.id === "late")).type, "authenticated", "auth after a refused command should still work");
      assertConnected(await client.nextOfType("connected"), "late-user", "auth after a refused subscribe");
    });

    it("closes with 4001 when no auth message arrives within authTimeoutMs", async () => {
      const started = Date.now();
      const client = await open(gw.wsUrl("/ws"));
      const closed = await client.waitClosed(AUTH_TIMEOUT_MS + 2000);
      const elapsed = Date.now() - started;
      assert.equal(closed.code, 4001, `auth timeout: close code should be 4001, got ${closed.code} "${closed.reason}"`);
      assert.ok(elapsed >= AUTH_TIMEOUT_MS - 50, `closed after ${elapsed} ms, before authTimeoutMs (${AUTH_TIMEOUT_MS} ms)`);
      const err = client.frames.find((f) => f.type === "error");
      assert.equal(err?.data?.code, "unauthorized", `auth timeout should be reported as unauthorized first, frames: ${JSON.stringify(client.frames)}`);
    });
  });

  describe("token refresh and expiry", () => {
    it("refuses a refresh auth with another user's token with unauthorized and keeps the connection usable", async () => {
      const client = await open(gw.wsUrl("/ws", { token: await gw.token("refresh-a") }));
      await client.nextOfType("connected");
      const reply = await client.request("auth", { token: await gw.token("refresh-b") });
      assert.equal(reply.type, "error", `refresh for another user should be refused, got ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.code, "unauthorized", "refresh for another user: error code");
      assert.equal((await client.request("ping")).type, "pong", "the connection should still answer ping after a refused refresh");
      await gw.publish("user:refresh-a", { still: "here" });
      const ev = await client.next((f) => f.channel === "user:refresh-a", 2000, "a publication on user:refresh-a after the refused refresh");
      assert.deepEqual(ev.data, { still: "here" }, "publication data after a refused refresh");
      const sub = await client.request("subscribe", { channel: "user:refresh-b" });
      assert.equal(sub.data?.code, "subscription_failed", "the refused token must not grant the other user's channel");
    });

    it("refuses a refresh auth with an expired token with unauthorized and keeps the connection usable", async () => {
      const client = await open(gw.wsUrl("/ws", { token: await gw.token("refresh-old") }));
      await client.nextOfType("connected");
      const reply = await client.request("auth", { token: await gw.token("refresh-old", { ttlSec: -60 }) });
      assert.equal(reply.type, "error", `refresh with an expired token should be refused, got ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.code, "unauthorized", "refresh with an expired token: error code");
      await sleep(200);
      assert.equal(client.ws.readyState, client.ws.OPEN, "a failed refresh must leave the old, still valid token in force");
      assert.equal((await client.request("ping")).type, "pong", "the connection should still answer ping after a failed refresh");
    });

    it("accepts a refresh auth for the same user with authenticated", async () => {
      const client = await open(gw.wsUrl("/ws", { token: await gw.token("refresh-same") }));
      await client.nextOfType("connected");
      const reply = await client.request("auth", { token: await gw.token("refresh-same", { ttlSec: 7200 }) });
      assert.equal(reply.type, "authenticated", `same-user refresh should succeed, got ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.user_id, "refresh-same", "authenticated.user_id on refresh");
      assert.ok(await client.nothingWithin(100, (f) => f.type === "connected"), "a refresh must not send a second connected");
    });

    it("sends auth_required when the token expires and stays open after a fresh token", async () => {
      const exp = Math.ceil(Date.now() / 1000) + 1;
      const client = await open(gw.wsUrl("/ws", { token: await hmacToken(claimsFor("exp-keep", { exp })) }));
      await client.nextOfType("connected");
      const required = await client.next((f) => f.type === "auth_required", 3500, "auth_required after the token expired");
      assert.equal(required.data?.expires_at, new Date(exp * 1000).toISOString(), "auth_required.expires_at should be the token's exp");
      const refreshed = await client.request("auth", { token: await gw.token("exp-keep") });
      assert.equal(refreshed.type, "authenticated", `fresh token after auth_required: ${JSON.stringify(refreshed)}`);
      let closedEarly: number | undefined;
      void client.closed.then((c) => (closedEarly = c.code));
      await sleep(GRACE_MS + 400);
      assert.equal(closedEarly, undefined, `the connection closed (${closedEarly}) although a fresh token was sent`);
      await gw.publish("user:exp-keep", { after: "grace" });
      const ev = await client.next((f) => f.channel === "user:exp-keep", 2000, "a publication after the grace period");
      assert.deepEqual(ev.data, { after: "grace" }, "publication data after refresh");
      assert.ok(!client.frames.some((f) => f.type === "auth_required"), "no second auth_required expected after refreshing");
    });

    it("closes with 4002 when an expired token is not refreshed within tokenExpiryGraceMs", async () => {
      const exp = Math.ceil(Date.now() / 1000) + 1;
      const client = await open(gw.wsUrl("/ws", { token: await hmacToken(claimsFor("exp-drop", { exp })) }));
      await client.nextOfType("connected");
      const required = await client.next((f) => f.type === "auth_required", 3500, "auth_required after the token expired");
      const requiredAt = Date.now();
      assert.ok(required.data?.expires_at, "auth_required should carry expires_at");
      const closed = await client.waitClosed(GRACE_MS + 2000);
      const waited = Date.now() - requiredAt;
      assert.equal(closed.code, 4002, `unrefreshed token: close code should be 4002, got ${closed.code} "${closed.reason}"`);
      assert.ok(waited >= GRACE_MS - 150, `closed ${waited} ms after auth_required, before the ${GRACE_MS} ms grace`);
    });
  });
});

describe("channels /ws authentication with a required issuer and audience", () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway({ auth: { issuer: "https://issuer.test", audience: "livegate-app" } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  async function attempt(token: string): Promise<{ first: Frame; closed: Promise<{ code: number }> }> {
    const client = await TestClient.connect(gw.wsUrl("/ws", { token }));
    clients.push(client);
    const first = await client.next((f) => f.type === "connected" || f.type === "error", 3000, "connected or error");
    return { first, closed: client.closed };
  }

  it("connects with a token carrying the configured iss and aud", async () => {
    const { first } = await attempt(await gw.token("iss-ok"));
    assert.equal(first.type, "connected", `token with the right iss/aud: ${JSON.stringify(first)}`);
  });

  for (const [what, claims] of [
    ["a wrong iss", { iss: "https://evil.test", aud: "livegate-app" }],
    ["a wrong aud", { iss: "https://issuer.test", aud: "other-app" }],
    ["no iss", { aud: "livegate-app" }],
    ["no aud", { iss: "https://issuer.test" }],
  ] as const) {
    it(`closes with 4001 when the token has ${what}`, async () => {
      const { first, closed } = await attempt(await hmacToken(claimsFor("iss-bad", claims)));
      assert.equal(first.type, "error", `token with ${what} should be refused, got ${JSON.stringify(first)}`);
      assert.equal(first.data?.code, "unauthorized", `token with ${what}: error code`);
      assert.equal((await closed).code, 4001, `token with ${what}: close code`);
    });
  }
});
