// The registry client's HTTP layer on node:http/node:https rather than `fetch`. The first `fetch`
// in a process loads undici and keeps ~7 MB resident for good (measured: a process at 55 MB after
// an http.get sits at 62 MB after one fetch): on a node agent that is every agent that ever
// pulled an image. What the distribution API needs is small: GET/POST, headers, a streamed body,
// redirects (blob downloads are redirected to object storage) and abort.

import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { nodeHttp } from '../../../util/node-builtins.ts';

export interface RegistryRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A form body (POST to a token endpoint). */
  form?: URLSearchParams;
  signal?: AbortSignal;
}

export interface RegistryResponse {
  readonly status: number;
  /** 2xx */
  readonly ok: boolean;
  /** A response header by (case-insensitive) name; repeated headers joined with ", ". */
  header(name: string): string | undefined;
  /** The body as it streams in; consume it, or cancel(). */
  readonly body: AsyncIterable<Uint8Array>;
  bytes(): Promise<Buffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** Drops the rest of the body (and its connection). */
  cancel(): void;
}

export type RegistryHttp = (url: URL, req?: RegistryRequest) => Promise<RegistryResponse>;

/** As `fetch` with redirect: 'follow'. */
const MAX_REDIRECTS = 20;
/** A request or download that receives nothing for this long fails (a stalled registry). */
const IDLE_TIMEOUT_MS = 60_000;

/** Follows redirects like `fetch`: 303 (and 301/302 after a POST) become a GET without body, and
 * Authorization is dropped when the redirect leaves the origin (object stores reject it). */
export const registryHttp: RegistryHttp = async (url, req = {}) => {
  let target = url;
  let method = req.method ?? 'GET';
  let form = req.form;
  const headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    const res = await send(target, method, headers, form, req.signal);
    const location = res.headers.location;
    if (!isRedirect(res.statusCode) || !location) return wrap(res);
    res.destroy();
    if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (last: ${target.href})`);
    const next = new URL(location, target);
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new Error(`redirect to unsupported URL ${next.href}`);
    if (res.statusCode === 303 || (method === 'POST' && (res.statusCode === 301 || res.statusCode === 302))) {
      method = 'GET';
      form = undefined;
    }
    if (next.origin !== target.origin) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
    }
    target = next;
  }
};

const isRedirect = (status: number | undefined) =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  form: URLSearchParams | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  const body = form?.toString();
  const request = url.protocol === 'https:' ? httpsRequest : nodeHttp.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined
          ? {
              'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
              'Content-Length': String(Buffer.byteLength(body)),
            }
          : {}),
      },
      ...(signal ? { signal } : {}),
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(new Error(`no data from ${url.host} for ${IDLE_TIMEOUT_MS / 1000} s`)),
    );
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

function wrap(res: IncomingMessage): RegistryResponse {
  const status = res.statusCode ?? 0;
  const bytes = async () => {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    body: res,
    bytes,
    text: async () => (await bytes()).toString('utf8'),
    json: async () => JSON.parse((await bytes()).toString('utf8')) as unknown,
    cancel: () => res.destroy(),
  };
}
