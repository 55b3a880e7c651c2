import type { IncomingMessage } from "node:http";
import type { Connection, Transport } from "../core/connection.js";
import type { GatewayError } from "../core/errors.js";
import type { AppContext } from "../services/context.js";

/** A token found on the upgrade request, and where. */
export interface Credential {
  token: string;
  via: "query" | "header" | "subprotocol";
}

/** What a dialect learns about an accepted upgrade. */
export interface UpgradeContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Path parameters of the matched route, e.g. `{ job_id: "abc123" }`. */
  readonly params: Readonly<Record<string, string>>;
  /** The token from the query, Authorization header or subprotocol, if any. */
  readonly credential: Credential | undefined;
}

/** One open socket of a dialect: receives the frames the transport admitted. */
export interface DialectSession {
  readonly connection: Connection;
  onFrame(data: Buffer, isBinary: boolean): void;
  /**
   * A frame refused by the rate limit. Dialects that correlate replies answer with the frame's request id;
   * without this method the transport reports LG_ERR_RATE_LIMITED through the connection's owner.
   */
  onRateLimited?(data: Buffer, isBinary: boolean, err: GatewayError): void;
}

/**
 * A wire protocol. It translates frames to core calls and core events to frames, nothing more.
 * Adding a dialect is one folder and one line in `registry.ts`.
 */
export interface Dialect {
  readonly name: string;
  /** Path patterns with `{param}` segments, e.g. `/api/v1/ws/jobs/{job_id}`. */
  readonly routes: readonly string[];
  /**
   * Port of a listener of the dialect's own, beside the main port (UnaCODE's 8765, TrustGraph's 8088):
   * every WebSocket upgrade on it goes to this dialect, whatever the path (with the params of a matching
   * route, else none); plain HTTP requests get the same REST API as the main port. 0 picks a free port;
   * undefined (the default) opens none.
   */
  readonly dedicatedPort?: number | undefined;
  /**
   * Largest inbound frame of this dialect's sockets, when it differs from `limits.maxFrameBytes`
   * (TrustGraph carries base64 documents); larger frames close with 1009. Undefined: the common limit.
   */
  readonly maxFrameBytes?: number | undefined;
  /** Called when the WebSocket is open; returns the session that receives its frames. */
  accept(transport: Transport, ctx: UpgradeContext): DialectSession;
}

/** Builds a dialect once per gateway. */
export type DialectFactory = (app: AppContext) => Dialect;
