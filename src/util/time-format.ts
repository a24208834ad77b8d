// RFC 3339 timestamps from epoch milliseconds by arithmetic rather than Date#toISOString. The first
// Date formatting in a process sets up V8's time-zone cache from ICU, paging ~0.8 MB of the
// binary's ICU code and zone data into a node agent that has no use for local time. Parsing
// (Date.parse of a UTC timestamp) needs no zone and stays as it is.

const MS_PER_DAY = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** Years 0000–9999, what Date#toISOString writes with four digits. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** `new Date(ms).toISOString()`: 2026-11-25T01:02:03.456Z. */
export function isoMillis(ms: number): string {
  // Date truncates a fractional time value toward zero (TimeClip).
  const t = Math.trunc(ms);
  if (!(t >= MIN_MS && t <= MAX_MS)) return new Date(t).toISOString();
  const days = Math.floor(t / MS_PER_DAY);
  const inDay = t - days * MS_PER_DAY;
  // Days since 1970-01-01 to a civil date (H. Hinnant's days-to-civil, proleptic Gregorian).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor(inDay / 60_000) % 60;
  const s = Math.floor(inDay / 1000) % 60;
  const yyyy = year < 1000 ? `${year}`.padStart(4, '0') : `${year}`;
  return `${yyyy}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(inDay % 1000)}Z`;
}

/** metav1.Time: whole seconds, 2026-11-25T01:02:03Z. */
export const rfc3339 = (ms: number): string => `${isoMillis(ms).slice(0, 19)}Z`;

/** metav1.MicroTime: 2026-11-25T01:02:03.456000Z. */
export const microTime = (ms: number): string => `${isoMillis(ms).slice(0, 23)}000Z`;
