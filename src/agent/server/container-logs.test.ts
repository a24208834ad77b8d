import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogQuery } from './container-logs.ts';

test('log query: since as ns, bounds checked, since forms exclusive', () => {
  const now = Date.parse('2026-11-24T00:00:10Z');
  const q = parseLogQuery(new URLSearchParams('follow=true&tailLines=0&sinceSeconds=5&timestamps=true'), now);
  assert.deepEqual(q, {
    follow: true,
    previous: false,
    timestamps: true,
    tailLines: 0,
    limitBytes: undefined,
    sinceNs: BigInt(Date.parse('2026-11-24T00:00:05Z')) * 1_000_000n,
  });
  assert.equal(
    parseLogQuery(new URLSearchParams('sinceTime=2026-11-24T00:00:01.5Z')).sinceNs,
    1_795_478_401_500_000_000n,
  );
  assert.throws(() => parseLogQuery(new URLSearchParams('limitBytes=0')), /limitBytes/);
  assert.throws(
    () => parseLogQuery(new URLSearchParams('sinceSeconds=1&sinceTime=2026-11-24T00:00:01Z')),
    /at most one/,
  );
  assert.throws(() => parseLogQuery(new URLSearchParams('sinceTime=yesterday')), /sinceTime/);
});
