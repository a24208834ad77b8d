// A decoded object as the cache holds it: parsed once, serialized at most once, never mutated
// (handlers copy before changing anything).
import type { KObject } from '../../api/object.ts';

export class Entry {
  readonly key: string;
  readonly obj: KObject;
  readonly rv: number;
  #json: string | undefined;

  constructor(key: string, obj: KObject, rv: number, json?: string) {
    this.key = key;
    this.obj = obj;
    this.rv = rv;
    this.#json = json;
  }

  get namespace(): string {
    return this.obj.metadata?.namespace ?? '';
  }

  get name(): string {
    return this.obj.metadata?.name ?? '';
  }

  /** The object's JSON, computed once and shared by every list and watch that sends it. */
  get json(): string {
    if (this.#json === undefined) this.#json = JSON.stringify(this.obj);
    return this.#json;
  }
}

/** resourceVersion is never stored in the value: it is the row's revision, filled in on read. */
export function decodeStored(key: string, value: string, rv: number): Entry {
  const obj = JSON.parse(value) as KObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(rv);
  return new Entry(key, obj, rv);
}

export function encodeForStorage(obj: KObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata: meta });
}
