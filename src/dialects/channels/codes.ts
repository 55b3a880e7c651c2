import type { DisconnectReason } from "../../core/disconnect.js";
import type { ErrorCodeName, ErrorKind } from "../../core/errors.js";
import { CLOSE_CODES, ERROR_CODES, type ErrorCode } from "../../protocol/codes.js";

/** Close code and reason for each core disconnect reason (the table in docs/protocol-channels.md). */
export function closeFor(reason: DisconnectReason): { code: number; reason: string } {
  switch (reason) {
    case "shutdown":
    case "slow":
    case "tokenExpired":
    case "rateLimited":
    case "idleTimeout":
    case "internal":
    case "frameTooLarge":
    case "tokenInvalid":
    case "tooManyConnections":
      return CLOSE_CODES[reason];
    case "forbidden":
    case "notFound":
      return CLOSE_CODES.tokenInvalid;
    case "badRequest":
      return { code: 1008, reason: "bad request" };
    case "normal":
      return { code: 1000, reason: "" };
  }
}

const byKind: Record<ErrorKind, ErrorCode> = {
  invalid: ERROR_CODES.invalidRequest,
  unauthorized: ERROR_CODES.unauthorized,
  forbidden: ERROR_CODES.unauthorized,
  notFound: ERROR_CODES.notFound,
  limit: ERROR_CODES.unauthorized,
  rateLimited: ERROR_CODES.rateLimited,
  unavailable: ERROR_CODES.internalError,
  internal: ERROR_CODES.internalError,
};

/** Subscription refusals have their own code in seed 002. */
const byCode: Partial<Record<ErrorCodeName, ErrorCode>> = {
  LG_ERR_CHANNEL_FORBIDDEN: ERROR_CODES.subscriptionFailed,
  LG_ERR_SUBSCRIPTION_LIMIT: ERROR_CODES.subscriptionFailed,
};

/** The wire error code for a gateway error. */
export function errorCodeFor(code: ErrorCodeName, kind: ErrorKind): ErrorCode {
  return byCode[code] ?? byKind[kind];
}
