// An ObjectSource over a plain list (tests and fixed policy): `set` replaces the objects and bumps
// the version, as a watch event would.
import type { KObject } from '../../api/object.ts';
import type { ObjectSource } from './watched-resource.ts';

export class StaticSource implements ObjectSource {
  version = 0;
  #items: { obj: KObject; namespace: string; name: string }[] = [];
  readonly #listeners: (() => void)[] = [];

  constructor(objs: KObject[] = []) {
    this.set(objs);
  }

  set(objs: KObject[]): void {
    this.#items = objs.map((obj) => ({
      obj,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
    }));
    this.version++;
    for (const l of this.#listeners) l();
  }

  items() {
    return this.#items;
  }

  get(namespace: string, name: string): { obj: KObject } | undefined {
    return this.#items.find((i) => i.namespace === namespace && i.name === name);
  }

  onChange(fn: () => void): void {
    this.#listeners.push(fn);
  }
}
