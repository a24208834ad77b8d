// Request bodies: size-limited reads and decoding of JSON, YAML and Kubernetes protobuf into a
// plain object, with 4xx Status errors for anything malformed (never a 500).
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../../api/errors.ts';
import { lazyRequire, yaml } from '../../util/lazy-require.ts';

/** Upstream's limit for a request body (3 MiB); etcd's value limit is of the same order. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(tooLarge());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) => reject(badRequest(`reading request body: ${e.message}`)));
  });
}

export const mediaTypeOf = (req: IncomingMessage): string =>
  String(req.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    .trim()
    .toLowerCase();

export type ProtobufDecoder = (body: Uint8Array) => unknown;

/** Decode a body for create/update (not patches). */
export function decodeObjectBody(req: IncomingMessage, body: Buffer, protobuf?: ProtobufDecoder): unknown {
  const type = mediaTypeOf(req);
  if (body.length === 0) throw badRequest('request body must not be empty');
  switch (type) {
    case 'application/json':
    case '':
      return parseJson(body);
    case 'application/yaml':
    case 'application/apply-patch+yaml':
      return parseYamlBody(body);
    case 'application/vnd.kubernetes.protobuf':
      if (!protobuf) throw unsupportedMediaType(type);
      return protobuf(body);
    default:
      throw unsupportedMediaType(type);
  }
}

export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `json: ${(err as Error).message}`);
  }
}

export function parseYamlBody(body: Buffer): unknown {
  try {
    return yaml().parse(body.toString('utf8'), { version: '1.1' });
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `yaml: ${(err as Error).message}`);
  }
}

/** A body that must be an object (not an array or scalar). */
export function expectObject(v: unknown, what = 'object'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`the request body must be a JSON ${what}`);
  }
  return v as Record<string, unknown>;
}
