// A pod held at Permit: it is bound only once every plugin that said Wait allows it; any
// rejection or a timeout ends the wait with Unschedulable.
import type { Clock } from '../clock.ts';
import type { Pod } from '../types.ts';
import { Code, newStatus, type Status } from './status.ts';

export const PERMIT_TIMEOUT_MESSAGE = (plugin: string): string =>
  `rejected due to timeout after waiting at permit: ${plugin}`;

export class WaitingPod {
  readonly pod: Pod;
  readonly #pending: Set<string>;
  readonly #timers: unknown[] = [];
  readonly #clock: Clock;
  #resolve: ((s: Status | undefined) => void) | undefined;
  readonly done: Promise<Status | undefined>;

  constructor(pod: Pod, waits: Map<string, number>, clock: Clock) {
    this.pod = pod;
    this.#clock = clock;
    this.#pending = new Set(waits.keys());
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    for (const [plugin, ms] of waits)
      this.#timers.push(clock.setTimeout(() => this.reject(plugin, PERMIT_TIMEOUT_MESSAGE(plugin)), ms));
  }

  get pendingPlugins(): string[] {
    return [...this.#pending];
  }

  allow(plugin: string): void {
    this.#pending.delete(plugin);
    if (this.#pending.size === 0) this.#finish(undefined);
  }

  reject(plugin: string, message: string): void {
    this.#finish(newStatus(Code.Unschedulable, message).withPlugin(plugin));
  }

  #finish(s: Status | undefined): void {
    if (!this.#resolve) return;
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    const r = this.#resolve;
    this.#resolve = undefined;
    r(s);
  }
}
