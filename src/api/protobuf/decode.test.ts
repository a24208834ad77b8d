import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../errors.ts';
import { MAX_DEPTH } from './decode.ts';
import {
  decodeKubernetesProtobuf,
  encodeKubernetesProtobuf,
  encodeMessage,
  messageForKind,
  writeEnvelope,
} from './index.ts';
import { WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireWriter } from './wire.ts';

/** A message built field by field: [number, wire, value] with value a number, string or bytes. */
type Part = [num: number, wire: number, value: number | string | Uint8Array];

function msg(...parts: Part[]): Uint8Array {
  const w = new WireWriter();
  for (const [num, wire, value] of parts) {
    w.tag(num, wire);
    if (typeof value === 'number') w.varint(value);
    else if (typeof value === 'string') w.string(value);
    else w.bytes(value);
  }
  return w.finish();
}

const decode = (apiVersion: string, kind: string, raw: Uint8Array) =>
  decodeKubernetesProtobuf(writeEnvelope(apiVersion, kind, raw)) as Record<string, unknown>;

function assertBadRequest(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('Go field semantics', () => {
  it('drops zero values Go writes for non-pointer fields, keeps pointer zeros', () => {
    // Deployment as client-go writes it: generation 0, empty generateName, zero creationTimestamp,
    // replicas=0 (pointer), minReadySeconds=0 and paused=false (non-pointer, omitempty).
    const objectMeta = msg(
      [1, WIRE_BYTES, 'web'],
      [2, WIRE_BYTES, ''],
      [7, WIRE_VARINT, 0],
      [8, WIRE_BYTES, new Uint8Array(0)],
    );
    const spec = msg(
      [1, WIRE_VARINT, 0],
      [5, WIRE_VARINT, 0],
      [7, WIRE_VARINT, 0],
      [4, WIRE_BYTES, new Uint8Array(0)],
    );
    const out = decode('apps/v1', 'Deployment', msg([1, WIRE_BYTES, objectMeta], [2, WIRE_BYTES, spec]));
    assert.deepStrictEqual(out, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 0, strategy: {} },
    });
  });

  it('keeps zeros of fields without omitempty (containerPort, SSAR allowed)', () => {
    const ssar = decode(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      msg([3, WIRE_BYTES, msg([1, WIRE_VARINT, 0])]),
    );
    assert.deepStrictEqual(ssar.status, { allowed: false });
  });

  it('prints an explicit epoch time but omits the zero time', () => {
    const epoch = msg([1, WIRE_VARINT, 0], [2, WIRE_VARINT, 0]);
    const out = decode('v1', 'ConfigMap', msg([1, WIRE_BYTES, msg([8, WIRE_BYTES, epoch])]));
    assert.deepStrictEqual(out.metadata, { creationTimestamp: '1970-01-01T00:00:00Z' });
  });

  it('lets the last occurrence of a scalar win and merges repeated message occurrences', () => {
    const out = decode(
      'v1',
      'ConfigMap',
      msg(
        [1, WIRE_BYTES, msg([1, WIRE_BYTES, 'first'])],
        [1, WIRE_BYTES, msg([3, WIRE_BYTES, 'ns'], [1, WIRE_BYTES, 'second'])],
      ),
    );
    assert.deepStrictEqual(out.metadata, { name: 'second', namespace: 'ns' });
  });

  it('skips unknown fields of every wire type', () => {
    const w = new WireWriter();
    w.tag(99, WIRE_FIXED64);
    w.double(3.5);
    const out = decode(
      'v1',
      'Namespace',
      msg([1, WIRE_BYTES, msg([1, WIRE_BYTES, 'ns'], [50, WIRE_VARINT, 5])], [77, WIRE_BYTES, 'junk']),
    );
    assert.deepStrictEqual(out, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    const withFixed = decode(
      'v1',
      'Namespace',
      new Uint8Array([...w.finish(), ...msg([1, WIRE_BYTES, msg([1, WIRE_BYTES, 'x'])])]),
    );
    assert.deepStrictEqual(withFixed.metadata, { name: 'x' });
  });

  it('accepts packed repeated numbers as well as unpacked ones', () => {
    const packed = new WireWriter();
    for (const g of [1000, 2000]) packed.varint(g);
    const psc = msg([4, WIRE_BYTES, packed.finish()], [4, WIRE_VARINT, 3000]);
    const out = decode('v1', 'Pod', msg([2, WIRE_BYTES, msg([14, WIRE_BYTES, psc])]));
    assert.deepStrictEqual(out.spec, { securityContext: { supplementalGroups: [1000, 2000, 3000] } });
  });

  it('gives missing map keys and values their zero values', () => {
    const out = decode(
      'v1',
      'ConfigMap',
      msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, 'k'])], [2, WIRE_BYTES, msg([2, WIRE_BYTES, 'v'])]),
    );
    assert.deepStrictEqual(out.data, { k: '', '': 'v' });
  });

  it('keeps a "__proto__" map key as data, not as a prototype', () => {
    const out = decode(
      'v1',
      'ConfigMap',
      msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, '__proto__'], [2, WIRE_BYTES, 'x'])]),
    );
    const data = out.data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepStrictEqual(Object.keys(data), ['__proto__']);
    assert.equal(JSON.stringify(data), '{"__proto__":"x"}');
  });

  it('decodes Secret bytes to base64 and IntOrString to number or string', () => {
    const secret = decode(
      'v1',
      'Secret',
      msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, 'bin'], [2, WIRE_BYTES, Uint8Array.of(0, 255, 1)])]),
    );
    assert.deepStrictEqual(secret.data, { bin: 'AP8B' });
    const port = (type: number, i: number, s: string) =>
      msg([1, WIRE_VARINT, type], [2, WIRE_VARINT, i], [3, WIRE_BYTES, s]);
    const svc = decode(
      'v1',
      'Service',
      msg([
        2,
        WIRE_BYTES,
        msg(
          [1, WIRE_BYTES, msg([3, WIRE_VARINT, 80], [4, WIRE_BYTES, port(0, 8080, '')])],
          [1, WIRE_BYTES, msg([3, WIRE_VARINT, 81], [4, WIRE_BYTES, port(1, 0, 'http')])],
          [1, WIRE_BYTES, msg([3, WIRE_VARINT, 82], [4, WIRE_BYTES, port(0, 0, '')])],
        ),
      ]),
    );
    // targetPort 0 is Go's "unset" (defaulted to port), so it is dropped like other zero values.
    assert.deepStrictEqual((svc.spec as Record<string, unknown>).ports, [
      { port: 80, targetPort: 8080 },
      { port: 81, targetPort: 'http' },
      { port: 82 },
    ]);
  });

  it('decodes a Duration-free MicroTime with microseconds', () => {
    const micro = msg([1, WIRE_VARINT, 1_767_323_045], [2, WIRE_VARINT, 123_456_789]);
    const out = decode('coordination.k8s.io/v1', 'Lease', msg([2, WIRE_BYTES, msg([3, WIRE_BYTES, micro])]));
    assert.deepStrictEqual(out.spec, { acquireTime: '2026-01-02T03:04:05.123456Z' });
  });

  it('decodes a Kubernetes envelope nested in a RawExtension', () => {
    const inner = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
    const out = decode(
      'apps/v1',
      'ControllerRevision',
      msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, inner])], [3, WIRE_VARINT, 1]),
    );
    assert.deepStrictEqual(out.data, { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
  });
});

