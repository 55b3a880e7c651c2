import type { ErrorCodeName, ErrorKind, GatewayError } from "../../core/errors.js";

/**
 * JSON-RPC error codes of the ACP dialect (docs/protocol-acp.md). The first five are JSON-RPC 2.0's,
 * -32000 and -32002 are ACP's; -32009 and -32029 are livegate's, in JSON-RPC's server-error range
 * (-32000 to -32099), numbered after the HTTP status they match (409, 429).
 */
export const RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** ACP `auth_required`. */
  authRequired: -32000,
  /** ACP `resource_not_found`: unknown sessions and other users' sessions alike. */
  resourceNotFound: -32002,
  /** livegate: the session already has a prompt in progress. */
  busy: -32009,
  /** livegate: rate limit or connection limit; `data.retryAfter` in seconds when known. */
  limited: -32029,
} as const;
export type RpcErrorCode = (typeof RPC_ERRORS)[keyof typeof RPC_ERRORS];

/** What goes into a JSON-RPC error object's `data`. */
export interface RpcErrorData {
  /** livegate's error code, e.g. `LG_ERR_SESSION_NOT_FOUND`. */
  code?: ErrorCodeName;
  retryable?: boolean;
  retryAfter?: number;
  /** Validation failures, for -32602 and -32600. */
  issues?: { path: string; message: string }[];
}

/** A JSON-RPC error to answer with. Thrown by method handlers, caught by the dispatcher. */
export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly data?: RpcErrorData,
  ) {
    super(message);
    this.name = "RpcError";
  }

  /** The JSON-RPC error object. */
  toJSON(): { code: number; message: string; data?: RpcErrorData } {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

const byKind: Record<ErrorKind, RpcErrorCode> = {
  invalid: RPC_ERRORS.invalidParams,
  unauthorized: RPC_ERRORS.authRequired,
  // Refusals look like absence: livegate never confirms that another user's resource exists.
  forbidden: RPC_ERRORS.resourceNotFound,
  notFound: RPC_ERRORS.resourceNotFound,
  limit: RPC_ERRORS.limited,
  rateLimited: RPC_ERRORS.limited,
  unavailable: RPC_ERRORS.internalError,
  internal: RPC_ERRORS.internalError,
};

const byCode: Partial<Record<ErrorCodeName, RpcErrorCode>> = {
  LG_ERR_SESSION_BUSY: RPC_ERRORS.busy,
};

/** The JSON-RPC error for a gateway error; `data.code` keeps livegate's code. */
export function rpcErrorFor(err: GatewayError): RpcError {
  const data: RpcErrorData = { code: err.code, retryable: err.retryable };
  if (err.retryAfterSec !== undefined) data.retryAfter = err.retryAfterSec;
  return new RpcError(byCode[err.code] ?? byKind[err.kind], err.message, data);
}

