// What the scheduler needs from the outside world. The wiring implements it with client/ (a
// pods/binding POST, Events, the PodScheduled condition, pod deletion for preemption); tests
// implement it in memory.
import type { LabelSelectorObject } from '../api/selectors/index.ts';
import type { Pod } from './types.ts';

export interface Binder {
  /** POST pods/<name>/binding; rejects when the API refuses. */
  bind(pod: Pod, nodeName: string): Promise<void>;
}

/** Upstream's PodScheduled=False reasons. */
export const REASON_UNSCHEDULABLE = 'Unschedulable';
export const REASON_SCHEDULER_ERROR = 'SchedulerError';
/** Event reasons. */
export const EVENT_FAILED_SCHEDULING = 'FailedScheduling';
export const EVENT_SCHEDULED = 'Scheduled';
export const EVENT_PREEMPTED = 'Preempted';

export interface SchedulingFailure {
  /** PodScheduled condition reason: Unschedulable or SchedulerError. */
  reason: string;
  /** The FailedScheduling event and condition message. */
  message: string;
  /** Set when preemption nominated a node ('' clears an old nomination); absent: leave as is. */
  nominatedNodeName?: string;
}

export interface SchedulerHost extends Binder {
  /** Record the Scheduled event ("Successfully assigned ns/name to node"). */
  scheduled(pod: Pod, nodeName: string, message: string): void;
  /** Record a FailedScheduling event and PodScheduled=False (and nominatedNodeName). */
  failed(pod: Pod, failure: SchedulingFailure): void;
  /** Delete a preemption victim (with its DisruptionTarget condition and a Preempted event). */
  preempt(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /**
   * The selector PodTopologySpread's default constraints use for a pod without its own: the
   * union of the selectors of Services, ReplicaSets, ReplicationControllers and StatefulSets that
   * select or own it. Absent (or empty): no default spreading.
   */
  defaultSpreadSelector?(pod: Pod): LabelSelectorObject | undefined;
  /** PersistentVolumeClaims, volumes and classes; absent: pods with claims are not checked. */
  readonly volumes?: VolumeSource;
}

/** The storage objects VolumeBinding reads (the wiring serves them from informers). */
export interface VolumeSource {
  claim(namespace: string, name: string): VolumeClaim | undefined;
  volume(name: string): PersistentVolumeObject | undefined;
  storageClass(name: string): { volumeBindingMode?: string } | undefined;
}

export interface VolumeClaim {
  metadata?: { deletionTimestamp?: string; name?: string };
  spec?: { volumeName?: string; storageClassName?: string | null };
}

export interface PersistentVolumeObject {
  spec?: { nodeAffinity?: { required?: { nodeSelectorTerms?: import('./types.ts').NodeSelectorTerm[] } } };
}
