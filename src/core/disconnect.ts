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
