import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff, exponentialDelay } from './backoff.ts';
import { FakeClock } from './clock.ts';
import { defaultControllerRateLimiter, ItemExponentialRateLimiter, TokenBucket } from './rate-limiter.ts';

describe('TokenBucket', () => {
  test('allows a burst, then refills at qps', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(10, 3, clock);
    assert.deepEqual([b.tryAccept(), b.tryAccept(), b.tryAccept(), b.tryAccept()], [true, true, true, false]);
    clock.advance(99);
    assert.equal(b.tryAccept(), false);
    clock.advance(1);
    assert.equal(b.tryAccept(), true);
    clock.advance(10_000);
    let n = 0;
    while (b.tryAccept()) n++;
    assert.equal(n, 3, 'refill is capped at burst');
  });

  test('reservations queue up in the future', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(2, 1, clock);
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 500, 1000]);
  });

  test('wait() sleeps on the clock and returns early on abort', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(1, 1, clock);
    await b.wait();
    let done = false;
    const p = b.wait().then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    clock.advance(1000);
    await p;
    const ac = new AbortController();
    const q = b.wait(ac.signal);
    ac.abort();
    await q;
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('per-item limiters', () => {
  test("the controller default doubles from 5 ms and caps at 1000 s, like client-go's", () => {
    const l = defaultControllerRateLimiter<string>({ clock: new FakeClock(), qps: 1e9, burst: 1e9 });
    const delays = Array.from({ length: 30 }, () => l.when('k'));
    assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(delays[29], 1_000_000);
    assert.equal(l.numRequeues('k'), 30);
    l.forget('k');
    assert.equal(l.when('k'), 5);
  });

  test('ItemExponentialRateLimiter keeps items apart', () => {
    const l = new ItemExponentialRateLimiter<string>(1, 8);
    assert.deepEqual(
      [l.when('a'), l.when('a'), l.when('b'), l.when('a'), l.when('a'), l.when('a')],
      [1, 2, 1, 4, 8, 8],
    );
  });
});

describe('backoff', () => {
  test('exponentialDelay caps even for huge attempts', () => {
    assert.equal(exponentialDelay(0, 100, 1000), 100);
    assert.equal(exponentialDelay(3, 100, 1000), 800);
    assert.equal(exponentialDelay(5000, 100, 1000), 1000);
  });

  test('Backoff grows with jitter and resets after a quiet spell', () => {
    const clock = new FakeClock();
    const b = new Backoff({
      initialMs: 100,
      maxMs: 1000,
      jitter: 0.5,
      random: () => 1,
      resetAfterMs: 5000,
      clock,
    });
    assert.deepEqual([b.next(), b.next(), b.next()], [150, 300, 600]);
    clock.advance(5001);
    assert.equal(b.next(), 150);
    b.reset();
    assert.equal(b.attempts, 0);
  });
});
