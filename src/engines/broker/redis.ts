import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { ChannelName, ClientInfo, ConnectionId, Publication, PublishInput, StreamPosition } from "../../core/types.js";
import type {
  Broker,
  BrokerEvents,
  BrokerHistoryOptions,
  Counters,
  HistoryQuery,
  HistoryResult,
  Presence,
} from "./broker.js";
import { HISTORY_LUA, INCREMENT_LUA, PRESENCE_ADD_LUA, PRESENCE_LIST_LUA, PUBLISH_LUA } from "./redis-scripts.js";

/** Where the Redis broker connects and how it names its keys. */
export interface RedisBrokerOptions {
  /** e.g. `redis://127.0.0.1:6379`, `rediss://user:pass@host:6380/2`. */
  url: string;
  /** Prefix of every key and pub/sub channel, so several deployments (or test runs) share one Redis. */
  keyPrefix: string;
  /** Connection errors (Redis down, reconnecting); the connections retry on their own. */
  onError?: ((err: Error) => void) | undefined;
}

type Reply = string | number | null;

/** The scripts, as ioredis defines them on a connection. */
interface ScriptCommands {
  lgPublish(meta: string, stream: string, ...args: (string | number)[]): Promise<[string, number, number]>;
  lgHistory(meta: string, stream: string, ...args: (string | number)[]): Promise<Reply[]>;
  lgPresenceAdd(hash: string, zset: string, id: string, info: string, ttlMs: number): Promise<number>;
  lgPresenceList(hash: string, zset: string): Promise<string[]>;
  lgIncrement(key: string, windowMs: number): Promise<number>;
}
type ScriptedRedis = Redis & ScriptCommands;

const newEpoch = (): string => randomBytes(6).toString("base64url");

/** The stored part of a publication (the rest is its position, channel and time). */
interface Payload {
  type: string;
  data: unknown;
  publisher?: string;
}

function encodePayload(input: PublishInput): string {
  const p: Payload = { type: input.type, data: input.data };
  if (input.publisher !== undefined) p.publisher = input.publisher;
  return JSON.stringify(p);
}

function toPublication(channel: ChannelName, epoch: string, offset: number, time: number, payload: string): Publication {
  const p = JSON.parse(payload) as Payload;
  const pub: Publication = { channel, epoch, offset, time, type: p.type, data: p.data };
  if (p.publisher !== undefined) pub.publisher = p.publisher;
  return pub;
}

/** Key names; the kind comes first, so any channel name (colons included) maps to distinct keys. */
class Keys {
  constructor(private readonly prefix: string) {}
  meta = (c: ChannelName) => `${this.prefix}m:${c}`;
  stream = (c: ChannelName) => `${this.prefix}s:${c}`;
  presenceHash = (c: ChannelName) => `${this.prefix}ph:${c}`;
  presenceZset = (c: ChannelName) => `${this.prefix}pz:${c}`;
  counter = (k: string) => `${this.prefix}n:${k}`;
  /** Pub/sub channel of a livegate channel. */
  feed = (c: ChannelName) => `${this.prefix}c:${c}`;
  /** The livegate channel of a pub/sub channel, or undefined if it is not ours. */
  channelOf = (feed: string) => (feed.startsWith(`${this.prefix}c:`) ? feed.slice(this.prefix.length + 2) : undefined);
}

/** Presence in Redis: a hash of entries and a sorted set of their expiry times, per channel. */
class RedisPresence implements Presence {
  constructor(
    private readonly redis: ScriptedRedis,
    private readonly keys: Keys,
  ) {}

  async add(channel: ChannelName, id: ConnectionId, info: ClientInfo, ttlMs: number): Promise<void> {
    await this.redis.lgPresenceAdd(this.keys.presenceHash(channel), this.keys.presenceZset(channel), id, JSON.stringify(info), ttlMs);
  }

  async remove(channel: ChannelName, id: ConnectionId): Promise<void> {
    await this.redis.multi().hdel(this.keys.presenceHash(channel), id).zrem(this.keys.presenceZset(channel), id).exec();
  }

  async list(channel: ChannelName): Promise<ReadonlyMap<ConnectionId, ClientInfo>> {
    const flat = await this.redis.lgPresenceList(this.keys.presenceHash(channel), this.keys.presenceZset(channel));
    const out = new Map<ConnectionId, ClientInfo>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, JSON.parse(flat[i + 1]!) as ClientInfo);
    return out;
  }

  async stats(channel: ChannelName): Promise<{ connections: number; users: number }> {
    const list = await this.list(channel);
    return { connections: list.size, users: new Set([...list.values()].map((c) => c.user_id)).size };
  }
}

