import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";

/**
 * A TrustGraph request or response body in canonical form: keys in the seed's hyphen spelling
 * (`chunk-type`, `end-of-stream`, `doc-limit`, `document-metadata`). The envelope converts input written
 * with underscores to this form before a handler sees it, and converts output to underscores for clients
 * that ask for the real server's spelling.
 */
export type TgBody = Record<string, unknown>;

/** A started flow, as flow-hosted handlers see it. */
export interface TgFlow {
  id: string;
  /** Name of the blueprint the flow was started from. */
  blueprint: string;
  description: string;
  /** Parameters given at start (e.g. `model`), merged over the blueprint's defaults. */
  parameters: Record<string, string>;
}

/** One call of a TrustGraph service, from the socket or a REST twin. */
export interface TgCall {
  readonly app: AppContext;
  /** The request body, canonical (hyphen) keys. */
  readonly request: TgBody;
  /** Who asks: the token's principal, or an anonymous principal when no secret is set. */
  readonly principal: Principal;
  /** The started flow, for flow-hosted services; undefined for global ones. */
  readonly flow: TgFlow | undefined;
  /** Whether the caller can take several frames (socket with `streaming: true`); REST twins pass false. */
  readonly streaming: boolean;
  /** Aborted when the client cancels the request or the socket closes. */
  readonly signal: AbortSignal;
}

/**
 * What a handler yields: response bodies in order. The dispatcher marks the last one it yields as the
 * final frame (`complete: true`); handlers add the service's own end markers (`end-of-stream`,
 * `end-of-dialog`, `eos`) themselves. A non-streaming call yields exactly one body.
 */
export type TgReplies = AsyncIterable<TgBody>;

/** A TrustGraph service: one `service` value of the socket, one `{kind}` of the REST twins. */
export interface TgService {
  /** The `service` name, e.g. `config`, `document-rag`. */
  readonly kind: string;
  /** Global services take no `flow`; flow-hosted ones require a started flow. */
  readonly scope: "global" | "flow";
  handle(call: TgCall): TgReplies;
}

/** Error types TrustGraph clients see in `error.type` (REFERENCE.md §1). */
export type TgErrorType =
  | "gateway-error"
  | "unknown-service"
  | "auth-required"
  | "access-denied"
  | "flow-not-found"
  | "not-configured"
  | "invalid-request"
  | "not-found"
  | "cancelled"
  | "error";

/**
 * A failure a TrustGraph client is told about as `{"type", "message"}`. Handlers throw it for bad
 * requests and missing things; other errors reach the client as `gateway-error` without internals.
 */
export class TgError extends Error {
  constructor(
    readonly type: TgErrorType,
    message: string,
  ) {
    super(message);
    this.name = "TgError";
  }
}
