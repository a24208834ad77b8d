// A registry v2 (OCI distribution) client: manifests and blobs over HTTP(S) (registry-http.ts), with anonymous,
// basic and bearer-token auth. A request that gets 401 reads the WWW-Authenticate challenge,
// obtains credentials for it (basic header, or a token from the realm for the challenge's
// scope), and retries once. Tokens are cached per endpoint host and scope until they expire.

import { type AuthChallenge, parseChallenges, pullScope } from './auth-challenge.ts';
import { ImageError } from './errors.ts';
import { MANIFEST_ACCEPT } from './manifest.ts';
import type { Credentials, RegistryEndpoint } from './registries-config.ts';
import { type RegistryHttp, type RegistryResponse, registryHttp } from './registry-http.ts';

/** Token lifetime when the token endpoint does not say (the distribution spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew a cached token this long before it expires, so requests in flight do not race expiry. */
const TOKEN_EXPIRY_MARGIN_MS = 5_000;
const USER_AGENT = 'skiff/0.1';

export interface RegistryClientOptions {
  /** Credentials for an endpoint host (`host:port`), e.g. from registries.yaml `configs`. */
  credentials?: (host: string) => Credentials | undefined;
  /** The HTTP layer (tests wrap it to refuse non-loopback hosts or count requests). */
  http?: RegistryHttp;
}

export interface ManifestResponse {
  body: Buffer;
  mediaType: string;
  /** The registry's Docker-Content-Digest header, when sent. */
  digest?: string;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class RegistryClient {
  readonly #credentials: (host: string) => Credentials | undefined;
  readonly #http: RegistryHttp;
  /** Authorization header per `host scope`, for Basic (never expires) and Bearer (expires). */
  readonly #tokens = new Map<string, CachedToken>();

  constructor(opts: RegistryClientOptions = {}) {
    this.#credentials = opts.credentials ?? (() => undefined);
    this.#http = opts.http ?? registryHttp;
  }

  async getManifest(ep: RegistryEndpoint, selector: string, signal?: AbortSignal): Promise<ManifestResponse> {
    const res = await this.#request(ep, `/manifests/${selector}`, { Accept: MANIFEST_ACCEPT }, signal);
    await expectOk(res, `manifest ${ep.repository}:${selector}`, ep);
    const body = await res.bytes();
    const mediaType = res.header('content-type')?.split(';')[0].trim() ?? '';
    const digest = res.header('docker-content-digest') ?? undefined;
    return { body, mediaType, ...(digest ? { digest } : {}) };
  }

  /**
   * Opens a blob. With `offset` > 0 a Range request resumes a partial download: the response
   * status (206 vs 200) tells whether the registry honoured it.
   */
  async getBlob(
    ep: RegistryEndpoint,
    digest: string,
    offset = 0,
    signal?: AbortSignal,
  ): Promise<RegistryResponse> {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await this.#request(ep, `/blobs/${digest}`, headers, signal);
    await expectOk(res, `blob ${ep.repository}@${digest}`, ep);
    return res;
  }

  async #request(
    ep: RegistryEndpoint,
    suffix: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<RegistryResponse> {
    const url = new URL(`${ep.baseUrl}/v2/${ep.repository}${suffix}`);
    const scope = pullScope(ep.repository);
    const key = `${ep.host} ${scope}`;
    const send = (auth?: string) =>
      this.#http(url, {
        headers: { 'User-Agent': USER_AGENT, ...headers, ...(auth ? { Authorization: auth } : {}) },
        ...(signal ? { signal } : {}),
      }).catch((err: unknown) => {
        throw new ImageError(
          'Unavailable',
          `registry ${ep.host} unreachable: ${(err as Error).message}`,
          err,
        );
      });
    const cached = this.#tokens.get(key);
    let res = await send(cached && cached.expiresAt > Date.now() ? cached.header : undefined);
    if (res.status !== 401) return res;
    const challenges = parseChallenges(res.header('www-authenticate') ?? '');
    res.cancel();
    const header = await this.#authorize(ep, challenges, scope, signal);
    if (!header) throw unauthorized(ep, 'the registry requires credentials and none are configured');
    this.#tokens.set(key, header);
    res = await send(header.header);
    if (res.status === 401) {
      res.cancel();
      this.#tokens.delete(key);
      throw unauthorized(ep, 'credentials rejected');
    }
    return res;
  }

  async #authorize(
    ep: RegistryEndpoint,
    challenges: AuthChallenge[],
    scope: string,
    signal?: AbortSignal,
  ): Promise<CachedToken | undefined> {
    const creds = this.#credentials(ep.host);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.#fetchToken(ep, bearer, scope, creds, signal);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic && creds?.username !== undefined) {
      return { header: basicHeader(creds), expiresAt: Number.POSITIVE_INFINITY };
    }
    return undefined;
  }

  async #fetchToken(
    ep: RegistryEndpoint,
    challenge: AuthChallenge,
    fallbackScope: string,
    creds: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) throw unauthorized(ep, 'bearer challenge without realm');
    const service = challenge.params.service;
    const scope = challenge.params.scope || fallbackScope;
    let res: RegistryResponse;
    try {
      if (creds?.identityToken) {
        // OAuth2 refresh-token grant, as Docker does for identity tokens.
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.identityToken,
          client_id: 'skiff',
          scope,
          ...(service ? { service } : {}),
        });
        res = await this.#http(new URL(realm), { method: 'POST', form, ...(signal ? { signal } : {}) });
      } else {
        const url = new URL(realm);
        if (service) url.searchParams.set('service', service);
        url.searchParams.set('scope', scope);
        const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
        if (creds?.username !== undefined) headers.Authorization = basicHeader(creds);
        res = await this.#http(url, { headers, ...(signal ? { signal } : {}) });
      }
    } catch (err) {
      throw new ImageError(
        'Unavailable',
        `token endpoint ${realm} unreachable: ${(err as Error).message}`,
        err,
      );
    }
    if (res.status === 401 || res.status === 403) {
      res.cancel();
      throw unauthorized(ep, `token endpoint refused credentials (HTTP ${res.status})`);
    }
    if (!res.ok) {
      res.cancel();
      throw new ImageError('Unavailable', `token endpoint ${realm} answered HTTP ${res.status}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw unauthorized(ep, 'token endpoint returned no token');
    const seconds = body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + seconds * 1000 - TOKEN_EXPIRY_MARGIN_MS };
  }
}

function basicHeader(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64')}`;
}

function unauthorized(ep: RegistryEndpoint, why: string): ImageError {
  return new ImageError('Unauthorized', `pull access denied for ${ep.host}/${ep.repository}: ${why}`);
}

async function expectOk(res: RegistryResponse, what: string, ep: RegistryEndpoint): Promise<void> {
  if (res.ok) return;
  const text = await res.text().catch(() => '');
  const detail = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  if (res.status === 404) throw new ImageError('NotFound', `${what} not found at ${ep.baseUrl}: ${detail}`);
  if (res.status === 401 || res.status === 403) throw unauthorized(ep, `HTTP ${res.status} ${detail}`);
  throw new ImageError('Unavailable', `${what} at ${ep.baseUrl}: HTTP ${res.status} ${detail}`);
}