/** Fixed-window counters in Redis, shared by every node. */
class RedisCounters implements Counters {
  constructor(
    private readonly redis: ScriptedRedis,
    private readonly keys: Keys,
  ) {}

  increment(key: string, windowMs: number): Promise<number> {
    return this.redis.lgIncrement(this.keys.counter(key), windowMs);
  }
}

/**
 * The cluster broker: history in Redis Streams, publish as one Lua script (offset, append, trim, expiry and
 * PUBLISH in one atomic step), node subscriptions on a dedicated pub/sub connection, presence with per-entry
 * expiry, and shared counters. Every node on the same Redis and key prefix shares channels, history,
 * presence and counters. See docs/decisions.md.
 */
export class RedisBroker implements Broker {
  readonly presence: RedisPresence;
  readonly counters: RedisCounters;
  private readonly redis: ScriptedRedis;
  private readonly sub: Redis;
  private readonly keys: Keys;
  private readonly subscribed = new Set<ChannelName>();
  /** Last position delivered per subscribed channel, to see gaps. */
  private readonly delivered = new Map<ChannelName, StreamPosition>();
  /** Channels whose gap is being filled from history; live publications wait here meanwhile. */
  private readonly filling = new Map<ChannelName, Publication[]>();
  private events: BrokerEvents | undefined;
  private lastError: Error | undefined;
  private started = false;

  constructor(
    private readonly history_: BrokerHistoryOptions,
    opts: RedisBrokerOptions,
  ) {
    // No retries until started: a first connection that fails ends at once (start() reports it); after
    // that, lost connections retry with a backoff up to 2 s.
    const common = {
      lazyConnect: true,
      retryStrategy: (times: number) => (this.started ? Math.min(times * 100, 2000) : null),
    };
    // Named in CLIENT LIST as livegate:<prefix> and livegate-sub:<prefix>.
    const name = opts.keyPrefix.replace(/[^\w:.-]/g, "_");
    this.redis = new Redis(opts.url, { ...common, connectionName: `livegate:${name}`, maxRetriesPerRequest: 2 }) as ScriptedRedis;
    this.sub = new Redis(opts.url, { ...common, connectionName: `livegate-sub:${name}` });
    const onError = (err: Error) => {
      this.lastError = err;
      opts.onError?.(err);
    };
    this.redis.on("error", onError);
    this.sub.on("error", onError);
    this.redis.defineCommand("lgPublish", { numberOfKeys: 2, lua: PUBLISH_LUA });
    this.redis.defineCommand("lgHistory", { numberOfKeys: 2, lua: HISTORY_LUA });
    this.redis.defineCommand("lgPresenceAdd", { numberOfKeys: 2, lua: PRESENCE_ADD_LUA });
    this.redis.defineCommand("lgPresenceList", { numberOfKeys: 2, lua: PRESENCE_LIST_LUA });
    this.redis.defineCommand("lgIncrement", { numberOfKeys: 1, lua: INCREMENT_LUA });
    this.keys = new Keys(opts.keyPrefix);
    this.presence = new RedisPresence(this.redis, this.keys);
    this.counters = new RedisCounters(this.redis, this.keys);
    this.sub.on("messageBuffer", (feed: Buffer, message: Buffer) => this.receive(feed.toString(), message.toString()));
    // After a reconnect (ioredis resubscribes), fill in what was published while the subscriber was away.
    this.sub.on("ready", () => {
      if (this.started) void this.catchUp();
    });
  }

