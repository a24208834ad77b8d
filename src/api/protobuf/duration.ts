// metav1.Duration travels as int64 nanoseconds and is printed in JSON the way Go's
// time.Duration.String() prints it: "0s", "1.5s", "1m0s", "2h45m0s", "300ms", "1.5µs", "7ns".
// BigInt keeps every nanosecond exact beyond 2^53 ns (~104 days).

const NS_PER_US = 1000n;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const SECONDS_PER_MINUTE = 60n;
const MINUTES_PER_HOUR = 60n;

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: NS_PER_US,
  µs: NS_PER_US, // U+00B5 micro sign
  μs: NS_PER_US, // U+03BC Greek mu
  ms: NS_PER_MS,
  s: NS_PER_S,
  m: NS_PER_S * SECONDS_PER_MINUTE,
  h: NS_PER_S * SECONDS_PER_MINUTE * MINUTES_PER_HOUR,
};

/** `v` scaled down by 10^digits: integer part plus a fraction without trailing zeros. */
function withFraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${v / scale}${frac ? `.${frac}` : ''}`;
}

export function formatDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  const u = BigInt(Math.abs(nanos));
  if (u < NS_PER_US) return `${sign}${u}ns`;
  if (u < NS_PER_MS) return `${sign}${withFraction(u, 3)}µs`;
  if (u < NS_PER_S) return `${sign}${withFraction(u, 6)}ms`;
  const totalSeconds = u / NS_PER_S;
  let out = `${withFraction((totalSeconds % SECONDS_PER_MINUTE) * NS_PER_S + (u % NS_PER_S), 9)}s`;
  const totalMinutes = totalSeconds / SECONDS_PER_MINUTE;
  if (totalMinutes > 0n) {
    out = `${totalMinutes % MINUTES_PER_HOUR}m${out}`;
    const hours = totalMinutes / MINUTES_PER_HOUR;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

const DURATION = /^[-+]?(?:\d*(?:\.\d*)?[a-zµμ]+)+$/;
const TERM = /(\d*)(?:\.(\d*))?([a-zµμ]+)/g;

/** Go's time.ParseDuration grammar: "300ms", "-1.5h", "2h45m", and a bare "0". */
export function parseDuration(s: string): number {
  if (s === '0' || s === '+0' || s === '-0') return 0;
  if (!DURATION.test(s)) throw new RangeError(`invalid duration ${JSON.stringify(s)}`);
  const negative = s.startsWith('-');
  let total = 0n;
  for (const [, whole, frac = '', unit] of s.replace(/^[-+]/, '').matchAll(TERM)) {
    const scale = UNITS[unit];
    if (scale === undefined) throw new RangeError(`unknown unit ${JSON.stringify(unit)} in duration ${s}`);
    if (whole === '' && frac === '') throw new RangeError(`invalid duration ${JSON.stringify(s)}`);
    total += BigInt(whole || '0') * scale;
    if (frac) total += (BigInt(frac) * scale) / 10n ** BigInt(frac.length);
  }
  const ns = negative ? -total : total;
  if (ns > BigInt(Number.MAX_SAFE_INTEGER) || ns < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`duration ${s} is out of range`);
  }
  return Number(ns);
}
