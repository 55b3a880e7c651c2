/**
 * Wire codes of livegate's native `channels` protocol, shared by the server and the SDK.
 * This module imports nothing, so clients can depend on it alone (`livegate/protocol`).
 */

/** Close codes used on `/ws`, with whether a client should reconnect after each. */
export const CLOSE_CODES = {
  /** Server shutting down; reconnect (to another node) and recover. */
  shutdown: { code: 1001, reason: "server shutting down", reconnect: true },
  /** The client kept sending while rate limited. */
  rateLimited: { code: 1008, reason: "rate limit exceeded", reconnect: true },
  /** A frame was larger than the server's maxFrameBytes. */
  frameTooLarge: { code: 1009, reason: "frame too large", reconnect: true },
  /** Unexpected server fault. */
  internal: { code: 1011, reason: "internal error", reconnect: true },
  /** The send buffer went over its bound; reconnect and recover from history. */
  slow: { code: 1013, reason: "slow consumer", reconnect: true },
  /** Token missing, invalid or refused, or no auth message in time. */
  tokenInvalid: { code: 4001, reason: "unauthorized", reconnect: false },
  /** Token expired and was not refreshed in time; reconnect with a fresh token. */
  tokenExpired: { code: 4002, reason: "token expired", reconnect: true },
  /** Too many connections for this user. */
  tooManyConnections: { code: 4003, reason: "too many connections", reconnect: false },
  /** Nothing received within the idle timeout. */
  idleTimeout: { code: 4008, reason: "idle timeout", reconnect: true },
} as const;
export type CloseCodeName = keyof typeof CLOSE_CODES;

/** Error codes carried in `{"type":"error","data":{"code",…}}` frames on `/ws`. */
export const ERROR_CODES = {
  invalidRequest: "invalid_request",
  unauthorized: "unauthorized",
  subscriptionFailed: "subscription_failed",
  internalError: "internal_error",
  rateLimited: "rate_limited",
  notFound: "not_found",
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Frame types the server sends as replies; a publication's event type may not reuse them. */
export const REPLY_TYPES = [
  "connected",
  "subscribed",
  "unsubscribed",
  "published",
  "history",
  "presence",
  "pong",
  "authenticated",
  "auth_required",
  "error",
] as const;
