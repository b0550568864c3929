/**
 * A token bucket per key (contract section 3): `rate` requests a second
 * sustained, bursts of 10 × rate. In memory, per process.
 */
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;
  private readonly limitHeader: string;

  constructor(
    private readonly rate: number,
    private readonly clock: () => number = () => performance.now() / 1000,
  ) {
    this.burst = rate * 10;
    this.limitHeader = String(this.burst);
  }

  take(key: string): RateDecision {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.rate);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': this.limitHeader,
      'x-ratelimit-remaining': String(Math.floor(bucket.tokens)),
      'x-ratelimit-reset': String(Math.ceil((this.burst - bucket.tokens) / this.rate)),
    };
    if (!allowed) headers['retry-after'] = String(Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)));
    return { allowed, headers };
  }
}
