// Everything long-running (watch, timer, child process, socket) is a Disposable whose dispose()
// is idempotent, so owners can stop what they started in any order.

export interface Disposable {
  dispose(): void | Promise<void>;
}

/** Collects disposables and disposes them in reverse order of registration, once. */
export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  add<T extends Disposable>(d: T): T {
    if (this.#disposed) {
      void d.dispose();
      return d;
    }
    this.#items.push(d);
    return d;
  }

  /** Registers a plain function as a disposable. */
  defer(fn: () => void | Promise<void>): void {
    this.add({ dispose: fn });
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const items = this.#items.reverse();
    this.#items = [];
    const errors: unknown[] = [];
    for (const d of items) {
      try {
        await d.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}

export const toDisposable = (fn: () => void | Promise<void>): Disposable => {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      return fn();
    },
  };
};
