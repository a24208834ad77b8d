// A decoded object as the cache holds it: parsed once, serialized at most once, never mutated
// (handlers copy before changing anything).
import type { KObject } from '../../api/object.ts';
import type { Interner } from './interner.ts';
import { shareUnchanged } from './share-unchanged.ts';

export class Entry {
  readonly key: string;
  readonly obj: KObject;
  readonly rv: number;
  #json: string | undefined;
  #superseded = false;

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
    if (this.#json !== undefined) return this.#json;
    const json = JSON.stringify(this.obj);
    if (!this.#superseded) this.#json = json;
    return json;
  }

  /**
   * Drop the cached JSON once a newer version replaced this one: only replays of old history send
   * it again (and recompute it), while the string would otherwise double the version's memory.
   */
  superseded(): void {
    this.#superseded = true;
    this.#json = undefined;
  }
}

/**
 * resourceVersion is never stored in the value: it is the row's revision, filled in on read.
 * For objects the cache keeps: unchanged subtrees are shared with `prev` (the cached version this
 * one replaces), repeated strings and managedFields trees with every other object through `interner`.
 */
export function decodeStored(
  key: string,
  value: string,
  rv: number,
  share: { prev?: Entry; interner?: Interner } = {},
): Entry {
  const obj = JSON.parse(value) as KObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(rv);
  share.interner?.intern(obj);
  return new Entry(key, share.prev ? shareUnchanged(obj, share.prev.obj) : obj, rv);
}

export function encodeForStorage(obj: KObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata: meta });
}
