// DefaultPreemption (PostFilter): when no node fits, find the node where evicting the fewest,
// least important pods makes room, delete them through the host and nominate that node.
import type { NodeInfo } from '../../cache/node-info.ts';
import { fitErrorMessage, newDiagnosis } from '../../framework/fit-error.ts';
import type { Handle, NodeToStatus, PostFilterPlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Pod } from '../../types.ts';
import { type Candidate, pickOneNode, selectVictimsOnNode, terminatingLowerPriorityPod } from './victims.ts';

export const NAME = 'DefaultPreemption';
export const REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const MSG_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const MSG_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';
/** The prefix upstream's plugin puts before its message. */
export const PREEMPTION_PREFIX = 'preemption: ';
/** Candidates examined at least (upstream's minCandidateNodesAbsolute). */
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
/** …or this share of the potential nodes, whichever is larger (upstream's 10%). */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;

export interface DefaultPreemptionArgs {
  minCandidateNodesAbsolute?: number;
  minCandidateNodesPercentage?: number;
}

export function newDefaultPreemption(rawArgs: unknown, handle: Handle): PostFilterPlugin {
  const args = (rawArgs ?? {}) as DefaultPreemptionArgs;
  const minAbs = args.minCandidateNodesAbsolute ?? MIN_CANDIDATE_NODES_ABSOLUTE;
  const minPct = args.minCandidateNodesPercentage ?? MIN_CANDIDATE_NODES_PERCENTAGE;

  const fail = (msg: string, code: Status['code'] = Code.Unschedulable) => ({
    status: newStatus(code, PREEMPTION_PREFIX + msg),
  });

  return {
    name: NAME,
    postFilter(state, pod: Pod, statuses: NodeToStatus) {
      if (pod.spec?.preemptionPolicy === 'Never') return fail(MSG_POLICY_NEVER);
      const snapshot = handle.snapshot;
      const nominated = pod.status?.nominatedNodeName;
      if (nominated && statuses.get(nominated)?.code !== Code.UnschedulableAndUnresolvable) {
        if (terminatingLowerPriorityPod(pod, snapshot.get(nominated))) return fail(MSG_TERMINATING);
      }
      const all = snapshot.list();
      const diagnosis = newDiagnosis();
      const potential: NodeInfo[] = [];
      for (const ni of all) {
        if (statuses.get(ni.name)?.code === Code.UnschedulableAndUnresolvable)
          diagnosis.nodeToStatus.set(
            ni.name,
            newStatus(Code.UnschedulableAndUnresolvable, REASON_NOT_HELPFUL),
          );
        else potential.push(ni);
      }
      if (potential.length > 0) {
        const want = Math.max(minAbs, Math.trunc((potential.length * minPct) / 100));
        const offset = potential.length > want ? Math.floor(handle.random() * potential.length) : 0;
        const fw = handle.framework();
        const pdbs = handle.pdbs();
        const candidates: Candidate[] = [];
        for (let k = 0; k < potential.length && candidates.length < want; k++) {
          const ni = potential[(offset + k) % potential.length];
          const r = selectVictimsOnNode(fw, state.clone(), pod, ni.clone(), pdbs);
          if (r.status) diagnosis.nodeToStatus.set(ni.name, r.status);
          else
            candidates.push({ nodeName: ni.name, victims: r.victims, numPDBViolations: r.numPDBViolations });
        }
        const best = pickOneNode(candidates);
        if (best) {
          const host = handle.host;
          for (const v of best.victims) {
            host?.preempt(v, pod, best.nodeName).catch(() => {
              // The next attempt re-evaluates; a victim that survived simply still occupies the node.
            });
          }
          return { result: { nominatedNodeName: best.nodeName }, status: undefined };
        }
      }
      return {
        result: { nominatedNodeName: '' },
        ...fail(fitErrorMessage(all.length, diagnosis)),
      };
    },
  };
}
