import type { DisconnectReason } from "../../core/disconnect.js";
import type { ErrorCodeName, ErrorKind, GatewayError } from "../../core/errors.js";

/**
 * UnaCODE's `error.payload.code` values (docs/protocol-unacode.md, "Errors"). The first six are the
 * seed's; `CONVERSATION_ENDED`, `SERVICE_UNAVAILABLE` and `MODEL_REJECTED` are livegate's, for what the seed
 * has no code for.
 */
export const UNACODE_ERROR_CODES = {
  invalidMessage: "INVALID_MESSAGE",
  unknownType: "UNKNOWN_TYPE",
  unauthorized: "UNAUTHORIZED",
  notFound: "NOT_FOUND",
  rateLimited: "RATE_LIMIT_EXCEEDED",
  internal: "INTERNAL_ERROR",
  conversationEnded: "CONVERSATION_ENDED",
  unavailable: "SERVICE_UNAVAILABLE",
  modelRejected: "MODEL_REJECTED",
} as const;
export type UnaCodeErrorCode = (typeof UNACODE_ERROR_CODES)[keyof typeof UNACODE_ERROR_CODES];

const C = UNACODE_ERROR_CODES;

/** Codes that differ from their kind's. */
const byCode: Partial<Record<ErrorCodeName, UnaCodeErrorCode>> = {
  LG_ERR_FRAME_UNKNOWN_TYPE: C.unknownType,
  LG_ERR_CONVERSATION_ENDED: C.conversationEnded,
  // The model server refused the request (bad key, unknown model): unlike SERVICE_UNAVAILABLE, waiting won't help.
  LG_ERR_CHAT_REJECTED: C.modelRejected,
};

const byKind: Record<ErrorKind, UnaCodeErrorCode> = {
  invalid: C.invalidMessage,
  unauthorized: C.unauthorized,
  forbidden: C.unauthorized,
  notFound: C.notFound,
  // Too many connections for the user, too many answers in flight: come back later, as for a rate.
  limit: C.rateLimited,
  rateLimited: C.rateLimited,
  unavailable: C.unavailable,
  internal: C.internal,
};

/** The wire code for a gateway error. */
export const errorCodeFor = (err: GatewayError): UnaCodeErrorCode => byCode[err.code] ?? byKind[err.kind];

/** A close code and its reason text. */
export interface CloseSpec {
  readonly code: number;
  readonly reason: string;
}

/**
 * UnaCODE's close code for each core disconnect reason (docs/protocol-unacode.md, "Close codes"). The
 * seed names none; these are the standard codes (RFC 6455 §7.4.1) and the 4xxx codes livegate's other
 * dialects use for the same reasons.
 */
export const UNACODE_CLOSE = {
  tokenInvalid: { code: 4001, reason: "Unauthorized" },
  tokenExpired: { code: 4001, reason: "Token expired" },
  tooManyConnections: { code: 4003, reason: "Too many connections" },
  forbidden: { code: 4003, reason: "Forbidden" },
  notFound: { code: 4004, reason: "Not found" },
  idleTimeout: { code: 4008, reason: "Idle timeout" },
  shutdown: { code: 1001, reason: "Server shutting down" },
  rateLimited: { code: 1008, reason: "Rate limit exceeded" },
  badRequest: { code: 1008, reason: "Bad request" },
  frameTooLarge: { code: 1009, reason: "Message too large" },
  internal: { code: 1011, reason: "Internal error" },
  slow: { code: 1013, reason: "Slow consumer" },
  normal: { code: 1000, reason: "" },
} as const satisfies Record<DisconnectReason, CloseSpec>;

/** The close code and reason for `reason`. */
export const closeFor = (reason: DisconnectReason): CloseSpec => UNACODE_CLOSE[reason];
