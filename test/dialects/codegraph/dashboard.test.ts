import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { DASHBOARD } from "./helpers.js";

const HEARTBEAT_MS = 200;

async function connectDashboard(gw: TestGateway, user = "ciso"): Promise<{ client: TestClient; connected: Record<string, unknown> }> {
  const client = await TestClient.connect(gw.wsUrl(DASHBOARD, { token: await gw.token(user) }));
  const connected = await client.next((f) => f.event === "connected", 3000, "the dashboard's connected event");
  return { client, connected };
}

const nextEvent = (client: TestClient, event: string, timeoutMs = 3000) => client.next((f) => f.event === event, timeoutMs, `a ${event} event`);

describe("codegraph dashboard socket", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ codegraph: { dashboardHeartbeatMs: HEARTBEAT_MS } });
  });
  after(() => gw.close());

  it("sends connected with a client_id and the heartbeat period in seconds", async () => {
    const { client, connected } = await connectDashboard(gw);
    assert.deepEqual(Object.keys(connected), ["event", "client_id", "heartbeat_seconds"]);
    assert.match(connected.client_id as string, /^ws-\d+$/);
    assert.equal(connected.heartbeat_seconds, HEARTBEAT_MS / 1000);
    client.close();
  });

  it("says heartbeat_seconds 15 by default", async () => {
    const plain = await startTestGateway();
    try {
      const { client, connected } = await connectDashboard(plain);
      assert.equal(connected.heartbeat_seconds, 15);
      client.close();
    } finally {
      await plain.close();
    }
  });

  it("delivers project_updated published by a backend to the dashboard channel", async () => {
    const { client } = await connectDashboard(gw);
    const before = Date.now() / 1000;
    await gw.publish("dashboard", { project_name: "payments-api", trigger: "release_gate" }, "project_updated");
    const ev = await nextEvent(client, "project_updated");
    assert.deepEqual(Object.keys(ev), ["event", "project_name", "trigger", "timestamp"]);
    assert.deepEqual([ev.project_name, ev.trigger], ["payments-api", "release_gate"]);
    assert.equal(typeof ev.timestamp, "number", "timestamp is unix seconds");
    assert.ok(Math.abs((ev.timestamp as number) - before) < 5, `timestamp ${ev.timestamp} should be near ${before}`);
    client.close();
  });

  it("sends a heartbeat with the live number of dashboard clients", async () => {
    const own = await startTestGateway({ codegraph: { dashboardHeartbeatMs: HEARTBEAT_MS } });
    try {
      const { client: a } = await connectDashboard(own);
      const { client: b } = await connectDashboard(own);
      // A heartbeat may already be on its way from before b connected; the next ones count both.
      await nextEvent(a, "heartbeat");
      const beat = await nextEvent(a, "heartbeat");
      assert.deepEqual(Object.keys(beat), ["event", "timestamp", "clients"]);
      assert.equal(beat.clients, 2);
      assert.ok(Math.abs((beat.timestamp as number) - Date.now() / 1000) < 5, "timestamp is unix seconds");
      assert.equal((await nextEvent(b, "heartbeat")).event, "heartbeat", "every client gets the heartbeat");
      b.close();
      await b.waitClosed();
      await nextEvent(a, "heartbeat");
      assert.equal((await nextEvent(a, "heartbeat")).clients, 1, "the count drops when a client leaves");
      a.close();
    } finally {
      await own.close();
    }
  });

  it("answers the plain text ping with pong", async () => {
    const { client } = await connectDashboard(gw);
    client.send("ping");
    assert.deepEqual(await nextEvent(client, "pong"), { event: "pong" });
    client.send({ event: "ping" });
    assert.deepEqual(await nextEvent(client, "pong"), { event: "pong" }, "the JSON form works too");
    client.send("hello");
    const err = await nextEvent(client, "error");
    assert.equal(err.error, "Unknown message type");
    client.close();
  });

  it("asks for a fresh token when the token expires and accepts it in an auth event", async () => {
    const own = await startTestGateway({ limits: { tokenExpiryGraceMs: 3000 } });
    try {
      const client = await TestClient.connect(own.wsUrl(DASHBOARD, { token: await own.token("ciso", { ttlSec: 2 }) }));
      await nextEvent(client, "connected");
      assert.deepEqual(await nextEvent(client, "auth_required", 4000), { event: "auth_required" });
      client.send({ event: "auth", token: await own.token("ciso") });
      assert.deepEqual(await nextEvent(client, "authenticated"), { event: "authenticated" });
      client.close();
    } finally {
      await own.close();
    }
  });

  it('closes with 4001 "Invalid token" for a bad token', async () => {
    const client = await TestClient.connect(gw.wsUrl(DASHBOARD, { token: "nope" }));
    const info = await client.waitClosed();
    assert.deepEqual([info.code, info.reason], [4001, "Invalid token"]);
    assert.deepEqual(client.frames.map((f) => f.event), ["error", "disconnected"]);
  });

  it("sends disconnected, then closes 1001, when the server shuts down", async () => {
    const own = await startTestGateway();
    const { client } = await connectDashboard(own);
    const closed = client.waitClosed(5000);
    await own.close();
    assert.deepEqual([(await closed).code, client.frames.at(-1)], [1001, { event: "disconnected" }]);
  });
});
