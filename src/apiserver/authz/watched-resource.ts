// A resource's watch cache plus a change counter: indexes built from the cache (RBAC bindings by
// subject, pods by node) rebuild lazily when the counter moved, so authorization never reads
// storage and costs nothing extra while nothing changes.
import type { KObject } from '../../api/object.ts';
import type { CacheManager } from '../cache/cache-manager.ts';
import type { Entry } from '../cache/entry.ts';
import type { CacheWatcher, ResourceCache } from '../cache/resource-cache.ts';
import { resourceId, resourcePrefix } from '../storage-keys.ts';

/** What index builders read: a change counter and the current objects. */
export interface ObjectSource {
  readonly version: number;
  items(): Iterable<{ readonly obj: KObject; readonly namespace: string; readonly name: string }>;
}

export class WatchedResource implements ObjectSource {
  readonly group: string;
  readonly resource: string;
  #cache: ResourceCache | undefined;
  /** Bumped on every event; consumers compare it with the version they built from. */
  version = 0;
  readonly #listeners: ((e: Entry, type: string) => void)[] = [];

  constructor(group: string, resource: string) {
    this.group = group;
    this.resource = resource;
  }

  async start(caches: CacheManager): Promise<void> {
    if (this.#cache) return;
    const cache = await caches.get(
      resourceId(this.group, this.resource),
      resourcePrefix(this.group, this.resource),
    );
    this.#cache = cache;
    const watcher: CacheWatcher = {
      matches: () => true,
      send: (type, e) => {
        this.version++;
        for (const l of this.#listeners) l(e, type);
      },
      // The cache re-listed: everything may have changed; watch again from its new state.
      terminate: () => {
        this.version++;
        queueMicrotask(() => cache.addWatcher(watcher, undefined));
      },
    };
    cache.addWatcher(watcher, undefined);
    this.version++;
  }

  /** Called for every change (and once per object at start). */
  onChange(fn: (e: Entry, type: string) => void): void {
    this.#listeners.push(fn);
  }

  get started(): boolean {
    return this.#cache !== undefined;
  }

  items(): Iterable<Entry> {
    return this.#cache ? this.#cache.items.values() : [];
  }

  get(namespace: string, name: string): Entry | undefined {
    if (!this.#cache) return undefined;
    const base = resourcePrefix(this.group, this.resource);
    return this.#cache.items.get(namespace ? `${base}${namespace}/${name}` : `${base}${name}`);
  }
}
