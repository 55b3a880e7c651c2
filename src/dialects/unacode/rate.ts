import type { Counters } from "../../engines/broker/broker.js";
import type { UserId } from "../../core/types.js";

/** The window of the per-user chat rate. */
export const CHAT_RATE_WINDOW_MS = 60_000;

/**
 * Counts one chat request of `user` against `perMinute` in the current clock minute, on the broker's
 * shared counters (so every node counts together). Windows are aligned to the clock (the key names the
 * minute), so the time until the next window, the `retry_after`, is known on every node.
 * Returns 0 when allowed, else the seconds until the next window (at least 1). `perMinute` 0: no limit.
 */
export async function takeChatRequest(counters: Counters, user: UserId, perMinute: number, now = Date.now()): Promise<number> {
  if (perMinute <= 0) return 0;
  const window = Math.floor(now / CHAT_RATE_WINDOW_MS);
  const count = await counters.increment(`unacode:chat:${user}:${window}`, CHAT_RATE_WINDOW_MS);
  if (count <= perMinute) return 0;
  return Math.max(1, Math.ceil(((window + 1) * CHAT_RATE_WINDOW_MS - now) / 1000));
}
