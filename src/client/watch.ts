// A watch response as an async iterable of events. The body is a chunked stream of JSON objects,
// one per line: {"type":"ADDED","object":{…}}. Chunk boundaries fall anywhere, so lines are
// reassembled before parsing. stop() (or aborting the request's signal) ends the iteration quietly;
// a broken connection or an undecodable line ends it with an error, so informers can tell a watch
// they closed from one that failed.
import type { Readable } from 'node:stream';
import type { Status } from '../api/errors.ts';
import type { KObject } from '../api/object.ts';
import type { Disposable } from '../util/disposable.ts';

export type WatchEvent<T extends KObject = KObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

export type WatchEventType = WatchEvent['type'];

const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export class WatchDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchDecodeError';
  }
}

export class Watch<T extends KObject = KObject> implements AsyncIterable<WatchEvent<T>>, Disposable {
  readonly #body: Readable;
  readonly #abort: AbortController;
  readonly #onStop: (() => void) | undefined;
  #stopped = false;
  #iterating = false;

  /** `abort` cancels the underlying request (the watch owns it); onStop runs once, on stop. */
  constructor(body: Readable, abort: AbortController, onStop?: () => void) {
    this.#body = body;
    this.#abort = abort;
    this.#onStop = onStop;
    // Aborting the request from outside ends the iteration quietly, as stop() does.
    abort.signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Ends the watch and closes its connection; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    this.#body.destroy();
    this.#onStop?.();
  }

  dispose(): void {
    this.stop();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.#iterating) throw new Error('a watch can be iterated only once');
    this.#iterating = true;
    this.#body.setEncoding('utf8');
    let buf = '';
    try {
      for await (const chunk of this.#body as AsyncIterable<string>) {
        buf += chunk;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield decodeEvent<T>(line);
          if (this.#stopped) return;
          nl = buf.indexOf('\n');
        }
      }
      const last = buf.trim();
      if (last && !this.#stopped) yield decodeEvent<T>(last);
    } catch (err) {
      if (this.#stopped) return;
      throw err;
    } finally {
      this.stop();
    }
  }
}

function decodeEvent<T extends KObject>(line: string): WatchEvent<T> {
  let ev: { type?: unknown; object?: unknown };
  try {
    ev = JSON.parse(line);
  } catch {
    throw new WatchDecodeError(`undecodable watch event: ${line.slice(0, 200)}`);
  }
  if (
    typeof ev?.type !== 'string' ||
    !EVENT_TYPES.has(ev.type) ||
    typeof ev.object !== 'object' ||
    !ev.object
  ) {
    throw new WatchDecodeError(`malformed watch event: ${line.slice(0, 200)}`);
  }
  return ev as WatchEvent<T>;
}
