// Listers read an informer's cache. The objects they return are the cached objects themselves,
// shared with every other reader: never mutate them (informers deep-freeze them by default, so a
// mutation throws in strict-mode code); structuredClone() one to build an update.
import type { KObject } from '../api/object.ts';
import {
  isEverything,
  type LabelSelector,
  matchesLabels,
  parseLabelSelector,
} from '../api/selectors/index.ts';
import { type Indexer, NAMESPACE_INDEX } from './indexer.ts';

type SelectorInput = LabelSelector | string | undefined;

const toSelector = (s: SelectorInput): LabelSelector | undefined => {
  if (s === undefined) return undefined;
  const sel = typeof s === 'string' ? parseLabelSelector(s) : s;
  return isEverything(sel) ? undefined : sel;
};

const filter = <T extends KObject>(objs: T[], sel: LabelSelector | undefined): T[] =>
  sel ? objs.filter((o) => matchesLabels(sel, o.metadata?.labels ?? {})) : objs;

export class Lister<T extends KObject = KObject> {
  readonly #indexer: Indexer<T>;

  constructor(indexer: Indexer<T>) {
    this.#indexer = indexer;
  }

  /** Every cached object (all namespaces) matching the label selector. */
  list(selector?: SelectorInput): readonly T[] {
    return filter(this.#indexer.list(), toSelector(selector));
  }

  /** By key: `namespace/name`, or `name` for cluster-scoped objects. */
  get(key: string): T | undefined {
    return this.#indexer.get(key);
  }

  /** Objects an index holds under value (e.g. pods by `spec.nodeName`). */
  byIndex(indexName: string, value: string): readonly T[] {
    return this.#indexer.byIndex(indexName, value);
  }

  namespace(namespace: string): NamespaceLister<T> {
    return new NamespaceLister(this.#indexer, namespace);
  }
}

export class NamespaceLister<T extends KObject = KObject> {
  readonly #indexer: Indexer<T>;
  readonly #namespace: string;

  constructor(indexer: Indexer<T>, namespace: string) {
    this.#indexer = indexer;
    this.#namespace = namespace;
  }

  list(selector?: SelectorInput): readonly T[] {
    return filter(this.#indexer.byIndex(NAMESPACE_INDEX, this.#namespace), toSelector(selector));
  }

  get(name: string): T | undefined {
    return this.#indexer.get(`${this.#namespace}/${name}`);
  }
}
