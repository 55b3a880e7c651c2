import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { toGatewayError, type GatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { anonymousPrincipal, authRequired, principalFor, WORKSPACE } from "./auth.js";
import { closeFor, errorTypeFor } from "./codes.js";
import { clientError, findService, flowFor, replies } from "./dispatch.js";
import { AUTH_FAILED_FRAME, authOkFrame, decode, errorFrame, responseFrame, serviceErrorFrame, type Inbound } from "./envelope.js";
import type { Spelling } from "./keys.js";
import { tgMetrics, type TgMetrics } from "./metrics.js";
import { Mux, type Ticket } from "./mux.js";
import type { TgService } from "./service.js";

/** Name of the dialect, as connections and metrics carry it. */
export const DIALECT_NAME = "trustgraph";

/** The TrustGraph socket receives no publications: every frame answers a request. */
const NO_PUBLICATIONS: PublicationCodec = { key: "trustgraph:none", encode: () => undefined };

type RequestFrame = Extract<Inbound, { kind: "request" }>;

/** `?spelling=underscore` (or `hyphen`) picks the output spelling; otherwise the server's default. */
function spellingOf(url: URL, fallback: Spelling): Spelling {
  const asked = url.searchParams.get("spelling");
  return asked === "underscore" || asked === "hyphen" ? asked : fallback;
}

/**
 * One TrustGraph socket (seed 003 plus the real server's envelope): multiplexed requests
 * `{id, service, flow?, request}` answered by `{id, response, complete}` frames, in-band `auth`, and
 * `cancel`. Frames are admitted one at a time in arrival order (so a request sent after an `auth` frame
 * sees its result); admitted requests then run concurrently through the {@link Mux}.
 */
export class TrustGraphSession implements DialectSession, ConnectionOwner {
  readonly connection: Connection;
  readonly codec = NO_PUBLICATIONS;
  private readonly mux: Mux;
  private readonly spelling: Spelling;
  private readonly metrics: TgMetrics;
  private readonly sendBound: number;
  private admission: Promise<void> = Promise.resolve();

  constructor(
    private readonly app: AppContext,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    const opts = app.options.trustgraph;
    this.spelling = spellingOf(ctx.url, opts.spelling);
    this.mux = new Mux(opts.maxInFlight, opts.maxQueued);
    this.metrics = tgMetrics(app.metrics.registry);
    this.sendBound = app.options.limits.maxBufferedBytes + opts.maxFrameBytes;
    this.connection = app.hub.open(DIALECT_NAME, transport, this);
    const token = ctx.credential?.token;
    this.enqueue(() => this.handshake(token));
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.send(errorFrame(null, "error", "Bad message"));
    const text = data.toString("utf8");
    this.enqueue(() => this.handle(decode(text)));
  }

  /** A frame over the rate: refused at once with its id, if it has one. */
  onRateLimited(data: Buffer, isBinary: boolean, err: GatewayError): void {
    const msg = isBinary ? undefined : decode(data.toString("utf8"));
    const id = msg && "id" in msg && typeof msg.id === "string" ? msg.id : null;
    this.connection.transport.send(errorFrame(id, errorTypeFor(err), err.message));
  }

  /** A core error (auth timeout, rate, internal): `{id:null, error, complete:true}`, straight to the socket. */
  reportError(err: GatewayError): void {
    // Straight to the transport: an error that precedes a close must not be dropped by the send bound.
    this.connection.transport.send(errorFrame(null, errorTypeFor(err), err.message));
  }

  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    return closeFor(reason);
  }

  /** The JWT expired: the client may send a fresh one in an `auth` frame within the grace period. */
  tokenExpired(expiredAt: number): void {
    const grace = this.app.options.limits.tokenExpiryGraceMs;
    this.send(JSON.stringify({ type: "auth-required", error: "token expired", expired_at: new Date(expiredAt).toISOString(), grace_ms: grace }));
  }

  /** Socket gone: every request in flight is aborted, queued ones dropped. */
  closed(): void {
    this.mux.closeAll();
  }

  /**
   * Sends a frame, closing the socket as a slow consumer (1013) when its send buffer is over the bound.
   * The bound is the common `limits.maxBufferedBytes` plus one largest frame: a single answer may be a
   * whole base64 document, and a client reading at full speed must not be dropped for that.
   */
  private send(frame: string): void {
    const conn = this.connection;
    if (conn.closed) return;
    if (conn.transport.bufferedAmount > this.sendBound) return conn.disconnect("slow");
    conn.transport.send(frame);
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.admission = this.admission.then(task).catch((err: unknown) => {
      this.app.log.error({ err }, "trustgraph frame handler failed");
    });
  }

  /**
   * The upgrade's token, if any. With a gateway secret a wrong token closes the socket (1008 after an
   * `auth-failed` frame: the seed answers 401 here); a missing one leaves it unauthenticated, waiting
   * for an `auth` frame. Without a secret the socket is open: a valid JWT names the user, anything else
   * is the anonymous user.
   */
  private async handshake(token: string | undefined): Promise<void> {
    const principal = token === undefined ? undefined : await principalFor(this.app, token);
    if (this.connection.closed) return;
    if (principal) {
      this.attach(principal);
      return;
    }
    if (!authRequired(this.app)) {
      this.attach(anonymousPrincipal());
      return;
    }
    if (token !== undefined) {
      this.connection.transport.send(AUTH_FAILED_FRAME);
      this.connection.disconnect("tokenInvalid");
    }
  }

  /** Attaches a principal; false when the hub refuses it (another user than before, too many sockets). */
  private attach(principal: Principal): boolean {
    try {
      this.app.hub.authenticate(this.connection, principal);
      return true;
    } catch (err) {
      const e = toGatewayError(err);
      if (e.code === "LG_ERR_CONNECTION_LIMIT") this.connection.fail(e);
      return false;
    }
  }

  private async handle(msg: Inbound): Promise<void> {
    if (this.connection.closed) return;
    switch (msg.kind) {
      case "auth":
        return this.auth(msg.token);
      case "bad":
        return this.send(errorFrame(msg.id, msg.type, msg.message));
      case "cancel":
        // An id that is no longer open (it just ended) needs no answer: its final frame was sent.
        this.mux.cancel(msg.id);
        return;
      case "request":
        return this.admit(msg);
    }
  }

  /**
   * `{"type":"auth","token"}`: `auth-ok` or `auth-failed`; the socket stays open either way and keeps
   * its identity on failure. Without a secret an empty token is fine (the socket is open anyway).
   */
  private async auth(token: string): Promise<void> {
    let principal = await principalFor(this.app, token);
    if (!principal && token === "" && !authRequired(this.app)) principal = this.connection.principal ?? anonymousPrincipal();
    if (this.connection.closed) return;
    this.send(principal && this.attach(principal) ? authOkFrame(WORKSPACE) : AUTH_FAILED_FRAME);
  }

  private admit(msg: RequestFrame): void {
    if (!this.connection.principal) return this.send(errorFrame(msg.id, "auth-required", "auth failure"));
    const service = findService(msg.service);
    if (!service) return this.send(errorFrame(msg.id, "unknown-service", `unknown service "${msg.service}"`));
    const admitted = performance.now();
    const fingerprint = JSON.stringify([msg.service, msg.flow ?? null, msg.request]);
    const refused = this.mux.submit(
      msg.id,
      fingerprint,
      (ticket) => this.run(ticket, service, msg, admitted),
      () => {
        this.metrics.observe(service.kind, "cancelled", (performance.now() - admitted) / 1000);
        this.send(errorFrame(msg.id, "cancelled", "request cancelled"));
      },
    );
    // A retry (TrustGraph's TypeScript client resends the same frame when an answer is slow) is answered
    // by the open request's frames; another request under an open id is refused.
    if (refused === "duplicate") this.send(errorFrame(msg.id, "gateway-error", `request "${msg.id}" is already in flight`));
    else if (refused === "queue-full") {
      const max = this.app.options.trustgraph.maxQueued;
      this.send(errorFrame(msg.id, "too-many-requests", `too many requests waiting on this socket (at most ${max})`));
    }
  }

  /** Runs one admitted request; sends its frames unless it has been cancelled meanwhile. */
  private async run(ticket: Ticket, service: TgService, msg: RequestFrame, admitted: number): Promise<void> {
    let status = "ok";
    try {
      const flow = await flowFor(this.app, service, msg.flow);
      const principal = this.connection.principal ?? anonymousPrincipal();
      const call = { app: this.app, request: msg.request, principal, flow, streaming: msg.streaming, signal: ticket.signal };
      for await (const reply of replies(service, call)) {
        if (ticket.done) return;
        this.send(responseFrame(msg.id, reply.body, reply.complete, this.spelling));
      }
    } catch (err) {
      if (ticket.done) return;
      const e = clientError(err, this.app.log, service.kind);
      status = e.type;
      this.send(serviceErrorFrame(msg.id, e.type, e.message));
    }
    // A cancelled request was counted when it was cancelled (the returns above skip this).
    this.metrics.observe(service.kind, status, (performance.now() - admitted) / 1000);
  }
}
