import type { DisconnectReason } from "./disconnect.js";

/**
 * Generic kind of an error; each dialect maps kinds to its own wire codes
 * (e.g. `channels`: `forbidden` → `subscription_failed` on subscribe, `unauthorized` on publish).
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "notFound"
  | "limit"
  | "rateLimited"
  | "unavailable"
  | "internal";

interface ErrorSpec {
  kind: ErrorKind;
  /** Message template; `{name}` is filled from the params. */
  message: string;
  /** HTTP status when the error answers a REST request. */
  status: number;
  /** Whether retrying the same request later can succeed. */
  retryable: boolean;
  /** If set, the connection is closed for this reason after the error is reported. */
  disconnect?: DisconnectReason;
}

/**
 * The one table of livegate's errors. Codes are stable and never reused (docs/errors.md lists them).
 */
export const ERRORS = {
  LG_ERR_FRAME_INVALID_JSON: { kind: "invalid", message: "frame is not valid JSON", status: 400, retryable: false },
  LG_ERR_FRAME_BINARY: { kind: "invalid", message: "binary frames are not accepted; send JSON text", status: 400, retryable: false },
  LG_ERR_FRAME_INVALID: { kind: "invalid", message: "invalid frame: {detail}", status: 400, retryable: false },
  LG_ERR_REQUEST_INVALID: { kind: "invalid", message: "invalid request: {detail}", status: 400, retryable: false },
  LG_ERR_FRAME_UNKNOWN_TYPE: { kind: "invalid", message: "unknown message type \"{type}\"", status: 400, retryable: false },
  LG_ERR_CHANNEL_NAME_INVALID: {
    kind: "invalid",
    message: "invalid channel name \"{channel}\": 1-255 characters of A-Z a-z 0-9 _ - : . @ = +",
    status: 400,
    retryable: false,
  },
  LG_ERR_EVENT_TYPE_INVALID: {
    kind: "invalid",
    message: "invalid event type \"{type}\": 1-64 characters of A-Z a-z 0-9 _ - . :, not a reply type",
    status: 400,
    retryable: false,
  },
  LG_ERR_AUTH_TOKEN_MISSING: { kind: "unauthorized", message: "a token is required", status: 401, retryable: false, disconnect: "tokenInvalid" },
  LG_ERR_AUTH_TOKEN_INVALID: { kind: "unauthorized", message: "invalid token: {detail}", status: 401, retryable: false, disconnect: "tokenInvalid" },
  LG_ERR_AUTH_TOKEN_EXPIRED: { kind: "unauthorized", message: "token expired", status: 401, retryable: true, disconnect: "tokenExpired" },
  LG_ERR_AUTH_TIMEOUT: { kind: "unauthorized", message: "no auth message within {ms} ms", status: 401, retryable: false, disconnect: "tokenInvalid" },
  LG_ERR_AUTH_REQUIRED: { kind: "unauthorized", message: "authenticate first: send an auth message with a token", status: 401, retryable: false },
  LG_ERR_AUTH_USER_CHANGED: { kind: "unauthorized", message: "the new token is for another user", status: 401, retryable: false },
  LG_ERR_API_KEY: { kind: "unauthorized", message: "a valid API key is required (Authorization: Bearer <key>)", status: 401, retryable: false },
  LG_ERR_CHANNEL_FORBIDDEN: { kind: "forbidden", message: "not allowed to subscribe to channel \"{channel}\"", status: 403, retryable: false },
  LG_ERR_PUBLISH_FORBIDDEN: { kind: "forbidden", message: "not allowed to publish to channel \"{channel}\"", status: 403, retryable: false },
  LG_ERR_NOT_SUBSCRIBED: { kind: "notFound", message: "not subscribed to channel \"{channel}\"", status: 404, retryable: false },
  LG_ERR_ROUTE_NOT_FOUND: { kind: "notFound", message: "no such endpoint: {path}", status: 404, retryable: false },
  LG_ERR_SESSION_FORBIDDEN: {
    kind: "forbidden",
    message: "not a member of session \"{session_id}\"",
    status: 403,
    retryable: false,
    disconnect: "forbidden",
  },
  LG_ERR_USER_MISMATCH: {
    kind: "forbidden",
    message: "the user in the path, \"{user}\", is not the token's subject",
    status: 403,
    retryable: false,
    disconnect: "forbidden",
  },
  LG_ERR_CHAT_NOT_FOUND: { kind: "notFound", message: "chat \"{chat_id}\" not found", status: 404, retryable: false },
  LG_ERR_WORKSPACE_NOT_FOUND: { kind: "notFound", message: "workspace \"{workspace_id}\" not found", status: 404, retryable: false },
  LG_ERR_WORKSPACE_EXISTS: { kind: "invalid", message: "workspace \"{workspace_id}\" already exists", status: 409, retryable: false },
  LG_ERR_WORKSPACE_FORBIDDEN: {
    kind: "forbidden",
    message: "not a member of workspace \"{workspace_id}\"",
    status: 403,
    retryable: false,
    disconnect: "forbidden",
  },
  LG_ERR_EXECUTION_NOT_FOUND: {
    kind: "notFound",
    message: "plugin execution \"{execution_id}\" not found",
    status: 404,
    retryable: false,
    disconnect: "notFound",
  },
  LG_ERR_EXECUTION_FINISHED: { kind: "invalid", message: "plugin execution \"{execution_id}\" has already {status}", status: 409, retryable: false },
  LG_ERR_SUBSCRIPTION_LIMIT: {
    kind: "limit",
    message: "too many subscriptions: at most {max} per connection",
    status: 429,
    retryable: false,
  },
  LG_ERR_CONNECTION_LIMIT: {
    kind: "limit",
    message: "too many connections for user \"{user}\": at most {max}",
    status: 429,
    retryable: true,
    disconnect: "tooManyConnections",
  },
  LG_ERR_RATE_LIMITED: { kind: "rateLimited", message: "rate limit exceeded; retry after {retry_after} s", status: 429, retryable: true },
  LG_ERR_JOB_NOT_FOUND: { kind: "notFound", message: "job \"{job_id}\" not found", status: 404, retryable: false, disconnect: "notFound" },
  LG_ERR_JOB_EXISTS: { kind: "invalid", message: "job \"{job_id}\" already exists", status: 409, retryable: false },
  LG_ERR_JOB_FINISHED: { kind: "invalid", message: "job \"{job_id}\" is already {status}", status: 409, retryable: false },
  LG_ERR_DOCUMENT_NOT_FOUND: { kind: "notFound", message: "document \"{id}\" not found", status: 404, retryable: false },
  LG_ERR_SESSION_NOT_FOUND: { kind: "notFound", message: "session \"{session_id}\" not found", status: 404, retryable: false },
  LG_ERR_SESSION_BUSY: {
    kind: "limit",
    message: "session \"{session_id}\" already has a prompt in progress; cancel it or wait for its answer",
    status: 409,
    retryable: true,
  },
  LG_ERR_CONVERSATION_NOT_FOUND: { kind: "notFound", message: "conversation \"{conversation_id}\" not found", status: 404, retryable: false },
  LG_ERR_CONVERSATION_ENDED: {
    kind: "invalid",
    message: "conversation \"{conversation_id}\" has ended; start a new one",
    status: 409,
    retryable: false,
  },
  LG_ERR_SCENARIO_UNKNOWN: { kind: "invalid", message: "unknown scenario \"{scenario_id}\"", status: 400, retryable: false },
  LG_ERR_MODEL_UNKNOWN: { kind: "invalid", message: "unknown model \"{model}\"; configured: {models}", status: 400, retryable: false },
  LG_ERR_CHAT_FAILED: { kind: "unavailable", message: "chat failed: {detail}", status: 502, retryable: true },
  LG_ERR_CHAT_REJECTED: {
    kind: "unavailable",
    message: "chat rejected by the model server, retrying the same request will not help: {detail}",
    status: 502,
    retryable: false,
  },
  LG_ERR_UNAVAILABLE: { kind: "unavailable", message: "{what} is unavailable", status: 503, retryable: true },
  LG_ERR_INTERNAL: { kind: "internal", message: "internal error", status: 500, retryable: true },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code, e.g. `LG_ERR_CHANNEL_FORBIDDEN`. */
export type ErrorCodeName = keyof typeof ERRORS;

/**
 * An error that knows what should happen next: its kind (for the wire code), HTTP status,
 * retry advice and, if any, the disconnect reason. Thrown by the core, caught and encoded by dialects.
 */
export class GatewayError extends Error {
  readonly code: ErrorCodeName;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly retryable: boolean;
  readonly disconnect: DisconnectReason | undefined;
  /** Seconds until a retry may succeed (rate limits). */
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCodeName, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(
      spec.message.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`)),
      options,
    );
    this.name = "GatewayError";
    this.code = code;
    this.kind = spec.kind;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.disconnect = spec.disconnect;
    this.retryAfterSec = typeof params.retry_after === "number" ? params.retry_after : undefined;
  }
}

/** A failure of the chat provider: retryable (`LG_ERR_CHAT_FAILED`) or refused by the model server (`LG_ERR_CHAT_REJECTED`). */
export const isChatFailure = (code: ErrorCodeName): boolean => code === "LG_ERR_CHAT_FAILED" || code === "LG_ERR_CHAT_REJECTED";

/** Turns anything thrown into a GatewayError; unknown faults become LG_ERR_INTERNAL (the cause is kept). */
export function toGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError("LG_ERR_INTERNAL", {}, { cause: err });
}
