// Bootstrap tokens (upstream's plugin/pkg/auth/authenticator/token/bootstrap): `<id>.<secret>` with
// a 6-character id and 16-character secret of [a-z0-9], backed by the Secret
// `kube-system/bootstrap-token-<id>` of type bootstrap.kubernetes.io/token. A token authenticates
// as `system:bootstrap:<id>` in system:bootstrappers (plus the secret's auth-extra-groups) while
// the secret allows authentication, is not expired and is not being deleted.
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../api/object.ts';
import type { UserInfo } from '../registry/context.ts';

export const BOOTSTRAP_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_NAMESPACE = 'kube-system';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** Extra groups must stay inside the bootstrappers' namespace of group names. */
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export interface ParsedBootstrapToken {
  id: string;
  secret: string;
}

export function parseBootstrapToken(token: string): ParsedBootstrapToken | undefined {
  const m = BOOTSTRAP_TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

const field = (secret: KObject, key: string): string | undefined => {
  const v = secret.data?.[key];
  if (typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8');
  const s = secret.stringData?.[key];
  return typeof s === 'string' ? s : undefined;
};

/** The user a token names, given the Secret stored for its id (undefined: not valid). */
export function bootstrapUser(
  token: ParsedBootstrapToken,
  secret: KObject | undefined,
  now: number,
): UserInfo | undefined {
  if (!secret || secret.type !== BOOTSTRAP_SECRET_TYPE || secret.metadata?.deletionTimestamp)
    return undefined;
  if (field(secret, 'token-id') !== token.id) return undefined;
  const stored = Buffer.from(field(secret, 'token-secret') ?? '');
  const given = Buffer.from(token.secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  const expiration = field(secret, 'expiration');
  if (expiration !== undefined) {
    const at = Date.parse(expiration);
    if (Number.isNaN(at) || at <= now) return undefined;
  }
  if (field(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const groups = [BOOTSTRAPPERS_GROUP];
  for (const g of (field(secret, 'auth-extra-groups') ?? '').split(',')) {
    const name = g.trim();
    if (!name) continue;
    if (!EXTRA_GROUP_RE.test(name)) return undefined;
    if (!groups.includes(name)) groups.push(name);
  }
  return { username: `${BOOTSTRAP_USER_PREFIX}${token.id}`, groups };
}
