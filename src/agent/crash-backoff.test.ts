import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../util/clock.ts';
import { backoffMessage, CrashBackoff, formatGoDuration } from './crash-backoff.ts';

test('crash backoff doubles from 10s and caps at 5m', () => {
  const clock = new FakeClock(1_000_000);
  const b = new CrashBackoff(clock);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) delays.push(b.recordExit('u/app', clock.now() - 1000, clock.now()));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('remaining counts down with the clock', () => {
  const clock = new FakeClock(0);
  const b = new CrashBackoff(clock);
  assert.equal(b.remaining('u/app'), 0);
  b.recordExit('u/app', 0, 0);
  assert.equal(b.remaining('u/app'), 10_000);
  clock.advance(4_000);
  assert.equal(b.remaining('u/app'), 6_000);
  clock.advance(7_000);
  assert.equal(b.remaining('u/app'), 0);
});

test('a 10 minute run resets the history; forgetPrefix drops a pod', () => {
  const clock = new FakeClock(0);
  const b = new CrashBackoff(clock);
  b.recordExit('u/app', 0, 0);
  b.recordExit('u/app', 0, 0);
  assert.equal(b.currentDelay('u/app'), 20_000);
  assert.equal(b.recordExit('u/app', 0, 600_000), 10_000);
  b.recordExit('u/other', 0, 0);
  b.forgetPrefix('u/');
  assert.equal(b.remaining('u/other'), 0);
  assert.equal(b.currentDelay('u/app'), 0);
});

test('messages use Go duration wording', () => {
  assert.equal(formatGoDuration(10_000), '10s');
  assert.equal(formatGoDuration(80_000), '1m20s');
  assert.equal(formatGoDuration(300_000), '5m0s');
  assert.equal(
    backoffMessage(40_000, 'app', 'web', 'default', 'abc'),
    'back-off 40s restarting failed container=app pod=web_default(abc)',
  );
});
