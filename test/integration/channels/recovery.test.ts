import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { connectChannels, type Frame, type TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { FrameLog, firstStreamProblem, isPublicationOn, seededRandom, sleep, takePublications, waitFor } from "../../helpers/streams.js";

const offsetsOf = (frames: readonly Frame[]): number[] => frames.map((f) => f.offset as number);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Closes a client and waits until the gateway has forgotten it, so publications really happen "while away". */
async function leave(gw: TestGateway, client: TestClient, user: string): Promise<void> {
  client.close();
  await client.waitClosed();
  await waitFor(() => gw.server.context.hub.connectionsOf(user).size === 0, 2000, `the hub to drop ${user}'s connection`);
}

describe("recovery with a history that reaches back", () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const connect = async (user: string, claims?: Record<string, unknown>): Promise<{ client: TestClient; connected: Frame }> => {
    const res = await connectChannels(gw.wsUrl("/ws", { token: await gw.token(user, claims ? { claims } : {}) }));
    clients.push(res.client);
    return res;
  };

  it("replays exactly the missed publications, in order, after subscribed and before any live one", async () => {
    const channel = "room:resume";
    const claims = { channels: ["room:*"] };
    const { client: first } = await connect("alice", claims);
    const sub = await first.request("subscribe", { channel });
    assert.equal(sub.type, "subscribed", JSON.stringify(sub));
    for (let n = 1; n <= 3; n++) await gw.publish(channel, { n });
    const seen = await takePublications(first, channel, 3);
    assert.deepEqual(offsetsOf(seen), [sub.data.offset + 1, sub.data.offset + 2, sub.data.offset + 3], "live delivery before the disconnect");
    const lastSeen = seen.at(-1)!.offset as number;
    await leave(gw, first, "alice");

    for (let n = 4; n <= 8; n++) await gw.publish(channel, { n });

    const { client: second } = await connect("alice", claims);
    const log = new FrameLog(second);
    // One live publication races the subscribe, another follows its reply.
    const [resub] = await Promise.all([
      second.request("subscribe", { channel, recover: { epoch: sub.data.epoch, offset: lastSeen } }),
      gw.publish(channel, { n: 9 }),
    ]);
    assert.equal(resub.type, "subscribed", JSON.stringify(resub));
    assert.equal(resub.data.recovered, true, `recovery from offset ${lastSeen} should be complete, got ${JSON.stringify(resub.data)}`);
    assert.equal(resub.data.epoch, sub.data.epoch, "the epoch should not change while the gateway runs");
    await gw.publish(channel, { n: 10 });

    const pubs = await takePublications(second, channel, 7);
    assert.deepEqual(offsetsOf(pubs), range(lastSeen + 1, lastSeen + 7), "missed publications then live ones, each once, in offset order");
    assert.deepEqual(pubs.map((f) => f.data.n as number), range(4, 10), "publications carry the wrong data");
    const replyAt = log.indexOf((f) => f.id === resub.id);
    const firstPubAt = log.indexOf(isPublicationOn(channel));
    assert.ok(replyAt >= 0 && replyAt < firstPubAt, `subscribed (frame ${replyAt}) should come before the first publication (frame ${firstPubAt})`);
    assert.ok(await second.nothingWithin(150, isPublicationOn(channel)), "no publication may be delivered twice");
  });

  it("replays what an auto-subscribed user channel missed exactly once when it is subscribed again with recover", async () => {
    const channel = "user:bob";
    const { client: first, connected: c1 } = await connect("bob");
    const start = c1.data.subscriptions[channel] as { epoch: string; offset: number };
    assert.ok(start, `connected should list ${channel}: ${JSON.stringify(c1.data)}`);
    for (let n = 1; n <= 2; n++) await gw.publish(channel, { n });
    const processed = await takePublications(first, channel, 2);
    await leave(gw, first, "bob");

    for (let n = 3; n <= 5; n++) await gw.publish(channel, { n });

    const { client: second, connected: c2 } = await connect("bob");
    assert.equal(c2.data.subscriptions[channel].offset, start.offset + 5, "connected should report the user channel's current position");
    // A live one arrives on the auto-subscription before the client gets round to recovering.
    await gw.publish(channel, { n: 6 });
    processed.push(...(await takePublications(second, channel, 1)));

    const last = processed[1]!.offset as number;
    const resub = await second.request("subscribe", { channel, recover: { epoch: start.epoch, offset: last } });
    assert.equal(resub.type, "subscribed", JSON.stringify(resub));
    assert.equal(resub.data.recovered, true, `recovery of ${channel} should be complete, got ${JSON.stringify(resub.data)}`);
    const replay = await takePublications(second, channel, 3);
    assert.deepEqual(offsetsOf(replay), range(last + 1, last + 3), "the replay on an existing subscription should be in offset order");
    processed.push(...replay);
    await gw.publish(channel, { n: 7 });
    processed.push(...(await takePublications(second, channel, 1)));
    assert.ok(await second.nothingWithin(150, isPublicationOn(channel)), `nothing more expected on ${channel}, got ${JSON.stringify(second.frames)}`);

    const offsets = offsetsOf(processed);
    assert.equal(new Set(offsets).size, offsets.length, `an offset was delivered twice: ${offsets.join(",")}`);
    assert.deepEqual([...offsets].sort((a, b) => a - b), range(start.offset + 1, start.offset + 7), `every offset exactly once, got ${offsets.join(",")}`);
  });
});

