// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods tolerating the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, FilterPlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Node, Pod, Taint } from '../../types.ts';
import { anyTolerates } from '../helpers/taints.ts';

export const NAME = 'NodeUnschedulable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function fitsUnschedulable(pod: Pod, node: Node): boolean {
  if (!node.spec?.unschedulable) return true;
  return anyTolerates(pod.spec?.tolerations ?? [], UNSCHEDULABLE_TAINT);
}

const REJECT = newStatus(Code.UnschedulableAndUnresolvable, REASON_UNSCHEDULABLE);

export const newNodeUnschedulable = (): FilterPlugin & EnqueueExtensions => ({
  name: NAME,
  filter: (_s, pod, ni): Status | undefined => (fitsUnschedulable(pod, ni.node) ? undefined : REJECT),
  events: () => [
    {
      event: event(
        EventResource.Node,
        ActionType.Add | ActionType.UpdateNodeTaint | ActionType.UpdateOther,
        'NodeSchedulable',
      ),
    },
    { event: event(EventResource.UnscheduledPod, ActionType.UpdatePodTolerations, 'PodTolerations') },
  ],
});
