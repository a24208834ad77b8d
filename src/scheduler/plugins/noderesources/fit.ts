// NodeResourcesFit: Filter checks pod count and every requested resource against what is left on
// the node; Score applies the configured strategy (LeastAllocated by default).
import type { NodeInfo } from '../../cache/node-info.ts';
import { isZeroRequest, podRequests, type Resource } from '../../cache/resources.ts';
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type {
  EnqueueExtensions,
  FilterPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import {
  allocatableAndRequested,
  DEFAULT_RESOURCES,
  type ResourceSpec,
  requestOf,
} from './resource-allocation.ts';
import {
  leastAllocatedScorer,
  mostAllocatedScorer,
  requestedToCapacityRatioScorer,
  type Scorer,
  type UtilizationShapePoint,
} from './scorers.ts';

export const NAME = 'NodeResourcesFit';
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const INSUFFICIENT = (resource: string): string => `Insufficient ${resource}`;
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface FitArgs {
  scoringStrategy?: {
    type?: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
  };
  /** Extended resources the filter ignores. */
  ignoredResources?: string[];
  /** Extended resource groups (`example.com` in `example.com/gpu`) the filter ignores. */
  ignoredResourceGroups?: string[];
}

export interface InsufficientResource {
  resource: string;
  reason: string;
  /** The request exceeds the node's whole allocatable: preemption cannot help. */
  unresolvable: boolean;
}

/** Every shortage, cpu/memory/ephemeral-storage first, then extended resources by name. */
export function insufficientResources(
  req: Resource,
  ni: NodeInfo,
  ignored: ReadonlySet<string> = new Set(),
  ignoredGroups: ReadonlySet<string> = new Set(),
): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (ni.pods.length + 1 > ni.allocatable.allowedPodNumber)
    out.push({ resource: 'pods', reason: REASON_TOO_MANY_PODS, unresolvable: false });
  if (isZeroRequest(req)) return out;
  const check = (name: string, want: number, alloc: number, used: number) => {
    if (want > 0 && want > alloc - used)
      out.push({ resource: name, reason: INSUFFICIENT(name), unresolvable: want > alloc });
  };
  check('cpu', req.milliCPU, ni.allocatable.milliCPU, ni.requested.milliCPU);
  check('memory', req.memory, ni.allocatable.memory, ni.requested.memory);
  check(
    'ephemeral-storage',
    req.ephemeralStorage,
    ni.allocatable.ephemeralStorage,
    ni.requested.ephemeralStorage,
  );
  for (const name of [...req.scalar.keys()].sort()) {
    if (ignored.has(name) || ignoredGroups.has(name.split('/')[0])) continue;
    check(
      name,
      req.scalar.get(name)!,
      ni.allocatable.scalar.get(name) ?? 0,
      ni.requested.scalar.get(name) ?? 0,
    );
  }
  return out;
}

/** insufficientResources(req, ni) is empty, for requests without extended resources. */
function fitsBaseResources(req: Resource, ni: NodeInfo): boolean {
  const a = ni.allocatable;
  const u = ni.requested;
  return (
    ni.pods.length + 1 <= a.allowedPodNumber &&
    !(req.milliCPU > 0 && req.milliCPU > a.milliCPU - u.milliCPU) &&
    !(req.memory > 0 && req.memory > a.memory - u.memory) &&
    !(req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - u.ephemeralStorage)
  );
}

function scorerFor(args: FitArgs | undefined): { resources: readonly ResourceSpec[]; scorer: Scorer } {
  const s = args?.scoringStrategy;
  const resources = s?.resources?.length ? s.resources : DEFAULT_RESOURCES;
  switch (s?.type ?? 'LeastAllocated') {
    case 'MostAllocated':
      return { resources, scorer: mostAllocatedScorer(resources) };
    case 'RequestedToCapacityRatio':
      return {
        resources,
        scorer: requestedToCapacityRatioScorer(resources, s?.requestedToCapacityRatio?.shape ?? []),
      };
    default:
      return { resources, scorer: leastAllocatedScorer(resources) };
  }
}

export function newNodeResourcesFit(
  rawArgs: unknown,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions {
  const args = rawArgs as FitArgs | undefined;
  const ignored = new Set(args?.ignoredResources ?? []);
  const ignoredGroups = new Set(args?.ignoredResourceGroups ?? []);
  const { resources, scorer } = scorerFor(args);
  // Reused across nodes: the score loop allocates nothing.
  const alloc = new Array<number>(resources.length).fill(0);
  const used = new Array<number>(resources.length).fill(0);
  return {
    name: NAME,
    preFilter(state, pod) {
      state.write(PRE_FILTER_KEY, new ImmutableState(podRequests(pod)));
      return undefined;
    },
    filter(state, pod, ni): Status | undefined {
      const req = state.read<ImmutableState<Resource>>(PRE_FILTER_KEY)?.value ?? podRequests(pod);
      // Fast path: nothing requested and room for one more pod.
      if (isZeroRequest(req) && ni.pods.length < ni.allocatable.allowedPodNumber) return undefined;
      // Fast path for the common case, allocation-free: no extended resources, everything fits.
      if (req.scalar.size === 0 && fitsBaseResources(req, ni)) return undefined;
      const short = insufficientResources(req, ni, ignored, ignoredGroups);
      if (short.length === 0) return undefined;
      const code = short.some((s) => s.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
      return newStatus(code, ...short.map((s) => s.reason));
    },
    preScore(state, pod) {
      const nz = podRequests(pod, true);
      const real = podRequests(pod);
      // CPU and memory score with the non-zero defaults; other resources as requested.
      const req = resources.map((r) =>
        r.name === 'cpu' || r.name === 'memory' ? requestOf(nz, r.name) : requestOf(real, r.name),
      );
      state.write(PRE_SCORE_KEY, new ImmutableState(req));
      return undefined;
    },
    score(state, _pod, ni) {
      const req = state.read<ImmutableState<number[]>>(PRE_SCORE_KEY)?.value;
      if (!req) return newStatus(Code.Error, `reading "${PRE_SCORE_KEY}" from cycleState: not found`);
      allocatableAndRequested(ni, resources, req, false, alloc, used);
      return scorer(used, alloc);
    },
    events: () => [
      {
        event: event(
          EventResource.AssignedPod,
          ActionType.Delete | ActionType.UpdatePodScaleDown,
          'AssignedPodFreed',
        ),
      },
      {
        event: event(
          EventResource.Node,
          ActionType.Add | ActionType.UpdateNodeAllocatable,
          'NodeAllocatable',
        ),
      },
      { event: event(EventResource.UnscheduledPod, ActionType.UpdatePodScaleDown, 'PodScaleDown') },
    ],
  };
}
