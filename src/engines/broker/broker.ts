import type { ChannelName, ClientInfo, ConnectionId, Publication, PublishInput, StreamPosition } from "../../core/types.js";

/** A history read. */
export interface HistoryQuery {
  /** Only publications after this position. */
  since?: StreamPosition | undefined;
  /** At most this many: the oldest after `since`, or the newest when `since` is absent. */
  limit?: number | undefined;
}

/** What a history read returns. */
export interface HistoryResult {
  /** Ascending by offset. */
  publications: Publication[];
  /** The channel's current position. */
  position: StreamPosition;
  /**
   * False when `since` was given and the history no longer reaches back to it (trimmed, expired, or the
   * epoch changed), so some publications after `since` are gone. True otherwise.
   */
  complete: boolean;
}

/** Read side of history; the REST history route needs only this. */
export interface History {
  history(channel: ChannelName, query: HistoryQuery): Promise<HistoryResult>;
}

/** Who is in a channel. Entries expire unless refreshed, so a dead node's users vanish. */
export interface Presence {
  add(channel: ChannelName, id: ConnectionId, info: ClientInfo, ttlMs: number): Promise<void>;
  remove(channel: ChannelName, id: ConnectionId): Promise<void>;
  list(channel: ChannelName): Promise<ReadonlyMap<ConnectionId, ClientInfo>>;
  stats(channel: ChannelName): Promise<{ connections: number; users: number }>;
}

/** Shared fixed-window counters (cluster-wide rate limits and quotas). */
export interface Counters {
  /** Adds one to `key` in the current window of `windowMs` and returns the new count. */
  increment(key: string, windowMs: number): Promise<number>;
}

/** Callbacks from the broker to its node; the broker never imports the hub. */
export interface BrokerEvents {
  /** A publication on a channel this node subscribed to, in offset order per channel. */
  publication(pub: Publication): void;
}

/**
 * Node-to-node pub/sub with history. `publish` appends to history and fans out as one step per channel,
 * so offsets are gap-free and every node sees a channel's publications in offset order.
 */
export interface Broker extends History {
  readonly presence: Presence;
  readonly counters: Counters;
  /** Connects; publications for subscribed channels are delivered to `events`. */
  start(events: BrokerEvents): Promise<void>;
  /** Node-level subscribe (the hub keeps per-connection ref-counts). */
  subscribe(channels: readonly ChannelName[]): Promise<void>;
  unsubscribe(channels: readonly ChannelName[]): Promise<void>;
  /** Appends to the channel's history and delivers to every subscribed node. */
  publish(channel: ChannelName, input: PublishInput): Promise<Publication>;
  /** Resolves when the broker is reachable (for `/readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** History bounds a broker applies to every channel. */
export interface BrokerHistoryOptions {
  /** Publications kept per channel. */
  size: number;
  /** Age after which a publication leaves history. */
  ttlMs: number;
  /** How long an idle channel's epoch and offset are remembered. */
  metaTtlMs: number;
}
