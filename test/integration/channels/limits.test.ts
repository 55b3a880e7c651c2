import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { connectChannels, TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { isPublicationOn, sleep, takePublications, waitFor } from "../../helpers/streams.js";

/** The raw TCP socket under a `ws` client, to stop and restart reading. */
const tcpOf = (client: TestClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;

/** A `{"type":"ping"}` frame padded to exactly `bytes` bytes. */
function pingOfSize(id: string, bytes: number): string {
  const head = `{"type":"ping","id":"${id}","data":{"pad":"`;
  const tail = `"}}`;
  const frame = head + "x".repeat(bytes - head.length - tail.length) + tail;
  assert.equal(Buffer.byteLength(frame), bytes, "test bug: padded frame has the wrong size");
  return frame;
}

describe("maxFrameBytes", () => {
  const maxFrameBytes = 4096;
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway({ limits: { maxFrameBytes } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  it("accepts a frame of exactly maxFrameBytes", async () => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("frame-ok") }));
    clients.push(client);
    client.send(pingOfSize("big", maxFrameBytes));
    const reply = await client.next((f) => f.id === "big", 3000, "the reply to a frame of exactly maxFrameBytes");
    assert.equal(reply.type, "pong", `a ${maxFrameBytes}-byte frame should be answered with pong, got ${JSON.stringify(reply)}`);
    assert.equal(client.ws.readyState, client.ws.OPEN, "the socket should stay open after a frame at the limit");
  });

  it("closes with 1009 when a frame is larger than maxFrameBytes", async () => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("frame-big") }));
    clients.push(client);
    client.send(pingOfSize("too-big", maxFrameBytes + 1));
    const { code } = await client.waitClosed();
    assert.equal(code, 1009, `a frame of maxFrameBytes + 1 should close the socket with 1009, got ${code}`);
    assert.ok(!client.frames.some((f) => f.id === "too-big" && f.type === "pong"), "the oversize frame must not be processed");
  });
});

describe("rate limit (messagesPerSecond, messageBurst, rateLimitStrikes)", () => {
  const limits = { messagesPerSecond: 5, messageBurst: 5, rateLimitStrikes: 5 };
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway({ limits });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const connect = async (user: string): Promise<TestClient> => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token(user) }));
    clients.push(client);
    return client;
  };

  it("answers frames beyond the burst with rate_limited and a numeric retry_after", async () => {
    const client = await connect("burst");
    for (let i = 0; i < limits.messageBurst + 1; i++) client.send({ type: "ping", id: `p${i}` });
    for (let i = 0; i < limits.messageBurst; i++) {
      const r = await client.next((f) => f.id === `p${i}`, 3000, `the reply to ping p${i} (within the burst)`);
      assert.equal(r.type, "pong", `ping ${i} is within the burst of ${limits.messageBurst} and should get pong, got ${JSON.stringify(r)}`);
    }
    const err = await client.next((f) => f.type === "error", 3000, "a rate_limited error for the frame after the burst");
    assert.equal(err.data.code, "rate_limited", `the frame after the burst should get rate_limited, got ${JSON.stringify(err)}`);
    assert.equal(typeof err.data.retry_after, "number", `rate_limited should carry a numeric retry_after, got ${JSON.stringify(err.data)}`);
    assert.ok(err.data.retry_after > 0, `retry_after should be positive seconds, got ${err.data.retry_after}`);
    assert.ok(await client.nothingWithin(50, (f) => f.id === `p${limits.messageBurst}` && f.type === "pong"), "a rate-limited ping must not be answered with pong");
    assert.equal(client.ws.readyState, client.ws.OPEN, "one rate-limited frame must not close the socket");
  });

  it("echoes the command's id on its rate_limited error", async () => {
    // docs/protocol-channels.md: "A command that carries an id gets its reply (or its error) with the same id."
    const client = await connect("burst-id");
    for (let i = 0; i < limits.messageBurst + 1; i++) client.send({ type: "ping", id: `q${i}` });
    const err = await client.next((f) => f.type === "error", 3000, "a rate_limited error");
    assert.equal(err.data.code, "rate_limited");
    assert.equal(err.id, `q${limits.messageBurst}`, `the rate_limited error should carry the refused command's id, got ${JSON.stringify(err)}`);
  });

  it("closes with 1008 when the client keeps sending after being told it is rate limited", async () => {
    const client = await connect("abuser");
    for (let i = 0; i < limits.messageBurst + 1; i++) client.send({ type: "ping", id: `a${i}` });
    const err = await client.next((f) => f.type === "error", 3000, "the first rate_limited error");
    assert.equal(err.data.code, "rate_limited", JSON.stringify(err));
    let sent = limits.messageBurst + 1;
    // Far more than rateLimitStrikes; the socket should close well before the loop ends.
    while (client.ws.readyState === client.ws.OPEN && sent < 200) {
      client.send({ type: "ping", id: `a${sent++}` });
      await sleep(1);
    }
    const { code } = await client.waitClosed();
    assert.equal(code, 1008, `a client that keeps sending while rate limited should be closed with 1008, got ${code}`);
  });

  it("tells a client that bursts far over the limit that it is rate limited before closing it with 1008", async () => {
    const client = await connect("blaster");
    // One write of burst + strikes frames: the server refuses the last `rateLimitStrikes` of them.
    const frames = Array.from({ length: limits.messageBurst + limits.rateLimitStrikes + 5 }, (_, i) => ({ type: "ping", id: `b${i}` }));
    for (const f of frames) client.send(f);
    const { code } = await client.waitClosed();
    assert.equal(code, 1008, `a client far over the rate limit should be closed with 1008, got ${code}`);
    const limited = client.frames.filter((f) => f.type === "error" && f.data?.code === "rate_limited");
    assert.ok(
      limited.length >= 1,
      `before the 1008 close the client should get rate_limited errors for the refused frames; it got ${JSON.stringify(client.frames)}`,
    );
  });

  it("never limits a client that stays under messagesPerSecond", async () => {
    const client = await connect("polite");
    // 5/s allowed: one frame every 250 ms is 4/s; 8 frames is more than the burst of 5.
    const count = 8;
    for (let i = 0; i < count; i++) {
      client.send({ type: "ping", id: `n${i}` });
      await sleep(250);
    }
    for (let i = 0; i < count; i++) {
      const r = await client.next((f) => f.id === `n${i}`, 3000, `the reply to polite ping n${i}`);
      assert.equal(r.type, "pong", `polite ping ${i} (4 frames/s against 5/s) should get pong, got ${JSON.stringify(r)}`);
    }
    assert.ok(!client.frames.some((f) => f.type === "error"), `no error expected, got ${JSON.stringify(client.frames)}`);
  });
});

