export { CLOSE_CODES, ERROR_CODES, REPLY_TYPES } from "./codes.js";
export type { CloseCodeName, ErrorCode } from "./codes.js";