describe("recovery when history no longer reaches back", () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  const claims = { channels: ["room:*"] };
  before(async () => {
    gw = await startTestGateway({ history: { size: 3 } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const connect = async (user: string): Promise<TestClient> => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token(user, { claims }) }));
    clients.push(client);
    return client;
  };

  it("answers recovered: false when more were missed than history keeps, then sends what history has", async () => {
    const channel = "room:trimmed";
    const first = await connect("carol");
    const sub = await first.request("subscribe", { channel });
    await leave(gw, first, "carol");
    for (let n = 1; n <= 10; n++) await gw.publish(channel, { n });

    const second = await connect("carol");
    const resub = await second.request("subscribe", { channel, recover: { epoch: sub.data.epoch, offset: sub.data.offset } });
    assert.equal(resub.type, "subscribed", JSON.stringify(resub));
    assert.equal(resub.data.recovered, false, `10 missed with a history of 3 cannot be recovered, got ${JSON.stringify(resub.data)}`);
    assert.equal(resub.data.offset, sub.data.offset + 10, "subscribed should report the current position");
    await gw.publish(channel, { n: 11 });
    const pubs = await takePublications(second, channel, 4);
    assert.deepEqual(offsetsOf(pubs), range(sub.data.offset + 8, sub.data.offset + 11), "the 3 kept in history, then the live one");
    assert.ok(await second.nothingWithin(100, isPublicationOn(channel)), "nothing else expected");
  });

  it("answers recovered: false for an unknown epoch, then sends what history has", async () => {
    const channel = "room:epoch";
    const first = await connect("dan");
    const sub = await first.request("subscribe", { channel });
    for (let n = 1; n <= 2; n++) await gw.publish(channel, { n });
    const seen = await takePublications(first, channel, 2);
    await leave(gw, first, "dan");
    await gw.publish(channel, { n: 3 });

    const second = await connect("dan");
    const resub = await second.request("subscribe", { channel, recover: { epoch: "bogus-epoch", offset: seen[1]!.offset } });
    assert.equal(resub.type, "subscribed", JSON.stringify(resub));
    assert.equal(resub.data.recovered, false, `an unknown epoch cannot be recovered, got ${JSON.stringify(resub.data)}`);
    assert.equal(resub.data.epoch, sub.data.epoch, "subscribed should report the channel's real epoch");
    const pubs = await takePublications(second, channel, 3);
    assert.deepEqual(offsetsOf(pubs), range(sub.data.offset + 1, sub.data.offset + 3), "everything history still has, in order");
    assert.ok(await second.nothingWithin(100, isPublicationOn(channel)), "nothing else expected");
  });
});

/** One chaos subscriber: processes publications from whichever socket is current, reconnects with recover. */
class ChaosClient {
  /** What this client processed, in order, across all its connections. */
  readonly processed: { offset: number; data: unknown }[] = [];
  readonly problems: string[] = [];
  epoch: string | undefined;
  drops = 0;
  private kill: ((how: "terminate" | "close") => void) | undefined;
  private readonly sockets: WebSocket[] = [];

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly channel: string,
  ) {}

  get last(): number {
    return this.processed.at(-1)?.offset ?? 0;
  }

  /** Opens a socket, subscribes (recovering from the last processed offset once it has an epoch). */
  async connect(): Promise<void> {
    const ws = new WebSocket(this.url);
    this.sockets.push(ws);
    let current = true;
    let subscribed = false;
    const recover = this.epoch === undefined ? undefined : { epoch: this.epoch, offset: this.last };
    const reply = new Promise<Frame>((resolve, reject) => {
      ws.on("message", (raw: Buffer) => {
        if (!current) return; // a dropped socket: whatever it still delivers was never processed
        const f = JSON.parse(raw.toString("utf8")) as Frame;
        if (f.type === "connected") {
          ws.send(JSON.stringify({ type: "subscribe", id: "sub", data: { channel: this.channel, ...(recover ? { recover } : {}) } }));
        } else if (f.id === "sub") {
          subscribed = true;
          resolve(f);
        } else if (f.channel === this.channel && typeof f.offset === "number") {
          if (!subscribed) this.problems.push(`publication ${f.offset} arrived before the subscribed reply`);
          if (f.epoch !== this.epoch) this.problems.push(`publication ${f.offset} has epoch ${f.epoch}, expected ${this.epoch}`);
          this.processed.push({ offset: f.offset, data: f.data });
        } else if (f.type === "error") {
          this.problems.push(`error frame: ${JSON.stringify(f)}`);
        }
      });
      ws.on("close", (code: number, reason: Buffer) => {
        if (current) {
          this.problems.push(`closed by the server with ${code} ${reason.toString()}`);
          reject(new Error(`${this.name} closed with ${code} before it was subscribed`));
        }
      });
      ws.on("error", (err) => {
        if (current) reject(err);
      });
    });
    const sub = await reply;
    if (sub.type !== "subscribed") throw new Error(`${this.name}: subscribe failed: ${JSON.stringify(sub)}`);
    if (recover && sub.data.recovered !== true) this.problems.push(`recover from ${recover.offset} answered ${JSON.stringify(sub.data)}`);
    this.epoch ??= sub.data.epoch as string;
    if (sub.data.epoch !== this.epoch) this.problems.push(`subscribed with epoch ${sub.data.epoch}, expected ${this.epoch}`);
    this.kill = (how) => {
      current = false;
      if (how === "terminate") ws.terminate();
      else ws.close();
    };
  }

  drop(how: "terminate" | "close"): void {
    this.drops += 1;
    this.kill?.(how);
    this.kill = undefined;
  }

  closeAll(): void {
    this.kill?.("close");
    for (const ws of this.sockets) ws.terminate();
  }
}

