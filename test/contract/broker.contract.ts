import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Broker, BrokerHistoryOptions } from "../../src/engines/broker/broker.js";
import type { Publication } from "../../src/core/types.js";

/** Builds a started-able broker with the given history bounds; each call must give an isolated broker. */
export type BrokerFactory = (history: BrokerHistoryOptions) => Promise<Broker>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
/** A channel name no other test (or run) uses. */
const fresh = (prefix: string) => `${prefix}:${process.pid}-${Date.now()}-${seq++}`;

/**
 * The contract every broker engine must pass: offsets, ordering, node subscriptions, history bounds,
 * presence with expiry, and counters. Run it from `broker.<engine>.test.ts`.
 */
export function brokerContract(engine: string, factory: BrokerFactory): void {
  describe(`broker contract: ${engine}`, () => {
    let broker: Broker;
    const received: Publication[] = [];
    before(async () => {
      broker = await factory({ size: 5, ttlMs: 60_000, metaTtlMs: 3_600_000 });
      await broker.start({ publication: (p) => received.push(p) });
    });
    after(() => broker.close());

    const receivedOn = (channel: string) => received.filter((p) => p.channel === channel);
    const waitFor = async (cond: () => boolean, what: string) => {
      const deadline = Date.now() + 2000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(5);
      }
    };

    it("numbers publications 1, 2, 3 per channel within one epoch", async () => {
      const a = fresh("a");
      const b = fresh("b");
      const p1 = await broker.publish(a, { type: "t", data: 1 });
      const p2 = await broker.publish(a, { type: "t", data: 2 });
      const q1 = await broker.publish(b, { type: "t", data: 3 });
      assert.deepEqual([p1.offset, p2.offset, q1.offset], [1, 2, 1], "offsets are per channel and start at 1");
      assert.equal(p1.epoch, p2.epoch, "epoch is stable while history lives");
      assert.equal(p1.channel, a);
      assert.equal(typeof p1.time, "number");
    });

    it("delivers publications only for channels the node subscribed to, in offset order", async () => {
      const ch = fresh("sub");
      await broker.publish(ch, { type: "t", data: "before" });
      await broker.subscribe([ch]);
      for (let i = 0; i < 20; i++) await broker.publish(ch, { type: "t", data: i });
      await waitFor(() => receivedOn(ch).length === 20, "20 publications");
      assert.deepEqual(receivedOn(ch).map((p) => p.offset), Array.from({ length: 20 }, (_, i) => i + 2), "in order, none before subscribe");
      await broker.unsubscribe([ch]);
      await broker.publish(ch, { type: "t", data: "after" });
      await sleep(50);
      assert.equal(receivedOn(ch).length, 20, "nothing after unsubscribe");
    });

    it("keeps the type, data and publisher of a publication", async () => {
      const ch = fresh("keep");
      await broker.publish(ch, { type: "chat_message", data: { content: "Hello there!", n: [1, 2] }, publisher: "alice" });
      const { publications } = await broker.history(ch, {});
      assert.equal(publications.length, 1);
      assert.equal(publications[0]!.type, "chat_message");
      assert.deepEqual(publications[0]!.data, { content: "Hello there!", n: [1, 2] });
      assert.equal(publications[0]!.publisher, "alice");
    });

    it("reads history after a position, with a limit, and the newest without one", async () => {
      const ch = fresh("hist");
      for (let i = 1; i <= 4; i++) await broker.publish(ch, { type: "t", data: i });
      const pos = await broker.history(ch, { limit: 0 });
      assert.equal(pos.position.offset, 4);
      assert.deepEqual(pos.publications, [], "limit 0 reads only the position");
      const since = await broker.history(ch, { since: { epoch: pos.position.epoch, offset: 1 } });
      assert.deepEqual(since.publications.map((p) => p.offset), [2, 3, 4]);
      assert.equal(since.complete, true);
      const limited = await broker.history(ch, { since: { epoch: pos.position.epoch, offset: 1 }, limit: 2 });
      assert.deepEqual(limited.publications.map((p) => p.offset), [2, 3], "limit takes the oldest after since");
      const newest = await broker.history(ch, { limit: 2 });
      assert.deepEqual(newest.publications.map((p) => p.offset), [3, 4], "without since, limit takes the newest");
      const upToDate = await broker.history(ch, { since: pos.position });
      assert.deepEqual(upToDate.publications, []);
      assert.equal(upToDate.complete, true, "nothing missed when since is the current position");
    });

    it("trims history to its size and says when it no longer reaches back", async () => {
      const ch = fresh("trim");
      for (let i = 1; i <= 8; i++) await broker.publish(ch, { type: "t", data: i });
      const all = await broker.history(ch, {});
      assert.deepEqual(all.publications.map((p) => p.offset), [4, 5, 6, 7, 8], "size 5 keeps the newest 5");
      const gap = await broker.history(ch, { since: { epoch: all.position.epoch, offset: 1 } });
      assert.equal(gap.complete, false, "offsets 2 and 3 are gone");
      assert.deepEqual(gap.publications.map((p) => p.offset), [4, 5, 6, 7, 8]);
      const edge = await broker.history(ch, { since: { epoch: all.position.epoch, offset: 3 } });
      assert.equal(edge.complete, true, "since 3 still has everything after it");
    });

    it("reports an unknown epoch as incomplete", async () => {
      const ch = fresh("epoch");
      await broker.publish(ch, { type: "t", data: 1 });
      const res = await broker.history(ch, { since: { epoch: "not-the-epoch", offset: 1 } });
      assert.equal(res.complete, false);
      assert.deepEqual(res.publications.map((p) => p.offset), [1], "the current epoch's history is returned");
    });

    it("drops publications older than the history TTL", async () => {
      const short = await factory({ size: 100, ttlMs: 150, metaTtlMs: 3_600_000 });
      await short.start({ publication: () => undefined });
      try {
        const ch = fresh("ttl");
        await short.publish(ch, { type: "t", data: 1 });
        await sleep(250);
        await short.publish(ch, { type: "t", data: 2 });
        const res = await short.history(ch, {});
        assert.deepEqual(res.publications.map((p) => p.offset), [2], "the expired publication is gone");
        assert.equal(res.position.offset, 2, "offsets continue after expiry");
      } finally {
        await short.close();
      }
    });

    it("tracks presence per channel, counts distinct users, and expires entries", async () => {
      const ch = fresh("presence");
      await broker.presence.add(ch, "c1", { connection_id: "c1", user_id: "alice" }, 60_000);
      await broker.presence.add(ch, "c2", { connection_id: "c2", user_id: "alice" }, 60_000);
      await broker.presence.add(ch, "c3", { connection_id: "c3", user_id: "bob" }, 100);
      assert.deepEqual(await broker.presence.stats(ch), { connections: 3, users: 2 });
      await broker.presence.remove(ch, "c2");
      const list = await broker.presence.list(ch);
      assert.deepEqual([...list.keys()].sort(), ["c1", "c3"]);
      assert.deepEqual(list.get("c1"), { connection_id: "c1", user_id: "alice" });
      await sleep(200);
      assert.deepEqual([...(await broker.presence.list(ch)).keys()], ["c1"], "bob's entry expired without a refresh");
    });

    it("counts within a window and starts again after it", async () => {
      const key = fresh("counter");
      assert.equal(await broker.counters.increment(key, 150), 1);
      assert.equal(await broker.counters.increment(key, 150), 2);
      await sleep(200);
      assert.equal(await broker.counters.increment(key, 150), 1, "a new window starts at 1");
    });

    it("answers ping", async () => {
      await broker.ping();
    });
  });
}
