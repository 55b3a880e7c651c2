import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { admitQueryToken } from "./admit.js";
import { closeFor, errorTextFor } from "./codes.js";
import { AUTH_MESSAGE_TYPE, parseWSMessage, requestIdOf, WSMessage, WSMessageType } from "./envelope.js";
import { createConnected, createError, createSignal } from "./factories.js";

/** Name of the dialect, as connections and metrics carry it. */
export const DIALECT_NAME = "codegraph";

/**
 * The lifecycle every CodeGraph `WSMessage` socket shares (seed 000, "Connection Lifecycle"): the token
 * from `?token=` (bad → `error`, `disconnected`, close 4001), the endpoint's welcome (which sends
 * `connected`), `ping` → `pong`, re-authentication (`auth_required` → `auth` → `authenticated`),
 * errors as `{"type":"error","payload":{"error","details"?},"request_id"?}`, and `disconnected` before
 * every close the server starts. Endpoints add their welcome, message types and publication codec.
 *
 * Frames are handled one at a time in arrival order (so replies and errors keep request order); a
 * handler that starts long work (a chat stream) does not hold the queue.
 */
export abstract class CodeGraphSession implements DialectSession, ConnectionOwner {
  abstract readonly codec: PublicationCodec;
  readonly connection: Connection;
  private queue: Promise<void>;

  constructor(
    protected readonly gw: AppContext,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open(DIALECT_NAME, transport, this);
    // Only the query parameter counts (seed 000, "Authentication"); a header or subprotocol is ignored.
    const token = ctx.url.searchParams.get("token");
    // Started on the next tick, once the subclass's fields exist; frames wait behind it.
    this.queue = Promise.resolve().then(() => this.start(token));
  }

  /**
   * Sets the endpoint up for an authenticated user and sends `connected` at the right moment (after
   * checks that may refuse the socket, before the first publication). Errors close the socket.
   */
  protected abstract welcome(principal: Principal): Promise<void>;

  /** Handles an endpoint message type; returns false for a type the endpoint does not know. */
  protected onMessage(_msg: WSMessage): boolean {
    return false;
  }

  /** The socket closed (either side); stop the endpoint's work. */
  protected onClosed(): void {}

  onFrame(data: Buffer, isBinary: boolean): void {
    this.queue = this.queue.then(() => this.handle(data, isBinary)).catch((err: unknown) => this.crash(err));
  }

  /** A frame refused by the rate limit: `error` "Rate limit exceeded" at once, with the frame's request_id. */
  onRateLimited(data: Buffer, isBinary: boolean, err: GatewayError): void {
    this.reportError(err, isBinary ? undefined : requestIdOf(data.toString("utf8")));
  }

  /** Sends `{"type":"error","payload":{"error","details","retry_after"?},"request_id"?}`. */
  reportError(err: GatewayError, requestId?: string | null): void {
    const msg = createError(errorTextFor(err), err.message, requestId);
    if (err.retryAfterSec !== undefined) msg.payload.retry_after = err.retryAfterSec;
    this.connection.transport.send(msg.toJson());
  }

  /** `disconnected`, then the close code for `reason` (codes.ts). */
  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    // Straight to the transport: the send bound must not close a connection that is already closing.
    this.connection.transport.send(createSignal(WSMessageType.DISCONNECTED).toJson());
    return closeFor(reason);
  }

  tokenExpired(): void {
    this.send(createSignal(WSMessageType.AUTH_REQUIRED));
  }

  closed(): void {
    this.onClosed();
  }

  /** Sends one message (bounded: a slow client is disconnected). */
  protected send(msg: WSMessage): void {
    this.connection.send(msg.toJson());
  }

  /** Sends `connected` `{connection_id, user_id}`. */
  protected sendConnected(principal: Principal): void {
    this.send(createConnected(this.connection.id, principal.userId));
  }

  private async start(token: string | null): Promise<void> {
    const conn = this.connection;
    const principal = await admitQueryToken(this.gw, conn, token, (e) => this.reportError(e));
    if (!principal) return;
    try {
      await this.welcome(principal);
    } catch (err) {
      if (conn.closed) return;
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err }, "codegraph welcome failed");
      this.reportError(e);
      conn.disconnect(e.disconnect ?? "internal");
    }
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.connection.closed) return;
    if (isBinary) return this.reportError(new GatewayError("LG_ERR_FRAME_BINARY"));
    const text = data.toString("utf8");
    const msg = parseWSMessage(text);
    if (msg instanceof GatewayError) return this.reportError(msg, requestIdOf(text));
    if (msg.type === WSMessageType.PING) return this.send(createSignal(WSMessageType.PONG, msg.requestId));
    if (msg.type === AUTH_MESSAGE_TYPE) return this.reauthenticate(msg);
    if (!this.onMessage(msg)) this.reportError(new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: msg.type.slice(0, 64) }), msg.requestId);
  }

  /** `{"type":"auth","payload":{"token"}}`: a fresh token for the same user → `authenticated`. */
  private async reauthenticate(msg: WSMessage): Promise<void> {
    const token = msg.payload.token;
    if (typeof token !== "string" || token.length === 0) {
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail: "payload.token: a token is required" }), msg.requestId);
    }
    try {
      const principal = await this.gw.auth.authenticate(token);
      if (this.connection.closed) return;
      this.gw.hub.authenticate(this.connection, principal);
    } catch (err) {
      // The connection keeps its current token; if that one has expired, the grace period still runs.
      return this.reportError(toGatewayError(err), msg.requestId);
    }
    this.send(createSignal(WSMessageType.AUTHENTICATED, msg.requestId));
  }

  private crash(err: unknown): void {
    this.gw.log.error({ err }, "codegraph frame handler failed");
    this.connection.fail(new GatewayError("LG_ERR_INTERNAL", {}, { cause: err }));
  }
}
