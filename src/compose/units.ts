// Compose's units: byte sizes (`512m`, `1gb`), CPU counts (`0.5`) and Go durations (`1m30s`), as
// Kubernetes quantities and whole seconds.
import { parseDuration } from '../api/protobuf/duration.ts';

const KIB = 1024;
/** Docker's byte units (go-units RAMInBytes): case-insensitive, binary, optional trailing `b`. */
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: KIB,
  m: KIB ** 2,
  g: KIB ** 3,
  t: KIB ** 4,
  p: KIB ** 5,
};
const BYTES = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i;
const BINARY_SUFFIXES: [string, number][] = [
  ['Pi', KIB ** 5],
  ['Ti', KIB ** 4],
  ['Gi', KIB ** 3],
  ['Mi', KIB ** 2],
  ['Ki', KIB],
];
const NANOS_PER_SECOND = 1e9;
const MILLICPU_PER_CPU = 1000;

/** `512m` → 536870912; a bare number is bytes. Throws RangeError on anything else. */
export function parseBytes(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  const m = typeof value === 'string' ? BYTES.exec(value) : null;
  if (!m) throw new RangeError(`invalid size ${JSON.stringify(value)}`);
  return Math.floor(Number(m[1]) * BYTE_UNITS[m[2].toLowerCase()]);
}

/** Bytes as the shortest exact quantity: 536870912 → `512Mi`, 1000 → `1000`. */
export function bytesQuantity(bytes: number): string {
  for (const [suffix, size] of BINARY_SUFFIXES) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}

/** A compose size as a quantity, e.g. `1g` → `1Gi`. */
export const sizeQuantity = (value: unknown): string => bytesQuantity(parseBytes(value));

/** CPUs (`0.5`, `2`, `"1.25"`) as a quantity in millicores when fractional: `500m`, `2`. */
export function cpuQuantity(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n < 0 || String(value).trim() === '') {
    throw new RangeError(`invalid cpus ${JSON.stringify(value)}`);
  }
  const milli = Math.round(n * MILLICPU_PER_CPU);
  return milli % MILLICPU_PER_CPU === 0 ? String(milli / MILLICPU_PER_CPU) : `${milli}m`;
}

/** A Go duration string (or a number of seconds, as v2 files sometimes write) in seconds. */
export function durationSeconds(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') throw new RangeError(`invalid duration ${JSON.stringify(value)}`);
  return parseDuration(value.trim()) / NANOS_PER_SECOND;
}

/** Probe and grace-period fields are whole seconds; round up so nothing gets shorter than asked. */
export const ceilSeconds = (seconds: number, min = 0): number => Math.max(min, Math.ceil(seconds));
