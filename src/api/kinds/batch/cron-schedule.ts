// Cron schedules as CronJobs take them (robfig/cron's standard parser, which upstream uses):
// five fields (minute hour day-of-month month day-of-week) with `*`, `?`, ranges, steps, lists
// and month/day names, or a descriptor (@hourly, @daily, @every 1h30m, …). Parse errors read
// like upstream's, since they surface as `spec.schedule: Invalid value: …`.

export interface CronSchedule {
  /** Bit sets: bit n means value n is allowed. Absent for `@every`. */
  minute?: bigint;
  hour?: bigint;
  dom?: bigint;
  month?: bigint;
  dow?: bigint;
  /** `@every <duration>`: the period in milliseconds. */
  everyMs?: number;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
/** Go's time.ParseDuration units. */
const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class CronParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronParseError';
  }
}

/** Go's strconv.Atoi with robfig's negative check, errors worded the same. */
function parseInt10(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr))
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

const parseIntOrName = (expr: string, b: Bounds): number => b.names?.[expr.toLowerCase()] ?? parseInt10(expr);

function bits(start: number, end: number, step: number): bigint {
  let out = 0n;
  for (let i = start; i <= end; i += step) out |= 1n << BigInt(i);
  return out;
}

function parseRange(expr: string, b: Bounds): bigint {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1 && lowAndHigh[0] !== '*' && lowAndHigh[0] !== '?') end = b.max;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min)
    throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  return bits(start, end, step);
}

const parseField = (field: string, b: Bounds): bigint =>
  field.split(',').reduce((acc, part) => acc | parseRange(part, b), 0n);

/** Go's time.ParseDuration (what `@every` takes): `90s`, `1h30m`, `1.5h`. */
export function parseGoDuration(s: string): number {
  const orig = s;
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new CronParseError(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  while (rest) {
    const m = /^(\d*\.?\d*)([a-zµμ]*)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.')
      throw new CronParseError(`time: invalid duration ${JSON.stringify(orig)}`);
    if (!m[2]) throw new CronParseError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = DURATION_UNITS[m[2]];
    if (unit === undefined)
      throw new CronParseError(
        `time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(orig)}`,
      );
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

export function parseCronSchedule(spec: string): CronSchedule {
  let s = spec;
  if (s.length === 0) throw new CronParseError('empty spec string');
  // A leading TZ=/CRON_TZ= names the zone the schedule is read in.
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    const zone = s.slice(s.indexOf('=') + 1, i < 0 ? undefined : i);
    if (!isKnownTimeZone(zone))
      throw new CronParseError(`provided bad location ${zone}: unknown time zone ${zone}`);
    s = i < 0 ? '' : s.slice(i).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const text = s.slice('@every '.length);
      let ms: number;
      try {
        ms = parseGoDuration(text);
      } catch (err) {
        throw new CronParseError(`failed to parse duration ${s}: ${(err as Error).message}`);
      }
      return { everyMs: ms };
    }
    const expanded = DESCRIPTORS[s];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = expanded;
  }
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== FIELDS.length) {
    throw new CronParseError(
      `expected exactly ${FIELDS.length} fields, found ${fields.length}: [${fields.join(' ')}]`,
    );
  }
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]));
  return { minute, hour, dom, month, dow };
}

/** Whether the runtime knows an IANA zone name (what the schedule's timeZone must be). */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