describe("maxConnectionsPerUser", () => {
  const max = 2;
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway({ limits: { maxConnectionsPerUser: max } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const open = async (user: string): Promise<TestClient> => {
    const client = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token(user) }));
    clients.push(client);
    return client;
  };
  const connected = async (user: string, what: string): Promise<TestClient> => {
    const client = await open(user);
    const first = await client.next(() => true, 3000, `the first frame of ${what}`);
    assert.equal(first.type, "connected", `${what} should be accepted, got ${JSON.stringify(first)}`);
    return client;
  };

  it("refuses a user's connection over the limit with an error, then close 4003", async () => {
    for (let i = 1; i <= max; i++) await connected("carol", `carol's connection ${i} of ${max}`);
    const extra = await open("carol");
    const { code } = await extra.waitClosed();
    assert.equal(code, 4003, `connection ${max + 1} of one user should be closed with 4003, got ${code}`);
    const err = extra.frames.find((f) => f.type === "error");
    assert.ok(err, `an error frame should precede the 4003 close, got ${JSON.stringify(extra.frames)}`);
    assert.ok(!extra.frames.some((f) => f.type === "connected"), "the refused connection must not get connected");
  });

  it("does not count other users' connections", async () => {
    for (let i = 1; i <= max; i++) await connected("dave", `dave's connection ${i}`);
    const erin = await connected("erin", "erin's first connection while dave is at the limit");
    assert.equal(erin.ws.readyState, erin.ws.OPEN);
  });

  it("accepts a new connection once one of the user's connections has closed", async () => {
    const first = await connected("frank", "frank's connection 1");
    await connected("frank", "frank's connection 2");
    first.close();
    await first.waitClosed();
    await waitFor(() => gw.server.context.hub.connectionsOf("frank").size < max, 2000, "the hub to forget frank's closed connection");
    const again = await connected("frank", "frank's connection after one closed");
    assert.ok(await again.nothingWithin(100, (f) => f.type === "error"), "the new connection should get no error");
    assert.equal(again.ws.readyState, again.ws.OPEN, "the new connection should stay open");
  });
});

