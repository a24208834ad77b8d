import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from './until.ts';

test('returns the first value that is neither undefined nor false', async () => {
  let n = 0;
  const v = await until('three calls', async () => (++n === 3 ? { n } : n === 1 ? undefined : false), {
    timeoutMs: 1000,
    pollMs: 1,
  });
  assert.deepEqual(v, { n: 3 });
});

test('times out naming what it waited for, with the detail', async () => {
  await assert.rejects(
    until('never', async () => undefined, { timeoutMs: 20, pollMs: 5, detail: () => 'server log' }),
    /^Error: timed out waiting for never\nserver log$/,
  );
});

test('errors end the wait unless retryErrors, which reports the last one', async () => {
  const boom = async (): Promise<undefined> => {
    throw new Error('boom');
  };
  await assert.rejects(until('x', boom, { timeoutMs: 1000, pollMs: 1 }), /^Error: boom$/);
  await assert.rejects(
    until('x', boom, { timeoutMs: 20, pollMs: 5, retryErrors: true }),
    /^Error: timed out waiting for x: Error: boom$/,
  );
});
