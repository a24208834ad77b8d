// One informer per resource (per namespace and selector) for a whole process: the controllers,
// scheduler and agent in one process share a single list+watch and cache per resource instead of
// each opening their own, as client-go's SharedInformerFactory.
//
//   factory.informerFor(PODS) ─┐ (same instance)     factory.start() ─► every informer lists + watches
//   factory.informerFor(PODS) ─┘                      factory.waitForCacheSync() ─► all synced
import type { KObject } from '../api/object.ts';
import type { BackoffOptions } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';
import { byCodeUnit } from '../util/code-unit-order.ts';
import type { Disposable } from '../util/disposable.ts';
import type { Logger } from '../util/log.ts';
import type { IndexFunc } from './indexer.ts';
import { SharedInformer } from './informer.ts';
import type { LabelSelectorInput } from './options.ts';
import { qualifiedName, type ResourceRef } from './resource.ts';
import type { RestClient } from './rest.ts';

export interface SharedInformerFactoryOptions {
  /** Resync period for every informer (default 0: none). */
  resyncMs?: number;
  /** Watch only this namespace (default: all). */
  namespace?: string;
  freeze?: boolean;
  /** Applied to every object of every informer before it is cached (see InformerOptions). */
  transform?: (obj: KObject) => KObject;
  clock?: Clock;
  backoff?: BackoffOptions;
  log?: Logger;
}

export interface InformerForOptions<T extends KObject> {
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string | Record<string, string>;
  /** Added to the shared informer unless an index of that name already exists. */
  indexers?: Record<string, IndexFunc<T>>;
}

const selectorText = (s: string | Record<string, string> | undefined): string =>
  s === undefined
    ? ''
    : typeof s === 'string'
      ? s
      : Object.entries(s)
          .sort(([a], [b]) => byCodeUnit(a, b))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');

export class SharedInformerFactory implements Disposable {
  readonly #client: RestClient;
  readonly #opts: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, SharedInformer<KObject>>();
  #started = false;
  #disposed = false;

  constructor(client: RestClient, opts: SharedInformerFactoryOptions = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  /** The shared informer for a resource; created on first request, started by start(). */
  informerFor<T extends KObject = KObject>(
    ref: ResourceRef,
    o: InformerForOptions<T> = {},
  ): SharedInformer<T> {
    if (this.#disposed) throw new Error('informer factory is disposed');
    const ns = ref.namespaced ? (o.namespace ?? this.#opts.namespace ?? '') : '';
    const id = [
      ref.group,
      ref.version,
      ref.resource,
      ns,
      selectorText(o.labelSelector),
      selectorText(o.fieldSelector),
    ].join('|');
    let inf = this.#informers.get(id) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.#client.resource<T>(ref, ns || undefined), {
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        resyncMs: this.#opts.resyncMs,
        freeze: this.#opts.freeze,
        transform: this.#opts.transform as ((obj: T) => T) | undefined,
        clock: this.#opts.clock,
        backoff: this.#opts.backoff,
        log: this.#opts.log,
        name: ns ? `${qualifiedName(ref)}@${ns}` : qualifiedName(ref),
      });
      this.#informers.set(id, inf as unknown as SharedInformer<KObject>);
      if (this.#started) inf.start();
    }
    if (o.indexers) {
      const fresh = Object.entries(o.indexers).filter(([name]) => !inf!.indexer.hasIndex(name));
      if (fresh.length) inf.addIndexers(Object.fromEntries(fresh));
    }
    return inf;
  }

  /** Starts every informer requested so far; informers requested later start at once. */
  start(): void {
    if (this.#disposed) return;
    this.#started = true;
    for (const inf of this.#informers.values()) inf.start();
  }

  /** Resolves true once every informer synced, false if the signal or a stop came first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Stops every informer; resolves when none will call a handler again. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.all([...this.#informers.values()].map((i) => i.dispose()));
    this.#informers.clear();
  }
}