describe("idle timeout (pingIntervalMs, idleTimeoutMs)", () => {
  const limits = { pingIntervalMs: 100, idleTimeoutMs: 400 };
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway({ limits });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  it("pings every socket and keeps a client that answers pings connected past idleTimeoutMs", async () => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("ponger") }));
    clients.push(client);
    let pings = 0;
    client.ws.on("ping", () => (pings += 1));
    await sleep(limits.idleTimeoutMs * 2.5);
    assert.ok(pings >= 3, `the server should ping every ${limits.pingIntervalMs} ms; got ${pings} pings in ${limits.idleTimeoutMs * 2.5} ms`);
    assert.equal(client.ws.readyState, client.ws.OPEN, `a client answering pings should stay open past idleTimeoutMs, closed: ${JSON.stringify(await Promise.race([client.closed, sleep(0)]))}`);
  });

  it("closes with 4008 a client that answers no pings and sends nothing", async () => {
    const started = Date.now();
    const client = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token("silent") }), undefined, { autoPong: false });
    clients.push(client);
    let pings = 0;
    client.ws.on("ping", () => (pings += 1));
    await client.nextOfType("connected");
    const { code } = await client.waitClosed(limits.idleTimeoutMs * 5);
    const elapsed = Date.now() - started;
    assert.equal(code, 4008, `a silent client should be closed with 4008, got ${code}`);
    assert.ok(elapsed >= limits.idleTimeoutMs - 5, `closed after ${elapsed} ms, before idleTimeoutMs (${limits.idleTimeoutMs})`);
    assert.ok(pings >= 1, "the server should have pinged the silent client before closing it");
  });
});

describe("maxSubscriptionsPerConnection", () => {
  const max = 3;
  let gw: TestGateway;
  let client: TestClient | undefined;
  before(async () => {
    gw = await startTestGateway({ limits: { maxSubscriptionsPerConnection: max } });
  });
  after(async () => {
    client?.close();
    await gw.close();
  });

  it("refuses the subscription over the limit with subscription_failed and keeps the socket open", async () => {
    const token = await gw.token("subber", { claims: { channels: ["room:*"] } });
    const c = await connectChannels(gw.wsUrl("/ws", { token }));
    client = c.client;
    // The connection already holds its auto-subscribed channels (user:subber and broadcast).
    const held = Object.keys(c.connected.data.subscriptions as object).length;
    assert.ok(held < max, "test bug: the auto-subscriptions already fill the limit");
    for (let i = 1; i <= max - held; i++) {
      const r = await client.request("subscribe", { channel: `room:${i}` });
      assert.equal(r.type, "subscribed", `subscription ${held + i} of ${max} should succeed, got ${JSON.stringify(r)}`);
    }
    const over = await client.request("subscribe", { channel: "room:over" });
    assert.equal(over.type, "error", `subscription ${max + 1} of ${max} should be refused, got ${JSON.stringify(over)}`);
    assert.equal(over.data.code, "subscription_failed", `expected subscription_failed, got ${JSON.stringify(over.data)}`);
    const pong = await client.request("ping");
    assert.equal(pong.type, "pong", "the socket should keep working after a refused subscription");
    assert.equal(client.ws.readyState, client.ws.OPEN);
    // A freed slot can be used again.
    assert.equal((await client.request("unsubscribe", { channel: "room:1" })).type, "unsubscribed");
    const again = await client.request("subscribe", { channel: "room:over" });
    assert.equal(again.type, "subscribed", `after an unsubscribe the slot should be free again, got ${JSON.stringify(again)}`);
  });
});

