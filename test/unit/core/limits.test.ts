import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenBucket } from "../../../src/core/limits.js";

describe("the token bucket", () => {
  it("allows a burst, then refuses with the time until the next token", () => {
    const b = new TokenBucket(10, 3, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0)], [0, 0, 0], "the burst of 3 passes");
    const wait = b.take(0);
    assert.ok(Math.abs(wait - 0.1) < 1e-9, `at 10/s the next token is 0.1 s away, got ${wait}`);
  });

  it("refills at its rate up to the burst", () => {
    const b = new TokenBucket(10, 2, 0);
    b.take(0);
    b.take(0);
    assert.equal(b.take(100), 0, "one token after 100 ms");
    assert.ok(b.take(100) > 0, "and only one");
    assert.equal(b.take(10_000), 0);
    assert.equal(b.take(10_000), 0);
    assert.ok(b.take(10_000) > 0, "never more than the burst");
  });
});
