// Registry mirrors, rewrites and credentials in k3s's `registries.yaml` shape:
//
//   mirrors:
//     docker.io:                       # a registry host, or "*" for every registry
//       endpoint: ["http://127.0.0.1:5000", "https://mirror.example"]
//       rewrite: {"^library/(.*)": "mirror/$1"}    # applies to mirror endpoints only
//   configs:
//     "127.0.0.1:5000":                # keyed by endpoint host
//       auth: {username: u, password: p}          # or auth: base64(u:p), or identity_token
//
// A reference is tried against each mirror endpoint in order and then the registry itself (k3s's
// default fallback), so an air-gapped node pulls `docker.io/library/busybox` from its mirror.

import { lazyRequire, yaml } from '../../../util/lazy-require.ts';
import type { ImageReference } from './reference.ts';

export interface MirrorConfig {
  endpoint?: string[];
  rewrite?: Record<string, string>;
}

export interface RegistryAuthConfig {
  username?: string;
  password?: string;
  /** base64("username:password"), as in Docker's config.json. */
  auth?: string;
  /** An OAuth2 refresh token sent to the token endpoint instead of basic credentials. */
  identity_token?: string;
}

export interface RegistryHostConfig {
  auth?: RegistryAuthConfig;
}

export interface RegistriesConfig {
  mirrors?: Record<string, MirrorConfig>;
  configs?: Record<string, RegistryHostConfig>;
}

/** One place to try a pull from: base URL (scheme + host, no `/v2`) and the repository there. */
export interface RegistryEndpoint {
  baseUrl: string;
  /** `host[:port]` of the endpoint: the key for `configs` and for cached tokens. */
  host: string;
  repository: string;
  isMirror: boolean;
}

export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

/** Docker Hub's registry API host: `docker.io` is only its name. */
const DOCKER_HUB_ENDPOINT = 'https://registry-1.docker.io';
const WILDCARD_MIRROR = '*';

export class RegistriesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistriesConfigError';
  }
}

export function parseRegistriesConfig(yamlText: string): RegistriesConfig {
  const doc = (yaml().parse(yamlText) ?? {}) as RegistriesConfig;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new RegistriesConfigError('registries config must be a map');
  for (const [name, mirror] of Object.entries(doc.mirrors ?? {})) {
    if (mirror.endpoint !== undefined && !Array.isArray(mirror.endpoint)) {
      throw new RegistriesConfigError(`mirrors.${name}.endpoint must be a list`);
    }
    for (const pattern of Object.keys(mirror.rewrite ?? {})) {
      try {
        new RegExp(pattern);
      } catch (err) {
        throw new RegistriesConfigError(
          `mirrors.${name}.rewrite: bad pattern ${pattern}: ${(err as Error).message}`,
        );
      }
    }
  }
  return doc;
}

/** Loopback registries are spoken to over plain http, as containerd does for localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function normalizeEndpoint(endpoint: string): { baseUrl: string; host: string } {
  const withScheme = /^[a-z]+:\/\//i.test(endpoint)
    ? endpoint
    : `${isLoopbackHost(endpoint.split('/')[0]) ? 'http' : 'https'}://${endpoint}`;
  const url = new URL(withScheme);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
  return { baseUrl: `${url.protocol}//${url.host}${path}`, host: url.host };
}

function rewriteRepository(repository: string, rewrite: Record<string, string> | undefined): string {
  for (const [pattern, replacement] of Object.entries(rewrite ?? {})) {
    const re = new RegExp(pattern);
    if (re.test(repository)) return repository.replace(re, replacement);
  }
  return repository;
}

/** Where to pull `ref` from, in order: mirrors (with rewrites), then the registry itself. */
export function resolveEndpoints(ref: ImageReference, config: RegistriesConfig = {}): RegistryEndpoint[] {
  const mirror = config.mirrors?.[ref.domain] ?? config.mirrors?.[WILDCARD_MIRROR];
  const out: RegistryEndpoint[] = [];
  for (const endpoint of mirror?.endpoint ?? []) {
    const { baseUrl, host } = normalizeEndpoint(endpoint);
    out.push({ baseUrl, host, repository: rewriteRepository(ref.path, mirror?.rewrite), isMirror: true });
  }
  const own = normalizeEndpoint(ref.domain === 'docker.io' ? DOCKER_HUB_ENDPOINT : ref.domain);
  if (!out.some((e) => e.baseUrl === own.baseUrl && e.repository === ref.path)) {
    out.push({ ...own, repository: ref.path, isMirror: false });
  }
  return out;
}

/** Credentials for an endpoint host, from `configs` (plain, or Docker's base64 `auth`). */
export function credentialsFor(host: string, config: RegistriesConfig = {}): Credentials | undefined {
  const auth = config.configs?.[host]?.auth;
  if (!auth) return undefined;
  if (auth.identity_token) return { identityToken: auth.identity_token };
  if (auth.username !== undefined) return { username: auth.username, password: auth.password ?? '' };
  if (auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) throw new RegistriesConfigError(`configs.${host}.auth.auth is not base64(user:password)`);
    return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1) };
  }
  return undefined;
}
