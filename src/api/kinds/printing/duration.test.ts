import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { humanDuration, timestampSince, timestampUntil } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1500, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 2 * S, '3m2s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [7 * H + 30 * M, '7h30m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [120 * D, '120d'],
    [2 * Y - D, '729d'],
    [2 * Y, '2y'],
    [3 * Y + 45 * D, '3y45d'],
    [8 * Y + 100 * D, '8y'],
  ];
  for (const [ms, want] of cases) test(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('timestamps', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  test('since and until', () => {
    assert.equal(timestampSince('2024-05-01T11:55:00Z', now), '5m');
    assert.equal(timestampUntil('2024-05-01T13:00:00Z', now), '60m');
  });
  test('unset or unparsable timestamps are <unknown>', () => {
    assert.equal(timestampSince(undefined, now), '<unknown>');
    assert.equal(timestampSince(null, now), '<unknown>');
    assert.equal(timestampSince('yesterday', now), '<unknown>');
  });
});
