// Kubernetes protobuf request bodies ↔ JSON objects. See README.md for the envelope and tables.
export type { DecodeContext } from './decode.ts';
export { decodeMessage, MAX_DEPTH } from './decode.ts';
export type { EncodeOptions } from './encode.ts';
export { encodeMessage, ProtobufEncodeError } from './encode.ts';
export type { Envelope } from './envelope.ts';
export {
  decodeKubernetesProtobuf,
  encodeKubernetesProtobuf,
  isKubernetesProtobuf,
  KUBERNETES_PROTOBUF_CONTENT_TYPE,
  KUBERNETES_PROTOBUF_MAGIC,
  readEnvelope,
  writeEnvelope,
} from './envelope.ts';
export { messageForKind, protobufKinds } from './kinds.ts';
export type { Message } from './registry.ts';
export { lookupMessage } from './registry.ts';
export { ProtobufError } from './wire.ts';
