// NodeResourcesBalancedAllocation: prefer nodes where, with the pod placed, CPU and memory are used
// in similar proportions. Best-effort pods (no requests) skip it, as upstream.
import { isZeroRequest, podRequests } from '../../cache/resources.ts';
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import { Code, newStatus } from '../../framework/status.ts';
import {
  allocatableAndRequested,
  DEFAULT_RESOURCES,
  type ResourceSpec,
  requestOf,
} from './resource-allocation.ts';
import { balancedScore } from './scorers.ts';

export const NAME = 'NodeResourcesBalancedAllocation';
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

export function newBalancedAllocation(rawArgs: unknown): PreScorePlugin & ScorePlugin & EnqueueExtensions {
  const args = rawArgs as BalancedAllocationArgs | undefined;
  const resources = args?.resources?.length ? args.resources : DEFAULT_RESOURCES;
  const alloc = new Array<number>(resources.length).fill(0);
  const used = new Array<number>(resources.length).fill(0);
  return {
    name: NAME,
    preScore(state, pod) {
      const req = podRequests(pod);
      if (isZeroRequest(req)) return newStatus(Code.Skip);
      state.write(PRE_SCORE_KEY, new ImmutableState(resources.map((r) => requestOf(req, r.name))));
      return undefined;
    },
    score(state, _pod, ni) {
      const req = state.read<ImmutableState<number[]>>(PRE_SCORE_KEY)?.value;
      if (!req) return newStatus(Code.Error, `reading "${PRE_SCORE_KEY}" from cycleState: not found`);
      allocatableAndRequested(ni, resources, req, true, alloc, used);
      return balancedScore(used, alloc);
    },
    events: () => [
      { event: event(EventResource.AssignedPod, ActionType.Delete, 'AssignedPodDelete') },
      {
        event: event(
          EventResource.Node,
          ActionType.Add | ActionType.UpdateNodeAllocatable,
          'NodeAllocatable',
        ),
      },
    ],
  };
}
