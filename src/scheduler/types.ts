// The Kubernetes types the scheduler reads, in one place, plus the few pod accessors every part uses.
export type {
  Affinity,
  Container,
  ContainerPort,
  Node,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  Taint,
  Toleration,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.d.ts';
export type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.d.ts';

import type { Pod } from 'kubernetes-types/core/v1.d.ts';

/** The profile that schedules pods which name no scheduler. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** `namespace/name`, the key the queue and the host use. */
export const podKey = (pod: Pod): string =>
  `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;

/** The pod's uid, falling back to its key for fixtures that omit uids. */
export const podUid = (pod: Pod): string => pod.metadata?.uid ?? podKey(pod);

/** spec.priority as admission resolved it from the PriorityClass; absent means 0. */
export const podPriority = (pod: Pod): number => pod.spec?.priority ?? 0;

export const podNamespace = (pod: Pod): string => pod.metadata?.namespace ?? 'default';

export const podLabels = (pod: Pod): Record<string, string> => pod.metadata?.labels ?? {};

export const isTerminating = (pod: Pod): boolean => pod.metadata?.deletionTimestamp != null;
