import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicroTime, formatTime, parseTime } from './time.ts';

describe('metav1.Time formatting', () => {
  it('prints whole seconds in UTC, dropping (not rounding) the fraction', () => {
    assert.equal(formatTime({ seconds: 1_767_323_045, nanos: 999_999_999 }), '2026-01-02T03:04:05Z');
  });

  it('prints MicroTime with six digits', () => {
    assert.equal(formatMicroTime({ seconds: 1_767_323_045, nanos: 123_456 }), '2026-01-02T03:04:05.000123Z');
    assert.equal(formatMicroTime({ seconds: 1_767_323_045, nanos: 0 }), '2026-01-02T03:04:05.000000Z');
  });

  it('prints the epoch and years before 1970', () => {
    assert.equal(formatTime({ seconds: 0, nanos: 0 }), '1970-01-01T00:00:00Z');
    assert.equal(formatTime({ seconds: -86_400, nanos: 0 }), '1969-12-31T00:00:00Z');
  });

  it('carries nanos outside [0, 1e9) into seconds', () => {
    assert.equal(formatTime({ seconds: 10, nanos: -1 }), '1970-01-01T00:00:09Z');
  });

  it('refuses years Go cannot print', () => {
    assert.throws(() => formatTime({ seconds: 253_402_300_800, nanos: 0 }), RangeError);
  });
});

describe('RFC 3339 parsing', () => {
  it('parses Z, offsets and fractions', () => {
    assert.deepEqual(parseTime('2026-01-02T03:04:05Z'), { seconds: 1_767_323_045, nanos: 0 });
    assert.deepEqual(parseTime('2026-01-02T05:04:05.5+02:00'), {
      seconds: 1_767_323_045,
      nanos: 500_000_000,
    });
    assert.deepEqual(parseTime('0001-01-01T00:00:00Z'), { seconds: -62_135_596_800, nanos: 0 });
  });

  it('refuses other formats', () => {
    assert.throws(() => parseTime('2026-01-02 03:04:05'), RangeError);
    assert.throws(() => parseTime('yesterday'), RangeError);
  });
});
