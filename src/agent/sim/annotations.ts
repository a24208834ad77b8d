// The annotations a pod template carries to steer what the hollow node pretends its containers do.
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { parseDuration } from '../../api/protobuf/duration.ts';

/** A Go duration (`500ms`, `2s`): every container run ends after this long. */
export const ANN_EXIT_AFTER = 'sim.skiff.dev/exit-after';
/** The exit code of those runs (default 0). */
export const ANN_EXIT_CODE = 'sim.skiff.dev/exit-code';
/** `"false"` keeps the pod Running but never Ready. */
export const ANN_READY = 'sim.skiff.dev/ready';

const NS_PER_MS = 1_000_000;

export interface SimBehaviour {
  /** How long each container run lasts; undefined: forever. */
  exitAfterMs?: number;
  exitCode: number;
  ready: boolean;
}

/** Reads the pod's sim annotations; malformed values fall back to "runs forever, exit 0". */
export function behaviourOf(pod: Pod): SimBehaviour {
  const a = pod.metadata?.annotations ?? {};
  let exitAfterMs: number | undefined;
  const raw = a[ANN_EXIT_AFTER];
  if (raw !== undefined) {
    try {
      exitAfterMs = Math.max(0, parseDuration(raw) / NS_PER_MS);
    } catch {
      exitAfterMs = undefined;
    }
  }
  const code = Number.parseInt(a[ANN_EXIT_CODE] ?? '0', 10);
  return { exitAfterMs, exitCode: Number.isFinite(code) ? code : 0, ready: a[ANN_READY] !== 'false' };
}
