import type { ErrorCodeName, ErrorKind } from "../../core/errors.js";
import { ERROR_CODES, type ErrorCode } from "../../protocol/codes.js";


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
