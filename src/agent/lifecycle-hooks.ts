// Container lifecycle handlers (preStop, postStart): exec in the container, HTTP GET to the pod,
// or sleep. They reuse the probe mechanisms; tcpSocket is deprecated upstream and ignored (as the
// kubelet does). The caller subtracts a preStop's time from the termination grace period.
import type { LifecycleHandler } from 'kubernetes-types/core/v1.d.ts';
import { type ProbeTarget, runProbe } from './probes/probe-handlers.ts';

export const REASON_FAILED_PRE_STOP = 'FailedPreStopHook';
export const REASON_FAILED_POST_START = 'FailedPostStartHook';
const MS_PER_SECOND = 1000;
/** Upstream bounds postStart by nothing but the pod; a hung hook must not wedge the pod's worker forever. */
export const POST_START_TIMEOUT_MS = 120_000;
/** The kubelet never gives a container less than this after its preStop hook (minimumGracePeriodInSeconds). */
export const MIN_GRACE_AFTER_HOOK_SECONDS = 2;

/** Runs the handler within `timeoutMs`; the failure message, or undefined when it succeeded. */
export async function runLifecycleHandler(
  h: LifecycleHandler,
  target: ProbeTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (h.sleep) {
    const ms = Math.min(h.sleep.seconds * MS_PER_SECOND, timeoutMs);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
    return undefined;
  }
  if (!h.exec && !h.httpGet) return undefined;
  const outcome = await runProbe(h, target, timeoutMs);
  if (outcome.ok) return undefined;
  return h.exec
    ? `Exec lifecycle hook (${(h.exec.command ?? []).join(' ')}) failed: ${outcome.message}`
    : `HTTP lifecycle hook (${h.httpGet?.path ?? '/'}) failed: ${outcome.message}`;
}

/** Seconds left for SIGTERM → SIGKILL after a hook that took `hookMs` out of `graceSeconds`. */
export function graceAfterHook(graceSeconds: number, hookMs: number): number {
  if (graceSeconds <= 0) return 0;
  const left = Math.ceil(graceSeconds - hookMs / MS_PER_SECOND);
  return Math.max(MIN_GRACE_AFTER_HOOK_SECONDS, left);
}
