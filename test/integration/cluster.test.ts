import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { connectChannels, type Frame, type TestClient } from "../helpers/client.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { createServer } from "../../src/index.js";
import { REDIS_URL, deleteKeys, uniquePrefix } from "../helpers/redis.js";
import { isPublicationOn, takePublications, waitFor } from "../helpers/streams.js";

const offsetsOf = (frames: readonly Frame[]): number[] => frames.map((f) => f.offset as number);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe("two gateways on one Redis", () => {
  const keyPrefix = uniquePrefix("cluster");
  const claims = { channels: ["room:*"] };
  let a: TestGateway;
  let b: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    const broker = { engine: "redis", redisUrl: REDIS_URL, keyPrefix } as const;
    // Each node has its own data dir (and SQLite file); both use the test JWT secret.
    a = await startTestGateway({ broker });
    b = await startTestGateway({ broker });
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis(REDIS_URL);
    try {
      await deleteKeys(redis, keyPrefix);
    } finally {
      redis.disconnect();
    }
  });

  const connect = async (gw: TestGateway, user: string): Promise<TestClient> => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token(user, { claims }) }));
    clients.push(client);
    return client;
  };

  it("reports both nodes ready while Redis answers", async () => {
    for (const gw of [a, b]) assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  });

  it("delivers a publication posted to node B to a client of node A, in order, with B's offsets", async () => {
    const channel = "room:cross";
    const alice = await connect(a, "alice");
    const sub = await alice.request("subscribe", { channel });
    assert.equal(sub.type, "subscribed", JSON.stringify(sub));
    const posted = [];
    for (let n = 1; n <= 10; n++) posted.push(await b.publish(channel, { n }));
    const seen = await takePublications(alice, channel, 10);
    assert.deepEqual(offsetsOf(seen), posted.map((p) => p.offset), "node A delivers node B's offsets");
    assert.deepEqual(offsetsOf(seen), range(sub.data.offset + 1, sub.data.offset + 10), "gap-free and in order");
    assert.deepEqual(seen.map((f) => f.data.n as number), range(1, 10));
    assert.ok(posted.every((p) => p.epoch === sub.data.epoch), "both nodes name the same epoch");
  });

  it("recovers on node B what a client of node A missed while away", async () => {
    const channel = "room:resume";
    const first = await connect(a, "bob");
    const sub = await first.request("subscribe", { channel });
    for (let n = 1; n <= 3; n++) await a.publish(channel, { n });
    const seen = await takePublications(first, channel, 3);
    const last = seen.at(-1)!.offset as number;
    first.close();
    await first.waitClosed();
    await waitFor(() => a.server.context.hub.connectionsOf("bob").size === 0, 2000, "node A to drop bob");

    for (let n = 4; n <= 7; n++) await (n % 2 ? a : b).publish(channel, { n });

    const second = await connect(b, "bob");
    const resub = await second.request("subscribe", { channel, recover: { epoch: sub.data.epoch, offset: last } });
    assert.equal(resub.type, "subscribed", JSON.stringify(resub));
    assert.equal(resub.data.recovered, true, `recovery on node B should be complete: ${JSON.stringify(resub.data)}`);
    assert.equal(resub.data.epoch, sub.data.epoch);
    await a.publish(channel, { n: 8 });
    const pubs = await takePublications(second, channel, 5);
    assert.deepEqual(offsetsOf(pubs), range(last + 1, last + 5), "missed then live, each once, in order");
    assert.deepEqual(pubs.map((f) => f.data.n as number), range(4, 8));
    assert.ok(await second.nothingWithin(150, isPublicationOn(channel)), "no publication twice");
  });

  it("shows a client of node A in the presence that node B reports", async () => {
    const channel = "room:who";
    const carol = await connect(a, "carol");
    assert.equal((await carol.request("subscribe", { channel })).type, "subscribed");
    const dave = await connect(b, "dave");
    let reply: Frame | undefined;
    const deadline = Date.now() + 2000;
    // Presence is written right after the subscribe reply, without an event to await across nodes.
    while (Date.now() < deadline) {
      reply = await dave.request("presence", { channel });
      if (reply.data?.users === 1) break;
    }
    assert.equal(reply?.type, "presence", JSON.stringify(reply));
    assert.deepEqual(reply.data.clients.map((c: Frame) => c.user_id), ["carol"]);
  });
});

describe("a gateway whose Redis is unreachable", () => {
  it("refuses to start, naming the cause, and releases its data dir", async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const dataDir = await mkdtemp(join(tmpdir(), "livegate-test-"));
    try {
      await assert.rejects(
        createServer({ dataDir, logLevel: "silent", broker: { engine: "redis", redisUrl: `redis://127.0.0.1:${port}` } }),
        /cannot connect to Redis: .*ECONNREFUSED/,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
