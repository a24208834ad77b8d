// Cluster events that can make an unschedulable pod schedulable. Each plugin declares the events
// that could undo its rejections; the queue moves a pod back only on those (plus an optional hint).
import type { Pod } from '../types.ts';

export const EventResource = {
  Pod: 'Pod',
  /** A pod bound to a node (AssignedPod in upstream terms). */
  AssignedPod: 'AssignedPod',
  /** A pod not yet scheduled (its own updates). */
  UnscheduledPod: 'UnscheduledPod',
  Node: 'Node',
  Namespace: 'Namespace',
  PodDisruptionBudget: 'PodDisruptionBudget',
  PersistentVolumeClaim: 'PersistentVolumeClaim',
  PersistentVolume: 'PersistentVolume',
  StorageClass: 'StorageClass',
  /** Matches every resource; used for "any event" rejections. */
  Wildcard: '*',
} as const;
export type EventResource = (typeof EventResource)[keyof typeof EventResource];

/** Bit flags, so a plugin can subscribe to several actions at once. */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** Any other update (spec changes the finer flags do not name). */
  UpdateOther: 2048,
} as const;

export const UPDATE_ANY =
  ActionType.UpdateNodeAllocatable |
  ActionType.UpdateNodeLabel |
  ActionType.UpdateNodeTaint |
  ActionType.UpdateNodeCondition |
  ActionType.UpdateNodeAnnotation |
  ActionType.UpdatePodLabel |
  ActionType.UpdatePodScaleDown |
  ActionType.UpdatePodTolerations |
  ActionType.UpdatePodSchedulingGatesEliminated |
  ActionType.UpdateOther;
export const ALL_ACTIONS = ActionType.Add | ActionType.Delete | UPDATE_ANY;

export interface ClusterEvent {
  resource: EventResource;
  /** One or more ActionType bits. */
  action: number;
  /** For logs and metrics, e.g. `NodeAdd`. */
  label: string;
}

export const QueueingHint = { Queue: 'Queue', Skip: 'QueueSkip' } as const;
export type QueueingHint = (typeof QueueingHint)[keyof typeof QueueingHint];

/** Decides whether one concrete event may help this pod; absent means always Queue. */
export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  hint?: QueueingHintFn;
}

export const event = (resource: EventResource, action: number, label: string): ClusterEvent => ({
  resource,
  action,
  label,
});

/** Does a registered interest cover the event that happened? */
export function eventMatches(registered: ClusterEvent, happened: ClusterEvent): boolean {
  if (registered.resource !== EventResource.Wildcard && happened.resource !== EventResource.Wildcard) {
    // A registration on Pod covers both assigned and unscheduled pods.
    const same =
      registered.resource === happened.resource ||
      (registered.resource === EventResource.Pod &&
        (happened.resource === EventResource.AssignedPod ||
          happened.resource === EventResource.UnscheduledPod));
    if (!same) return false;
  }
  return (registered.action & happened.action) !== 0;
}

// Events the scheduler itself emits from informer callbacks.
export const NODE_ADD = event(EventResource.Node, ActionType.Add, 'NodeAdd');
export const NODE_DELETE = event(EventResource.Node, ActionType.Delete, 'NodeDelete');
export const ASSIGNED_POD_ADD = event(EventResource.AssignedPod, ActionType.Add, 'AssignedPodAdd');
export const ASSIGNED_POD_DELETE = event(EventResource.AssignedPod, ActionType.Delete, 'AssignedPodDelete');
/** A move forced by the unschedulable-pods timeout: matches every plugin. */
export const UNSCHEDULABLE_TIMEOUT = event(EventResource.Wildcard, ALL_ACTIONS, 'UnschedulableTimeout');
/** Sent when the scheduler deleted victims or otherwise changed the world itself. */
export const FORCE_ACTIVATE = event(EventResource.Wildcard, ALL_ACTIONS, 'ForceActivate');
