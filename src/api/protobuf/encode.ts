// Table-driven JSON → protobuf for one message: the inverse of decode.ts, for tests and clients.
// Writes what the JSON holds (a present zero is written, so pointer fields keep their presence),
// repeated scalars unpacked as Go's proto2 code does, map entries as {1: key, 2: value}.
import type { Message, ResolvedField } from './registry.ts';
import type { ScalarType } from './schema.ts';
import { encodeWellKnown, isInt32, WellKnownValueError } from './wellknown.ts';
import { WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireWriter } from './wire.ts';

export interface EncodeOptions {
  /** Refuse JSON keys the table does not know (default true: a silent drop hides a table gap). */
  strict?: boolean;
  /** Keys ignored at the top level (the envelope carries apiVersion and kind). */
  ignoreKeys?: ReadonlySet<string>;
}

export class ProtobufEncodeError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ProtobufEncodeError';
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NO_KEYS: ReadonlySet<string> = new Set();

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function writeScalar(w: WireWriter, type: ScalarType, value: unknown, path: string): void {
  const bad = () => new ProtobufEncodeError(`${path}: ${JSON.stringify(value)} is not a valid ${type}`);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw bad();
      w.string(value);
      return;
    case 'bytes':
      if (typeof value !== 'string' || !BASE64.test(value)) throw bad();
      w.bytes(Buffer.from(value, 'base64'));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw bad();
      w.varint(value ? 1 : 0);
      return;
    case 'int32':
      if (typeof value !== 'number' || !isInt32(value)) throw bad();
      w.varint(value);
      return;
    case 'int64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad();
      w.varint(value);
      return;
    case 'double':
      if (typeof value !== 'number') throw bad();
      w.double(value);
  }
}

const wireOf = (f: ResolvedField): number =>
  f.kind !== 'scalar' || f.type === 'string' || f.type === 'bytes'
    ? WIRE_BYTES
    : f.type === 'double'
      ? WIRE_FIXED64
      : WIRE_VARINT;

/** One value of field f (an element, for repeated and map fields), with its tag. */
function writeValue(
  w: WireWriter,
  num: number,
  f: ResolvedField,
  value: unknown,
  path: string,
  opts: EncodeOptions,
) {
  w.tag(num, wireOf(f));
  if (f.kind === 'scalar') writeScalar(w, f.type, value, path);
  else w.bytes(payload(f, value, path, opts));
}

function payload(f: ResolvedField, value: unknown, path: string, opts: EncodeOptions): Uint8Array {
  if (f.kind === 'message') {
    if (!isObject(value)) throw new ProtobufEncodeError(`${path}: expected an object`);
    return encodeFields(f.message, value, path, opts, NO_KEYS);
  }
  if (f.kind === 'wellknown') {
    try {
      return encodeWellKnown(f.type, value);
    } catch (err) {
      if (err instanceof WellKnownValueError || err instanceof RangeError) {
        throw new ProtobufEncodeError(`${path}: ${err.message}`, err);
      }
      throw err;
    }
  }
  throw new ProtobufEncodeError(`${path}: scalar encoded as a message`);
}

function encodeFields(
  msg: Message,
  obj: Record<string, unknown>,
  path: string,
  opts: EncodeOptions,
  ignore: ReadonlySet<string>,
  checkKeys = true,
): Uint8Array {
  if (checkKeys && opts.strict !== false) {
    for (const key of Object.keys(obj)) {
      if (!msg.jsonKeys.has(key) && !ignore.has(key)) {
        throw new ProtobufEncodeError(`${path}: unknown field "${key}" for ${msg.name}`);
      }
    }
  }
  const w = new WireWriter();
  for (const f of msg.fields) {
    if (f.mode === 'inline') {
      if (f.kind !== 'message') continue;
      // The embedded struct's fields sit at this level of the JSON, already checked above.
      const inner = encodeFields(f.message, obj, path, opts, NO_KEYS, false);
      if (inner.length > 0) {
        w.tag(f.num, WIRE_BYTES);
        w.bytes(inner);
      }
      continue;
    }
    const value = obj[f.json];
    if (value === undefined || value === null) continue;
    const where = `${path}.${f.json}`;
    if (f.mode === 'rep') {
      if (!Array.isArray(value)) throw new ProtobufEncodeError(`${where}: expected an array`);
      value.forEach((v, i) => {
        writeValue(w, f.num, f, v, `${where}[${i}]`, opts);
      });
    } else if (f.mode === 'map') {
      if (!isObject(value)) throw new ProtobufEncodeError(`${where}: expected an object`);
      for (const [k, v] of Object.entries(value)) {
        const entry = new WireWriter();
        entry.tag(1, WIRE_BYTES);
        entry.string(k);
        if (v !== null && v !== undefined) writeValue(entry, 2, f, v, `${where}[${JSON.stringify(k)}]`, opts);
        w.tag(f.num, WIRE_BYTES);
        w.bytes(entry.finish());
      }
    } else writeValue(w, f.num, f, value, where, opts);
  }
  return w.finish();
}

/** Encode a JSON object as one message's payload (no envelope). */
export function encodeMessage(
  msg: Message,
  obj: Record<string, unknown>,
  opts: EncodeOptions = {},
): Uint8Array {
  return encodeFields(msg, obj, msg.name.slice(msg.name.indexOf('.') + 1), opts, opts.ignoreKeys ?? NO_KEYS);
}
