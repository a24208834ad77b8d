// The opaque `continue` token of paginated lists: the snapshot revision and the next key, so every
// page is read at the first page's revision (consistent pagination), as upstream.
import { badRequest } from '../../api/errors.ts';

export interface ContinueToken {
  rv: number;
  /** Storage key to resume at (inclusive). */
  start: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: t.rv, start: t.start })).toString('base64url');
}

export function decodeContinue(s: string): ContinueToken {
  try {
    const o = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (o.v !== TOKEN_VERSION || typeof o.rv !== 'number' || typeof o.start !== 'string')
      throw new Error('shape');
    return { rv: o.rv, start: o.start };
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}
