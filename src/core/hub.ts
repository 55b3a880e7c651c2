import type { Logger } from "pino";
import type { Broker } from "../engines/broker/broker.js";
import { BROADCAST_CHANNEL } from "./channel.js";
import { Connection, SharedFrame, type ConnectionOwner, type Subscription, type Transport } from "./connection.js";
import type { DisconnectReason } from "./disconnect.js";
import { GatewayError } from "./errors.js";
import type { Metrics } from "./metrics.js";
import type { GatewayOptions } from "./options.js";
import { mergeRecovered } from "./recovery.js";
import type { ChannelName, ConnectionId, Principal, Publication, StreamPosition, UserId } from "./types.js";

/** A subscription being set up: reply to the client, then call {@link Hub.activate}. */
export interface PendingSubscription {
  readonly subscription: Subscription;
  /** The channel's position when the subscription was set up. */
  readonly position: StreamPosition;
  /** Set when recovery was asked: whether nothing was lost. */
  readonly recovered: boolean | undefined;
  /** Publications to deliver before live ones. */
  readonly replay: readonly Publication[];
  /** True when the connection already had this channel. */
  readonly existing: boolean;
}

/** Wraps an encoding for fan-out; undefined means the dialect skips the publication. */
const shared = (data: string | Buffer | undefined): SharedFrame | undefined =>
  data === undefined ? undefined : new SharedFrame(typeof data === "string" ? Buffer.from(data) : data);

/** How often a paced replay checks whether the socket has drained. */
const DRAIN_POLL_MS = 5;

/** Live publications buffered for one setting-up subscription, at most; past it the client is too slow. */
const MAX_SETUP_BUFFER = 10_000;

/**
 * Connections by id and by user, channels by name, fan-out from the broker. Transport- and
 * dialect-agnostic: dialects call it, it calls back through each connection's owner.
 */
export class Hub {
  private readonly connections = new Map<ConnectionId, Connection>();
  private readonly users = new Map<UserId, Set<Connection>>();
  private readonly channels = new Map<ChannelName, Set<Subscription>>();
  /** Node-level broker subscriptions, settled or pending, for channels with local subscribers. */
  private readonly nodeSubscriptions = new Map<ChannelName, Promise<void>>();
  private ticker: NodeJS.Timeout | undefined;
  private lastPresenceRefresh = Date.now();
  private readonly onConnectionClosed = (c: Connection): void => this.remove(c);

