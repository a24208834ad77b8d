// NodePorts: a pod asking for host ports fits only where none of them is taken on the same
// protocol and address (0.0.0.0 overlaps every address).
import type { NodeInfo } from '../../cache/node-info.ts';
import { type HostPort, podHostPorts } from '../../cache/pod-info.ts';
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, FilterPlugin, PreFilterPlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';

export const NAME = 'NodePorts';
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY = `PreFilter${NAME}`;

export function portsFit(wanted: readonly HostPort[], ni: NodeInfo): boolean {
  for (const hp of wanted) if (ni.portConflicts(hp)) return false;
  return true;
}

const REJECT = newStatus(Code.Unschedulable, REASON_PORTS);

export const newNodePorts = (): PreFilterPlugin & FilterPlugin & EnqueueExtensions => ({
  name: NAME,
  preFilter(state, pod) {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return { status: newStatus(Code.Skip) };
    state.write(STATE_KEY, new ImmutableState(ports));
    return undefined;
  },
  filter(state, _pod, ni): Status | undefined {
    const ports = state.read<ImmutableState<HostPort[]>>(STATE_KEY)?.value ?? [];
    return portsFit(ports, ni) ? undefined : REJECT;
  },
  events: () => [
    { event: event(EventResource.AssignedPod, ActionType.Delete, 'AssignedPodDelete') },
    { event: event(EventResource.Node, ActionType.Add, 'NodeAdd') },
  ],
});
