import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { TestClient } from "../../helpers/client.js";
import { ask, assertError, connectTg, framesOf } from "./tg-client.js";

describe("TrustGraph socket envelope", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("answers {id, response, complete:true} to a global request without flow", async () => {
    const client = await connectTg(gw);
    client.send({ id: "req-123", service: "config", request: { operation: "list", type: "flow" } });
    const frames = await framesOf(client, "req-123");
    assert.deepEqual(frames, [{ id: "req-123", response: { version: frames[0]!.response.version, directory: ["default"] }, complete: true }]);
    client.close();
  });

  it("ignores a flow given to a global service", async () => {
    const client = await connectTg(gw);
    const r = await ask(client, "config", { operation: "list", type: "flow" }, "no-such-flow");
    assert.deepEqual(r.directory, ["default"]);
    client.close();
  });

  it("answers every malformed frame with a final error and keeps the socket open", async () => {
    const client = await connectTg(gw);
    const cases: [unknown, unknown, string][] = [
      ["not json", null, "error"],
      [[1, 2], null, "error"],
      [{ service: "config", request: {} }, null, "error"],
      [{ id: "", service: "config", request: {} }, null, "error"],
      [{ id: 7, service: "config", request: {} }, 7, "gateway-error"],
      [{ id: "m1", request: {} }, "m1", "gateway-error"],
      [{ id: "m2", service: "config" }, "m2", "gateway-error"],
      [{ id: "m3", service: "config", request: "list" }, "m3", "gateway-error"],
      [{ id: "m4", service: "config", flow: 5, request: {} }, "m4", "gateway-error"],
      [{ id: "m5", service: "no-such-service", request: {} }, "m5", "unknown-service"],
    ];
    for (const [frame, id, type] of cases) {
      client.send(frame);
      const f = await client.next(() => true, 3000, `the answer to ${JSON.stringify(frame)}`);
      assert.equal(f.id, id, `id of the answer to ${JSON.stringify(frame)}: ${JSON.stringify(f)}`);
      assertError(f, type, `frame ${JSON.stringify(frame)}`);
    }
    client.ws.send(Buffer.from([1, 2, 3]));
    assertError(await client.next(), "error", "a binary frame");
    const bad = JSON.parse(JSON.stringify({ id: null, error: { type: "error", message: "Bad message" }, complete: true }));
    client.send("{");
    assert.deepEqual(await client.next(), bad, "the real server's Bad message");
    assert.deepEqual((await ask(client, "config", { operation: "list", type: "flow" })).directory, ["default"], "the socket still serves");
    client.close();
  });

  it("counts requests by service and status, and their duration, in /metrics", async () => {
    const client = await connectTg(gw);
    await ask(client, "config", { operation: "config" });
    client.send({ id: "bad-op", service: "config", request: { operation: "nope" } });
    await client.next((f) => f.id === "bad-op");
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const count = (labels: string) => Number(new RegExp(`^livegate_trustgraph_requests_total\\{${labels}\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
    assert.ok(count('service="config",status="ok"') >= 1, "ok requests counted");
    assert.ok(count('service="config",status="invalid-request"') >= 1, "failed requests counted by error type");
    assert.match(text, /^livegate_trustgraph_request_duration_seconds_count\{service="config"\} \d+/m);
    client.close();
  });

  it("sends an answer larger than the send-buffer bound, and closes 1013 a client that stops reading", async () => {
    const tight = await startTestGateway({ limits: { maxBufferedBytes: 1024 }, trustgraph: { maxFrameBytes: 256 * 1024 } });
    try {
      const client = await TestClient.connect(tight.wsUrl("/api/v1/socket"));
      const value = "v".repeat(200 * 1024);
      await ask(client, "config", { operation: "put", values: [{ type: "big", key: "k", value }] });
      const got = await ask(client, "config", { operation: "get", keys: [{ type: "big", key: "k" }] });
      assert.equal(got.values[0].value, value, "one 200 KiB answer is not a slow consumer");
      // Stop reading: the answers pile up in the server's send buffer until it gives up on the socket.
      const server = [...tight.server.context.hub.allConnections()].find((c) => c.dialect === "trustgraph")!;
      const raw = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      for (let i = 0; i < 60; i++) client.send({ id: `g${i}`, service: "config", request: { operation: "get", keys: [{ type: "big", key: "k" }] } });
      // No event tells a paused client that the server closed; watch the server's side of the connection.
      for (const deadline = Date.now() + 10_000; !server.closed && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.closeReason, "slow", "the server closed the socket as a slow consumer");
      raw.resume();
      const info = await client.waitClosed(10_000);
      assert.equal(info.code, 1013, "slow consumer");
    } finally {
      await tight.close();
    }
  });

  it("answers an unexpected failure as gateway-error without internals, and keeps the socket open", async () => {
    const broken = await startTestGateway();
    try {
      const client = await connectTg(broken);
      await broken.server.context.store.close();
      client.send({ id: "boom", service: "config", request: { operation: "config" } });
      const f = await client.next((x) => x.id === "boom");
      const error = { type: "gateway-error", message: "internal error" };
      assert.deepEqual(f, { id: "boom", error, response: { error }, complete: true });
      client.send({ id: "still", service: "nope", request: {} });
      assertError(await client.next((x) => x.id === "still"), "unknown-service", "the socket still answers");
      client.close();
    } finally {
      await broken.close().catch(() => undefined);
    }
  });

  it("closes with 1001 when the gateway shuts down", async () => {
    const leaving = await startTestGateway();
    const client = await connectTg(leaving);
    await ask(client, "config", { operation: "config" });
    const closing = leaving.close();
    assert.equal((await client.waitClosed()).code, 1001);
    await closing;
  });

  it("is served on its own port with --trustgraph-port, any path", async () => {
    const own = await startTestGateway({ trustgraph: { port: 0 } });
    try {
      const port = own.server.dedicatedPorts.get("trustgraph");
      assert.ok(port && port !== own.port, `a dedicated port: ${port}`);
      for (const path of ["/api/v1/socket", "/"]) {
        const client = await TestClient.connect(`ws://127.0.0.1:${port}${path}`);
        assert.deepEqual((await ask(client, "config", { operation: "list", type: "flow" })).directory, ["default"], `served on ${path}`);
        client.close();
      }
    } finally {
      await own.close();
    }
  });

  it("takes frames up to trustgraph.maxFrameBytes, far above the common limit, and closes 1009 beyond", async () => {
    const small = await startTestGateway({ limits: { maxFrameBytes: 64 * 1024 }, trustgraph: { maxFrameBytes: 512 * 1024 } });
    try {
      const client = await TestClient.connect(small.wsUrl("/api/v1/socket"));
      const big = "x".repeat(300 * 1024);
      const r = await ask(client, "config", { operation: "put", values: [{ type: "blob", key: "b", value: big }] });
      assert.equal(typeof r.version, "number", "a 300 KiB frame is accepted on the TrustGraph socket");
      client.send({ id: "huge", service: "config", request: { operation: "put", values: [{ type: "blob", key: "c", value: "y".repeat(600 * 1024) }] } });
      assert.equal((await client.waitClosed()).code, 1009, "beyond the TrustGraph limit: close 1009");
      const other = await TestClient.connect(small.wsUrl("/ws", { token: await small.token("ann") }));
      other.send({ type: "x", pad: "z".repeat(100 * 1024) });
      assert.equal((await other.waitClosed()).code, 1009, "other dialects keep limits.maxFrameBytes");
    } finally {
      await small.close();
    }
  });
});
