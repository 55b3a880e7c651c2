/**
 * Token bucket: `ratePerSec` tokens refill per second up to `burst`. One instance per connection.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token. Returns 0 when allowed, else the seconds until a token is available. */
  take(now = Date.now()): number {
    const elapsedSec = (now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSec * this.ratePerSec);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.ratePerSec;
  }
}
