// A binary heap with an index by key, so update and delete are O(log n) instead of a scan.

export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #key: (t: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(key: (t: T) => string, less: (a: T, b: T) => boolean) {
    this.#key = key;
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds, or replaces the item with the same key and restores order. */
  upsert(item: T): void {
    const k = this.#key(item);
    const i = this.#index.get(k);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(k, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    if (this.#items.length === 0) return undefined;
    const top = this.#items[0];
    this.#removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i];
    this.#removeAt(i);
    return item;
  }

  values(): readonly T[] {
    return this.#items;
  }

  #removeAt(i: number): void {
    const last = this.#items.length - 1;
    this.#index.delete(this.#key(this.#items[i]));
    if (i !== last) {
      this.#items[i] = this.#items[last];
      this.#index.set(this.#key(this.#items[i]), i);
      this.#items.pop();
      this.#fix(i);
    } else {
      this.#items.pop();
    }
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i];
    this.#items[i] = this.#items[j];
    this.#items[j] = a;
    this.#index.set(this.#key(this.#items[i]), i);
    this.#index.set(this.#key(this.#items[j]), j);
  }

  #up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i], this.#items[parent])) break;
      this.#swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let best = l;
      const r = l + 1;
      if (r < n && this.#less(this.#items[r], this.#items[l])) best = r;
      if (!this.#less(this.#items[best], this.#items[i])) return;
      this.#swap(i, best);
      i = best;
    }
  }
}
