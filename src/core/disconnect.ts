import { CLOSE_CODES } from "../protocol/codes.js";

/**
 * Why a connection is closed. The core speaks only in reasons; each dialect maps a reason to its own
 * documented close code (see `src/dialects/<name>/codes.ts`).
 */
export const DISCONNECT_REASONS = {
  shutdown: { reconnect: true },
  slow: { reconnect: true },
  tokenExpired: { reconnect: true },
  rateLimited: { reconnect: true },
  idleTimeout: { reconnect: true },
  internal: { reconnect: true },
  frameTooLarge: { reconnect: true },
  tokenInvalid: { reconnect: false },
  forbidden: { reconnect: false },
  badRequest: { reconnect: false },
  notFound: { reconnect: false },
  tooManyConnections: { reconnect: false },
  normal: { reconnect: false },
} as const;

/** Name of a disconnect reason. */
export type DisconnectReason = keyof typeof DISCONNECT_REASONS;

/**
 * livegate's own close code for each reason (the table of src/protocol/codes.ts), used by the dialects
 * that have no seed-given codes of their own (`channels`, `acp`).
 */
export function livegateClose(reason: DisconnectReason): { code: number; reason: string } {
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
