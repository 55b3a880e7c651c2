import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { ChannelName, Publication } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { payloadOf } from "./codecs.js";
import { admitQueryToken } from "./admit.js";
import { closeFor, errorTextFor } from "./codes.js";
import { DIALECT_NAME } from "./session.js";

/** The channel backends publish dashboard events to (`project_updated`, …). */
export const DASHBOARD_CHANNEL: ChannelName = "dashboard";

/** Events the server itself sends; a publication may not pose as one. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(["connected", "heartbeat", "pong", "disconnected", "error", "auth_required", "authenticated"]);

/** Unix time in seconds, as the dashboard's `timestamp` fields carry it (a float). */
const unixSeconds = (ms: number): number => ms / 1000;

const event = (name: string, fields: Record<string, unknown> = {}): string => JSON.stringify({ event: name, ...fields });

/**
 * Renders a publication of the `dashboard` channel as `{"event": <type>, ...data, "timestamp": <unix s>}`,
 * e.g. `project_updated` with `{project_name, trigger}`.
 */
export const dashboardCodec: PublicationCodec = {
  key: "codegraph.dashboard",
  encode: (pub: Publication) => {
    if (RESERVED_EVENTS.has(pub.type)) return undefined;
    const out: Record<string, unknown> = { event: pub.type };
    Object.assign(out, payloadOf(pub.data), { event: pub.type, timestamp: unixSeconds(pub.time) });
    return JSON.stringify(out);
  },
};

/**
 * One heartbeat for all dashboard sockets of a gateway: every `periodMs`,
 * `{"event":"heartbeat","timestamp","clients"}` to each, with the number of dashboard clients (across
 * nodes, from the `dashboard` channel's presence). Runs only while a dashboard socket is open.
 */
export class DashboardHeartbeat {
  private readonly sessions = new Set<DashboardSession>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly gw: AppContext,
    readonly periodMs: number,
  ) {}

  add(s: DashboardSession): void {
    this.sessions.add(s);
    if (!this.timer) {
      this.timer = setInterval(() => void this.beat(), this.periodMs);
      this.timer.unref();
    }
  }

  remove(s: DashboardSession): void {
    this.sessions.delete(s);
    if (this.sessions.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async beat(): Promise<void> {
    let clients = this.sessions.size;
    try {
      clients = (await this.gw.broker.presence.stats(DASHBOARD_CHANNEL)).connections;
    } catch (err) {
      this.gw.log.warn({ err }, "dashboard presence unavailable; counting this node's clients");
    }
    const frame = event("heartbeat", { timestamp: unixSeconds(Date.now()), clients });
    for (const s of this.sessions) s.connection.send(frame);
  }
}

/**
 * `/api/v2/dashboard/ws`: its own envelope, `{"event": …}`. `connected` `{client_id, heartbeat_seconds}`,
 * events published to the `dashboard` channel, the shared heartbeat, and the plain text `ping` →
 * `{"event":"pong"}`. Token from `?token=`; a bad one gets `error`, `disconnected`, close 4001. livegate
 * adds, in the same envelope: `error`, `disconnected` before a server close, and re-authentication
 * (`auth_required` → `{"event":"auth","token"}` → `authenticated`).
 */
export class DashboardSession implements DialectSession, ConnectionOwner {
  readonly codec = dashboardCodec;
  readonly connection: Connection;
  /** Settles when the connect-time authentication is over; frames wait for it. */
  private readonly ready: Promise<void>;

  constructor(
    private readonly gw: AppContext,
    private readonly heartbeat: DashboardHeartbeat,
    private readonly clientId: string,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open(DIALECT_NAME, transport, this);
    const token = ctx.url.searchParams.get("token");
    this.ready = Promise.resolve().then(() => this.start(token));
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    void this.ready.then(() => this.handle(data, isBinary));
  }

  private handle(data: Buffer, isBinary: boolean): void {
    if (this.connection.closed) return;
    const text = isBinary ? "" : data.toString("utf8").trim();
    if (text === "ping") return this.connection.send(event("pong"));
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.reportError(new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: text.slice(0, 64) }));
    }
    const name = typeof msg === "object" && msg !== null ? (msg as { event?: unknown }).event : undefined;
    if (name === "ping") return this.connection.send(event("pong"));
    if (name === "auth") return void this.reauthenticate((msg as { token?: unknown }).token);
    this.reportError(new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: String(name ?? text).slice(0, 64) }));
  }

  onRateLimited(_data: Buffer, _isBinary: boolean, err: GatewayError): void {
    this.reportError(err);
  }

  /** `{"event":"error","error","details","retry_after"?}`. */
  reportError(err: GatewayError): void {
    const fields: Record<string, unknown> = { error: errorTextFor(err), details: err.message };
    if (err.retryAfterSec !== undefined) fields.retry_after = err.retryAfterSec;
    this.connection.transport.send(event("error", fields));
  }

  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    this.connection.transport.send(event("disconnected"));
    return closeFor(reason);
  }

  tokenExpired(): void {
    this.connection.send(event("auth_required"));
  }

  closed(): void {
    this.heartbeat.remove(this);
  }

  private async start(token: string | null): Promise<void> {
    const conn = this.connection;
    if (!(await admitQueryToken(this.gw, conn, token, (e) => this.reportError(e)))) return;
    try {
      const pending = await this.gw.hub.prepareSubscribe(conn, DASHBOARD_CHANNEL);
      if (conn.closed) return;
      conn.send(event("connected", { client_id: this.clientId, heartbeat_seconds: this.heartbeat.periodMs / 1000 }));
      this.gw.hub.activate(pending);
      this.heartbeat.add(this);
    } catch (err) {
      if (conn.closed) return;
      this.gw.log.error({ err }, "dashboard welcome failed");
      this.reportError(toGatewayError(err));
      conn.disconnect("internal");
    }
  }

  private async reauthenticate(token: unknown): Promise<void> {
    if (typeof token !== "string" || token.length === 0) {
      return this.reportError(new GatewayError("LG_ERR_FRAME_INVALID", { detail: "token: a token is required" }));
    }
    try {
      this.gw.hub.authenticate(this.connection, await this.gw.auth.authenticate(token));
    } catch (err) {
      return this.reportError(toGatewayError(err));
    }
    this.connection.send(event("authenticated"));
  }
}
