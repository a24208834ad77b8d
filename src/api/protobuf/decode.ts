// Table-driven protobuf → JSON for one message. Mirrors what the Go server ends up with after
// gogo-protobuf unmarshalling and encoding/json marshalling: unknown fields skipped, last value wins
// for singular scalars, repeated occurrences of a singular message merge, zero scalars of
// non-pointer `omitempty` fields dropped (Go writes every non-pointer scalar), keys in Go struct
// order. Depth is bounded, so hostile nesting cannot exhaust the stack.
import type { Message, ResolvedField } from './registry.ts';
import type { ScalarType } from './schema.ts';
import { decodeWellKnown, isZeroWellKnown, type NestedDecoder } from './wellknown.ts';
import {
  ProtobufError,
  varintToInt32,
  varintToInt64,
  WIRE_BYTES,
  WIRE_FIXED64,
  WIRE_VARINT,
  WireReader,
} from './wire.ts';

/** Far deeper than any Kubernetes object (a Pod is ~8 levels); small enough to stay off the stack limit. */
export const MAX_DEPTH = 100;

const utf8 = new TextDecoder();

type JsonObject = Record<string, unknown>;

/** Which wire type a scalar arrives in (repeated numbers may also come packed). */
const scalarWire = (type: ScalarType): number =>
  type === 'string' || type === 'bytes' ? WIRE_BYTES : type === 'double' ? WIRE_FIXED64 : WIRE_VARINT;

/** A value of a scalar field's JSON form, read at the reader's position. */
function readScalar(type: ScalarType, r: WireReader, name: string): unknown {
  switch (type) {
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool': {
      const v = r.varint();
      return v.lo !== 0 || v.hi !== 0;
    }
    case 'int32':
      return varintToInt32(r.varint());
    case 'int64': {
      const n = varintToInt64(r.varint());
      if (n === undefined)
        throw new ProtobufError(`int64 value of field "${name}" is beyond the safe integer range`);
      return n;
    }
    case 'double':
      return r.fixed64().getFloat64(0, true);
  }
}

const isZeroScalar = (v: unknown): boolean => v === '' || v === 0 || v === false;

