// The probes of one running container: startup gates liveness and readiness; readiness decides
// `ready`; a liveness (or exhausted startup) failure asks the worker to restart the container.
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import type { Clock } from '../../util/clock.ts';
import { type ProbeKind, type ProbeOutcome, ProbeWorker } from './probe-worker.ts';

export interface ContainerProbesOptions {
  container: Container;
  clock: Clock;
  run: (kind: ProbeKind, timeoutMs: number) => Promise<ProbeOutcome>;
  /** Something that shows in the status changed (ready or started). */
  onChange: () => void;
  onUnhealthy: (kind: ProbeKind, message: string) => void;
  /** Liveness failed (or startup ran out of attempts): restart the container. */
  onKill: (kind: ProbeKind) => void;
}

const KIND_LABEL: Record<ProbeKind, string> = {
  readiness: 'Readiness',
  liveness: 'Liveness',
  startup: 'Startup',
};

export const unhealthyMessage = (kind: ProbeKind, message: string): string =>
  `${KIND_LABEL[kind]} probe failed: ${message}`.trimEnd();

export class ContainerProbes {
  readonly #workers = new Map<ProbeKind, ProbeWorker>();

  constructor(o: ContainerProbesOptions) {
    const specs: [ProbeKind, Container['readinessProbe']][] = [
      ['startup', o.container.startupProbe],
      ['liveness', o.container.livenessProbe],
      ['readiness', o.container.readinessProbe],
    ];
    for (const [kind, probe] of specs) {
      if (!probe) continue;
      const w = new ProbeWorker({
        kind,
        probe,
        clock: o.clock,
        run: (ms) => o.run(kind, ms),
        enabled: kind === 'startup' ? undefined : () => this.started,
        onFailure: (msg) => o.onUnhealthy(kind, msg),
        onResult: (ok) => {
          if (!ok && kind !== 'readiness') o.onKill(kind);
          else o.onChange();
        },
      });
      this.#workers.set(kind, w);
    }
    for (const w of this.#workers.values()) w.start();
  }

  get started(): boolean {
    return this.#workers.get('startup')?.result ?? true;
  }

  /** Ready: started, and the readiness probe (if any) passed. */
  get ready(): boolean {
    return this.started && (this.#workers.get('readiness')?.result ?? true);
  }

  stop(): void {
    for (const w of this.#workers.values()) w.stop();
  }
}