describe('malformed bodies are 400 BadRequest', () => {
  const cm = (raw: Uint8Array) => () => decode('v1', 'ConfigMap', raw);

  it('refuses a body without the magic number', () => {
    assertBadRequest(
      () => decodeKubernetesProtobuf(Buffer.from('{"kind":"Pod"}')),
      /expected prefix \[107 56 115 0\]/,
    );
    assertBadRequest(() => decodeKubernetesProtobuf(new Uint8Array(0)), /does not appear to be a protobuf/);
  });

  it('refuses an unknown kind like upstream', () => {
    assertBadRequest(
      () => decode('v1', 'Foo', new Uint8Array(0)),
      /^no kind "Foo" is registered for version "v1"$/,
    );
    assertBadRequest(
      () => decode('example.com/v1', 'Pod', new Uint8Array(0)),
      /no kind "Pod" is registered for version "example.com\/v1"/,
    );
  });

  it('refuses a missing kind or apiVersion', () => {
    assertBadRequest(() => decode('v1', '', new Uint8Array(0)), /Object 'Kind' is missing/);
    assertBadRequest(() => decode('', 'Pod', new Uint8Array(0)), /Object 'apiVersion' is missing/);
  });

  it('refuses a compressed payload', () => {
    const w = new WireWriter();
    w.raw(Uint8Array.of(0x6b, 0x38, 0x73, 0x00));
    w.tag(1, WIRE_BYTES);
    w.bytes(msg([1, WIRE_BYTES, 'v1'], [2, WIRE_BYTES, 'Pod']));
    w.tag(3, WIRE_BYTES);
    w.string('gzip');
    assertBadRequest(() => decodeKubernetesProtobuf(w.finish()), /contentEncoding "gzip"/);
  });

  it('refuses a truncated varint', () => {
    assertBadRequest(cm(Uint8Array.of(0x0a, 0x02, 0x38, 0x80)), /ConfigMap\.metadata: unexpected EOF/);
  });

  it('refuses a length past the end of the message', () => {
    assertBadRequest(cm(Uint8Array.of(0x0a, 0x10, 0x0a, 0x01, 0x61)), /unexpected EOF/);
  });

  it('refuses a body truncated inside any field', () => {
    const good = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    // The envelope ends with raw, then the two empty strings (4 bytes); raw holds metadata{name}.
    const rawEnd = good.length - 4;
    const rawStart =
      rawEnd - encodeMessage(messageForKind('v1', 'ConfigMap')!, { metadata: { name: 'x' } }).length;
    for (let cut = 1; cut < good.length; cut++) {
      const insideRaw = cut > rawStart && cut < rawEnd;
      try {
        decodeKubernetesProtobuf(good.subarray(0, cut));
        assert.ok(!insideRaw, `cut at ${cut} inside raw decoded`);
      } catch (err) {
        assert.ok(err instanceof ApiError && err.code === 400, `cut at ${cut} threw ${String(err)}`);
      }
    }
  });

  it('refuses a wrong wire type and names the field', () => {
    assertBadRequest(cm(msg([1, WIRE_VARINT, 5])), /ConfigMap\.metadata.*wrong wire type 0/);
    assertBadRequest(
      () => decode('apps/v1', 'Deployment', msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, 'three'])])),
      /Deployment\.spec\.replicas: wrong wire type 2.*"replicas"/,
    );
  });

  it('refuses groups and illegal wire types', () => {
    assertBadRequest(cm(Uint8Array.of(0x5b)), /groups/);
    assertBadRequest(cm(Uint8Array.of(0x5e, 0x00)), /illegal wireType 6/);
    assertBadRequest(cm(Uint8Array.of(0x00)), /illegal tag 0/);
  });

  it('refuses int64 values beyond the safe range', () => {
    const w = new WireWriter();
    w.tag(1, WIRE_BYTES);
    const meta = new WireWriter();
    meta.tag(7, WIRE_VARINT);
    meta.raw(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
    w.bytes(meta.finish());
    assertBadRequest(cm(w.finish()), /generation.*safe integer range/);
  });

  it('refuses a time outside years 0..9999', () => {
    const far = msg([1, WIRE_VARINT, 300_000_000_000]);
    assertBadRequest(cm(msg([1, WIRE_BYTES, msg([8, WIRE_BYTES, far])])), /creationTimestamp.*outside years/);
  });

  it('refuses a RawExtension that is not JSON', () => {
    const raw = msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, '{not json'])]);
    assertBadRequest(
      () => decode('apps/v1', 'ControllerRevision', raw),
      /RawExtension: embedded JSON is invalid/,
    );
  });

  it('bounds nesting through RawExtension envelopes', () => {
    let body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'Namespace' });
    for (let i = 0; i < MAX_DEPTH + 5; i++) {
      body = writeEnvelope('apps/v1', 'ControllerRevision', msg([2, WIRE_BYTES, msg([1, WIRE_BYTES, body])]));
    }
    assertBadRequest(() => decodeKubernetesProtobuf(body), /nested deeper than 100 levels/);
  });

  it('survives random garbage without throwing anything but a 400', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const valid = encodeKubernetesProtobuf({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { a: 'b' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    for (let i = 0; i < 2000; i++) {
      const mutated = Uint8Array.from(valid);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++)
        mutated[4 + Math.floor(rand() * (mutated.length - 4))] = Math.floor(rand() * 256);
      try {
        decodeKubernetesProtobuf(mutated);
      } catch (err) {
        assert.ok(err instanceof ApiError && err.code === 400, `mutation ${i} threw ${String(err)}`);
      }
    }
  });
});
