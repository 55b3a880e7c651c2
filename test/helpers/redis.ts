import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** The Redis the tests run against (.ci/run makes sure it answers). */
export const REDIS_URL = process.env.LIVEGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test run uses. */
export const uniquePrefix = (what: string): string => `livegate-test:${what}:${process.pid}-${randomBytes(4).toString("hex")}:`;

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
