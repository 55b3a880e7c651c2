import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectChannels, type TestClient } from "../helpers/client.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

// Fan-out writes one pre-framed buffer to every socket; these payload sizes cover the three
// WebSocket length encodings (7-bit, 16-bit and 64-bit).
describe("fan-out of one publication to many sockets", () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway();
    for (let i = 0; i < 3; i++) clients.push((await connectChannels(gw.wsUrl("/ws", { token: await gw.token(`fan-${i}`) }))).client);
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  for (const size of [10, 300, 70_000]) {
    it(`delivers a ${size}-character payload intact to every subscriber`, async () => {
      const text = "x".repeat(size - 1) + "é";
      const { offset } = await gw.publish("broadcast", { text }, "big");
      for (const [i, c] of clients.entries()) {
        const ev = await c.next((f) => f.type === "big" && f.offset === offset, 3000, `client ${i}'s copy of offset ${offset}`);
        assert.equal(ev.data.text, text, `client ${i} got a corrupted payload of ${size} characters`);
      }
    });
  }

  it("keeps each subscriber's publications in offset order when many are published at once", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => gw.publish("broadcast", { n }, "burst")));
    const last = Math.max(...results.map((r) => r.offset));
    for (const [i, c] of clients.entries()) {
      const seen: number[] = [];
      while (seen.length < 50) seen.push((await c.nextOfType("burst")).offset as number);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `client ${i} saw offsets out of order`);
      assert.equal(seen.at(-1), last, `client ${i} missed the last publication`);
    }
  });
});
