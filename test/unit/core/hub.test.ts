import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { SharedFrame, type ConnectionOwner, type Transport } from "../../../src/core/connection.js";
import type { DisconnectReason } from "../../../src/core/disconnect.js";
import { Hub } from "../../../src/core/hub.js";
import { createMetrics } from "../../../src/core/metrics.js";
import { resolveOptions } from "../../../src/core/options.js";
import type { Publication } from "../../../src/core/types.js";
import { MemoryBroker } from "../../../src/engines/broker/memory.js";

/** A transport that records what was sent and how it was closed. */
class FakeTransport implements Transport {
  readonly sent: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  bufferedAmount = 0;
  send(data: string | Buffer): void {
    this.sent.push(data.toString());
  }
  sendShared(frame: SharedFrame): void {
    this.sent.push(frame.data.toString());
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
  ping(): void {}
}

/** An owner whose codec writes the publication's data as JSON, and which records `closed` calls. */
class FakeOwner implements ConnectionOwner {
  readonly closedReasons: DisconnectReason[] = [];
  readonly codec = { key: "fake", encode: (pub: Publication) => JSON.stringify(pub.data) };
  reportError(): void {}
  goodbye(): { code: number; reason: string } {
    return { code: 1001, reason: "bye" };
  }
  closed(reason: DisconnectReason): void {
    this.closedReasons.push(reason);
  }
}

async function setup() {
  const options = resolveOptions({});
  const broker = new MemoryBroker(options.history);
  const hub = new Hub(broker, options, pino({ level: "silent" }), createMetrics(false));
  await hub.start();
  const transport = new FakeTransport();
  const owner = new FakeOwner();
  const conn = hub.open("test", transport, owner);
  hub.authenticate(conn, { userId: "alice", claims: {} });
  return { hub, broker, conn, transport, owner, stop: () => (hub.stop(), broker.close()) };
}

describe("Hub.activate with a skip filter", () => {
  it("drops the buffered publications the filter names and delivers the rest, then live ones, in order", async () => {
    const { hub, broker, conn, transport, stop } = await setup();
    try {
      const pending = await hub.prepareSubscribe(conn, "job:1");
      for (const n of [1, 2, 3]) await broker.publish("job:1", { type: "t", data: n });
      hub.activate(pending, (pub) => pub.data === 2);
      await broker.publish("job:1", { type: "t", data: 2 });
      assert.deepEqual(transport.sent, ["1", "3", "2"], "the skipped publication should not be sent, a later live one with the same data should");
      assert.equal(conn.positions()["job:1"]?.offset, 4, "skipped publications count as delivered");
    } finally {
      await stop();
    }
  });
});

describe("ConnectionOwner.closed", () => {
  it("is called once with the reason when the server disconnects", async () => {
    const { conn, owner, stop } = await setup();
    try {
      conn.disconnect("shutdown");
      conn.disconnect("slow");
      conn.markClosed();
      assert.deepEqual(owner.closedReasons, ["shutdown"]);
    } finally {
      await stop();
    }
  });

  it("is called with normal when the client went away", async () => {
    const { conn, owner, stop } = await setup();
    try {
      conn.markClosed();
      assert.deepEqual(owner.closedReasons, ["normal"]);
    } finally {
      await stop();
    }
  });
});
