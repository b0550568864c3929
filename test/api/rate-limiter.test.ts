import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../../src/api/rate-limiter.ts';

/** A limiter on a clock the test moves by hand. */
function limiter(rate: number) {
  let now = 1000;
  const limit = new RateLimiter(rate, () => now);
  return { limit, advance: (seconds: number) => (now += seconds) };
}

test('a key may burst 10 × the rate, then waits for tokens at the rate', () => {
  const { limit, advance } = limiter(5);
  for (let i = 0; i < 50; i += 1) assert.equal(limit.take('k').allowed, true, `request ${i + 1}`);
  const refused = limit.take('k');
  assert.equal(refused.allowed, false);
  assert.equal(refused.headers['retry-after'], '1');
  assert.equal(refused.headers['x-ratelimit-remaining'], '0');
  advance(0.2);
  assert.equal(limit.take('k').allowed, true, 'one token after 1/rate seconds');
  assert.equal(limit.take('k').allowed, false);
  advance(100);
  assert.equal(limit.take('k').headers['x-ratelimit-remaining'], '49', 'the bucket refills only up to the burst');
});

test('the headers: Limit is the burst, Remaining counts down, Reset is the seconds until the bucket is full', () => {
  const { limit } = limiter(2);
  const first = limit.take('k');
  assert.deepEqual(first.headers, { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19', 'x-ratelimit-reset': '1' });
  for (let i = 0; i < 19; i += 1) limit.take('k');
  const empty = limit.take('k');
  assert.equal(empty.allowed, false);
  assert.equal(empty.headers['x-ratelimit-reset'], '10');
  assert.equal((first.headers as Record<string, string>)['retry-after'], undefined, 'Retry-After only on a refusal');
});

test('each key has its own bucket', () => {
  const { limit } = limiter(1);
  for (let i = 0; i < 10; i += 1) limit.take('a');
  assert.equal(limit.take('a').allowed, false);
  assert.equal(limit.take('b').allowed, true);
});
