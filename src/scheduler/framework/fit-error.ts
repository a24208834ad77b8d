// The FailedScheduling message, built exactly as upstream's FitError.Error():
//
//   0/5 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.␣
//   preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling..
//
// Per-node reasons become a histogram "<count> <reason>", sorted as strings, joined by ", ".
// The double full stop at the end is upstream's too: the preemption text is itself a FitError
// message ending in "." and is appended with the same " %v." separator.

import { byCodeUnit } from '../../util/code-unit-order.ts';
import type { Status } from './status.ts';

export const NO_NODE_AVAILABLE = (n: number): string => `0/${n} nodes are available`;
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** Why each rejected node was rejected. */
  nodeToStatus: Map<string, Status>;
  /** Status for nodes absent from the map (PreFilter narrowed the node set). */
  absentNodesStatus?: Status;
  /** Plugins that rejected the pod (for queue requeueing). */
  unschedulablePlugins: Set<string>;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export const newDiagnosis = (): Diagnosis => ({ nodeToStatus: new Map(), unschedulablePlugins: new Set() });

export class FitError extends Error {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    super(NO_NODE_AVAILABLE(numAllNodes));
    this.name = 'FitError';
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  /** The full text; computed on demand because PostFilter adds to the diagnosis afterwards. */
  describe(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${NO_NODE_AVAILABLE(numAllNodes)}:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const st of d.nodeToStatus.values())
      for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0 && d.absentNodesStatus)
      for (const r of d.absentNodesStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    // Go's sort.Strings: byte order, so "1 x" < "2 a" < "Insufficient" — not locale order.
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort(byCodeUnit);
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}
