// The REST client: one Transport, optional client-side rate limiting (client-go's QPS/burst token
// bucket), JSON in and out, and failures turned into ApiError. Typed access per resource is
// ResourceClient (resource-client.ts), obtained with client.resource(ref).
import type { KObject } from '../api/object.ts';
import type { Clock } from '../util/clock.ts';
import { TokenBucket } from '../util/rate-limiter.ts';
import { responseError } from './errors.ts';
import type { ResourceRef } from './resource.ts';
import { ResourceClient } from './resource-client.ts';
import type { Transport, TransportResponse } from './transport.ts';

export interface RestClientOptions {
  transport: Transport;
  /** Client-side request rate (default: unlimited; client-go's default is 5 qps, burst 10). */
  qps?: number;
  burst?: number;
  clock?: Clock;
  /** Receives each `Warning:` header the server sends (deprecations, unknown fields). */
  onWarning?: (message: string) => void;
}

export interface RestRequest {
  method: string;
  path: string;
  query?: URLSearchParams;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

const JSON_TYPE = 'application/json';
const WARNING_RE = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;

export class RestClient {
  readonly transport: Transport;
  readonly #bucket: TokenBucket | undefined;
  readonly #onWarning: ((message: string) => void) | undefined;

  constructor(opts: RestClientOptions) {
    this.transport = opts.transport;
    this.#bucket = opts.qps
      ? new TokenBucket(opts.qps, opts.burst ?? Math.ceil(opts.qps), opts.clock)
      : undefined;
    this.#onWarning = opts.onWarning;
  }

  /** A client for one resource, optionally bound to a namespace. */
  resource<T extends KObject = KObject>(ref: ResourceRef, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this, ref, namespace);
  }

  /** Sends a request; resolves with the streaming response if it succeeded, else throws ApiError. */
  async send(r: RestRequest): Promise<TransportResponse> {
    if (this.#bucket) await this.#bucket.wait(r.signal);
    r.signal?.throwIfAborted();
    const qs = r.query?.toString();
    const headers: Record<string, string> = { Accept: r.accept ?? JSON_TYPE };
    let body: string | undefined;
    if (r.body !== undefined) {
      body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      headers['Content-Type'] = r.contentType ?? JSON_TYPE;
    }
    const res = await this.transport.request({
      method: r.method,
      path: qs ? `${r.path}?${qs}` : r.path,
      headers,
      body,
      signal: r.signal,
    });
    this.#warnings(res);
    if (res.status >= 200 && res.status < 300) return res;
    const text = await readAll(res);
    const retry = res.headers['retry-after'];
    throw responseError(res.status, text, typeof retry === 'string' ? retry : undefined);
  }

  /** Sends a request and returns the body as text. */
  async text(r: RestRequest): Promise<string> {
    return readAll(await this.send(r));
  }

  /** Sends a request and parses the JSON body. */
  async json<T>(r: RestRequest): Promise<T> {
    const text = await this.text(r);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  close(): void {
    this.transport.close();
  }

  #warnings(res: TransportResponse): void {
    const w = res.headers.warning;
    if (!w || !this.#onWarning) return;
    // `299 - "message"` each; node joins repeated headers with ', ', so scan for every quoted text.
    for (const h of Array.isArray(w) ? w : [w]) {
      for (const m of h.matchAll(WARNING_RE)) this.#onWarning(JSON.parse(`"${m[1]}"`) as string);
    }
  }
}

export async function readAll(res: TransportResponse): Promise<string> {
  res.body.setEncoding('utf8');
  let s = '';
  for await (const chunk of res.body as AsyncIterable<string>) s += chunk;
  return s;
}
