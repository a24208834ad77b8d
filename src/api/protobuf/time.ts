// metav1.Time and metav1.MicroTime as Go prints them in JSON: RFC 3339 in UTC, Time with whole
// seconds (`2026-01-02T03:04:05Z`, sub-second digits dropped, not rounded), MicroTime always with six
// fraction digits (`2026-01-02T03:04:05.000123Z`).

const NANOS_PER_SECOND = 1_000_000_000;
const NANOS_PER_MICRO = 1000;
const MILLIS_PER_SECOND = 1000;
/** Go refuses to print a time outside years 0..9999 in RFC 3339. */
const MIN_SECONDS = -62_167_219_200; // 0000-01-01T00:00:00Z
const MAX_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** `time.Unix(seconds, nanos)` normalisation: nanos outside [0, 1e9) carry into seconds. */
function normalise(t: Timestamp): Timestamp {
  const carry = Math.floor(t.nanos / NANOS_PER_SECOND);
  return { seconds: t.seconds + carry, nanos: t.nanos - carry * NANOS_PER_SECOND };
}

function isoSeconds(seconds: number): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new RangeError(`time ${seconds}s since the epoch is outside years 0..9999`);
  }
  const d = new Date(seconds * MILLIS_PER_SECOND);
  // toISOString prints years 0..9999 with four digits: "YYYY-MM-DDTHH:MM:SS.sssZ".
  return d.toISOString().slice(0, 19);
}

export function formatTime(t: Timestamp): string {
  return `${isoSeconds(normalise(t).seconds)}Z`;
}

export function formatMicroTime(t: Timestamp): string {
  const n = normalise(t);
  const micros = Math.floor(n.nanos / NANOS_PER_MICRO);
  return `${isoSeconds(n.seconds)}.${String(micros).padStart(6, '0')}Z`;
}

/** Parse RFC 3339 (any offset, optional fraction up to nanoseconds) into seconds and nanos. */
export function parseTime(s: string): Timestamp {
  const m = RFC3339.exec(s);
  if (!m) throw new RangeError(`not an RFC 3339 time: ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, sec, frac, z, sign, oh, om] = m;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(sec), 0);
  let seconds = date.getTime() / MILLIS_PER_SECOND;
  if (!z) {
    const offset = (Number(oh) * 60 + Number(om)) * 60;
    seconds += sign === '+' ? -offset : offset;
  }
  const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
  return { seconds, nanos };
}
