// The informer's cache: objects by key (`namespace/name`, or `name` when cluster-scoped) plus
// secondary indexes computed by index functions, as client-go's thread-safe store + Indexer. The
// namespace index is always there; components add their own, e.g. pods by `spec.nodeName`.
//
//   add/update/delete(obj) ──► items: key → obj
//                          └─► indices: indexName → value → Set<key>   (from each IndexFunc)
import type { KObject } from '../api/object.ts';

/** The values under which an object is indexed (several: e.g. one per owner reference). */
export type IndexFunc<T extends KObject = KObject> = (obj: T) => string[];

/** The index every indexer has: objects by metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KObject): string {
  const m = obj.metadata;
  if (!m?.name) throw new TypeError('object has no metadata.name');
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const namespaceIndexFunc: IndexFunc = (obj) => [obj.metadata?.namespace ?? ''];

/** An index on a dotted field path, e.g. fieldIndexFunc('spec.nodeName'); unset fields are not indexed. */
export function fieldIndexFunc<T extends KObject = KObject>(path: string): IndexFunc<T> {
  const parts = path.split('.');
  return (obj) => {
    let v: unknown = obj;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return [];
      v = (v as Record<string, unknown>)[p];
    }
    return v === undefined || v === null || v === '' ? [] : [String(v)];
  };
}

export class Indexer<T extends KObject = KObject> {
  readonly #items = new Map<string, T>();
  readonly #funcs = new Map<string, IndexFunc<T>>();
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  /** Adds index functions; existing objects are indexed at once. A name can be defined only once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#funcs.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.#funcs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) addTo(index, fn(obj), key);
    }
  }

  hasIndex(name: string): boolean {
    return this.#funcs.has(name);
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  /** Adds or replaces an object; returns the previous one under that key. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#funcs) {
      const index = this.#indices.get(name)!;
      if (old) removeFrom(index, fn(old), key);
      addTo(index, fn(obj), key);
    }
    return old;
  }

  /** Removes the object under key; returns it. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#items.delete(key);
    for (const [name, fn] of this.#funcs) removeFrom(this.#indices.get(name)!, fn(old), key);
    return old;
  }

  /** Replaces the whole contents (a re-list). */
  replace(objs: Iterable<T>): void {
    this.#items.clear();
    for (const index of this.#indices.values()) index.clear();
    for (const o of objs) this.set(o);
  }

  /** Keys of the objects indexed under value. */
  indexKeys(indexName: string, value: string): string[] {
    return [...(this.#index(indexName).get(value) ?? [])];
  }

  /** Objects indexed under value. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.#index(indexName).get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.#items.get(k)!);
    return out;
  }

  /** Every value the index currently holds. */
  indexValues(indexName: string): string[] {
    return [...this.#index(indexName).keys()];
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return index;
  }
}

function addTo(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let set = index.get(v);
    if (!set) {
      set = new Set();
      index.set(v, set);
    }
    set.add(key);
  }
}

function removeFrom(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    const set = index.get(v);
    if (!set) continue;
    set.delete(key);
    if (set.size === 0) index.delete(v);
  }
}
