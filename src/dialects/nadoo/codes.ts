import type { DisconnectReason } from "../../core/disconnect.js";
import { isChatFailure, type ErrorCodeName, type ErrorKind, type GatewayError } from "../../core/errors.js";

/** A close code and its reason text. */
export interface CloseSpec {
  readonly code: number;
  readonly reason: string;
}

/**
 * Nadoo's close code for each core disconnect reason (docs/protocol-nadoo.md, "Close codes"). The seed
 * documents one: 1008 (Policy Violation) "Invalid token", and 1008 for a notification socket whose user is
 * not the token's; every refusal of who may connect is therefore 1008 here, with a reason saying why.
 */
export const NADOO_CLOSE = {
  tokenInvalid: { code: 1008, reason: "Invalid token" },
  tokenExpired: { code: 1008, reason: "Token expired" },
  forbidden: { code: 1008, reason: "Forbidden" },
  notFound: { code: 1008, reason: "Not found" },
  badRequest: { code: 1008, reason: "Bad request" },
  rateLimited: { code: 1008, reason: "Rate limit exceeded" },
  tooManyConnections: { code: 1008, reason: "Too many connections" },
  shutdown: { code: 1001, reason: "Server shutting down" },
  slow: { code: 1013, reason: "Slow consumer" },
  frameTooLarge: { code: 1009, reason: "Message too large" },
  /** livegate's idle close on every protocol; a client that answers pings (any browser) never sees it. */
  idleTimeout: { code: 4008, reason: "Idle timeout" },
  internal: { code: 1011, reason: "Internal error" },
  normal: { code: 1000, reason: "" },
} as const satisfies Record<DisconnectReason, CloseSpec>;

/** Close reasons more precise than the reason's default, by the error that closed the socket. */
const CLOSE_TEXT: Partial<Record<ErrorCodeName, string>> = {
  LG_ERR_SESSION_FORBIDDEN: "Not a session member",
  LG_ERR_WORKSPACE_FORBIDDEN: "Not a workspace member",
  LG_ERR_USER_MISMATCH: "User mismatch",
  LG_ERR_EXECUTION_NOT_FOUND: "Execution not found",
  LG_ERR_AUTH_TOKEN_EXPIRED: "Invalid token",
};

/** The close code and reason for `reason`, made precise by the error that caused it, if any. */
export function closeFor(reason: DisconnectReason, cause?: GatewayError): CloseSpec {
  const base = NADOO_CLOSE[reason];
  const text = cause ? CLOSE_TEXT[cause.code] : undefined;
  return text ? { code: base.code, reason: text } : base;
}

/**
 * The `code` of an `error` frame, from the error's kind. Nadoo's SSE error codes (`rate_limit`,
 * `provider_error`, `auth_error`, `timeout`, …; chat/streaming.mdx) where one fits, livegate's otherwise.
 */
const CODE_BY_KIND: Record<ErrorKind, string> = {
  invalid: "invalid_request",
  unauthorized: "auth_error",
  forbidden: "forbidden",
  notFound: "not_found",
  limit: "limit_exceeded",
  rateLimited: "rate_limit",
  unavailable: "provider_error",
  internal: "internal_error",
};

/** Human-readable `message` texts where the seed or Nadoo's docs give one. */
const MESSAGE_TEXT: Partial<Record<ErrorCodeName, string>> = {
  LG_ERR_AUTH_TOKEN_MISSING: "Invalid token",
  LG_ERR_AUTH_TOKEN_INVALID: "Invalid token",
  LG_ERR_AUTH_TOKEN_EXPIRED: "Invalid token",
  LG_ERR_FRAME_INVALID_JSON: "Invalid message format",
  LG_ERR_FRAME_BINARY: "Invalid message format",
};

/** The `code` field of an error frame. */
export const errorCodeFor = (err: GatewayError): string => (isChatFailure(err.code) && /timed? ?out/i.test(err.message) ? "timeout" : CODE_BY_KIND[err.kind]);

/** The `message` field of an error frame. */
export const errorMessageFor = (err: GatewayError): string => MESSAGE_TEXT[err.code] ?? err.message;
