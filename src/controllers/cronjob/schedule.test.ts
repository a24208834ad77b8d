import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInZone, MAX_MISSED_START_TIMES, mostRecentScheduleTime, parseSchedule } from './schedule.ts';

const at = (iso: string): number => Date.parse(iso);

describe('cronjob schedules', () => {
  it('finds the next start of five-field and @descriptor schedules', () => {
    assert.equal(parseSchedule('*/15 * * * *').next(at('2026-01-01T10:07:00Z')), at('2026-01-01T10:15:00Z'));
    assert.equal(parseSchedule('@hourly').next(at('2026-01-01T10:00:00Z')), at('2026-01-01T11:00:00Z'));
    assert.equal(parseSchedule('0 0 ? * MON').next(at('2026-01-01T10:00:00Z')), at('2026-01-05T00:00:00Z'));
  });

  it('honours spec.timeZone and a TZ= prefix', () => {
    // 09:00 in Berlin is 08:00 UTC in winter.
    assert.equal(
      parseSchedule('0 9 * * *', 'Europe/Berlin').next(at('2026-01-01T00:00:00Z')),
      at('2026-01-01T08:00:00Z'),
    );
    assert.equal(
      parseSchedule('TZ=America/New_York 0 9 * * *').next(at('2026-01-01T00:00:00Z')),
      at('2026-01-01T14:00:00Z'),
    );
    assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), RangeError);
    assert.throws(() => parseSchedule('61 * * * *'));
  });

  it('counts @every from the previous run', () => {
    assert.equal(parseSchedule('@every 90s').next(at('2026-01-01T00:00:00Z')), at('2026-01-01T00:01:30Z'));
  });

  it('picks the most recent missed start time, including now', () => {
    const s = parseSchedule('*/1 * * * *');
    assert.deepEqual(mostRecentScheduleTime(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:59Z')), {
      missed: 0,
    });
    assert.deepEqual(mostRecentScheduleTime(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:03:00Z')), {
      time: at('2026-01-01T00:03:00Z'),
      missed: 3,
    });
    const many = mostRecentScheduleTime(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:30Z'));
    assert.equal(many.time, at('2026-01-02T00:00:00Z'));
    assert.ok(many.missed > MAX_MISSED_START_TIMES);
  });

  it('formats the scheduled time in the zone like Go RFC 3339', () => {
    assert.equal(formatInZone(at('2026-01-01T08:00:00Z'), 'UTC'), '2026-01-01T08:00:00Z');
    assert.equal(formatInZone(at('2026-01-01T08:00:00Z'), 'Europe/Berlin'), '2026-01-01T09:00:00+01:00');
    assert.equal(formatInZone(at('2026-07-01T08:00:00Z'), 'America/New_York'), '2026-07-01T04:00:00-04:00');
  });
});
