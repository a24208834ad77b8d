// Choosing victims on one node and choosing among candidate nodes, as upstream's default
// preemption: remove every lower-priority pod, check the pod fits, then give back ("reprieve") as
// many as possible, most important first and PDB-protected ones before the rest.
import { labelSelectorFromObject, matchesLabels } from '../../../api/selectors/index.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { PodInfo } from '../../cache/pod-info.ts';
import type { CycleState } from '../../framework/cycle-state.ts';
import type { FrameworkRunner } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Pod, PodDisruptionBudget } from '../../types.ts';
import { isTerminating, podLabels, podNamespace, podPriority } from '../../types.ts';

export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface Candidate {
  nodeName: string;
  victims: Pod[];
  numPDBViolations: number;
}

const startTime = (p: Pod): number => {
  const t = p.status?.startTime ?? p.metadata?.creationTimestamp;
  return t ? Date.parse(t) : Number.POSITIVE_INFINITY;
};

/** Higher priority first; equal priority: the pod running longer first (upstream's MoreImportantPod). */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

/** Splits pods into those whose eviction would violate a PDB and the rest, in input order. */
export function splitByPDBViolation(
  pods: readonly PodInfo[],
  pdbs: readonly PodDisruptionBudget[],
): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => {
    const sel = p.spec?.selector;
    const empty =
      !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
    try {
      return empty ? undefined : labelSelectorFromObject(sel);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of pods) {
    let violates = false;
    pdbs.forEach((pdb, i) => {
      const sel = selectors[i];
      if (!sel || (pdb.metadata?.namespace ?? 'default') !== podNamespace(pi.pod)) return;
      if (!matchesLabels(sel, podLabels(pi.pod))) return;
      // Already counted as disrupted by the PDB controller: evicting it costs nothing more.
      if (
        pdb.status?.disruptedPods &&
        pi.pod.metadata?.name &&
        pi.pod.metadata.name in pdb.status.disruptedPods
      )
        return;
      allowed[i]--;
      if (allowed[i] < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}

/**
 * Mutates `ni` and `state` (pass copies). Returns the victims, or the status explaining why
 * preempting on this node cannot help.
 */
export function selectVictimsOnNode(
  fw: FrameworkRunner,
  state: CycleState,
  pod: Pod,
  ni: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
): { victims: Pod[]; numPDBViolations: number; status?: Status } {
  const prio = podPriority(pod);
  const potential: PodInfo[] = [];
  for (const pi of [...ni.pods]) {
    if (podPriority(pi.pod) >= prio) continue;
    potential.push(pi);
    ni.removePod(pi.pod);
    const s = fw.runPreFilterExtensionRemovePod(state, pod, pi, ni);
    if (s) return { victims: [], numPDBViolations: 0, status: s };
  }
  if (potential.length === 0)
    return {
      victims: [],
      numPDBViolations: 0,
      status: newStatus(Code.UnschedulableAndUnresolvable, REASON_NO_VICTIMS),
    };
  const fits = fw.runFilterPluginsWithNominatedPods(state, pod, ni);
  if (fits) return { victims: [], numPDBViolations: 0, status: fits };
  potential.sort((a, b) => (moreImportant(a.pod, b.pod) ? -1 : moreImportant(b.pod, a.pod) ? 1 : 0));
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  const reprieve = (pi: PodInfo): boolean => {
    ni.addPod(pi);
    fw.runPreFilterExtensionAddPod(state, pod, pi, ni);
    if (fw.runFilterPluginsWithNominatedPods(state, pod, ni) === undefined) return true;
    ni.removePod(pi.pod);
    fw.runPreFilterExtensionRemovePod(state, pod, pi, ni);
    victims.push(pi.pod);
    return false;
  };
  for (const pi of violating) if (!reprieve(pi)) numPDBViolations++;
  for (const pi of nonViolating) reprieve(pi);
  return { victims, numPDBViolations };
}

/** Offsetting priorities keeps sums non-negative, as upstream (MaxInt32 + 1). */
const PRIORITY_OFFSET = 2 ** 31;

/**
 * Upstream's pickOneNodeForPreemption: fewest PDB violations, then lowest highest-victim priority,
 * then smallest priority sum, then fewest victims, then the latest start among the highest-priority
 * victims; a node needing no victims wins at once.
 */
export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const none = candidates.find((c) => c.victims.length === 0);
  if (none) return none;
  const keep = (list: Candidate[], score: (c: Candidate) => number): Candidate[] => {
    let best = Number.NEGATIVE_INFINITY;
    let out: Candidate[] = [];
    for (const c of list) {
      const s = score(c);
      if (s > best) {
        best = s;
        out = [c];
      } else if (s === best) out.push(c);
    }
    return out;
  };
  const highest = (c: Candidate) => Math.max(...c.victims.map(podPriority));
  let list = [...candidates];
  list = keep(list, (c) => -c.numPDBViolations);
  list = keep(list, (c) => -highest(c));
  list = keep(list, (c) => -c.victims.reduce((sum, v) => sum + podPriority(v) + PRIORITY_OFFSET, 0));
  list = keep(list, (c) => -c.victims.length);
  list = keep(list, (c) => {
    const top = highest(c);
    return Math.min(...c.victims.filter((v) => podPriority(v) === top).map(startTime));
  });
  return list[0];
}

/** A lower-priority pod already terminating on the nominated node: wait for it instead. */
export function terminatingLowerPriorityPod(pod: Pod, ni: NodeInfo | undefined): boolean {
  if (!ni) return false;
  const prio = podPriority(pod);
  return ni.pods.some((p) => isTerminating(p.pod) && podPriority(p.pod) < prio);
}
