import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { assertError, call, connectTg } from "./tg-client.js";

const SECRET = "tg-gateway-secret-for-tests";
const LIST = { operation: "list", type: "flow" };

/** Users of the open TrustGraph sockets (what each socket runs as). */
const tgUsers = (gw: TestGateway): (string | undefined)[] =>
  [...gw.server.context.hub.allConnections()].filter((c) => c.dialect === "trustgraph" && !c.closed).map((c) => c.userId);

/** A config list must succeed on this socket. */
async function served(client: TestClient, what: string): Promise<void> {
  const [f] = await call(client, "config", LIST);
  assert.deepEqual(f?.response?.directory, ["default"], `${what}: ${JSON.stringify(f)}`);
}

async function refused(client: TestClient, what: string): Promise<void> {
  const [f] = await call(client, "config", LIST);
  assertError(f, "auth-required", what);
  assert.equal(f!.error.message, "auth failure");
}

describe("TrustGraph socket auth with a gateway secret", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ trustgraph: { gatewaySecret: SECRET } });
  });
  after(() => gw.close());

  it("accepts the secret as ?token= (the seed's way)", async () => {
    const client = await connectTg(gw, { token: SECRET });
    await served(client, "secret in the query");
    client.close();
  });

  it("accepts a livegate JWT as Authorization: Bearer, and runs as its user", async () => {
    const client = await connectTg(gw, {}, undefined, { authorization: `Bearer ${await gw.token("hana")}` });
    await served(client, "JWT in the header");
    assert.ok(tgUsers(gw).includes("hana"));
    client.close();
  });

  it("accepts the bearer subprotocol and answers with the bearer protocol", async () => {
    const client = await connectTg(gw, {}, ["bearer", SECRET]);
    assert.equal(client.ws.protocol, "bearer");
    await served(client, "secret as subprotocol");
    client.close();
  });

  it("refuses a wrong token on the upgrade: auth-failed, then close 1008", async () => {
    const client = await connectTg(gw, { token: "wrong" });
    assert.deepEqual(await client.next(), { type: "auth-failed", error: "auth failure" });
    assert.deepEqual(await client.waitClosed(), { code: 1008, reason: "auth failure" });
  });

  it("without a token: requests get auth-required and the socket stays open; in-band auth fails, then succeeds, and re-auth works", async () => {
    const client = await connectTg(gw);
    await refused(client, "before auth");
    client.send({ type: "auth", token: "nope" });
    assert.deepEqual(await client.next(), { type: "auth-failed", error: "auth failure" });
    client.send({ type: "auth" });
    assert.deepEqual(await client.next(), { type: "auth-failed", error: "auth failure" }, "an auth frame without token");
    await refused(client, "after a failed auth");
    client.send({ type: "auth", token: SECRET });
    assert.deepEqual(await client.next(), { type: "auth-ok", workspace: "default", default_workspace: "default" });
    await served(client, "after auth-ok");
    client.send({ type: "auth", token: SECRET });
    assert.deepEqual((await client.next()).type, "auth-ok", "re-auth with the same identity");
    client.send({ type: "auth", token: "wrong-again" });
    assert.deepEqual((await client.next()).type, "auth-failed");
    await served(client, "a failed re-auth keeps the identity");
    client.close();
  });

  it("in-band auth with a JWT; re-auth must name the same user", async () => {
    const client = await connectTg(gw);
    client.send({ type: "auth", token: await gw.token("ivo") });
    assert.equal((await client.next()).type, "auth-ok");
    client.send({ type: "auth", token: await gw.token("ivo") });
    assert.equal((await client.next()).type, "auth-ok", "a fresh token of the same user");
    client.send({ type: "auth", token: await gw.token("other") });
    assert.equal((await client.next()).type, "auth-failed", "another user is refused");
    await served(client, "still ivo");
    assert.ok(tgUsers(gw).includes("ivo"));
    client.close();
  });

  it("a request sent right after an auth frame sees its result (frames are admitted in order)", async () => {
    const client = await connectTg(gw);
    client.send({ type: "auth", token: SECRET });
    client.send({ id: "after", service: "config", request: LIST });
    assert.equal((await client.next((f) => f.type !== undefined)).type, "auth-ok");
    const f = await client.next((x) => x.id === "after");
    assert.deepEqual(f.response?.directory, ["default"], JSON.stringify(f));
    client.close();
  });
});

describe("TrustGraph socket auth timeout", () => {
  it("closes a socket that never authenticates after limits.authTimeoutMs: an auth-required error, then 1008", async () => {
    const gw = await startTestGateway({ trustgraph: { gatewaySecret: SECRET }, limits: { authTimeoutMs: 200 } });
    try {
      const client = await connectTg(gw);
      const f = await client.next(() => true, 3000, "the auth timeout error");
      assert.deepEqual(f, { id: null, error: { type: "auth-required", message: "no auth message within 200 ms" }, complete: true });
      assert.deepEqual(await client.waitClosed(), { code: 1008, reason: "auth failure" });
    } finally {
      await gw.close();
    }
  });
});

describe("TrustGraph socket token expiry", () => {
  it("asks for a fresh token when a JWT expires; an auth frame within the grace keeps the socket, none closes it 4002", async () => {
    // A grace wide enough for the refresh to arrive in time on a busy machine.
    const gw = await startTestGateway({ limits: { tokenExpiryGraceMs: 1500 } });
    try {
      const kept = await connectTg(gw, { token: await gw.token("kai", { ttlSec: 2 }) });
      const lost = await connectTg(gw, { token: await gw.token("lea", { ttlSec: 2 }) });
      const asked = await kept.next((f) => f.type === "auth-required", 7000, "auth-required at expiry");
      assert.deepEqual([asked.error, asked.grace_ms], ["token expired", 1500]);
      kept.send({ type: "auth", token: await gw.token("kai") });
      assert.equal((await kept.next((f) => f.type === "auth-ok")).type, "auth-ok");
      assert.deepEqual((await lost.waitClosed(8000)).code, 4002, "not refreshed: closed");
      await served(kept, "refreshed in time");
      kept.close();
    } finally {
      await gw.close();
    }
  });
});

describe("TrustGraph socket auth without a gateway secret", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("is open: requests run as the anonymous user trustgraph", async () => {
    const client = await connectTg(gw);
    await served(client, "no token, no secret");
    assert.ok(tgUsers(gw).includes("trustgraph"));
    client.close();
  });

  it("runs as the user of a valid JWT given on the upgrade", async () => {
    const client = await connectTg(gw, { token: await gw.token("jun") });
    await served(client, "JWT without secret");
    assert.ok(tgUsers(gw).includes("jun"));
    client.close();
  });

  it("answers auth-ok to the real client's empty auth frame, and auth-failed to a bad token, staying open", async () => {
    const client = await connectTg(gw);
    client.send({ type: "auth", token: "" });
    assert.deepEqual(await client.next(), { type: "auth-ok", workspace: "default", default_workspace: "default" });
    client.send({ type: "auth", token: "garbage" });
    assert.deepEqual(await client.next(), { type: "auth-failed", error: "auth failure" });
    await served(client, "open socket after a failed auth");
    client.close();
  });

  it("a bad token on the upgrade falls back to the anonymous user (nothing to refuse without a secret)", async () => {
    const client = await connectTg(gw, { token: "garbage" });
    await served(client, "bad token, no secret");
    client.close();
  });
});
