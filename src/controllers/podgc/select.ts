// Which pods the pod garbage collector removes (upstream pkg/controller/podgc), as pure choices
// over cached pods: terminated pods beyond the threshold (oldest first), pods bound to nodes that
// no longer exist, and terminating pods that were never scheduled.
import type { KObject } from '../../api/object.ts';

export const isTerminated = (pod: KObject): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

const created = (pod: KObject): number => Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;

/** The oldest terminated pods past `threshold` (a threshold <= 0 keeps them all). */
export function terminatedOverThreshold(pods: readonly KObject[], threshold: number): KObject[] {
  if (threshold <= 0) return [];
  const done = pods.filter((p) => isTerminated(p) && !p.metadata?.deletionTimestamp);
  const excess = done.length - threshold;
  if (excess <= 0) return [];
  return [...done]
    .sort((a, b) => created(a) - created(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1))
    .slice(0, excess);
}

/** Terminating pods with no node: nothing else would ever finish their deletion. */
export const unscheduledTerminating = (pods: readonly KObject[]): KObject[] =>
  pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName);

/** Node names pods are bound to that are missing from the given set. */
export function missingNodes(pods: readonly KObject[], nodes: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !nodes.has(n)) out.add(n);
  }
  return out;
}
