import type { DisconnectReason } from "../../core/disconnect.js";
import type { ErrorCodeName, GatewayError } from "../../core/errors.js";

/** A close code and its reason text. */
export interface CloseSpec {
  readonly code: number;
  readonly reason: string;
}

/**
 * CodeGraph's close code for each core disconnect reason (docs/protocol-codegraph.md, "Close codes").
 * 4001 and 4004 are the seed's; the others are the standard codes (RFC 6455 §7.4.1) or livegate's.
 */
export const CODEGRAPH_CLOSE = {
  tokenInvalid: { code: 4001, reason: "Invalid token" },
  tokenExpired: { code: 4001, reason: "Invalid token" },
  notFound: { code: 4004, reason: "Job not found" },
  shutdown: { code: 1001, reason: "Server shutting down" },
  slow: { code: 1013, reason: "Slow consumer" },
  frameTooLarge: { code: 1009, reason: "Message too large" },
  rateLimited: { code: 1008, reason: "Rate limit exceeded" },
  /** livegate's idle close on every protocol; a client that answers pings (any browser) never sees it. */
  idleTimeout: { code: 4008, reason: "Idle timeout" },
  tooManyConnections: { code: 4003, reason: "Too many connections" },
  forbidden: { code: 4003, reason: "Forbidden" },
  badRequest: { code: 1008, reason: "Bad request" },
  internal: { code: 1011, reason: "Internal error" },
  normal: { code: 1000, reason: "" },
} as const satisfies Record<DisconnectReason, CloseSpec>;

/** The close code and reason for `reason`. */
export const closeFor = (reason: DisconnectReason): CloseSpec => CODEGRAPH_CLOSE[reason];

/** The `error` strings of the seed's "Common Errors" table, and livegate's for what it adds. */
export const ERROR_TEXT = {
  invalidFormat: "Invalid message format",
  queryRequired: "Query is required",
  unknownType: "Unknown message type",
  jobNotFound: "Job not found",
  invalidToken: "Invalid token",
  rateLimited: "Rate limit exceeded",
  sessionNotFound: "Session not found",
  unknownScenario: "Unknown scenario",
  chatFailed: "Chat failed",
  tooManyQueries: "Too many queries in flight",
  tooManyConnections: "Too many connections",
  unavailable: "Service unavailable",
  internal: "Internal error",
} as const;
export type ErrorText = (typeof ERROR_TEXT)[keyof typeof ERROR_TEXT];

const byCode: Partial<Record<ErrorCodeName, ErrorText>> = {
  LG_ERR_FRAME_INVALID_JSON: ERROR_TEXT.invalidFormat,
  LG_ERR_FRAME_BINARY: ERROR_TEXT.invalidFormat,
  LG_ERR_FRAME_INVALID: ERROR_TEXT.invalidFormat,
  LG_ERR_REQUEST_INVALID: ERROR_TEXT.invalidFormat,
  LG_ERR_FRAME_UNKNOWN_TYPE: ERROR_TEXT.unknownType,
  LG_ERR_AUTH_TOKEN_MISSING: ERROR_TEXT.invalidToken,
  LG_ERR_AUTH_TOKEN_INVALID: ERROR_TEXT.invalidToken,
  LG_ERR_AUTH_TOKEN_EXPIRED: ERROR_TEXT.invalidToken,
  LG_ERR_AUTH_TIMEOUT: ERROR_TEXT.invalidToken,
  LG_ERR_AUTH_REQUIRED: ERROR_TEXT.invalidToken,
  LG_ERR_AUTH_USER_CHANGED: ERROR_TEXT.invalidToken,
  LG_ERR_JOB_NOT_FOUND: ERROR_TEXT.jobNotFound,
  LG_ERR_SESSION_NOT_FOUND: ERROR_TEXT.sessionNotFound,
  LG_ERR_SCENARIO_UNKNOWN: ERROR_TEXT.unknownScenario,
  LG_ERR_MODEL_UNKNOWN: ERROR_TEXT.invalidFormat,
  LG_ERR_CHAT_FAILED: ERROR_TEXT.chatFailed,
  LG_ERR_CHAT_REJECTED: ERROR_TEXT.chatFailed,
  LG_ERR_RATE_LIMITED: ERROR_TEXT.rateLimited,
  LG_ERR_CONNECTION_LIMIT: ERROR_TEXT.tooManyConnections,
  LG_ERR_UNAVAILABLE: ERROR_TEXT.unavailable,
};

/** The `error` string for a gateway error; its message becomes `details`. */
export const errorTextFor = (err: GatewayError): string => byCode[err.code] ?? ERROR_TEXT.internal;
