import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './duration.ts';

const S = 1_000_000_000;

describe('Go duration strings', () => {
  const table: Array<[number, string]> = [
    [0, '0s'],
    [7, '7ns'],
    [1_500, '1.5µs'],
    [300_000_000, '300ms'],
    [1.5 * S, '1.5s'],
    [60 * S, '1m0s'],
    [90 * S, '1m30s'],
    [3600 * S, '1h0m0s'],
    [(2 * 3600 + 45 * 60) * S, '2h45m0s'],
    [S + 1, '1.000000001s'],
    [-90 * S, '-1m30s'],
  ];
  for (const [ns, text] of table) {
    it(`${ns}ns ↔ ${text}`, () => {
      assert.equal(formatDuration(ns), text);
      assert.equal(parseDuration(text), ns);
    });
  }

  it('parses the other forms Go accepts', () => {
    assert.equal(parseDuration('1.5h'), 5400 * S);
    assert.equal(parseDuration('2h45m'), (2 * 3600 + 45 * 60) * S);
    assert.equal(parseDuration('10us'), 10_000);
    assert.equal(parseDuration('0'), 0);
  });

  it('refuses malformed durations', () => {
    assert.throws(() => parseDuration('5'), RangeError);
    assert.throws(() => parseDuration('1y'), RangeError);
    assert.throws(() => parseDuration(''), RangeError);
  });
});