  constructor(
    private readonly broker: Broker,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Starts the broker feed and the one ticker that drives pings, idle, auth and expiry checks. */
  async start(): Promise<void> {
    await this.broker.start({ publication: (pub) => this.fanOut(pub) });
    const l = this.options.limits;
    const tickMs = Math.max(20, Math.min(1000, l.pingIntervalMs / 4, l.idleTimeoutMs / 4, l.authTimeoutMs / 4, l.tokenExpiryGraceMs / 4));
    this.ticker = setInterval(() => this.tick(Date.now()), tickMs);
    this.ticker.unref();
  }

  /** Stops the ticker; connections are closed by {@link Hub.disconnectAll}. */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  /** Registers a new, not yet authenticated connection. */
  open(dialect: string, transport: Transport, owner: ConnectionOwner): Connection {
    const conn = new Connection(dialect, transport, owner, this.options.limits, this.onConnectionClosed);
    this.connections.set(conn.id, conn);
    this.metrics.connections.inc({ dialect });
    return conn;
  }

  /**
   * Attaches a verified principal. A second call (token refresh) must be for the same user.
   * @throws GatewayError LG_ERR_AUTH_USER_CHANGED, LG_ERR_CONNECTION_LIMIT
   */
  authenticate(conn: Connection, principal: Principal): void {
    if (conn.principal) {
      if (conn.principal.userId !== principal.userId) throw new GatewayError("LG_ERR_AUTH_USER_CHANGED");
      conn.principal = principal;
      conn.expiryDeadline = undefined;
      return;
    }
    let set = this.users.get(principal.userId);
    const max = this.options.limits.maxConnectionsPerUser;
    if (set && set.size >= max) throw new GatewayError("LG_ERR_CONNECTION_LIMIT", { user: principal.userId, max });
    if (!set) this.users.set(principal.userId, (set = new Set()));
    set.add(conn);
    conn.principal = principal;
  }

  /**
   * First half of a subscribe: registers the subscription (live publications are buffered from now on),
   * subscribes the node if needed and reads the position or the history to recover.
   * @throws GatewayError LG_ERR_SUBSCRIPTION_LIMIT; broker errors as LG_ERR_UNAVAILABLE
   */
  async prepareSubscribe(conn: Connection, channel: ChannelName, recover?: StreamPosition): Promise<PendingSubscription> {
    const existing = conn.subscriptions.get(channel);
    if (existing) return this.prepareExisting(existing, recover);
    const max = this.options.limits.maxSubscriptionsPerConnection;
    if (conn.subscriptions.size >= max) throw new GatewayError("LG_ERR_SUBSCRIPTION_LIMIT", { max });

    const sub: Subscription = { connection: conn, channel, buffer: [], epoch: "", lastOffset: 0, startOffset: 0 };
    conn.subscriptions.set(channel, sub);
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(sub);
    try {
      // Every subscriber waits for the node subscription, so none reads history before the feed is live.
      await this.nodeSubscription(channel);
      const res = await this.broker.history(channel, recover ? { since: recover } : { limit: 0 });
      sub.epoch = res.position.epoch;
      sub.startOffset = res.position.offset;
      const after = recover && res.complete ? recover.offset : recover ? 0 : res.position.offset;
      sub.lastOffset = after;
      return {
        subscription: sub,
        position: res.position,
        recovered: recover ? res.complete : undefined,
        replay: res.publications.filter((p) => p.offset > after),
        existing: false,
      };
    } catch (err) {
      this.dropSubscription(sub);
      throw err instanceof GatewayError ? err : new GatewayError("LG_ERR_UNAVAILABLE", { what: "the broker" }, { cause: err });
    }
  }

  /**
   * Second half of a subscribe: delivers the replay and what was buffered meanwhile, once each and in
   * order, then switches the subscription to live. Runs synchronously while the socket keeps up, so
   * nothing can slip in between the reply and the replay; a backlog larger than half the send-buffer
   * bound is paced on the socket draining (live publications keep buffering meanwhile), so a client
   * that recovers a large history is not closed as a slow consumer.
   *
   * `skip` drops publications of the replay and of those buffered before this call that the caller has
   * already covered, e.g. by a state snapshot it sent after `prepareSubscribe`; a skipped publication
   * counts as delivered. Publications that arrive after this call are never skipped.
   */
  activate(pending: PendingSubscription, skip?: (pub: Publication) => boolean): void {
    const sub = pending.subscription;
    if (!this.isCurrent(sub)) return;
    if (pending.existing) {
      // Older publications this connection never had; live ones keep flowing beside them.
      void this.sendPaced(sub, pending.replay, () => undefined, skip);
      return;
    }
    const first = mergeRecovered(pending.replay, sub.buffer ?? [], sub.lastOffset);
    sub.buffer = [];
    void this.drainBacklog(sub, first, skip);
  }

  private isCurrent(sub: Subscription): boolean {
    return !sub.connection.closed && sub.connection.subscriptions.get(sub.channel) === sub;
  }

  /** Sends the backlog, then whatever was buffered while it went out, until none is left; then live. */
  private async drainBacklog(sub: Subscription, first: Publication[], skip: ((pub: Publication) => boolean) | undefined): Promise<void> {
    let batch = first;
    for (;;) {
      const ok = await this.sendPaced(
        sub,
        batch,
        (pub) => {
          sub.lastOffset = pub.offset;
          sub.epoch = pub.epoch;
        },
        batch === first ? skip : undefined,
      );
      if (!ok) return;
      const more = sub.buffer ?? [];
      if (more.length === 0) break;
      sub.buffer = [];
      batch = mergeRecovered([], more, sub.epoch === more[0]?.epoch ? sub.lastOffset : 0);
    }
    sub.buffer = null;
    if (sub.lastOffset < sub.startOffset) sub.lastOffset = sub.startOffset;
    this.addPresence(sub);
  }

  /**
   * Sends `pubs` in order, waiting whenever the socket holds more than half its bound. Synchronous
   * (no await reached) while it keeps up. Resolves false if the subscription ended meanwhile.
   */
  private async sendPaced(
    sub: Subscription,
    pubs: readonly Publication[],
    sent: (p: Publication) => void,
    skip?: (p: Publication) => boolean,
  ): Promise<boolean> {
    const conn = sub.connection;
    const highWater = this.options.limits.maxBufferedBytes / 2;
    for (const pub of pubs) {
      if (skip?.(pub)) {
        sent(pub);
        continue;
      }
      while (conn.transport.bufferedAmount > highWater) {
        await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
        if (!this.isCurrent(sub)) return false;
      }
      if (!this.isCurrent(sub)) return false;
      conn.sendPublication(pub);
      sent(pub);
    }
    return true;
  }

  /** Drops a subscription. Returns false if the connection did not have it. */
  unsubscribe(conn: Connection, channel: ChannelName): boolean {
    const sub = conn.subscriptions.get(channel);
    if (!sub) return false;
    this.dropSubscription(sub);
    return true;
  }

  /** A connection of this node by id. */
  connection(id: ConnectionId): Connection | undefined {
    return this.connections.get(id);
  }

  /** Every open connection of this node. */
  allConnections(): IterableIterator<Connection> {
    return this.connections.values();
  }

  /** Connections of this node with a live or setting-up subscription to `channel`. */
  subscribersOf(channel: ChannelName): Connection[] {
    return [...(this.channels.get(channel) ?? [])].map((s) => s.connection);
  }

  /** Connections of one user on this node. */
  connectionsOf(user: UserId): ReadonlySet<Connection> {
    return this.users.get(user) ?? new Set();
  }

  /** Number of open connections on this node (authenticated or not). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Number of distinct users connected to this node. */
  get userCount(): number {
    return this.users.size;
  }

  /** Closes every connection with `reason` (shutdown). */
  disconnectAll(reason: DisconnectReason): void {
    for (const conn of [...this.connections.values()]) conn.disconnect(reason);
  }

  /** Delivers one publication to every live local subscriber, encoding once per dialect encoding. */
  private fanOut(pub: Publication): void {
    const subs = this.channels.get(pub.channel);
    if (!subs) return;
    let lastKey: string | undefined;
    let lastFrame: SharedFrame | undefined;
    let cache: Map<string, SharedFrame | undefined> | undefined;
    let sent = 0;
    for (const sub of subs) {
      if (sub.buffer) {
        if (sub.buffer.length >= MAX_SETUP_BUFFER) sub.connection.disconnect("slow");
        else sub.buffer.push(pub);
        continue;
      }
      if (pub.epoch === sub.epoch && pub.offset <= sub.lastOffset) continue;
      sub.epoch = pub.epoch;
      sub.lastOffset = pub.offset;
      const codec = sub.connection.owner.codec;
      let frame: SharedFrame | undefined;
      if (codec.key === lastKey) {
        frame = lastFrame;
      } else {
        if (lastKey !== undefined) (cache ??= new Map()).set(lastKey, lastFrame);
        frame = cache?.has(codec.key) ? cache.get(codec.key) : shared(codec.encode(pub));
        lastKey = codec.key;
        lastFrame = frame;
      }
      if (frame !== undefined) {
        sub.connection.sendShared(frame);
        sent += 1;
      }
    }
    this.metrics.messagesSent.inc(sent);
  }

  private prepareExisting(sub: Subscription, recover?: StreamPosition): Promise<PendingSubscription> | PendingSubscription {
    const position = { epoch: sub.epoch, offset: sub.lastOffset };
    if (!recover) return { subscription: sub, position, recovered: undefined, replay: [], existing: true };
    // Only what this connection has not delivered: publications up to where the subscription started.
    return this.broker.history(sub.channel, { since: recover }).then((res) => ({
      subscription: sub,
      position: { epoch: sub.epoch, offset: sub.lastOffset },
      recovered: res.complete,
      replay: res.publications.filter((p) => p.epoch !== sub.epoch || p.offset <= sub.startOffset),
      existing: true,
    }));
  }

  /** Subscribes this node to `channel` once; concurrent callers share the same pending subscribe. */
  private nodeSubscription(channel: ChannelName): Promise<void> {
    let ready = this.nodeSubscriptions.get(channel);
    if (!ready) {
      ready = this.broker.subscribe([channel]);
      this.nodeSubscriptions.set(channel, ready);
      ready.catch(() => {
        if (this.nodeSubscriptions.get(channel) === ready) this.nodeSubscriptions.delete(channel);
      });
    }
    return ready;
  }

  private dropSubscription(sub: Subscription): void {
    const conn = sub.connection;
    if (conn.subscriptions.get(sub.channel) === sub) conn.subscriptions.delete(sub.channel);
    const set = this.channels.get(sub.channel);
    if (!set?.delete(sub)) return;
    if (sub.buffer === null) this.removePresence(sub);
    if (set.size === 0) {
      this.channels.delete(sub.channel);
      this.nodeSubscriptions.delete(sub.channel);
      this.broker.unsubscribe([sub.channel]).catch((err: unknown) => this.log.warn({ err, channel: sub.channel }, "broker unsubscribe failed"));
    }
  }

  /** Broadcast is excluded from presence: listing everyone connected would leak every user id. */
  private tracksPresence(channel: ChannelName): boolean {
    return channel !== BROADCAST_CHANNEL;
  }

  private addPresence(sub: Subscription): void {
    const conn = sub.connection;
    if (!this.tracksPresence(sub.channel) || !conn.userId) return;
    this.broker.presence
      .add(sub.channel, conn.id, { connection_id: conn.id, user_id: conn.userId }, this.options.presenceTtlMs)
      .catch((err: unknown) => this.log.warn({ err, channel: sub.channel }, "presence add failed"));
  }

  private removePresence(sub: Subscription): void {
    if (!this.tracksPresence(sub.channel)) return;
    this.broker.presence
      .remove(sub.channel, sub.connection.id)
      .catch((err: unknown) => this.log.warn({ err, channel: sub.channel }, "presence remove failed"));
  }

  private remove(conn: Connection): void {
    if (!this.connections.delete(conn.id)) return;
    this.metrics.connections.dec({ dialect: conn.dialect });
    const reason = conn.closeReason;
    if (reason && reason !== "normal") this.metrics.disconnects.inc({ reason });
    for (const sub of [...conn.subscriptions.values()]) this.dropSubscription(sub);
    const user = conn.userId;
    if (user) {
      const set = this.users.get(user);
      if (set?.delete(conn) && set.size === 0) this.users.delete(user);
    }
  }

  private tick(now: number): void {
    const l = this.options.limits;
    const refreshPresence = now - this.lastPresenceRefresh >= this.options.presenceTtlMs / 3;
    if (refreshPresence) this.lastPresenceRefresh = now;
    for (const conn of this.connections.values()) {
      if (!conn.principal) {
        if (now - conn.openedAt >= l.authTimeoutMs) conn.fail(new GatewayError("LG_ERR_AUTH_TIMEOUT", { ms: l.authTimeoutMs }));
        continue;
      }
      if (now - conn.lastReceivedAt >= l.idleTimeoutMs) {
        conn.disconnect("idleTimeout");
        continue;
      }
      const expiresAt = conn.principal.expiresAt;
      if (expiresAt !== undefined && now >= expiresAt) {
        if (conn.expiryDeadline === undefined) {
          conn.expiryDeadline = now + l.tokenExpiryGraceMs;
          conn.owner.tokenExpired?.(expiresAt);
        } else if (now >= conn.expiryDeadline) {
          conn.fail(new GatewayError("LG_ERR_AUTH_TOKEN_EXPIRED"));
          continue;
        }
      }
      if (now - conn.lastPingAt >= l.pingIntervalMs) {
        conn.lastPingAt = now;
        conn.transport.ping();
      }
      if (refreshPresence) for (const sub of conn.subscriptions.values()) if (sub.buffer === null) this.addPresence(sub);
    }
  }
}
