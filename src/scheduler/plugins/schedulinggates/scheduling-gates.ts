// SchedulingGates: a pod with spec.schedulingGates stays out of the active queue until every
// gate is removed (the pod's own update is the event that releases it).
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, PreEnqueuePlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Pod } from '../../types.ts';

export const NAME = 'SchedulingGates';

/** Go's %v of a []string: `[a b]`. */
export const GATED_MESSAGE = (gates: string[]): string =>
  `waiting for scheduling gates: [${gates.join(' ')}]`;

export function gatesOf(pod: Pod): string[] {
  return (pod.spec?.schedulingGates ?? []).map((g) => g.name);
}

export const newSchedulingGates = (): PreEnqueuePlugin & EnqueueExtensions => ({
  name: NAME,
  preEnqueue(pod): Status | undefined {
    const gates = gatesOf(pod);
    return gates.length ? newStatus(Code.UnschedulableAndUnresolvable, GATED_MESSAGE(gates)) : undefined;
  },
  events: () => [
    {
      event: event(
        EventResource.UnscheduledPod,
        ActionType.UpdatePodSchedulingGatesEliminated,
        'PodGatesRemoved',
      ),
    },
  ],
});
