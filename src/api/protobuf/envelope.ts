// The Kubernetes protobuf envelope: the 4-byte magic "k8s\0", then a runtime.Unknown
// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}, where raw is
// the typed message chosen by (apiVersion, kind).
import { badRequest, isApiError } from '../errors.ts';
import { type DecodeContext, decodeMessage } from './decode.ts';
import { type EncodeOptions, encodeMessage, ProtobufEncodeError } from './encode.ts';
import { messageForKind } from './kinds.ts';
import { ProtobufError, WIRE_BYTES, WireReader, WireWriter } from './wire.ts';

export const KUBERNETES_PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
export const KUBERNETES_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MSG_NOT_PROTOBUF = `provided data does not appear to be a protobuf message, expected prefix [${[
  ...KUBERNETES_PROTOBUF_MAGIC,
].join(' ')}]`;
const MSG_DECODE_PREFIX = 'unable to decode the protobuf request body';

const utf8 = new TextDecoder();

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export const isKubernetesProtobuf = (body: Uint8Array): boolean =>
  body.length >= KUBERNETES_PROTOBUF_MAGIC.length && KUBERNETES_PROTOBUF_MAGIC.every((b, i) => body[i] === b);

function readString(r: WireReader, wire: number, what: string): string {
  if (wire !== WIRE_BYTES) throw new ProtobufError(`Unknown.${what}: wrong wire type ${wire}`);
  return utf8.decode(r.bytes());
}

/** Split an envelope into its parts (throws ProtobufError on malformed input). */
export function readEnvelope(body: Uint8Array): Envelope {
  if (!isKubernetesProtobuf(body)) throw new ProtobufError(MSG_NOT_PROTOBUF);
  const env: Envelope = {
    apiVersion: '',
    kind: '',
    raw: new Uint8Array(0),
    contentEncoding: '',
    contentType: '',
  };
  const r = new WireReader(body, KUBERNETES_PROTOBUF_MAGIC.length);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      if (wire !== WIRE_BYTES) throw new ProtobufError(`Unknown.typeMeta: wrong wire type ${wire}`);
      const tm = new WireReader(r.bytes());
      while (!tm.done()) {
        const t = tm.tag();
        if (t.field === 1) env.apiVersion = readString(tm, t.wire, 'typeMeta.apiVersion');
        else if (t.field === 2) env.kind = readString(tm, t.wire, 'typeMeta.kind');
        else tm.skip(t.wire);
      }
    } else if (field === 2) {
      if (wire !== WIRE_BYTES) throw new ProtobufError(`Unknown.raw: wrong wire type ${wire}`);
      env.raw = r.bytes();
    } else if (field === 3) env.contentEncoding = readString(r, wire, 'contentEncoding');
    else if (field === 4) env.contentType = readString(r, wire, 'contentType');
    else r.skip(wire);
  }
  return env;
}

/** Decode an envelope to the JSON object the Go server would hold (apiVersion and kind set). */
function decodeEnvelope(body: Uint8Array, depth: number): Record<string, unknown> {
  const env = readEnvelope(body);
  if (env.kind === '') throw badRequest(`Object 'Kind' is missing in '${describe(env)}'`);
  if (env.apiVersion === '') throw badRequest(`Object 'apiVersion' is missing in '${describe(env)}'`);
  if (env.contentEncoding !== '') {
    throw badRequest(
      `${MSG_DECODE_PREFIX}: unsupported contentEncoding ${JSON.stringify(env.contentEncoding)}`,
    );
  }
  const msg = messageForKind(env.apiVersion, env.kind);
  if (!msg) throw badRequest(`no kind "${env.kind}" is registered for version "${env.apiVersion}"`);
  const ctx: DecodeContext = { nested: (raw, d) => decodeEnvelope(raw, d) };
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(msg, env.raw, ctx, depth) };
}

const describe = (env: Envelope): string =>
  JSON.stringify({ apiVersion: env.apiVersion, kind: env.kind, rawLength: env.raw.length });

/**
 * The server's protobuf body decoder (`ProtobufDecoder` in apiserver/http/body.ts): any malformed
 * input becomes a 400 ApiError, never another exception.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): unknown {
  try {
    return decodeEnvelope(body, 0);
  } catch (err) {
    if (isApiError(err)) throw err;
    // Anything raised while decoding (a RangeError from hostile input too) is the body's fault.
    throw badRequest(`${MSG_DECODE_PREFIX}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const typeMeta = new WireWriter();
  typeMeta.tag(1, WIRE_BYTES);
  typeMeta.string(apiVersion);
  typeMeta.tag(2, WIRE_BYTES);
  typeMeta.string(kind);
  const w = new WireWriter();
  w.raw(KUBERNETES_PROTOBUF_MAGIC);
  w.tag(1, WIRE_BYTES);
  w.bytes(typeMeta.finish());
  w.tag(2, WIRE_BYTES);
  w.bytes(raw);
  // Go writes the two empty strings too; matching it keeps our bytes identical to client-go's.
  w.tag(3, WIRE_BYTES);
  w.string('');
  w.tag(4, WIRE_BYTES);
  w.string('');
  return w.finish();
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['apiVersion', 'kind']);

/** Encode a JSON object (apiVersion and kind set) as a Kubernetes protobuf body. */
export function encodeKubernetesProtobuf(obj: Record<string, unknown>, opts: EncodeOptions = {}): Uint8Array {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new ProtobufEncodeError('the object needs string apiVersion and kind');
  }
  const msg = messageForKind(apiVersion, kind);
  if (!msg) throw new ProtobufEncodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  return writeEnvelope(apiVersion, kind, encodeMessage(msg, obj, { ...opts, ignoreKeys: ENVELOPE_KEYS }));
}
