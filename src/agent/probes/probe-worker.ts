// One probe of one container on its schedule: first run after initialDelaySeconds, then every
// periodSeconds; the result flips after successThreshold consecutive successes or failureThreshold
// consecutive failures (upstream's prober worker). Time comes from a Clock, so tests drive it.
import type { Probe } from 'kubernetes-types/core/v1.d.ts';
import type { Clock, Timer } from '../../util/clock.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export const PROBE_DEFAULTS = {
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

/** Result before the first decisive run: not ready, alive, not started (as the kubelet). */
export const initialResult = (kind: ProbeKind): boolean => kind === 'liveness';

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  clock: Clock;
  /** Runs the probe once with the timeout in ms. */
  run: (timeoutMs: number) => Promise<ProbeOutcome>;
  /** Called when the thresholded result flips, and on each failed run (for Unhealthy events). */
  onResult: (result: boolean) => void;
  onFailure?: (message: string) => void;
  /** Probes wait while this is false (liveness/readiness wait for the startup probe). */
  enabled?: () => boolean;
}

export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly #o: ProbeWorkerOptions;
  #result: boolean;
  #successes = 0;
  #failures = 0;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(o: ProbeWorkerOptions) {
    this.#o = o;
    this.kind = o.kind;
    this.#result = initialResult(o.kind);
  }

  get result(): boolean {
    return this.#result;
  }

  start(): void {
    this.#schedule((this.#o.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(ms, () => void this.#tick());
  }

  async #tick(): Promise<void> {
    const p = this.#o.probe;
    const period = (p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
    if (this.#o.enabled && !this.#o.enabled()) return this.#schedule(period);
    // A startup probe that succeeded is done: the kubelet stops running it.
    if (this.kind === 'startup' && this.#result) return;
    const timeout = (p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
    let out: ProbeOutcome;
    try {
      out = await this.#o.run(timeout);
    } catch (err) {
      out = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    if (this.#stopped) return;
    this.#record(out);
    this.#schedule(period);
  }

  #record(out: ProbeOutcome): void {
    const p = this.#o.probe;
    if (out.ok) {
      this.#successes++;
      this.#failures = 0;
      if (!this.#result && this.#successes >= (p.successThreshold ?? PROBE_DEFAULTS.successThreshold)) {
        this.#result = true;
        this.#o.onResult(true);
      }
      return;
    }
    this.#failures++;
    this.#successes = 0;
    this.#o.onFailure?.(out.message);
    if (this.#result && this.#failures >= (p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold)) {
      this.#result = false;
      this.#o.onResult(false);
    } else if (
      !this.#result &&
      this.kind === 'startup' &&
      this.#failures >= (p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold)
    ) {
      // A startup probe out of attempts fails the container like a liveness probe.
      this.#failures = 0;
      this.#o.onResult(false);
    }
  }
}