describe("slow consumer (maxBufferedBytes)", () => {
  const count = 200;
  const pad = "x".repeat(32 * 1024);
  const feed = "public:feed";
  const userCh = "user:slow";
  let gw: TestGateway;
  let slow: TestClient;
  let healthy: TestClient;
  let slowToken: string;
  /** Positions before anything was published. */
  let start: Record<string, { epoch: string; offset: number }>;
  const clients: TestClient[] = [];

  before(async () => {
    gw = await startTestGateway({ limits: { maxBufferedBytes: 65536 }, history: { size: 1000, ttlMs: 60_000 } });
    slowToken = await gw.token("slow");
    const s = await connectChannels(gw.wsUrl("/ws", { token: slowToken }));
    slow = s.client;
    const h = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("healthy") }));
    healthy = h.client;
    clients.push(slow, healthy);
    const subSlow = await slow.request("subscribe", { channel: feed });
    const subHealthy = await healthy.request("subscribe", { channel: feed });
    assert.equal(subSlow.type, "subscribed");
    assert.equal(subHealthy.type, "subscribed");
    start = {
      [userCh]: s.connected.data.subscriptions[userCh],
      [feed]: { epoch: subSlow.data.epoch, offset: subSlow.data.offset },
    };
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  // The tests below are one scenario, run in order.

  it("drops a client that stops reading from the hub once its send buffer passes maxBufferedBytes", async () => {
    tcpOf(slow).pause();
    for (let i = 1; i <= count; i++) {
      await Promise.all([gw.publish(userCh, { i, pad }, "big"), gw.publish(feed, { i, pad }, "big")]);
    }
    const hub = gw.server.context.hub;
    await waitFor(() => hub.connectionsOf("slow").size === 0, 2000, "the hub to drop the slow consumer");
    assert.equal(hub.connectionCount, 1, `only the healthy connection should remain in the hub, got ${hub.connectionCount}`);
  });

  it("closes with 1013 a client that stops reading, after the frames that were queued", async () => {
    tcpOf(slow).resume();
    const { code } = await slow.waitClosed(5000);
    assert.equal(code, 1013, `a slow consumer should be closed with 1013, got ${code}`);
    for (const ch of [userCh, feed]) {
      const got = slow.frames.filter(isPublicationOn(ch)).map((f) => f.offset as number);
      const want = got.map((_, k) => start[ch]!.offset + 1 + k);
      assert.deepEqual(got, want, `before the close, ${ch} should deliver a gap-free prefix of offsets`);
      assert.ok(got.length < count, `the slow client was not cut off on ${ch}: it received all ${count} publications`);
    }
  });

  it("keeps delivering every publication to a healthy client meanwhile", async () => {
    const pubs = await takePublications(healthy, feed, count, 5000);
    assert.deepEqual(
      pubs.map((f) => f.offset as number),
      pubs.map((_, k) => start[feed]!.offset + 1 + k),
      "the healthy client should get every offset once, in order",
    );
    assert.deepEqual(pubs.map((f) => f.data.i as number), pubs.map((_, k) => k + 1), "the healthy client got the wrong data");
    assert.equal(healthy.ws.readyState, healthy.ws.OPEN, "the healthy client must stay connected");
  });

  it("lets the slow client reconnect and recover every missed publication exactly once, in order", async () => {
    const processed: Record<string, Frame[]> = {
      [userCh]: slow.frames.filter(isPublicationOn(userCh)),
      [feed]: slow.frames.filter(isPublicationOn(feed)),
    };
    const { client, connected } = await connectChannels(gw.wsUrl("/ws", { token: slowToken }));
    clients.push(client);
    assert.equal(connected.data.subscriptions[userCh].epoch, start[userCh]!.epoch, "the user channel's epoch should not change");

    for (const ch of [userCh, feed]) {
      const last = processed[ch]!.at(-1);
      const from = { epoch: start[ch]!.epoch, offset: last ? (last.offset as number) : start[ch]!.offset };
      const sub = await client.request("subscribe", { channel: ch, recover: from });
      assert.equal(sub.type, "subscribed", `recovering ${ch} failed: ${JSON.stringify(sub)}`);
      assert.equal(sub.data.recovered, true, `recovering ${ch} from ${from.offset} should be complete, got ${JSON.stringify(sub.data)}`);
      const missed = count - (from.offset - start[ch]!.offset);
      processed[ch]!.push(...(await takePublications(client, ch, missed, 5000)));
    }
    for (const ch of [userCh, feed]) {
      const offsets = processed[ch]!.map((f) => f.offset as number);
      const want = Array.from({ length: count }, (_, k) => start[ch]!.offset + 1 + k);
      assert.deepEqual(offsets, want, `${ch}: after recovery the client should hold every offset exactly once, in order`);
      assert.deepEqual(processed[ch]!.map((f) => f.data.i as number), want.map((_, k) => k + 1), `${ch}: wrong data after recovery`);
    }
    assert.ok(await client.nothingWithin(200, (f) => f.channel === userCh || f.channel === feed), "no publication may be delivered twice after the recovery");
  });
});
