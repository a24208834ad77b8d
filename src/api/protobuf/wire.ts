// Protobuf wire primitives: a bounds-checked reader and a growable writer. Our own (instead of
// protobufjs' Reader) so every malformed input fails with one error type and a message naming what
// was wrong, and int64 values become plain numbers or an error, never a silent rounding.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** A varint is at most 10 bytes (64 bits in 7-bit groups). */
const MAX_VARINT_BYTES = 10;
/** Largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD_NUMBER = 0x1fffffff;
const TWO_POW_32 = 0x1_0000_0000;

export const MSG_UNEXPECTED_EOF = 'unexpected EOF';
export const MSG_INT_OVERFLOW = 'integer overflow';
export const MSG_NEGATIVE_LENGTH = 'negative length found during unmarshaling';

/** Any malformed protobuf input; the envelope decoder turns it into a 400. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

/** A 64-bit varint as two unsigned 32-bit halves (JS numbers cannot hold 64 bits exactly). */
export interface Varint {
  lo: number;
  hi: number;
}

/** Signed 64-bit value of a varint, if it is a safe integer. */
export function varintToInt64(v: Varint): number | undefined {
  if (v.hi === 0) return v.lo;
  // Small negative numbers: all high bits set and the low half's sign bit set.
  if (v.hi === 0xffffffff && v.lo >= 0x80000000) return v.lo - TWO_POW_32;
  const n = BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo));
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(n);
}

/** Go's int32 decoding keeps the low 32 bits. */
export const varintToInt32 = (v: Varint): number => v.lo | 0;

export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): Varint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) throw new ProtobufError(MSG_UNEXPECTED_EOF);
      const b = this.buf[this.pos++];
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new ProtobufError(MSG_INT_OVERFLOW);
  }

  /** A field key: field number and wire type. */
  tag(): { field: number; wire: number } {
    const v = this.varint();
    const field = v.hi === 0 ? Math.floor(v.lo / 8) : -1;
    const wire = v.lo & 7;
    if (field <= 0 || field > MAX_FIELD_NUMBER) {
      throw new ProtobufError(`illegal tag ${field} (wire type ${wire})`);
    }
    if (wire === WIRE_END_GROUP) throw new ProtobufError('wiretype end group for non-group');
    return { field, wire };
  }

  /** A length prefix, checked against the bytes that remain. */
  length(): number {
    const v = this.varint();
    if (v.hi >= 0x80000000) throw new ProtobufError(MSG_NEGATIVE_LENGTH);
    if (v.hi !== 0 || v.lo > this.end - this.pos) throw new ProtobufError(MSG_UNEXPECTED_EOF);
    return v.lo;
  }

  /** A length-delimited payload, as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fixed64(): DataView {
    if (this.end - this.pos < 8) throw new ProtobufError(MSG_UNEXPECTED_EOF);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view;
  }

  /** Skip a field's value (unknown fields are ignored, as Go's generated code does). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.fixed64();
        return;
      case WIRE_BYTES: {
        // Read the length first: `this.pos += this.length()` would add it to the stale position.
        const n = this.length();
        this.pos += n;
        return;
      }
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) throw new ProtobufError(MSG_UNEXPECTED_EOF);
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
        // Kubernetes messages never use groups; refusing them keeps skipping non-recursive.
        throw new ProtobufError('groups (wire type 3) are not supported');
      default:
        throw new ProtobufError(`illegal wireType ${wire}`);
    }
  }
}

const INITIAL_CAPACITY = 256;
const utf8 = new TextEncoder();

export class WireWriter {
  private buf = new Uint8Array(INITIAL_CAPACITY);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** A non-negative integer up to 2^53, or a negative one as 10-byte two's complement. */
  varint(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
    if (n >= 0 && n < TWO_POW_32) {
      let v = n;
      while (v >= 0x80) {
        this.byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.byte(v);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(n));
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(s: string): void {
    this.bytes(utf8.encode(s));
  }

  double(x: number): void {
    this.reserve(8);
    new DataView(this.buf.buffer, this.len, 8).setFloat64(0, x, true);
    this.len += 8;
  }

  /** Raw bytes with no length prefix (the envelope's magic number). */
  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
