import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Counters } from "../../../../src/engines/broker/broker.js";
import { CHAT_RATE_WINDOW_MS, takeChatRequest } from "../../../../src/dialects/unacode/rate.js";

/** Counters that never expire, recording the keys they were asked for. */
function counters(): Counters & { keys: string[] } {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    increment(key) {
      keys.push(key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return Promise.resolve(counts.get(key)!);
    },
  };
}

describe("the per-user chat request rate", () => {
  const minute = 29_000_000 * CHAT_RATE_WINDOW_MS;

  it("allows perMinute requests in a clock minute, then tells the seconds to the next minute", async () => {
    const c = counters();
    assert.equal(await takeChatRequest(c, "alice", 2, minute + 1_000), 0);
    assert.equal(await takeChatRequest(c, "alice", 2, minute + 2_000), 0);
    assert.equal(await takeChatRequest(c, "alice", 2, minute + 45_500), 15, "14.5 s left, rounded up");
    assert.equal(await takeChatRequest(c, "alice", 2, minute + 59_999), 1, "never less than 1 s");
  });

  it("starts afresh in the next clock minute and counts each user apart", async () => {
    const c = counters();
    for (let i = 0; i < 3; i++) await takeChatRequest(c, "bob", 2, minute + 59_000);
    assert.equal(await takeChatRequest(c, "bob", 2, minute + CHAT_RATE_WINDOW_MS), 0, "a new minute");
    assert.equal(await takeChatRequest(c, "carol", 2, minute + 59_000), 0, "another user");
    assert.equal(new Set(c.keys).size, 3, `one key per user and minute: ${c.keys.join(", ")}`);
  });

  it("counts nothing when the limit is 0", async () => {
    const c = counters();
    assert.equal(await takeChatRequest(c, "dave", 0), 0);
    assert.equal(c.keys.length, 0, "no counter is touched");
  });
});
