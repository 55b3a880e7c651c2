import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { Publication } from "../../src/core/types.js";
import { RedisBroker } from "../../src/engines/broker/redis.js";
import { brokerContract } from "./broker.contract.js";
import { REDIS_URL, deleteKeys, uniquePrefix } from "../helpers/redis.js";

const prefix = uniquePrefix("contract");
const redis = new Redis(REDIS_URL);
after(async () => {
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
});

const history = { size: 5, ttlMs: 60_000, metaTtlMs: 3_600_000 };

brokerContract("redis", (h) => Promise.resolve(new RedisBroker(h, { url: REDIS_URL, keyPrefix: prefix })));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("redis broker", () => {
  const started: RedisBroker[] = [];
  after(() => Promise.all(started.map((b) => b.close())));
  const start = async (keyPrefix = prefix, onPub: (p: Publication) => void = () => undefined): Promise<RedisBroker> => {
    const b = new RedisBroker(history, { url: REDIS_URL, keyPrefix });
    await b.start({ publication: onPub });
    started.push(b);
    return b;
  };

  it("shares offsets between brokers on one prefix and delivers each one's publications to the other", async () => {
    const got: Publication[] = [];
    const a = await start(prefix, (p) => got.push(p));
    const b = await start();
    const channel = `shared-${Date.now()}`;
    await a.subscribe([channel]);
    const offsets = [];
    for (let i = 0; i < 6; i++) offsets.push((await (i % 2 ? a : b).publish(channel, { type: "t", data: i })).offset);
    assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6], "one sequence of offsets, whichever node publishes");
    const deadline = Date.now() + 2000;
    while (got.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got.map((p) => [p.offset, p.data]), offsets.map((o, i) => [o, i]), "broker A received B's publications in order");
  });

  it("keeps channels of different key prefixes apart", async () => {
    const other = uniquePrefix("contract-other");
    try {
      const a = await start();
      const b = await start(other);
      const channel = `apart-${Date.now()}`;
      await a.publish(channel, { type: "t", data: 1 });
      await a.publish(channel, { type: "t", data: 2 });
      const p = await b.publish(channel, { type: "t", data: "x" });
      assert.equal(p.offset, 1, "the other prefix has its own channel");
      assert.equal((await a.history(channel, {})).publications.length, 2);
    } finally {
      await deleteKeys(redis, other);
    }
  });

  it("starts a new epoch when Redis lost a channel, and says its history is gone", async () => {
    const b = await start();
    const channel = `lost-${Date.now()}`;
    await b.publish(channel, { type: "t", data: 1 });
    const before = await b.publish(channel, { type: "t", data: 2 });
    await redis.del(`${prefix}m:${channel}`, `${prefix}s:${channel}`); // as after a flush or expiry
    const after_ = await b.publish(channel, { type: "t", data: 3 });
    assert.notEqual(after_.epoch, before.epoch, "a new epoch");
    assert.equal(after_.offset, 1, "offsets start again");
    const res = await b.history(channel, { since: { epoch: before.epoch, offset: before.offset } });
    assert.equal(res.complete, false, "recovering from the old epoch is incomplete");
    assert.deepEqual(res.publications.map((p) => p.data), [3]);
  });

  it("gives a quiet channel an epoch on read that its first publication keeps", async () => {
    const b = await start();
    const channel = `quiet-${Date.now()}`;
    const read = await b.history(channel, { limit: 0 });
    assert.equal(read.position.offset, 0);
    const p = await b.publish(channel, { type: "t", data: 1 });
    assert.equal(p.epoch, read.position.epoch, "a subscriber of a quiet channel keeps its epoch");
    const res = await b.history(channel, { since: read.position });
    assert.equal(res.complete, true);
    assert.deepEqual(res.publications.map((x) => x.offset), [1]);
  });

  it("delivers what was published while its subscriber connection was down, once and in order", async () => {
    const own = uniquePrefix("contract-gap");
    try {
      const got: Publication[] = [];
      const a = await start(own, (p) => got.push(p));
      const b = await start(own);
      const channel = `gap-${Date.now()}`;
      await a.subscribe([channel]);
      const waitGot = async (n: number) => {
        const deadline = Date.now() + 3000;
        while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      };
      for (let i = 1; i <= 3; i++) await b.publish(channel, { type: "t", data: i });
      await waitGot(3);
      // Cut A's subscriber connection, as a network failure would; publish while it reconnects.
      const clients = (await redis.client("LIST")) as string;
      const line = clients.split("\n").find((l) => l.includes(` name=livegate-sub:${own} `));
      assert.ok(line, "the subscriber connection is named after its prefix");
      await redis.client("KILL", "ID", /\bid=(\d+)/.exec(line)![1]!);
      for (let i = 4; i <= 6; i++) await b.publish(channel, { type: "t", data: i });
      await waitGot(6);
      assert.deepEqual(got.map((p) => p.offset), [1, 2, 3, 4, 5, 6], "the missed ones come after the reconnect, without a later publication");
      await b.publish(channel, { type: "t", data: 7 });
      await waitGot(7);
      assert.deepEqual(got.map((p) => p.data), [1, 2, 3, 4, 5, 6, 7], "each once, in order");
    } finally {
      await deleteKeys(redis, own);
    }
  });

  it("refuses to start when Redis is unreachable, naming the cause, and leaves no connection behind", async () => {
    const b = new RedisBroker(history, { url: `redis://127.0.0.1:${await closedPort()}`, keyPrefix: prefix });
    await assert.rejects(b.start({ publication: () => undefined }), /cannot connect to Redis: .*ECONNREFUSED/);
    await assert.rejects(b.ping(), "ping fails while Redis is unreachable");
    await b.close();
  });
});
