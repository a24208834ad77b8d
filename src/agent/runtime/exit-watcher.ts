// Watches conmon's exit directory: fs.watch for promptness, plus a poll of the containers still
// believed alive, because inotify events can be missed (and fs.watch can fail outright).

import { type FSWatcher, watch } from 'node:fs';
import type { Disposable } from '../../util/disposable.ts';

export class ExitWatcher implements Disposable {
  #watcher: FSWatcher | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #onExit: (id: string) => Promise<void>;
  #polling = false;

  /**
   * @param onExit called with a container ID when its exit file may have appeared
   * @param live IDs to re-check on each poll
   */
  constructor(dir: string, pollMs: number, onExit: (id: string) => Promise<void>, live: () => string[]) {
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
      void Promise.allSettled(live().map((id) => this.#onExit(id))).finally(() => {
        this.#polling = false;
      });
    }, pollMs);
    this.#timer.unref();
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
