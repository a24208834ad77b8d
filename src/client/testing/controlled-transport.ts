// A transport wrapper for tests that need to interfere with the connection: it records every
// request, can hold new watches back (a network outage) and can cut the open watches.
import type { Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';

export class ControlledTransport implements Transport {
  readonly requests: string[] = [];
  readonly #inner: Transport;
  /** Open watch bodies and their request paths. */
  readonly #watches = new Map<Readable, string>();
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  /** Requests so far that were lists (not watches) of paths containing `fragment`. */
  lists(fragment = ''): string[] {
    return this.requests.filter(
      (r) => r.startsWith('GET ') && !r.includes('watch=true') && r.includes(fragment),
    );
  }

  watchRequests(fragment = ''): string[] {
    return this.requests.filter((r) => r.includes('watch=true') && r.includes(fragment));
  }

  /** Open watches whose path contains `fragment`. */
  openWatches(fragment = ''): number {
    let n = 0;
    for (const path of this.#watches.values()) if (path.includes(fragment)) n++;
    return n;
  }

  /** New watches wait until release(). */
  holdWatches(): void {
    this.#gate ??= new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
    this.#open = undefined;
  }

  /** Breaks every open watch connection, as a network failure would. */
  cutWatches(): void {
    for (const b of this.#watches.keys()) b.destroy(new Error('connection reset (test)'));
  }

  async request(r: TransportRequest): Promise<TransportResponse> {
    this.requests.push(`${r.method} ${r.path}`);
    const isWatch = r.path.includes('watch=true');
    if (isWatch && this.#gate) await abortable(this.#gate, r.signal);
    const res = await this.#inner.request(r);
    if (isWatch) {
      this.#watches.set(res.body, r.path);
      res.body.once('close', () => this.#watches.delete(res.body));
    }
    return res;
  }

  close(): void {
    this.release();
    this.#inner.close();
  }
}

/** Waits for p, or rejects as soon as the request is aborted (so a held request never hangs a stop). */
function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
