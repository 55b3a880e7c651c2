import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { ConversationService } from "../../services/conversations.js";
import { openNotificationFeed } from "../../services/notification-feed.js";
import type { Credential, DialectSession, UpgradeContext } from "../dialect.js";
import { UnaCodeChat, type ChatReplies } from "./chat.js";
import { closeFor, errorCodeFor } from "./codes.js";
import { decode, frame, requestIdOf, UNAUTHENTICATED_TYPES, type ClientMessage, type RequestId } from "./envelope.js";
import { ALL_TYPES, codecFor, maskOf, offlineNotificationFrame, typesOf } from "./events.js";

/** Name of the dialect, as connections and metrics carry it. */
export const DIALECT_NAME = "unacode";

/** The seed's "Rate limit exceeded", its example's `error` text. */
const RATE_LIMIT_TEXT = "Rate limit exceeded";

/**
 * `Authorization: <token>` without a scheme: the seed says only "include user token in connection
 * headers". (`Bearer <token>`, `?token=` and the bearer subprotocol arrive as the context's credential.)
 */
function bareAuthorization(ctx: UpgradeContext): Credential | undefined {
  const header = ctx.req.headers.authorization?.trim();
  return header && /^[\w.~+/=-]+$/.test(header) ? { token: header, via: "header" } : undefined;
}

/**
 * One UnaCODE socket (seed 001, "WebSocket API"): the token from the upgrade or an `auth` message,
 * `heartbeat`, `chat`, `subscribe`/`unsubscribe`, and the system events and notifications of `broadcast`
 * and `user:{id}` through a codec that lets through the types the socket subscribed to.
 *
 * Messages are handled one at a time in arrival order, so replies and errors keep the order of
 * requests (the token from the upgrade is checked before any of them); an answer being generated does
 * not hold up the messages after it.
 */
export class UnaCodeSession implements DialectSession, ConnectionOwner {
  readonly connection: Connection;
  private queue: Promise<void> = Promise.resolve();
  /** The subscribable types this socket receives; every one until it sends `subscribe`. */
  private mask = ALL_TYPES;
  private narrowed = false;
  private readonly chat: UnaCodeChat;

  constructor(
    private readonly gw: AppContext,
    conversations: ConversationService,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open(DIALECT_NAME, transport, this);
    const replies: ChatReplies = {
      isClosed: () => this.connection.closed,
      reply: (type, id, payload) => this.send(type, id, payload),
      error: (err, id) => this.reportError(err, id),
    };
    this.chat = new UnaCodeChat(gw, conversations, replies);
    const credential = ctx.credential ?? bareAuthorization(ctx);
    if (credential) this.enqueue(() => this.authenticate(credential.token, undefined));
  }

  /** The codec for this socket's subscription (sockets that subscribed alike share one). */
  get codec(): PublicationCodec {
    return codecFor(this.mask);
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    this.enqueue(() => this.handle(data, isBinary));
  }

  /** A frame over the rate: `error` RATE_LIMIT_EXCEEDED with `retry_after`, at once, with the frame's id. */
  onRateLimited(data: Buffer, isBinary: boolean, err: GatewayError): void {
    let id: RequestId | undefined;
    if (!isBinary) {
      try {
        id = requestIdOf(JSON.parse(data.toString("utf8")));
      } catch {
        // no id to echo
      }
    }
    this.reportError(err, id);
  }

  /** Sends `{"type":"error","payload":{"error","code","retry_after"?}}`, with the request's id if any. */
  reportError(err: GatewayError, id?: RequestId): void {
    const code = errorCodeFor(err);
    const payload: Record<string, unknown> = { error: err.code === "LG_ERR_RATE_LIMITED" ? RATE_LIMIT_TEXT : err.message, code };
    if (err.retryAfterSec !== undefined) payload.retry_after = err.retryAfterSec;
    // Straight to the transport: an error that precedes a close must not be dropped by the send bound.
    this.connection.transport.send(frame("error", id, payload, this.connection.userId));
  }

