// A pod's imagePullSecrets as a keyring, the way the kubelet reads them: each Secret of type
// kubernetes.io/dockerconfigjson (`{"auths": {KEY: entry}}`) or the legacy kubernetes.io/dockercfg
// (`{KEY: entry}`) contributes entries; an entry's KEY is a registry host, optionally with a scheme,
// a path prefix and a `*.` wildcard label ("127.0.0.1:5000", "https://index.docker.io/v1/",
// "*.example.com/team"). A pull for host H and repository R uses the entry whose host matches H
// (port included) and whose path is a prefix of R, the longest such path first.

import { createHash } from 'node:crypto';
import type { Secret } from 'kubernetes-types/core/v1.d.ts';
import type { Credentials } from './registries-config.ts';

export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
export const DOCKERCFG_KEY = '.dockercfg';
/** Docker Hub's legacy config key and the names it goes by in references. */
const DOCKER_HUB_KEY_HOST = 'index.docker.io';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

interface DockerConfigEntry {
  username?: string;
  password?: string;
  /** base64("username:password") */
  auth?: string;
  identitytoken?: string;
}

interface KeyringEntry {
  host: string;
  path: string;
  credentials: Credentials;
}

export class PullSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullSecretError';
  }
}

function entryCredentials(key: string, e: DockerConfigEntry): Credentials | undefined {
  if (e.identitytoken) return { identityToken: e.identitytoken };
  if (e.username !== undefined && e.username !== '') {
    return { username: e.username, password: e.password ?? '' };
  }
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) throw new PullSecretError(`auths.${key}.auth is not base64(username:password)`);
    return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1) };
  }
  return undefined;
}

/** Splits a config key into host (lower case, port kept) and path prefix (no slashes at the ends). */
function parseKey(key: string): { host: string; path: string } {
  const noScheme = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = noScheme.indexOf('/');
  let host = (slash < 0 ? noScheme : noScheme.slice(0, slash)).toLowerCase();
  let path = slash < 0 ? '' : noScheme.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  // Docker's own key for Hub is "https://index.docker.io/v1/": the /v1 is the API, not a repository.
  if (DOCKER_HUB_HOSTS.has(host)) {
    host = DOCKER_HUB_KEY_HOST;
    if (path === 'v1' || path === 'v2') path = '';
  }
  return { host, path };
}

function hostMatches(pattern: string, host: string): boolean {
  const normal = DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_KEY_HOST : host.toLowerCase();
  if (!pattern.startsWith('*.')) return pattern === normal;
  // A wildcard stands for exactly one label, as in the kubelet's keyring.
  const rest = pattern.slice(1);
  if (!normal.endsWith(rest)) return false;
  const label = normal.slice(0, normal.length - rest.length);
  return label.length > 0 && !label.includes('.');
}

function pathMatches(prefix: string, repository: string): boolean {
  return prefix === '' || repository === prefix || repository.startsWith(`${prefix}/`);
}

export class PullSecretKeyring {
  readonly #entries: KeyringEntry[];
  /** Distinguishes keyrings with different contents (pull dedup and token caches key on it). */
  readonly fingerprint: string;

  constructor(entries: KeyringEntry[]) {
    this.#entries = [...entries].sort((a, b) => b.path.length - a.path.length);
    this.fingerprint = createHash('sha256').update(JSON.stringify(this.#entries)).digest('hex').slice(0, 16);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Credentials for a pull of `repository` from `host` (`host[:port]`), most specific key first. */
  lookup(host: string, repository: string): Credentials | undefined {
    return this.#entries.find((e) => hostMatches(e.host, host) && pathMatches(e.path, repository))
      ?.credentials;
  }
}

/** Entries of one docker config document (`{"auths": …}` or the legacy top-level map). */
export function parseDockerConfig(text: string, legacy = false): KeyringEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PullSecretError(`docker config is not JSON: ${(err as Error).message}`);
  }
  const auths = legacy ? doc : (doc as { auths?: unknown } | null)?.auths;
  if (auths === undefined || auths === null) return [];
  if (typeof auths !== 'object' || Array.isArray(auths)) {
    throw new PullSecretError('docker config auths must be a map');
  }
  const out: KeyringEntry[] = [];
  for (const [key, entry] of Object.entries(auths as Record<string, DockerConfigEntry>)) {
    const credentials = entryCredentials(key, entry ?? {});
    if (credentials) out.push({ ...parseKey(key), credentials });
  }
  return out;
}

/**
 * The keyring of a pod's pull secrets, in the pod's order. Secrets of other types, and secrets that
 * do not parse, are skipped (the kubelet logs and ignores them); `onSkip` hears why.
 */
export function keyringFromSecrets(
  secrets: Secret[],
  onSkip: (secret: string, why: string) => void = () => {},
): PullSecretKeyring {
  const entries: KeyringEntry[] = [];
  for (const s of secrets) {
    const name = s.metadata?.name ?? '';
    const legacy = s.type === SECRET_TYPE_DOCKERCFG;
    if (s.type !== SECRET_TYPE_DOCKER_CONFIG_JSON && !legacy) {
      onSkip(name, `type ${s.type ?? 'Opaque'} is not ${SECRET_TYPE_DOCKER_CONFIG_JSON}`);
      continue;
    }
    const data = s.data?.[legacy ? DOCKERCFG_KEY : DOCKER_CONFIG_JSON_KEY];
    if (!data) {
      onSkip(name, `no ${legacy ? DOCKERCFG_KEY : DOCKER_CONFIG_JSON_KEY} key`);
      continue;
    }
    try {
      entries.push(...parseDockerConfig(Buffer.from(data, 'base64').toString('utf8'), legacy));
    } catch (err) {
      onSkip(name, (err as Error).message);
    }
  }
  return new PullSecretKeyring(entries);
}
