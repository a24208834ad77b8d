// resource.Quantity as upstream parses and prints it. Every parsed quantity is rounded (away from
// zero) to nano precision, so its exact value is an integer count of nano-units: a bigint holds it
// without loss. That value is what the scheduler sums and compares; `formatQuantity` gives the
// canonical string the API server returns (`0.5` → `500m`, `1.5Gi` → `1536Mi`, `1000` → `1k`).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The exact value × 10^9. */
  nanos: bigint;
  /** The suffix family the quantity was written in; decides how it prints. */
  format: QuantityFormat;
}

/** Upstream's ErrFormatWrong text: validation messages quote it verbatim. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_MESSAGE = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const NANO_DIGITS = 9;
const NANOS_PER_UNIT = 10n ** 9n;
const NANOS_PER_MILLI = 10n ** 6n;
/** BinarySI quantities are capped at the largest int64, as upstream does. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;
/** |value| below this prints as DecimalSI even when written with a binary suffix. */
const BINARY_PRINT_FLOOR = 1024n * NANOS_PER_UNIT;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e / 10, s]));
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Parts {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** The lexer of upstream's parseQuantityString, quirks included (`.`, `Ki` and `-` all mean 0). */
function split(str: string): Parts {
  let pos = 0;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  while (str[pos] === '0') pos++;
  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos);
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES)
    return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_MESSAGE);
}

/** Divide rounding away from zero (upstream's inf.RoundUp). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  const { negative, num, denom, suffix } = split(str);
  const { base, exponent, format: written } = interpretSuffix(suffix);
  let format = written;
  const digits = BigInt(num + denom || '0');
  // value = digits × 10^-len(denom) × base^exponent; in nanos: × 10^9.
  let tenPower = NANO_DIGITS - denom.length;
  let nanos = digits;
  if (base === 2) nanos *= 2n ** BigInt(exponent);
  else tenPower += exponent;
  nanos = tenPower >= 0 ? nanos * 10n ** BigInt(tenPower) : divAwayFromZero(nanos, 10n ** BigInt(-tenPower));
  if (format === 'BinarySI' && nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
  if (format === 'BinarySI' && nanos > 0n && nanos < NANOS_PER_UNIT) format = 'DecimalSI';
  return { nanos: negative ? -nanos : nanos, format };
}

export function tryParseQuantity(str: string): Quantity | undefined {
  try {
    return parseQuantity(str);
  } catch {
    return undefined;
  }
}

/** Upstream's String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  const sign = q.nanos < 0n ? '-' : '';
  if (q.format === 'BinarySI' && abs >= BINARY_PRINT_FLOOR && abs % NANOS_PER_UNIT === 0n) {
    let value = abs / NANOS_PER_UNIT;
    let exponent = 0;
    while (value % 1024n === 0n && BINARY_BY_EXPONENT.has(exponent + 1)) {
      value /= 1024n;
      exponent++;
    }
    return `${sign}${value}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
  }
  let mantissa = abs;
  let exponent = -NANO_DIGITS;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // Exponents are multiples of three, with an integer mantissa.
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  let suffix: string;
  if (q.format === 'DecimalExponent') suffix = exponent === 0 ? '' : `e${exponent}`;
  else suffix = DECIMAL_BY_EXPONENT.get(exponent) ?? `e${exponent}`;
  return `${sign}${mantissa}${suffix}`;
}

/** The canonical spelling of a quantity string; invalid input comes back unchanged. */
export function canonicalQuantity(str: string): string {
  const q = tryParseQuantity(str);
  return q ? formatQuantity(q) : str;
}

/** Upstream's RoundUp(milli): resource lists keep at most milli precision. */
export function roundUpToMilli(q: Quantity): Quantity {
  return { nanos: divAwayFromZero(q.nanos, NANOS_PER_MILLI) * NANOS_PER_MILLI, format: q.format };
}

/** Value(): the whole units, rounded away from zero (1.2 → 2). */
export const quantityValue = (q: Quantity): bigint => divAwayFromZero(q.nanos, NANOS_PER_UNIT);

/** MilliValue(): milli-units rounded away from zero (what CPU requests are compared in). */
export const quantityMilliValue = (q: Quantity): bigint => divAwayFromZero(q.nanos, NANOS_PER_MILLI);

export const compareQuantities = (a: Quantity, b: Quantity): number =>
  a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;

export const addQuantities = (a: Quantity, b: Quantity): Quantity => ({
  nanos: a.nanos + b.nanos,
  format: a.format,
});

export const subtractQuantities = (a: Quantity, b: Quantity): Quantity => ({
  nanos: a.nanos - b.nanos,
  format: a.format,
});

export const isZeroQuantity = (q: Quantity): boolean => q.nanos === 0n;
