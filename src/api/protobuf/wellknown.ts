// Messages that Go marshals to JSON as something other than an object. Each decoder takes the
// message payload and returns the JSON value, or undefined where Go prints null (a zero Time, an
// empty RawExtension); each encoder takes the JSON value and returns the payload.
import { formatDuration, parseDuration } from './duration.ts';
import type { WellKnownType } from './schema.ts';
import { formatMicroTime, formatTime, parseTime, type Timestamp } from './time.ts';
import {
  ProtobufError,
  type Varint,
  varintToInt32,
  varintToInt64,
  WIRE_BYTES,
  WIRE_VARINT,
  WireReader,
  WireWriter,
} from './wire.ts';

/** IntOrString.type: 0 = int, 1 = string. */
const INT_OR_STRING_STRING = 1;
/** resource.Quantity's zero value prints as "0". */
const ZERO_QUANTITY = '0';

const utf8 = new TextDecoder();

/** Decodes an embedded Kubernetes envelope inside a RawExtension (set by the envelope module). */
export type NestedDecoder = (raw: Uint8Array, depth: number) => unknown;

interface Fields {
  varints: Map<number, Varint>;
  bytes: Map<number, Uint8Array>;
  repeated: Map<number, Uint8Array[]>;
}

/** Read the small, flat messages below; unknown fields are skipped, wrong wire types refused. */
function readFields(buf: Uint8Array, what: string): Fields {
  const out: Fields = { varints: new Map(), bytes: new Map(), repeated: new Map() };
  const r = new WireReader(buf);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WIRE_VARINT) out.varints.set(field, r.varint());
    else if (wire === WIRE_BYTES) {
      const b = r.bytes();
      out.bytes.set(field, b);
      const list = out.repeated.get(field) ?? [];
      list.push(b);
      out.repeated.set(field, list);
    } else r.skip(wire);
  }
  for (const k of out.varints.keys()) {
    if (out.bytes.has(k)) throw new ProtobufError(`${what}: field ${k} has two wire types`);
  }
  return out;
}

function int64Field(f: Fields, num: number, what: string): number {
  const v = f.varints.get(num);
  if (!v) {
    if (f.bytes.has(num)) throw new ProtobufError(`${what}: wrong wire type for field ${num}`);
    return 0;
  }
  const n = varintToInt64(v);
  if (n === undefined) throw new ProtobufError(`${what}: int64 beyond the safe integer range`);
  return n;
}

function stringField(f: Fields, num: number, what: string): string | undefined {
  if (f.varints.has(num)) throw new ProtobufError(`${what}: wrong wire type for field ${num}`);
  const b = f.bytes.get(num);
  return b === undefined ? undefined : utf8.decode(b);
}

function timestamp(buf: Uint8Array, what: string): Timestamp {
  const f = readFields(buf, what);
  return { seconds: int64Field(f, 1, what), nanos: varintToInt32(f.varints.get(2) ?? { lo: 0, hi: 0 }) };
}

function wrapRange<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new ProtobufError(`${what}: ${err.message}`);
    throw err;
  }
}

function parseEmbeddedJson(raw: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(raw));
  } catch (err) {
    throw new ProtobufError(`${what}: embedded JSON is invalid: ${(err as Error).message}`);
  }
}

export function decodeWellKnown(
  type: WellKnownType,
  buf: Uint8Array,
  depth: number,
  nested: NestedDecoder,
): unknown {
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      // Go marshals a zero time as an empty message and prints it as null.
      if (buf.length === 0) return undefined;
      const t = timestamp(buf, type);
      return wrapRange(type, () => (type === 'Time' ? formatTime(t) : formatMicroTime(t)));
    }
    case 'Duration':
      return formatDuration(int64Field(readFields(buf, type), 1, type));
    case 'Quantity':
      return stringField(readFields(buf, type), 1, type) ?? ZERO_QUANTITY;
    case 'IntOrString': {
      const f = readFields(buf, type);
      if (int64Field(f, 1, type) === INT_OR_STRING_STRING) return stringField(f, 3, type) ?? '';
      return varintToInt32(f.varints.get(2) ?? { lo: 0, hi: 0 });
    }
    case 'RawExtension':
    case 'FieldsV1': {
      const raw = readFields(buf, type).bytes.get(1);
      if (raw === undefined || raw.length === 0) return undefined;
      if (type === 'RawExtension' && isEnvelope(raw)) return nested(raw, depth + 1);
      return parseEmbeddedJson(raw, type);
    }
    case 'StringList': {
      const f = readFields(buf, type);
      if (f.varints.has(1)) throw new ProtobufError(`${type}: wrong wire type for field 1`);
      return (f.repeated.get(1) ?? []).map((b) => utf8.decode(b));
    }
  }
}

/** True for an IntOrString that is the int 0 — Go's "unset" for a non-pointer field. */
export const isZeroWellKnown = (type: WellKnownType, value: unknown): boolean =>
  type === 'IntOrString' && value === 0;

const ENVELOPE_MAGIC = [0x6b, 0x38, 0x73, 0x00];
const isEnvelope = (raw: Uint8Array): boolean =>
  raw.length >= ENVELOPE_MAGIC.length && ENVELOPE_MAGIC.every((b, i) => raw[i] === b);

/** Refused JSON values for a well-known type (the encoder turns this into its own error). */
export class WellKnownValueError extends Error {
  constructor(type: WellKnownType, value: unknown) {
    super(`${type} cannot hold ${JSON.stringify(value)}`);
    this.name = 'WellKnownValueError';
  }
}

const utf8Encoder = new TextEncoder();

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
export const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;

function timestampBytes(t: Timestamp): Uint8Array {
  const w = new WireWriter();
  w.tag(1, WIRE_VARINT);
  w.varint(t.seconds);
  w.tag(2, WIRE_VARINT);
  w.varint(t.nanos);
  return w.finish();
}

export function encodeWellKnown(type: WellKnownType, value: unknown): Uint8Array {
  const w = new WireWriter();
  switch (type) {
    case 'Time':
    case 'MicroTime':
      if (typeof value !== 'string') throw new WellKnownValueError(type, value);
      return timestampBytes(parseTime(value));
    case 'Duration':
      if (typeof value !== 'string') throw new WellKnownValueError(type, value);
      w.tag(1, WIRE_VARINT);
      w.varint(parseDuration(value));
      return w.finish();
    case 'Quantity':
      if (typeof value !== 'string' && typeof value !== 'number') throw new WellKnownValueError(type, value);
      w.tag(1, WIRE_BYTES);
      w.string(String(value));
      return w.finish();
    case 'IntOrString': {
      // Go writes all three fields; so do we, so our bytes match kubectl's.
      const isString = typeof value === 'string';
      if (!isString && !(typeof value === 'number' && isInt32(value))) {
        throw new WellKnownValueError(type, value);
      }
      w.tag(1, WIRE_VARINT);
      w.varint(isString ? INT_OR_STRING_STRING : 0);
      w.tag(2, WIRE_VARINT);
      w.varint(isString ? 0 : (value as number));
      w.tag(3, WIRE_BYTES);
      w.string(isString ? value : '');
      return w.finish();
    }
    case 'RawExtension':
    case 'FieldsV1':
      w.tag(1, WIRE_BYTES);
      w.bytes(utf8Encoder.encode(JSON.stringify(value)));
      return w.finish();
    case 'StringList':
      if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
        throw new WellKnownValueError(type, value);
      }
      for (const s of value) {
        w.tag(1, WIRE_BYTES);
        w.string(s);
      }
      return w.finish();
  }
}
