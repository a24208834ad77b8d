// Runs tasks one after another per key (different keys run concurrently): a per-key promise chain.
// A failed task does not stop the ones queued behind it; the queue for a key is forgotten once it
// drains, so keys that come and go (container IDs) leave nothing behind.
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).catch(() => {}).then(task);
    this.#tails.set(key, next);
    const forget = () => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  /** Keys with a task queued or running (tests). */
  get size(): number {
    return this.#tails.size;
  }
}