describe("recovery under chaos", () => {
  let gw: TestGateway;
  const clients: ChaosClient[] = [];
  before(async () => {
    gw = await startTestGateway({ history: { size: 1000, ttlMs: 60_000 } });
  });
  after(async () => {
    for (const c of clients) c.closeAll();
    await gw.close();
  });

  it("gives every client every publication exactly once, in order, while clients drop and recover at random", async (t) => {
    const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`chaos seed ${seed} (rerun with CHAOS_SEED=${seed})`);
    const channel = "chaos:room";
    const clientCount = 20;
    const publications = 300;
    const minDrops = 3;
    const maxDrops = 12;

    for (let i = 0; i < clientCount; i++) {
      const token = await gw.token(`chaos-${i}`, { claims: { channels: ["chaos:*"] } });
      clients.push(new ChaosClient(`client ${i} (chaos-${i})`, gw.wsUrl("/ws", { token }), channel));
    }
    await Promise.all(clients.map((c) => c.connect()));

    // Publisher: 3 concurrent REST workers with small random pauses; offsets are assigned by the gateway.
    const expected = new Map<number, unknown>();
    let nextSeq = 0;
    let publisherDone = false;
    const pubRandom = seededRandom(seed ^ 0x5eed);
    const worker = async (): Promise<void> => {
      while (nextSeq < publications) {
        const data = { seq: nextSeq++ };
        const res = await gw.publish(channel, data, "tick");
        expected.set(res.offset, data);
        await sleep(pubRandom() * 40);
      }
    };
    const publisher = Promise.all([worker(), worker(), worker()]).finally(() => (publisherDone = true));

    const chaos = async (c: ChaosClient, rnd: () => number): Promise<void> => {
      while (c.drops < minDrops || (!publisherDone && c.drops < maxDrops)) {
        await sleep(30 + rnd() * 300);
        c.drop(rnd() < 0.5 ? "terminate" : "close");
        await sleep(rnd() * 80);
        await c.connect();
      }
    };
    await Promise.all([publisher, ...clients.map((c, i) => chaos(c, seededRandom(seed + i + 1)))]);

    const want = [...expected.entries()].sort((a, b) => a[0] - b[0]).map(([offset, data]) => ({ offset, data }));
    assert.equal(want.length, publications, "test bug: the publisher did not publish everything");
    assert.deepEqual(want.map((p) => p.offset), range(1, publications), "REST publish should assign offsets 1..N on a fresh channel");
    const lastOffset = publications;
    await waitFor(() => clients.every((c) => c.last >= lastOffset), 5000, "every client to reach the last offset").catch(() => undefined);
    await sleep(150); // let late duplicates show up

    const failures: string[] = [];
    for (const c of clients) {
      const problem = firstStreamProblem(want, c.processed);
      if (problem) failures.push(`${c.name}: ${problem}`);
      for (const p of c.problems) failures.push(`${c.name}: ${p}`);
    }
    const drops = clients.map((c) => c.drops);
    t.diagnostic(`drops per client: ${drops.join(",")}`);
    assert.deepEqual(failures, [], `seed ${seed}: ${failures.length} problem(s):\n${failures.slice(0, 20).join("\n")}`);
    assert.ok(drops.every((d) => d >= minDrops), `every client should have been dropped at least ${minDrops} times: ${drops.join(",")}`);
  });
});
