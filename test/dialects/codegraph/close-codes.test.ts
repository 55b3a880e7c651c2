import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway } from "../../helpers/gateway.js";
import { waitFor } from "../../helpers/streams.js";
import { CODEGRAPH_CLOSE, ERROR_TEXT } from "../../../src/dialects/codegraph/codes.js";
import { assertClosedWith, CHAT, connectAs, NOTIFICATIONS } from "./helpers.js";

const tcpOf = (client: TestClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;

describe("codegraph close codes", () => {
  it("maps the seed's reasons to 4001 and 4004 and the rest to standard codes", () => {
    assert.deepEqual(CODEGRAPH_CLOSE.tokenInvalid, { code: 4001, reason: "Invalid token" });
    assert.deepEqual(CODEGRAPH_CLOSE.tokenExpired, { code: 4001, reason: "Invalid token" });
    assert.deepEqual(CODEGRAPH_CLOSE.notFound, { code: 4004, reason: "Job not found" });
    assert.deepEqual(
      [CODEGRAPH_CLOSE.shutdown.code, CODEGRAPH_CLOSE.slow.code, CODEGRAPH_CLOSE.frameTooLarge.code, CODEGRAPH_CLOSE.rateLimited.code],
      [1001, 1013, 1009, 1008],
    );
    assert.deepEqual(
      [ERROR_TEXT.invalidFormat, ERROR_TEXT.queryRequired, ERROR_TEXT.unknownType, ERROR_TEXT.jobNotFound, ERROR_TEXT.invalidToken],
      ["Invalid message format", "Query is required", "Unknown message type", "Job not found", "Invalid token"],
      "the seed's Common Errors strings",
    );
  });

  it('closes with 4003 "Too many connections" past the per-user limit', async () => {
    const gw = await startTestGateway({ limits: { maxConnectionsPerUser: 1 } });
    try {
      const { client: first } = await connectAs(gw, CHAT, "alice");
      const second = await TestClient.connect(gw.wsUrl(NOTIFICATIONS, { token: await gw.token("alice") }));
      await assertClosedWith(second, 4003, "Too many connections", "second connection");
      assert.equal(second.frames[0]!.payload.error, "Too many connections");
      first.send({ type: "ping", request_id: "still" });
      assert.equal((await first.nextOfType("pong")).request_id, "still", "the first connection is unaffected");
      first.close();
    } finally {
      await gw.close();
    }
  });

  it('closes with 4008 "Idle timeout" a client that answers no pings and sends nothing', async () => {
    const gw = await startTestGateway({ limits: { pingIntervalMs: 100, idleTimeoutMs: 300 } });
    try {
      const client = await TestClient.connect(gw.wsUrl(CHAT, { token: await gw.token("alice") }), undefined, { autoPong: false });
      await client.nextOfType("connected");
      await assertClosedWith(client, 4008, "Idle timeout", "idle client");
    } finally {
      await gw.close();
    }
  });

  it('closes with 1013 "Slow consumer" a chat socket that stops reading, disconnected last', async () => {
    const gw = await startTestGateway({ limits: { maxBufferedBytes: 65536 } });
    try {
      const { client } = await connectAs(gw, CHAT, "slow");
      tcpOf(client).pause();
      const pad = "x".repeat(32 * 1024);
      for (let i = 0; i < 200 && gw.server.context.hub.connectionsOf("slow").size > 0; i++) {
        await gw.publish("codegraph:slow", { i, pad }, "cpg.update.complete");
      }
      await waitFor(() => gw.server.context.hub.connectionsOf("slow").size === 0, 3000, "the hub to drop the slow consumer");
      tcpOf(client).resume();
      await assertClosedWith(client, 1013, "Slow consumer", "slow consumer");
    } finally {
      await gw.close();
    }
  });
});
