// NodeName: a pod that names its node (spec.nodeName set before scheduling) fits only there.
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, FilterPlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Node, Pod } from '../../types.ts';

export const NAME = 'NodeName';
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const fitsNodeName = (pod: Pod, node: Node): boolean =>
  !pod.spec?.nodeName || pod.spec.nodeName === node.metadata?.name;

const REJECT = newStatus(Code.UnschedulableAndUnresolvable, REASON_NODE_NAME);

export const newNodeName = (): FilterPlugin & EnqueueExtensions => ({
  name: NAME,
  filter: (_s, pod, ni): Status | undefined => (fitsNodeName(pod, ni.node) ? undefined : REJECT),
  events: () => [{ event: event(EventResource.Node, ActionType.Add, 'NodeAdd') }],
});
