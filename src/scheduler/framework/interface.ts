// One interface per extension point, as kube-scheduler's framework. A plugin is one object that
// implements any subset; the framework calls each point in the profile's configured order.
//
//   queue: PreEnqueue → QueueSort
//   scheduling cycle (synchronous): PreFilter → Filter → [PostFilter] → PreScore → Score/Normalize
//                                   → Reserve → Permit
//   binding cycle (async):          WaitOnPermit → PreBind → Bind → PostBind

import type { NodeInfo } from '../cache/node-info.ts';
import type { PodInfo } from '../cache/pod-info.ts';
import type { Snapshot } from '../cache/snapshot.ts';
import type { Clock } from '../clock.ts';
import type { SchedulerHost } from '../host.ts';
import type { Pod, PodDisruptionBudget } from '../types.ts';
import type { CycleState } from './cycle-state.ts';
import type { ClusterEventWithHint } from './events.ts';
import type { Status } from './status.ts';

/** Scores are integers in [MIN_NODE_SCORE, MAX_NODE_SCORE] after normalization. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** A pod as the queue holds it. */
export interface QueuedPodInfo {
  pod: Pod;
  podInfo: PodInfo;
  /** When the pod was (re)added to the queue: the tie-breaker after priority, and backoff's base. */
  timestamp: number;
  /** When the pod first entered the queue. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt: only their events move it back. */
  unschedulablePlugins: Set<string>;
  /** Set when a PreEnqueue plugin (e.g. SchedulingGates) holds the pod. */
  gatedBy: string | undefined;
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Status | undefined;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export interface PreFilterResult {
  /** Only these nodes can pass Filter; undefined means every node. */
  nodeNames?: ReadonlySet<string>;
  status?: Status;
}

/** Incremental updates of PreFilter state when preemption or nominated pods add/remove pods. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: Pod, toAdd: PodInfo, nodeInfo: NodeInfo): Status | undefined;
  removePod(state: CycleState, pod: Pod, toRemove: PodInfo, nodeInfo: NodeInfo): Status | undefined;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): PreFilterResult | undefined;
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

export interface FilterPlugin extends Plugin {
  /** Must not allocate on success: this runs pods × nodes times. */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined;
}

/** A read-only view of why each node was rejected. */
export type NodeToStatus = ReadonlyMap<string, Status>;

export interface PostFilterResult {
  /** The node preemption made room on; '' clears a stale nomination. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: Pod,
    statuses: NodeToStatus,
  ): { result?: PostFilterResult; status: Status | undefined };
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status;
  /** Maps raw scores into [0, 100] in place. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Status | undefined;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitResult {
  status: Status | undefined;
  /** With a Wait status: how long before the pod is rejected. */
  timeoutMs?: number;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): PermitResult;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined>;
}

export interface BindPlugin extends Plugin {
  /** Returns a Skip status to let the next bind plugin handle the pod. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface EnqueueExtensions {
  events(): ClusterEventWithHint[];
}

/** Pods nominated to nodes by preemption, considered as if already there by Filter. */
export interface Nominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

/** What the framework runner offers plugins that need to re-run other plugins (preemption). */
export interface FrameworkRunner {
  runPreFilterExtensionAddPod(
    state: CycleState,
    pod: Pod,
    toAdd: PodInfo,
    nodeInfo: NodeInfo,
  ): Status | undefined;
  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: Pod,
    toRemove: PodInfo,
    nodeInfo: NodeInfo,
  ): Status | undefined;
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined;
}

/** What every plugin factory receives. */
export interface Handle {
  readonly snapshot: Snapshot;
  readonly clock: Clock;
  readonly nominator: Nominator;
  /** The host (API access); absent in pure plugin tests. */
  readonly host: SchedulerHost | undefined;
  /** The framework of the profile being built, available once construction finishes. */
  framework(): FrameworkRunner;
  /** PodDisruptionBudgets, for preemption. */
  pdbs(): readonly PodDisruptionBudget[];
  /** Random in [0, 1): injectable so tie-breaks are testable. */
  random(): number;
}

export type PluginFactory = (args: unknown, handle: Handle) => Plugin;

/** Type guards: a plugin takes part in an extension point when it has the method. */
export const isPreEnqueue = (p: Plugin): p is PreEnqueuePlugin => 'preEnqueue' in p;
export const isQueueSort = (p: Plugin): p is QueueSortPlugin => 'less' in p;
export const isPreFilter = (p: Plugin): p is PreFilterPlugin => 'preFilter' in p;
export const isFilter = (p: Plugin): p is FilterPlugin => 'filter' in p;
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => 'postFilter' in p;
export const isPreScore = (p: Plugin): p is PreScorePlugin => 'preScore' in p;
export const isScore = (p: Plugin): p is ScorePlugin => 'score' in p;
export const isReserve = (p: Plugin): p is ReservePlugin => 'reserve' in p;
export const isPermit = (p: Plugin): p is PermitPlugin => 'permit' in p;
export const isPreBind = (p: Plugin): p is PreBindPlugin => 'preBind' in p;
export const isBind = (p: Plugin): p is BindPlugin => 'bind' in p;
export const isPostBind = (p: Plugin): p is PostBindPlugin => 'postBind' in p;
export const hasEvents = (p: Plugin): p is Plugin & EnqueueExtensions => 'events' in p;
