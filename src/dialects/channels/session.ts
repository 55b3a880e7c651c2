import { assertChannelName, assertEventType, BROADCAST_CHANNEL, userChannel } from "../../core/channel.js";
import type { Connection, ConnectionOwner, Transport } from "../../core/connection.js";
import type { GatewayContext } from "../../core/context.js";
import { livegateClose, type DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import { publicationJson } from "../../core/publication.js";
import type { Principal, StreamPosition } from "../../core/types.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { channelsCodec, errorFrame, frame } from "./encode.js";
import { commandSchemas, envelopeSchema, isCommandType, type CommandData, type CommandType } from "./frames.js";

type RequestId = string | number | undefined;

/** One `/ws` socket: parses commands, calls the core, answers in the channels protocol. */
export class ChannelsSession implements DialectSession, ConnectionOwner {
  readonly codec = channelsCodec;
  readonly connection: Connection;
  /** Commands run one at a time, in arrival order, so replies keep the order of requests. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly gw: GatewayContext,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open("channels", transport, this);
    if (ctx.credential) {
      const token = ctx.credential.token;
      this.enqueue(() => this.authenticate(token, undefined));
    }
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    // Decoding goes through the queue too, so an error for a bad frame never overtakes earlier replies.
    this.enqueue(() => this.handle(data, isBinary));
  }

  /** Answers a rate-limited frame with `rate_limited`, carrying its id when it has one. */
  onRateLimited(data: Buffer, isBinary: boolean, err: GatewayError): void {
    let id: RequestId;
    if (!isBinary) {
      try {
        const raw = JSON.parse(data.toString("utf8")) as { id?: unknown };
        if (typeof raw.id === "string" || typeof raw.id === "number") id = raw.id;
      } catch {
        // no id to echo
      }
    }
    // Sent at once, not queued: the strike that closes the socket follows synchronously, and the client
    // must see why. (It may overtake the reply to an earlier command still in progress.)
    this.reportError(err, id);
  }

  reportError(err: GatewayError, id?: RequestId): void {
    this.connection.transport.send(errorFrame(err, id));
  }

  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    return livegateClose(reason);
  }

  tokenExpired(expiredAt: number): void {
    this.send("auth_required", undefined, { expires_at: new Date(expiredAt).toISOString() });
  }

  private send(type: string, id: RequestId, data: unknown): void {
    this.connection.send(frame(type, id, data));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err }, "channels command failed");
      this.connection.fail(e);
    });
  }

  /** Decodes one frame; bad input is answered with an error frame, never thrown. */
  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reportError(new GatewayError("LG_ERR_FRAME_BINARY"));
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString("utf8"));
    } catch {
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID_JSON"));
    }
    const env = envelopeSchema.safeParse(raw);
    if (!env.success) {
      // Echo a usable id even when the rest of the envelope is wrong, so the client can match the error.
      const rawId = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
      const id = typeof rawId === "string" || typeof rawId === "number" ? rawId : undefined;
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail: 'expected {"type", "id"?, "data"?}' }), id);
    }
    const { type, id, data: body } = env.data;
    if (!isCommandType(type)) return this.reportError(new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: type.slice(0, 64) }), id);
    const parsed = commandSchemas[type].safeParse(body ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail }), id);
    }
    await this.dispatch(type, id, parsed.data);
  }

  private async dispatch(type: CommandType, id: RequestId, data: unknown): Promise<void> {
    if (this.connection.closed) return;
    const principal = this.connection.principal;
    try {
      if (type === "ping") return this.send("pong", id, {});
      if (type === "auth") return await this.authenticate((data as CommandData<"auth">).token, id);
      if (!principal) throw new GatewayError("LG_ERR_AUTH_REQUIRED");
      switch (type) {
        case "subscribe":
          return await this.subscribe(principal, id, data as CommandData<"subscribe">);
        case "unsubscribe":
          return this.unsubscribe(id, data as CommandData<"unsubscribe">);
        case "publish":
          return await this.publish(principal, id, data as CommandData<"publish">);
        case "history":
          return await this.history(principal, id, data as CommandData<"history">);
        case "presence":
          return await this.presence(principal, id, data as CommandData<"presence">);
      }
    } catch (err) {
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err, type }, "channels command failed");
      this.reportError(e, id);
    }
  }

  /** Connect-time token (id undefined) or an `auth` command (first auth or refresh). */
  private async authenticate(token: string, id: RequestId): Promise<void> {
    const conn = this.connection;
    const first = !conn.principal;
    let principal: Principal;
    try {
      principal = await this.gw.auth.authenticate(token);
      this.gw.hub.authenticate(conn, principal);
    } catch (err) {
      const e = toGatewayError(err);
      this.reportError(e, id);
      // A refresh that fails leaves the old token in force; a failed first auth ends the connection.
      if (first) conn.disconnect(e.disconnect === "tooManyConnections" ? e.disconnect : "tokenInvalid");
      return;
    }
    if (id !== undefined || !first) {
      const expiresAt = principal.expiresAt ? new Date(principal.expiresAt).toISOString() : null;
      this.send("authenticated", id, { user_id: principal.userId, expires_at: expiresAt });
    }
    if (first) await this.welcome(principal);
  }

  /** Subscribes the user and broadcast channels, then sends `connected` with their positions. */
  private async welcome(principal: Principal): Promise<void> {
    const hub = this.gw.hub;
    const pending = await Promise.all(
      [userChannel(principal.userId), BROADCAST_CHANNEL].map((ch) => hub.prepareSubscribe(this.connection, ch)),
    );
    const subscriptions: Record<string, StreamPosition> = {};
    for (const p of pending) subscriptions[p.subscription.channel] = p.position;
    this.send("connected", undefined, { connection_id: this.connection.id, user_id: principal.userId, subscriptions });
    for (const p of pending) hub.activate(p);
  }

  private async subscribe(principal: Principal, id: RequestId, data: CommandData<"subscribe">): Promise<void> {
    assertChannelName(data.channel);
    if (!(await this.gw.policy.canSubscribe(principal, data.channel))) {
      throw new GatewayError("LG_ERR_CHANNEL_FORBIDDEN", { channel: data.channel });
    }
    const pending = await this.gw.hub.prepareSubscribe(this.connection, data.channel, data.recover);
    const reply: Record<string, unknown> = { channel: data.channel, ...pending.position };
    if (pending.recovered !== undefined) reply.recovered = pending.recovered;
    this.send("subscribed", id, reply);
    this.gw.hub.activate(pending);
  }

  private unsubscribe(id: RequestId, data: CommandData<"unsubscribe">): void {
    assertChannelName(data.channel);
    if (!this.gw.hub.unsubscribe(this.connection, data.channel)) {
      throw new GatewayError("LG_ERR_NOT_SUBSCRIBED", { channel: data.channel });
    }
    this.send("unsubscribed", id, { channel: data.channel });
  }

  private async publish(principal: Principal, id: RequestId, data: CommandData<"publish">): Promise<void> {
    assertChannelName(data.channel);
    const type = data.type ?? "message";
    assertEventType(type);
    if (!this.gw.policy.canPublish(principal, data.channel)) {
      throw new GatewayError("LG_ERR_PUBLISH_FORBIDDEN", { channel: data.channel });
    }
    const pub = await this.gw.broker.publish(data.channel, { type, data: data.data, publisher: principal.userId });
    this.gw.metrics.publications.inc({ source: "client" });
    this.send("published", id, { channel: pub.channel, epoch: pub.epoch, offset: pub.offset });
  }

  private async history(principal: Principal, id: RequestId, data: CommandData<"history">): Promise<void> {
    await this.assertReadable(principal, data.channel);
    // A bare offset means "in the current epoch".
    const since =
      typeof data.since === "number" ? { epoch: (await this.position(data.channel)).epoch, offset: data.since } : data.since;
    const res = await this.gw.broker.history(data.channel, { since, limit: data.limit ?? 100 });
    const reply: Record<string, unknown> = {
      channel: data.channel,
      ...res.position,
      publications: res.publications.map(publicationJson),
    };
    if (!res.complete) reply.truncated = true;
    this.send("history", id, reply);
  }

  private async presence(principal: Principal, id: RequestId, data: CommandData<"presence">): Promise<void> {
    await this.assertReadable(principal, data.channel);
    const clients = [...(await this.gw.broker.presence.list(data.channel)).values()];
    const users = new Set(clients.map((c) => c.user_id)).size;
    this.send("presence", id, { channel: data.channel, connections: clients.length, users, clients });
  }

  private async position(channel: string): Promise<StreamPosition> {
    return (await this.gw.broker.history(channel, { limit: 0 })).position;
  }

  private async assertReadable(principal: Principal, channel: string): Promise<void> {
    assertChannelName(channel);
    if (!(await this.gw.policy.canSubscribe(principal, channel))) {
      throw new GatewayError("LG_ERR_CHANNEL_FORBIDDEN", { channel });
    }
  }
}