/** Define an own property even for keys like `__proto__` (map keys come from the client). */
function setKey(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface DecodeContext {
  /** Decodes a `k8s\0` envelope found inside a RawExtension. */
  nested: NestedDecoder;
}

class Decoder {
  readonly ctx: DecodeContext;

  constructor(ctx: DecodeContext) {
    this.ctx = ctx;
  }

  message(msg: Message, buf: Uint8Array, depth: number, path: string): JsonObject {
    if (depth > MAX_DEPTH) throw new ProtobufError(`${path}: nested deeper than ${MAX_DEPTH} levels`);
    const seen = new Map<ResolvedField, unknown>();
    const r = new WireReader(buf);
    try {
      while (!r.done()) {
        const { field: num, wire } = r.tag();
        const f = msg.byNumber.get(num);
        if (f) this.field(f, wire, r, seen, depth, path);
        else r.skip(wire);
      }
    } catch (err) {
      if (err instanceof ProtobufError && !err.message.startsWith(`${path}`)) {
        throw new ProtobufError(`${path}: ${err.message}`);
      }
      throw err;
    }
    return this.assemble(msg, seen, depth, path);
  }

  /** First pass: collect each field's raw occurrences (message payloads are decoded later). */
  private field(
    f: ResolvedField,
    wire: number,
    r: WireReader,
    seen: Map<ResolvedField, unknown>,
    depth: number,
    path: string,
  ): void {
    const where = `${path}.${f.json || f.num}`;
    if (f.mode === 'map') {
      if (wire !== WIRE_BYTES) throw wrongWire(where, f, wire, WIRE_BYTES);
      const entries = (seen.get(f) as [string, unknown][] | undefined) ?? [];
      entries.push(this.mapEntry(f, r.bytes(), depth, where));
      seen.set(f, entries);
      return;
    }
    if (f.kind === 'scalar') {
      const expected = scalarWire(f.type);
      if (f.mode === 'rep') {
        const list = (seen.get(f) as unknown[] | undefined) ?? [];
        if (wire === WIRE_BYTES && expected !== WIRE_BYTES) {
          // Packed repeated numbers: one length-delimited run of values.
          const n = r.length();
          const end = r.pos + n;
          const packed = new WireReader(r.buf, r.pos, end);
          while (!packed.done()) list.push(readScalar(f.type, packed, f.json));
          r.pos = end;
        } else if (wire === expected) list.push(readScalar(f.type, r, f.json));
        else throw wrongWire(where, f, wire, expected);
        seen.set(f, list);
        return;
      }
      if (wire !== expected) throw wrongWire(where, f, wire, expected);
      seen.set(f, readScalar(f.type, r, f.json));
      return;
    }
    if (wire !== WIRE_BYTES) throw wrongWire(where, f, wire, WIRE_BYTES);
    const payload = r.bytes();
    if (f.mode === 'rep') {
      const list = (seen.get(f) as unknown[] | undefined) ?? [];
      list.push(this.value(f, payload, depth, `${where}[${list.length}]`) ?? null);
      seen.set(f, list);
      return;
    }
    // Singular message: occurrences merge (protobuf's rule), so keep every payload.
    const parts = (seen.get(f) as Uint8Array[] | undefined) ?? [];
    parts.push(payload);
    seen.set(f, parts);
  }

  /** A map entry {1: key, 2: value}; a missing part takes its zero value, as in Go. */
  private mapEntry(f: ResolvedField, buf: Uint8Array, depth: number, path: string): [string, unknown] {
    const r = new WireReader(buf);
    let key = '';
    let value: unknown;
    let valueParts: Uint8Array[] | undefined;
    while (!r.done()) {
      const { field, wire } = r.tag();
      if (field === 1) {
        if (wire !== WIRE_BYTES) throw new ProtobufError(`${path}: wrong wire type ${wire} for a map key`);
        key = utf8.decode(r.bytes());
      } else if (field === 2) {
        if (f.kind === 'scalar') {
          if (wire !== scalarWire(f.type)) throw wrongWire(path, f, wire, scalarWire(f.type));
          value = readScalar(f.type, r, f.json);
        } else {
          if (wire !== WIRE_BYTES) throw wrongWire(path, f, wire, WIRE_BYTES);
          valueParts = [...(valueParts ?? []), r.bytes()];
        }
      } else r.skip(wire);
    }
    if (f.kind !== 'scalar') {
      value = this.value(
        f,
        concat(valueParts ?? [new Uint8Array(0)]),
        depth,
        `${path}[${JSON.stringify(key)}]`,
      );
    } else if (value === undefined)
      value = f.type === 'bool' ? false : f.type === 'string' || f.type === 'bytes' ? '' : 0;
    // Go prints a nil map value (a zero Time, an empty RawExtension) as null.
    return [key, value ?? null];
  }

  /** The JSON value of a message-typed (or well-known) field payload. */
  private value(f: ResolvedField, payload: Uint8Array, depth: number, path: string): unknown {
    if (f.kind === 'message') return this.message(f.message, payload, depth + 1, path);
    if (f.kind === 'wellknown') {
      try {
        return decodeWellKnown(f.type, payload, depth + 1, this.ctx.nested);
      } catch (err) {
        if (err instanceof ProtobufError) throw new ProtobufError(`${path}: ${err.message}`);
        throw err;
      }
    }
    throw new ProtobufError(`${path}: scalar field read as a message`);
  }

  /** Second pass: build the object in the Go struct's field order. */
  private assemble(msg: Message, seen: Map<ResolvedField, unknown>, depth: number, path: string): JsonObject {
    const out: JsonObject = {};
    for (const f of msg.fields) {
      const raw = seen.get(f);
      const where = `${path}.${f.json}`;
      if (f.mode === 'inline') {
        if (f.kind !== 'message') continue;
        const parts = raw as Uint8Array[] | undefined;
        const inner = this.message(f.message, parts ? concat(parts) : new Uint8Array(0), depth + 1, path);
        for (const [k, v] of Object.entries(inner)) setKey(out, k, v);
        continue;
      }
      if (raw === undefined) continue;
      if (f.mode === 'map') {
        const obj: JsonObject = {};
        for (const [k, v] of raw as [string, unknown][]) setKey(obj, k, v);
        out[f.json] = obj;
      } else if (f.mode === 'rep') {
        out[f.json] = raw;
      } else if (f.kind === 'scalar') {
        if (f.mode === 'keep' || !isZeroScalar(raw)) out[f.json] = raw;
      } else {
        const v = this.value(f, concat(raw as Uint8Array[]), depth, where);
        if (v === undefined) continue;
        if (f.kind === 'wellknown' && f.mode !== 'keep' && isZeroWellKnown(f.type, v)) continue;
        out[f.json] = v;
      }
    }
    return out;
  }
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

function wrongWire(where: string, f: ResolvedField, got: number, expected: number): ProtobufError {
  const name = (w: number) => WIRE_NAMES[w] ?? String(w);
  return new ProtobufError(
    `${where}: wrong wire type ${got} (${name(got)}) for field "${f.json || f.num}", expected ${expected} (${name(expected)})`,
  );
}

/** Decode one message's payload (no envelope) into its JSON object. */
export function decodeMessage(msg: Message, buf: Uint8Array, ctx: DecodeContext, depth = 0): JsonObject {
  return new Decoder(ctx).message(msg, buf, depth, msg.name.slice(msg.name.indexOf('.') + 1));
}
