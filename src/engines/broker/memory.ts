import { randomBytes } from "node:crypto";
import type { ChannelName, ClientInfo, ConnectionId, Publication, PublishInput } from "../../core/types.js";
import type {
  Broker,
  BrokerEvents,
  BrokerHistoryOptions,
  Counters,
  HistoryQuery,
  HistoryResult,
  Presence,
} from "./broker.js";

interface ChannelState {
  epoch: string;
  offset: number;
  /** Ascending by offset; trimmed to size and age. */
  pubs: Publication[];
  touchedAt: number;
}

const EMPTY_CHANNEL_TTL_MS = 60_000;
const newEpoch = (): string => randomBytes(6).toString("base64url");

/** Presence kept in process memory. */
class MemoryPresence implements Presence {
  private readonly channels = new Map<ChannelName, Map<ConnectionId, { info: ClientInfo; expiresAt: number }>>();

  add(channel: ChannelName, id: ConnectionId, info: ClientInfo, ttlMs: number): Promise<void> {
    let entries = this.channels.get(channel);
    if (!entries) this.channels.set(channel, (entries = new Map()));
    entries.set(id, { info, expiresAt: Date.now() + ttlMs });
    return Promise.resolve();
  }

  remove(channel: ChannelName, id: ConnectionId): Promise<void> {
    const entries = this.channels.get(channel);
    if (entries?.delete(id) && entries.size === 0) this.channels.delete(channel);
    return Promise.resolve();
  }

  list(channel: ChannelName): Promise<ReadonlyMap<ConnectionId, ClientInfo>> {
    const out = new Map<ConnectionId, ClientInfo>();
    const now = Date.now();
    for (const [id, e] of this.channels.get(channel) ?? []) if (e.expiresAt > now) out.set(id, e.info);
    return Promise.resolve(out);
  }

  async stats(channel: ChannelName): Promise<{ connections: number; users: number }> {
    const list = await this.list(channel);
    return { connections: list.size, users: new Set([...list.values()].map((c) => c.user_id)).size };
  }

  /** Drops expired entries. */
  sweep(now: number): void {
    for (const [channel, entries] of this.channels) {
      for (const [id, e] of entries) if (e.expiresAt <= now) entries.delete(id);
      if (entries.size === 0) this.channels.delete(channel);
    }
  }
}

/** Fixed-window counters kept in process memory. */
class MemoryCounters implements Counters {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  increment(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) this.windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
    w.count += 1;
    return Promise.resolve(w.count);
  }

  sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

/**
 * The single-process broker: the same contract as the Redis broker, in memory. Its history dies with the
 * process; channels get new epochs after a restart, so recovering clients are told history is gone.
 */
export class MemoryBroker implements Broker {
  readonly presence = new MemoryPresence();
  readonly counters = new MemoryCounters();
  private readonly channels = new Map<ChannelName, ChannelState>();
  private readonly subscribed = new Set<ChannelName>();
  private events: BrokerEvents | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BrokerHistoryOptions) {}

  start(events: BrokerEvents): Promise<void> {
    this.events = events;
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.min(30_000, this.opts.ttlMs)).unref();
    return Promise.resolve();
  }

  subscribe(channels: readonly ChannelName[]): Promise<void> {
    for (const c of channels) this.subscribed.add(c);
    return Promise.resolve();
  }

  unsubscribe(channels: readonly ChannelName[]): Promise<void> {
    for (const c of channels) this.subscribed.delete(c);
    return Promise.resolve();
  }

  publish(channel: ChannelName, input: PublishInput): Promise<Publication> {
    const now = Date.now();
    const state = this.state(channel, now);
    state.offset += 1;
    const pub: Publication = { channel, epoch: state.epoch, offset: state.offset, time: now, ...input };
    if (this.opts.size > 0) {
      state.pubs.push(pub);
      this.trim(state, now);
    }
    if (this.subscribed.has(channel)) this.events?.publication(pub);
    return Promise.resolve(pub);
  }

  history(channel: ChannelName, query: HistoryQuery): Promise<HistoryResult> {
    const now = Date.now();
    const state = this.state(channel, now);
    this.trim(state, now);
    const position = { epoch: state.epoch, offset: state.offset };
    const { since, limit } = query;
    let pubs: Publication[];
    let complete = true;
    if (since) {
      const sameEpoch = since.epoch === state.epoch;
      const after = sameEpoch ? since.offset : 0;
      pubs = state.pubs.filter((p) => p.offset > after);
      const firstKept = state.pubs[0]?.offset ?? state.offset + 1;
      complete = sameEpoch && since.offset <= state.offset && firstKept <= since.offset + 1;
      if (limit !== undefined) pubs = pubs.slice(0, limit);
    } else {
      pubs = limit === undefined ? state.pubs.slice() : limit === 0 ? [] : state.pubs.slice(-limit);
    }
    return Promise.resolve({ publications: pubs, position, complete });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.subscribed.clear();
    return Promise.resolve();
  }

  private state(channel: ChannelName, now: number): ChannelState {
    let s = this.channels.get(channel);
    if (!s) this.channels.set(channel, (s = { epoch: newEpoch(), offset: 0, pubs: [], touchedAt: now }));
    s.touchedAt = now;
    return s;
  }

  private trim(state: ChannelState, now: number): void {
    const { pubs } = state;
    let drop = Math.max(0, pubs.length - this.opts.size);
    const oldest = now - this.opts.ttlMs;
    while (drop < pubs.length && pubs[drop]!.time <= oldest) drop += 1;
    if (drop > 0) pubs.splice(0, drop);
  }

  private sweep(now: number): void {
    for (const [channel, state] of this.channels) {
      this.trim(state, now);
      // A channel that never had a publication is forgotten soon, so reads of random names cost nothing lasting.
      const keepMs = state.offset === 0 ? EMPTY_CHANNEL_TTL_MS : this.opts.metaTtlMs;
      if (state.pubs.length === 0 && now - state.touchedAt > keepMs && !this.subscribed.has(channel)) {
        this.channels.delete(channel);
      }
    }
    this.presence.sweep(now);
    this.counters.sweep(now);
  }
}