  /** No goodbye message (the seed has none): the close code says why (codes.ts). */
  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    return closeFor(reason);
  }

  /** The token expired: `auth_required`; an `auth` message with a fresh token within the grace keeps the socket. */
  tokenExpired(expiredAt: number): void {
    const graceMs = this.gw.options.limits.tokenExpiryGraceMs;
    this.send("auth_required", undefined, { expired_at: new Date(expiredAt).toISOString(), grace_ms: graceMs });
  }

  closed(): void {
    this.chat.cancelAll();
  }

  private send(type: string, id: RequestId | undefined, payload: unknown): void {
    this.connection.send(frame(type, id, payload, this.connection.userId));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.gw.log.error({ err }, "unacode message handler failed");
      this.connection.fail(new GatewayError("LG_ERR_INTERNAL", {}, { cause: err }));
    });
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.connection.closed) return;
    if (isBinary) return this.reportError(new GatewayError("LG_ERR_FRAME_BINARY"));
    const msg = decode(data.toString("utf8"));
    if ("error" in msg) return this.reportError(msg.error, msg.id);
    try {
      await this.dispatch(msg);
    } catch (err) {
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err, type: msg.type }, "unacode message failed");
      this.reportError(e, msg.id);
    }
  }

  private async dispatch(msg: ClientMessage): Promise<void> {
    const user = this.connection.userId;
    if (!user && !UNAUTHENTICATED_TYPES.has(msg.type)) throw new GatewayError("LG_ERR_AUTH_REQUIRED");
    switch (msg.type) {
      case "heartbeat":
        return this.send("heartbeat", msg.id, { status: "alive", timestamp: new Date().toISOString() });
      case "auth": {
        const token = msg.field("token");
        if (typeof token !== "string" || token.length === 0) {
          throw new GatewayError("LG_ERR_FRAME_INVALID", { detail: "payload.token: a token is required" });
        }
        return this.authenticate(token, msg.id);
      }
      case "subscribe":
      case "unsubscribe":
        return this.subscription(msg);
      case "chat":
        return this.chat.handle(user!, msg);
    }
  }

  /**
   * A token from the upgrade (`id` undefined) or an `auth` message. A refused first token ends the
   * socket (error, then close 4001); a refused refresh leaves the current token in force. The first
   * token opens the user's notification feed: `user:{id}` and `broadcast`, and, right after the `auth`
   * reply, the notifications sent while the user had no socket open (oldest first, then delivered).
   */
  private async authenticate(token: string, id: RequestId | undefined): Promise<void> {
    const conn = this.connection;
    const first = !conn.principal;
    let principal: Principal;
    try {
      principal = await this.gw.auth.authenticate(token);
      if (conn.closed) return;
      this.gw.hub.authenticate(conn, principal);
    } catch (err) {
      const e = toGatewayError(err);
      this.reportError(e, id);
      if (first) conn.disconnect(e.disconnect === "tooManyConnections" ? e.disconnect : "tokenInvalid");
      return;
    }
    const reply = (): void => {
      // A token from the upgrade gets no reply: the client asked nothing (the seed's client sends no auth).
      if (id === undefined && first) return;
      const expiresAt = principal.expiresAt === undefined ? null : new Date(principal.expiresAt).toISOString();
      this.send("auth", id, { status: "authenticated", user_id: principal.userId, expires_at: expiresAt });
    };
    if (!first) return reply();
    const user = principal.userId;
    await openNotificationFeed(this.gw, conn, user, { welcome: reply, render: (n) => offlineNotificationFrame(n, user, this.mask) });
  }

  /** `subscribe` narrows the socket to the listed types (adding to an earlier subscribe); `unsubscribe` removes. */
  private subscription(msg: ClientMessage): void {
    const mask = maskOf(msg.field("message_types"));
    if (msg.type === "subscribe") this.mask = this.narrowed ? this.mask | mask : mask;
    else this.mask &= ~mask;
    this.narrowed = true;
    const status = msg.type === "subscribe" ? "subscribed" : "unsubscribed";
    this.send(msg.type, msg.id, { status, message_types: typesOf(this.mask) });
  }
}
