// Ages as kubectl shows them: apimachinery's duration.HumanDuration (about 2–3 significant
// figures: 5s, 3m2s, 15m, 5h, 7h30m, 2d3h, 120d, 3y45d, 9y) and the printers' timestamp helpers.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

export const UNKNOWN = '<unknown>';
export const INVALID = '<invalid>';

/** Go truncates durations toward zero when it converts them to whole units. */
const whole = (ms: number, unit: number): number => Math.trunc(ms / unit);

export function humanDuration(ms: number): string {
  const seconds = whole(ms, SECOND);
  // Up to a second of clock skew reads as "now"; more is an error.
  if (seconds < -1) return INVALID;
  if (seconds < 0) return '0s';
  if (seconds < 2 * 60) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 8 * 24) {
    const h = hours % 24;
    return h === 0 ? `${whole(ms, DAY)}d` : `${whole(ms, DAY)}d${h}h`;
  }
  const days = whole(ms, DAY);
  if (hours < 2 * 365 * 24) return `${days}d`;
  if (hours < 8 * 365 * 24) {
    const d = days % 365;
    return d === 0 ? `${whole(ms, YEAR)}y` : `${whole(ms, YEAR)}y${d}d`;
  }
  return `${whole(ms, YEAR)}y`;
}

/** Parse an RFC 3339 timestamp; undefined for absent or unparsable ones. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: the age of a timestamp, `<unknown>` when it is unset. */
export function timestampSince(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? UNKNOWN : humanDuration(now - t);
}

/** translateTimestampUntil. */
export function timestampUntil(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? UNKNOWN : humanDuration(t - now);
}
