import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCronSchedule, parseGoDuration } from './cron-schedule.ts';

const bitsOf = (n: bigint | undefined): number[] => {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if (n !== undefined && (n >> BigInt(i)) & 1n) out.push(i);
  return out;
};

describe('parseCronSchedule: valid schedules', () => {
  test('five fields with ranges, steps, lists and names', () => {
    const s = parseCronSchedule('*/15 9-17 1,15 jan-mar mon-fri');
    assert.deepEqual(bitsOf(s.minute), [0, 15, 30, 45]);
    assert.deepEqual(bitsOf(s.hour), [9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert.deepEqual(bitsOf(s.dom), [1, 15]);
    assert.deepEqual(bitsOf(s.month), [1, 2, 3]);
    assert.deepEqual(bitsOf(s.dow), [1, 2, 3, 4, 5]);
  });
  test('N/step runs from N to the maximum', () => {
    assert.deepEqual(bitsOf(parseCronSchedule('50/5 * * * *').minute), [50, 55]);
  });
  test('descriptors', () => {
    assert.deepEqual(parseCronSchedule('@hourly'), parseCronSchedule('0 * * * *'));
    assert.deepEqual(parseCronSchedule('@weekly'), parseCronSchedule('0 0 * * 0'));
    assert.deepEqual(parseCronSchedule('@every 1h30m'), { everyMs: 90 * 60_000 });
  });
  test('Go durations', () => {
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('90s'), 90_000);
    assert.throws(() => parseGoDuration('10'), /missing unit/);
  });
});

describe('parseCronSchedule: errors worded as upstream (robfig/cron)', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['bad', 'expected exactly 5 fields, found 1: [bad]'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ];
  for (const [spec, message] of cases) {
    test(JSON.stringify(spec), () => assert.throws(() => parseCronSchedule(spec), { message }));
  }
});
