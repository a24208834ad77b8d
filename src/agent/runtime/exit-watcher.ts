// Watches conmon's exit directory: fs.watch for promptness, plus a poll, because inotify events can
// be missed (and fs.watch can fail outright). The poll reads the directory once and re-checks only
// the live containers that have an exit file; every `fullEvery`-th poll re-checks all of them, which
// is how a monitor that vanished without writing one is noticed. (Checking every live container on
// every poll cost three file operations and an ENOENT error per container per second — at 50 pods
// most of the agent's allocation churn.)

import { type FSWatcher, watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Disposable } from '../../util/disposable.ts';

/** Every this many polls, every live container is re-checked whether or not it has an exit file. */
export const DEFAULT_FULL_CHECK_EVERY = 10;

export class ExitWatcher implements Disposable {
  #watcher: FSWatcher | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #onExit: (id: string) => Promise<void>;
  #polling = false;
  #polls = 0;

  /**
   * @param onExit called with a container ID when its exit file may have appeared
   * @param live IDs of the containers believed alive
   */
  constructor(
    dir: string,
    pollMs: number,
    onExit: (id: string) => Promise<void>,
    live: () => string[],
    fullEvery = DEFAULT_FULL_CHECK_EVERY,
  ) {
    this.#onExit = onExit;
    try {
      this.#watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name) this.#fire(String(name));
      });
      this.#watcher.on('error', () => {});
    } catch {
      this.#watcher = undefined;
    }
    this.#timer = setInterval(() => {
      if (this.#polling) return;
      this.#polling = true;
      const full = ++this.#polls % fullEvery === 0;
      void this.#poll(dir, live, full).finally(() => {
        this.#polling = false;
      });
    }, pollMs);
    this.#timer.unref();
  }

  async #poll(dir: string, live: () => string[], full: boolean): Promise<void> {
    let ids = live();
    if (ids.length === 0) return;
    if (!full) {
      const exited = new Set(await readdir(dir).catch(() => [] as string[]));
      ids = ids.filter((id) => exited.has(id));
    }
    await Promise.allSettled(ids.map((id) => this.#onExit(id)));
  }

  #fire(id: string): void {
    this.#onExit(id).catch(() => {});
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