  async start(events: BrokerEvents): Promise<void> {
    this.events = events;
    // Both attempts settle before giving up, so neither is left retrying in the background.
    const results = await Promise.allSettled([this.redis.connect(), this.sub.connect()]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) {
      drop(this.redis);
      drop(this.sub);
      const cause: unknown = this.lastError ?? failed.reason;
      throw new Error(`cannot connect to Redis: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    this.started = true;
  }

  async subscribe(channels: readonly ChannelName[]): Promise<void> {
    if (channels.length === 0) return;
    for (const c of channels) this.subscribed.add(c);
    await this.sub.subscribe(...channels.map(this.keys.feed));
  }

  async unsubscribe(channels: readonly ChannelName[]): Promise<void> {
    if (channels.length === 0) return;
    for (const c of channels) {
      this.subscribed.delete(c);
      this.delivered.delete(c);
      this.filling.delete(c);
    }
    await this.sub.unsubscribe(...channels.map(this.keys.feed));
  }

  async publish(channel: ChannelName, input: PublishInput): Promise<Publication> {
    const payload = encodePayload(input);
    const { size, ttlMs, metaTtlMs } = this.history_;
    const [epoch, offset, time] = await this.redis.lgPublish(
      this.keys.meta(channel),
      this.keys.stream(channel),
      newEpoch(),
      size,
      ttlMs,
      metaTtlMs,
      payload,
      this.keys.feed(channel),
    );
    return toPublication(channel, epoch, offset, time, payload);
  }

  async history(channel: ChannelName, query: HistoryQuery): Promise<HistoryResult> {
    const { size, ttlMs, metaTtlMs } = this.history_;
    const { since, limit } = query;
    const reply = await this.redis.lgHistory(
      this.keys.meta(channel),
      this.keys.stream(channel),
      newEpoch(),
      size,
      ttlMs,
      metaTtlMs,
      since?.epoch ?? "",
      since?.offset ?? 0,
      limit ?? -1,
    );
    const epoch = String(reply[0]);
    const publications: Publication[] = [];
    for (let i = 3; i + 2 < reply.length; i += 3) {
      publications.push(toPublication(channel, epoch, Number(reply[i]), Number(reply[i + 1]), String(reply[i + 2])));
    }
    return { publications, position: { epoch, offset: Number(reply[1]) }, complete: reply[2] === 1 };
  }

  async ping(): Promise<void> {
    if (this.redis.status !== "ready" || this.sub.status !== "ready") throw new Error(`Redis is ${this.redis.status}`);
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.started = false;
    this.subscribed.clear();
    this.delivered.clear();
    this.filling.clear();
    this.events = undefined;
    await Promise.all([quit(this.redis), quit(this.sub)]);
  }

  private receive(feed: string, message: string): void {
    const channel = this.keys.channelOf(feed);
    if (channel === undefined || !this.subscribed.has(channel)) return;
    // epoch \n offset \n time \n payload
    const a = message.indexOf("\n");
    const b = message.indexOf("\n", a + 1);
    const c = message.indexOf("\n", b + 1);
    if (a < 0 || b < 0 || c < 0) return;
    const pub = toPublication(channel, message.slice(0, a), Number(message.slice(a + 1, b)), Number(message.slice(b + 1, c)), message.slice(c + 1));
    const waiting = this.filling.get(channel);
    if (waiting) {
      waiting.push(pub);
      return;
    }
    const last = this.delivered.get(channel);
    if (last && pub.epoch === last.epoch && pub.offset > last.offset + 1) {
      // Publications were missed (the subscriber connection dropped): fetch them before this one.
      void this.fill(channel, last, [pub]);
      return;
    }
    this.deliver(pub);
  }

  /** Hands a publication to the node once, in offset order per channel. */
  private deliver(pub: Publication): void {
    if (!this.subscribed.has(pub.channel) || !this.events) return;
    const last = this.delivered.get(pub.channel);
    if (last && pub.epoch === last.epoch && pub.offset <= last.offset) return;
    this.delivered.set(pub.channel, { epoch: pub.epoch, offset: pub.offset });
    this.events.publication(pub);
  }

  /** Delivers what history has after `from`, then the publications that arrived meanwhile. */
  private async fill(channel: ChannelName, from: StreamPosition, waiting: Publication[]): Promise<void> {
    this.filling.set(channel, waiting);
    try {
      const res = await this.history(channel, { since: from });
      if (this.filling.get(channel) !== waiting) return; // unsubscribed meanwhile
      for (const pub of res.publications) this.deliver(pub);
    } catch {
      // Redis is unreachable again: deliver what arrived; the gap stays, and clients recover from history.
    } finally {
      if (this.filling.get(channel) === waiting) {
        this.filling.delete(channel);
        for (const pub of waiting) this.deliver(pub);
      }
    }
  }

  /** After the subscriber reconnected: fills every subscribed channel from its last delivered position. */
  private async catchUp(): Promise<void> {
    try {
      await this.sub.ping(); // resubscription done: nothing published from here on is missed
    } catch {
      return;
    }
    for (const [channel, last] of this.delivered) if (!this.filling.has(channel)) void this.fill(channel, last, []);
  }

}

/** Quits politely when connected, otherwise drops the connection, so no handle keeps the process alive. */
async function quit(conn: Redis): Promise<void> {
  if (conn.status === "ready") {
    try {
      await conn.quit();
      return;
    } catch {
      // fall through
    }
  }
  drop(conn);
}

/** Drops a connection; one that already ended is left alone (ioredis would arm a 2 s timer for nothing). */
function drop(conn: Redis): void {
  if (conn.status !== "end") conn.disconnect();
}
