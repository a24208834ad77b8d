// The dashboard's API client: same-origin fetch with the user's bearer token, so the API server
// authorizes every call as that user. Failures become ApiFailure carrying the Status message.
import { type WatchEvent, watchEvents } from './watch-stream.ts';

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown[];
  };
  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
  status?: any;
  [key: string]: unknown;
}

export interface KList {
  metadata: { resourceVersion?: string };
  items: KObj[];
}

/** A failed API call: HTTP code plus the Status's reason and human-readable message. */
export class ApiFailure extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
    this.reason = reason;
  }
}

export const FIELD_MANAGER = 'skiff-dashboard';
/** Times a request that got no answer is sent again, and the pause before each. */
export const NETWORK_RETRIES = 2;
export const NETWORK_RETRY_MS = 250;
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const MERGE_PATCH = 'application/merge-patch+json';

export interface RequestOptions {
  method?: string;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export class Api {
  readonly token: string;
  readonly base: string;
  readonly #fetch: typeof fetch;

  constructor(token: string, base = '', fetchImpl: typeof fetch = (...a) => fetch(...a)) {
    this.token = token;
    this.base = base;
    this.#fetch = fetchImpl;
  }

  async request<T = KObj>(path: string, o: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: 'application/json',
    };
    if (o.contentType) headers['Content-Type'] = o.contentType;
    const res = await this.#send(path, {
      method: o.method ?? 'GET',
      headers,
      body: o.body,
      signal: o.signal,
    });
    const text = await res.text();
    if (!res.ok) throw failureFrom(res.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * fetch, sent again when it failed without an answer. Chromium fails requests still connecting
   * with ERR_NETWORK_CHANGED whenever the host's interfaces change — which a node does each time
   * it starts a pod (bridge, veths) — and a keep-alive connection may close just as it is reused.
   * Every call the UI makes is safe to repeat (reads, scale, apply, rollback, access reviews).
   */
  async #send(path: string, init: RequestInit, base = this.base): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetch(base + path, init);
      } catch (err) {
        if (init.signal?.aborted || !(err instanceof TypeError)) throw err;
        if (attempt >= NETWORK_RETRIES) throw unreachable(err);
        await new Promise((r) => setTimeout(r, NETWORK_RETRY_MS));
      }
    }
  }

  get = (path: string, signal?: AbortSignal) => this.request(path, { signal });
  list = (path: string, signal?: AbortSignal) => this.request<KList>(path, { signal });

  patch(path: string, body: unknown, contentType = MERGE_PATCH): Promise<KObj> {
    return this.request(path, { method: 'PATCH', body: JSON.stringify(body), contentType });
  }

  /** Server-side apply of a YAML document; dryRun asks the server what the result would be. */
  apply(path: string, yaml: string, opts: { dryRun?: boolean } = {}): Promise<KObj> {
    const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: 'true' });
    if (opts.dryRun) q.set('dryRun', 'All');
    return this.request(`${path}?${q}`, { method: 'PATCH', body: yaml, contentType: APPLY_PATCH });
  }

  /** Watch events after resourceVersion (chunked JSON lines), until the signal aborts. */
  async *watch(path: string, resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${this.base}${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`;
    const res = await this.#send(url, { headers: { Authorization: `Bearer ${this.token}` }, signal }, '');
    if (!res.ok || !res.body) throw failureFrom(res.status, await res.text());
    yield* watchEvents(res.body, signal);
  }

  /** Streams text (pod logs with follow=true) chunk by chunk. */
  async *stream(path: string, signal: AbortSignal): AsyncGenerator<string> {
    const res = await this.#send(path, { headers: { Authorization: `Bearer ${this.token}` }, signal });
    if (!res.ok || !res.body) throw failureFrom(res.status, await res.text());
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield decoder.decode(value, { stream: true });
      }
    } finally {
      reader.releaseLock();
    }
  }
}

/** A fetch that never got an answer (server down, connection reset): say so in words. */
export function unreachable(err: unknown): Error {
  return new Error(`${UNREACHABLE}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
export const UNREACHABLE = 'could not reach the API server';

/** Turns an error body into an ApiFailure: the Status's message when there is one. */
export function failureFrom(code: number, text: string): ApiFailure {
  try {
    const s = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
    if (s.kind === 'Status' && s.message) return new ApiFailure(code, s.reason ?? '', s.message);
  } catch {
    // not JSON: fall through to the raw text
  }
  return new ApiFailure(code, '', text.trim() || `HTTP ${code}`);
}
