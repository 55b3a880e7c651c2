import type { DisconnectReason } from "./disconnect.js";
import type { GatewayError } from "./errors.js";
import { TokenBucket } from "./limits.js";
import type { LimitOptions } from "./options.js";
import type { ChannelName, ConnectionId, Principal, Publication, StreamPosition, UserId } from "./types.js";

/**
 * A text frame sent to many sockets (one publication, one dialect encoding). Transports may keep their
 * wire form of it in `wire`, so the bytes are framed once per publication, not once per socket.
 */
export class SharedFrame {
  /** Transport-specific wire bytes, filled by the first transport that sends this frame. */
  wire: Buffer | undefined;
  constructor(readonly data: Buffer) {}
}

/** The socket under a connection (a WebSocket, later an SSE response). */
export interface Transport {
  send(data: string | Buffer): void;
  /** Sends a frame shared by many sockets, reusing its cached wire form. */
  sendShared(frame: SharedFrame): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
  /** Protocol-level ping, if the transport has one. */
  ping(): void;
}

/** Encodes publications for one dialect. `key` names the encoding so the hub encodes once per key. */
export interface PublicationCodec {
  readonly key: string;
  /** Returns the frame to send, or undefined to skip this publication for this dialect. */
  encode(pub: Publication): string | Buffer | undefined;
}

/** What the dialect supplies for one connection: its codec and how it says goodbye. */
export interface ConnectionOwner {
  readonly codec: PublicationCodec;
  /** Sends the dialect's error frame for `err` (before a disconnect, or alone). */
  reportError(err: GatewayError): void;
  /** Sends the dialect's goodbye frame, if any, and returns the close code and reason for `reason`. */
  goodbye(reason: DisconnectReason): { code: number; reason: string };
  /** The token expired: ask the client for a new one (e.g. `auth_required`). */
  tokenExpired?(expiredAt: number): void;
  /**
   * The connection has closed, from either side (`normal` when the client went away). Called once, after
   * the hub dropped the connection; release per-connection work here (e.g. cancel in-flight streams).
   */
  closed?(reason: DisconnectReason): void;
}

/** One channel of one connection. */
export interface Subscription {
  readonly connection: Connection;
  readonly channel: ChannelName;
  /** Live publications wait here while the subscription is being set up; null once live. */
  buffer: Publication[] | null;
  epoch: string;
  /** Offset of the last publication delivered (or the start position). */
  lastOffset: number;
  /** Offset at which this subscription started delivering live publications. */
  startOffset: number;
}

let counter = 0;
const nodeTag = Math.random().toString(36).slice(2, 8);
const nextId = (): ConnectionId => `c_${nodeTag}${(++counter).toString(36)}`;

/**
 * One socket, one principal (once authenticated), its subscriptions, rate limiter and timers' state.
 * Sending is bounded: past `maxBufferedBytes` queued, the connection is closed as a slow consumer.
 */
export class Connection {
  readonly id: ConnectionId = nextId();
  readonly openedAt = Date.now();
  principal: Principal | undefined;
  readonly subscriptions = new Map<ChannelName, Subscription>();
  /** Set by the hub's ticker and frame handling. */
  lastReceivedAt = this.openedAt;
  lastPingAt = this.openedAt;
  /** When the token-expiry grace ends, once `tokenExpired` was signalled. */
  expiryDeadline: number | undefined;
  private readonly bucket: TokenBucket;
  private strikes = 0;
  private closedReason: DisconnectReason | undefined;
  private readonly onClosed: (c: Connection) => void;

  constructor(
    readonly dialect: string,
    readonly transport: Transport,
    readonly owner: ConnectionOwner,
    private readonly limits: LimitOptions,
    onClosed: (c: Connection) => void,
  ) {
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, this.openedAt);
    this.onClosed = onClosed;
  }

  /** The user id, or undefined before authentication. */
  get userId(): UserId | undefined {
    return this.principal?.userId;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Why the connection closed (`normal` when the client went away), or undefined while open. */
  get closeReason(): DisconnectReason | undefined {
    return this.closedReason;
  }

  /** Queues a frame; closes the connection as slow when its send buffer is over the bound. */
  send(data: string | Buffer): void {
    if (this.canSend()) this.transport.send(data);
  }

  /** Like {@link Connection.send}, for a frame shared by many connections (fan-out). */
  sendShared(frame: SharedFrame): void {
    if (this.canSend()) this.transport.sendShared(frame);
  }

  /** False when closed; closes as a slow consumer when the send buffer is over its bound. */
  private canSend(): boolean {
    if (this.closedReason) return false;
    if (this.transport.bufferedAmount <= this.limits.maxBufferedBytes) return true;
    this.disconnect("slow");
    return false;
  }

  /** Sends a publication in this connection's dialect (not cached; for replays). */
  sendPublication(pub: Publication): void {
    const frame = this.owner.codec.encode(pub);
    if (frame !== undefined) this.send(frame);
  }

  /**
   * Counts an inbound frame against the rate limit. Returns 0 if allowed, else seconds to wait; after
   * `rateLimitStrikes` refusals in a row the connection is closed (`rateLimited`).
   */
  admitFrame(now = Date.now()): number {
    this.lastReceivedAt = now;
    const wait = this.bucket.take(now);
    if (wait === 0) {
      this.strikes = 0;
      return 0;
    }
    this.strikes += 1;
    if (this.strikes >= this.limits.rateLimitStrikes) this.disconnect("rateLimited");
    return wait;
  }

  /** Reports `err` in the dialect's shape, then disconnects if the error says so. */
  fail(err: GatewayError): void {
    if (this.closedReason) return;
    this.owner.reportError(err);
    if (err.disconnect) this.disconnect(err.disconnect);
  }

  /** Says the dialect's goodbye and closes with the dialect's code for `reason`. Idempotent. */
  disconnect(reason: DisconnectReason): void {
    if (this.closedReason) return;
    let close = { code: 1011, reason: "internal error" };
    try {
      close = this.owner.goodbye(reason);
    } finally {
      this.closedReason = reason;
      this.transport.close(close.code, close.reason);
      this.onClosed(this);
      this.owner.closed?.(reason);
    }
  }

  /** The transport closed on its own (client went away). */
  markClosed(): void {
    if (this.closedReason) return;
    this.closedReason = "normal";
    this.onClosed(this);
    this.owner.closed?.("normal");
  }

  /** The position each subscription has delivered up to (what a client would recover from). */
  positions(): Record<ChannelName, StreamPosition> {
    const out: Record<ChannelName, StreamPosition> = {};
    for (const [ch, s] of this.subscriptions) out[ch] = { epoch: s.epoch, offset: s.lastOffset };
    return out;
  }
}
