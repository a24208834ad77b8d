// Service-account JSON Web Tokens (upstream's pkg/serviceaccount): issued by the TokenRequest API,
// signed ES256 with the cluster's service-account key in the data dir, and verified on every
// request — signature, issuer, audience and lifetime, then against the watch caches: the service
// account must still exist with the same uid, and a token bound to a pod stops working once that
// pod is gone, was re-created (uid changed) or has been deleting for longer than a minute.
// jose is loaded on the first token issued or verified, not at start-up.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { KObject } from '../../api/object.ts';
import { writeAtomic } from '../pki/pki.ts';
import type { UserInfo } from '../registry/context.ts';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SA_USER_PREFIX = 'system:serviceaccount:';
export const SA_GROUP = 'system:serviceaccounts';
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';
const SIGNING_ALG = 'ES256';
/** A pod that has been terminating this long no longer vouches for its tokens (upstream: 60 s). */
const DELETED_POD_GRACE_MS = 60_000;
/** Verified signatures kept in memory; a full cache is simply dropped (tokens re-verify). */
const VERIFIED_CACHE_SIZE = 4096;

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
const loadJose = (): Promise<Jose> => {
  jose ??= import('jose');
  return jose;
};

/** Lookups into the apiserver's watch caches. */
export interface ObjectLookup {
  get(namespace: string, name: string): { obj: KObject } | undefined;
}

export interface TokenLookups {
  serviceAccounts: ObjectLookup;
  pods: ObjectLookup;
  nodes: ObjectLookup;
}

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  pod?: { name: string; uid: string };
  node?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  node?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

/** Read the signing key from the data dir, making it on first start. */
export function ensureServiceAccountKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeAtomic(path, pem, 0o600);
  return pem;
}

export interface ServiceAccountTokensOptions {
  privateKeyPem: string;
  issuer?: string;
  /** What a token must be meant for to authenticate here (upstream's --api-audiences). */
  apiAudiences?: string[];
  lookups: TokenLookups;
  now?: () => number;
}

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly apiAudiences: string[];
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #lookups: TokenLookups;
  readonly #now: () => number;
  readonly #verified = new Map<string, TokenClaims>();

  constructor(o: ServiceAccountTokensOptions) {
    this.issuer = o.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = o.apiAudiences ?? [this.issuer];
    this.#private = createPrivateKey(o.privateKeyPem);
    this.#public = createPublicKey(this.#private);
    this.#lookups = o.lookups;
    this.#now = o.now ?? Date.now;
  }

  async issue(r: IssueRequest): Promise<{ token: string; expiresAt: number; claims: TokenClaims }> {
    const { SignJWT } = await loadJose();
    const iat = Math.floor(this.#now() / 1000);
    const exp = iat + r.expirationSeconds;
    const k8s: KubernetesClaim = { namespace: r.namespace, serviceaccount: r.serviceAccount };
    if (r.pod) k8s.pod = r.pod;
    if (r.node) k8s.node = r.node;
    if (r.secret) k8s.secret = r.secret;
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `${SA_USER_PREFIX}${r.namespace}:${r.serviceAccount.name}`,
      aud: r.audiences,
      exp,
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': k8s,
    };
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.keyId() })
      .setIssuer(claims.iss)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(claims.jti)
      .sign(this.#private);
    return { token, expiresAt: exp * 1000, claims };
  }

  /** A stable key id: the SHA-256 of the public key's DER, as upstream derives `kid`. */
  keyId(): string {
    const der = this.#public.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('base64url');
  }

  /**
   * The user a token authenticates as, or undefined when it is not one of ours. `audiences`
   * defaults to the API audiences (TokenReview may ask for others).
   */
  async authenticate(token: string, audiences = this.apiAudiences): Promise<UserInfo | undefined> {
    if (!this.#looksOurs(token)) return undefined;
    let claims = this.#verified.get(token);
    if (!claims) {
      const { jwtVerify } = await loadJose();
      try {
        const { payload } = await jwtVerify(token, this.#public, {
          issuer: this.issuer,
          algorithms: [SIGNING_ALG],
          currentDate: new Date(this.#now()),
        });
        claims = payload as unknown as TokenClaims;
      } catch {
        return undefined;
      }
      if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
      this.#verified.set(token, claims);
    }
    const now = this.#now() / 1000;
    if (claims.exp <= now || claims.nbf > now + 60) {
      this.#verified.delete(token);
      return undefined;
    }
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => audiences.includes(a))) return undefined;
    return this.#liveUser(claims);
  }

  /** Cheap pre-check so foreign tokens (static, bootstrap) never reach the crypto. */
  #looksOurs(token: string): boolean {
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    try {
      const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      return payload?.iss === this.issuer;
    } catch {
      return false;
    }
  }

  #liveUser(c: TokenClaims): UserInfo | undefined {
    const k = c['kubernetes.io'];
    if (!k?.namespace || !k.serviceaccount?.name) return undefined;
    const sa = this.#lookups.serviceAccounts.get(k.namespace, k.serviceaccount.name)?.obj;
    if (!sa || sa.metadata?.deletionTimestamp) return undefined;
    if (k.serviceaccount.uid && sa.metadata?.uid !== k.serviceaccount.uid) return undefined;
    const extra: Record<string, string[]> = {};
    if (k.pod) {
      const pod = this.#lookups.pods.get(k.namespace, k.pod.name)?.obj;
      if (!pod || pod.metadata?.uid !== k.pod.uid) return undefined;
      const deleting = pod.metadata?.deletionTimestamp;
      if (deleting && Date.parse(deleting) + DELETED_POD_GRACE_MS < this.#now()) return undefined;
      extra[EXTRA_POD_NAME] = [k.pod.name];
      extra[EXTRA_POD_UID] = [k.pod.uid];
    }
    if (k.node) {
      const node = this.#lookups.nodes.get('', k.node.name)?.obj;
      if (k.node.uid && (!node || node.metadata?.uid !== k.node.uid)) return undefined;
      extra[EXTRA_NODE_NAME] = [k.node.name];
      if (k.node.uid) extra[EXTRA_NODE_UID] = [k.node.uid];
    }
    if (c.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${c.jti}`];
    return {
      username: `${SA_USER_PREFIX}${k.namespace}:${k.serviceaccount.name}`,
      uid: k.serviceaccount.uid,
      groups: [SA_GROUP, `${SA_GROUP}:${k.namespace}`, 'system:authenticated'],
      extra,
    };
  }
}
