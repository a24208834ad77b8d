import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ProtobufError,
  varintToInt32,
  varintToInt64,
  WIRE_BYTES,
  WIRE_VARINT,
  WireReader,
  WireWriter,
} from './wire.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('WireWriter/WireReader varints', () => {
  const cases = [
    0,
    1,
    127,
    128,
    300,
    2 ** 31 - 1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53 - 1,
    -1,
    -(2 ** 31),
    -(2 ** 53 - 1),
  ];
  for (const n of cases) {
    it(`round-trips ${n} as int64`, () => {
      const w = new WireWriter();
      w.varint(n);
      const out = w.finish();
      const r = new WireReader(out);
      assert.equal(varintToInt64(r.varint()), n);
      assert.ok(r.done());
    });
  }

  it('writes the protobuf encoding of 300 and of -1', () => {
    const w = new WireWriter();
    w.varint(300);
    w.varint(-1);
    assert.deepEqual(
      [...w.finish()],
      [0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    );
  });

  it('keeps the low 32 bits for int32, like Go', () => {
    const w = new WireWriter();
    w.varint(-5);
    assert.equal(varintToInt32(new WireReader(w.finish()).varint()), -5);
  });

  it('refuses int64 values beyond the safe integer range', () => {
    // 2^63 - 1
    const max = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    assert.equal(varintToInt64(new WireReader(max).varint()), undefined);
  });

  it('fails on a truncated varint', () => {
    assert.throws(
      () => new WireReader(bytes(0x80, 0x80)).varint(),
      (e: Error) => e instanceof ProtobufError && /EOF/.test(e.message),
    );
  });

  it('fails on an 11-byte varint', () => {
    const r = new WireReader(bytes(...Array(10).fill(0xff), 0x01));
    assert.throws(() => r.varint(), /integer overflow/);
  });
});

describe('WireReader tags and lengths', () => {
  it('reads field number and wire type', () => {
    const w = new WireWriter();
    w.tag(17, WIRE_BYTES);
    assert.deepEqual(new WireReader(w.finish()).tag(), { field: 17, wire: WIRE_BYTES });
  });

  it('refuses field number 0 and end-group', () => {
    assert.throws(() => new WireReader(bytes(0x00)).tag(), /illegal tag 0/);
    assert.throws(() => new WireReader(bytes(0x0c)).tag(), /end group/);
  });

  it('refuses a length running past the end', () => {
    assert.throws(() => new WireReader(bytes(0x05, 0x61)).bytes(), /unexpected EOF/);
  });

  it('refuses a negative length', () => {
    assert.throws(
      () => new WireReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).length(),
      /negative length/,
    );
  });

  it('skips every wire type it knows and refuses groups and 6/7', () => {
    const w = new WireWriter();
    w.varint(150);
    w.bytes(bytes(1, 2, 3));
    w.double(1.5);
    const r = new WireReader(w.finish());
    r.skip(WIRE_VARINT);
    r.skip(WIRE_BYTES);
    r.skip(1);
    assert.ok(r.done());
    assert.throws(() => new WireReader(bytes(0)).skip(3), /groups/);
    assert.throws(() => new WireReader(bytes(0)).skip(6), /illegal wireType 6/);
    assert.throws(() => new WireReader(bytes(0, 0)).skip(5), /EOF/);
  });

  it('grows its buffer for large payloads', () => {
    const big = new Uint8Array(100_000).fill(7);
    const w = new WireWriter();
    w.bytes(big);
    const r = new WireReader(w.finish());
    assert.deepEqual(r.bytes(), big);
  });
});
