import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { closeFor } from "./codes.js";
import { errorFrame, frame, silentCodec, type NadooFrame } from "./frames.js";

/** Name of the dialect, as connections and metrics carry it. */
export const DIALECT_NAME = "nadoo";

/** A parsed client frame: a JSON object with a string `type`. */
export type ClientFrame = { type: string } & Record<string, unknown>;

/**
 * What every Nadoo JSON socket shares (seed 004, "Authentication" and each endpoint): the JWT from
 * `?token=` (bad → `error`, then close 1008 "Invalid token"), the endpoint's welcome, `ping` → `pong`
 * with a timestamp, `error` frames with `message`, and livegate's re-authentication (`auth_required` →
 * `{"type":"auth","token"}` → `authenticated`). Frames are handled one at a time in arrival order; a
 * handler that starts long work (an answer) does not hold the queue.
 */
export abstract class NadooSession implements DialectSession, ConnectionOwner {
  readonly connection: Connection;
  /** The codec the hub encodes this socket's publications with; endpoints set it once they have joined. */
  codec: PublicationCodec = silentCodec;
  private queue: Promise<void>;
  /** The error that is closing the socket, for a precise close reason. */
  private closingWith: GatewayError | undefined;

  constructor(
    protected readonly gw: AppContext,
    transport: Transport,
    protected readonly ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open(DIALECT_NAME, transport, this);
    // Only the query parameter counts (seed 004, "Authentication").
    const token = ctx.url.searchParams.get("token");
    // Started on the next tick, once the subclass's fields exist; frames wait behind it.
    this.queue = Promise.resolve().then(() => this.start(token));
  }

  /** Sets the endpoint up for an authenticated principal and sends its first frames. Errors close the socket. */
  protected abstract welcome(principal: Principal): Promise<void>;

  /** Handles a client frame of the endpoint; returns false for a type it does not know. */
  protected abstract onMessage(msg: ClientFrame): boolean | Promise<boolean>;

  /** The socket closed (either side); release the endpoint's work. */
  protected onClosed(_reason: DisconnectReason): void {}

  /** Who the socket is: the token's subject by default. */
  protected authenticate(token: string | null): Promise<Principal> {
    if (!token) return Promise.reject(new GatewayError("LG_ERR_AUTH_TOKEN_MISSING"));
    return this.gw.auth.authenticate(token);
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    this.queue = this.queue.then(() => this.handle(data, isBinary)).catch((err: unknown) => this.crash(err));
  }

  /** Sends an `error` frame. */
  reportError(err: GatewayError, extra?: Record<string, unknown>): void {
    this.connection.transport.send(errorFrame(err, extra));
  }

  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    return closeFor(reason, this.closingWith);
  }

  tokenExpired(): void {
    this.send({ type: "auth_required" });
  }

  closed(reason: DisconnectReason): void {
    this.onClosed(reason);
  }

  /** Sends a frame (bounded: a slow client is disconnected). */
  protected send(f: NadooFrame): void {
    this.connection.send(frame(f));
  }

  /** Reports `err` and closes the socket for its reason (or `fallback`), with a precise close reason. */
  protected refuse(err: GatewayError, fallback: DisconnectReason = "internal"): void {
    if (this.connection.closed) return;
    this.closingWith = err;
    this.reportError(err);
    this.connection.disconnect(err.disconnect ?? fallback);
  }

  /** Handles a text frame that is not JSON (the plugin debug socket's plain `ping`); false = not handled. */
  protected onText(_text: string): boolean {
    return false;
  }

  private async start(token: string | null): Promise<void> {
    const conn = this.connection;
    let principal: Principal;
    try {
      principal = await this.authenticate(token);
      if (conn.closed) return;
      this.gw.hub.authenticate(conn, principal);
    } catch (err) {
      const e = toGatewayError(err);
      return this.refuse(e, e.kind === "unauthorized" ? "tokenInvalid" : "internal");
    }
    try {
      await this.welcome(principal);
    } catch (err) {
      if (conn.closed) return;
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err }, "nadoo welcome failed");
      this.refuse(e);
    }
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.connection.closed) return;
    if (isBinary) return this.reportError(new GatewayError("LG_ERR_FRAME_BINARY"));
    const text = data.toString("utf8");
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      if (this.onText(text)) return;
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID_JSON"));
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== "string") {
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail: 'expected a JSON object with a string "type"' }));
    }
    const m = msg as ClientFrame;
    if (m.type === "ping") return this.send({ type: "pong" });
    if (m.type === "auth") return this.reauthenticate(m);
    if (!(await this.onMessage(m))) this.reportError(new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: m.type.slice(0, 64) }));
  }

  /** `{"type":"auth","token"}`: a fresh token for the same user → `authenticated`. */
  private async reauthenticate(msg: ClientFrame): Promise<void> {
    if (typeof msg.token !== "string" || msg.token.length === 0) {
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail: "token: a token is required" }));
    }
    try {
      const principal = await this.gw.auth.authenticate(msg.token);
      if (this.connection.closed) return;
      this.gw.hub.authenticate(this.connection, principal);
    } catch (err) {
      // The connection keeps its current token; if that one has expired, the grace period still runs.
      return this.reportError(toGatewayError(err));
    }
    this.send({ type: "authenticated" });
  }

  private crash(err: unknown): void {
    this.gw.log.error({ err }, "nadoo frame handler failed");
    this.connection.fail(new GatewayError("LG_ERR_INTERNAL", {}, { cause: err }));
  }
}
