// When a CronJob runs (upstream pkg/controller/cronjob/utils.go): its schedule in its time zone
// (spec.timeZone, or a legacy `TZ=`/`CRON_TZ=` prefix), the most recent start time it missed since
// it last ran, and the next one. Five-field cron and @descriptors come from cron-parser; robfig's
// `@every <duration>` counts from the last run, as upstream's constant-delay schedule does.
import { parseGoDuration } from '../../api/kinds/batch/cron-schedule.ts';
import { lazyRequire } from '../../util/lazy-require.ts';

// cron-parser brings luxon (~0.5 MB of source, ~1.5 MB resident once loaded): required when the
// first CronJob's schedule is parsed, so a cluster without CronJobs never holds it.
const cronParser = lazyRequire<typeof import('cron-parser')>('cron-parser');

/** Upstream stops counting missed start times here and warns (TooManyMissedTimes). */
export const MAX_MISSED_START_TIMES = 100;
const TZ_PREFIX = /^(?:CRON_)?TZ=(\S+)\s+/;
const EVERY = /^@every\s+(\S+)$/;
const UTC = 'UTC';

export interface Schedule {
  readonly timeZone: string;
  /** The first start time strictly after `ms`. */
  next(ms: number): number;
  /** The last start time at or before `ms` (for `@every`, counted from `anchorMs`). */
  latest(ms: number, anchorMs: number): number;
}

export function parseSchedule(schedule: string, timeZone?: string | null): Schedule {
  let expr = schedule.trim();
  let zone = timeZone || UTC;
  const m = TZ_PREFIX.exec(expr);
  if (m) {
    zone = m[1];
    expr = expr.slice(m[0].length);
  }
  // Throws RangeError for unknown zones, before any schedule is computed.
  new Intl.DateTimeFormat('en-US', { timeZone: zone });
  const every = EVERY.exec(expr);
  if (every) {
    const period = parseGoDuration(every[1]);
    if (!(period > 0)) throw new RangeError(`invalid @every duration ${every[1]}`);
    // robfig rounds the period to whole seconds (at least one).
    const step = Math.max(1000, Math.floor(period / 1000) * 1000);
    return {
      timeZone: zone,
      next: (ms) => Math.floor(ms / 1000) * 1000 + step,
      latest: (ms, anchorMs) => anchorMs + Math.floor((ms - anchorMs) / step) * step,
    };
  }
  // Validate once; cron-parser takes the zone and the start point per query.
  const { CronExpressionParser } = cronParser();
  CronExpressionParser.parse(expr, { tz: zone, strict: false });
  return {
    timeZone: zone,
    next: (ms) =>
      CronExpressionParser.parse(expr, { currentDate: new Date(ms), tz: zone })
        .next()
        .getTime(),
    // prev() is strictly before its start point; cron times are whole seconds, so one past `ms`.
    latest: (ms) =>
      CronExpressionParser.parse(expr, {
        currentDate: new Date(Math.floor(ms / 1000) * 1000 + 1000),
        tz: zone,
      })
        .prev()
        .getTime(),
  };
}

export interface MostRecent {
  /** The latest start time in (earliest, now], if any. */
  time?: number;
  /** How many start times fell in that window (counting stops past MAX_MISSED_START_TIMES). */
  missed: number;
}

/** Upstream mostRecentScheduleTime: start times after `earliestMs` up to and including `nowMs`. */
export function mostRecentScheduleTime(sched: Schedule, earliestMs: number, nowMs: number): MostRecent {
  let t = sched.next(earliestMs);
  if (t > nowMs) return { missed: 0 };
  let missed = 0;
  let last = t;
  while (t <= nowMs) {
    last = t;
    missed++;
    // Too many to walk one by one: take the last one straight from now.
    if (missed > MAX_MISSED_START_TIMES) return { time: sched.latest(nowMs, earliestMs), missed };
    t = sched.next(t);
  }
  return { time: last, missed };
}

/** RFC 3339 of an instant as seen in a time zone (`2026-01-01T09:00:00+01:00`), as Go formats it. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const wall = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
