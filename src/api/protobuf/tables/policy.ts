// k8s.io/api/policy/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const policy: MessageTable = {
  PodDisruptionBudgetSpec: [
    [1, 'minAvailable', 'IntOrString', 'keep'],
    [2, 'selector', 'meta.LabelSelector'],
    [3, 'maxUnavailable', 'IntOrString', 'keep'],
    [4, 'unhealthyPodEvictionPolicy', 'string', 'keep'],
  ],
  PodDisruptionBudgetStatus: [
    [1, 'observedGeneration', 'int64'],
    [2, 'disruptedPods', 'Time', 'map'],
    [3, 'disruptionsAllowed', 'int32', 'keep'],
    [4, 'currentHealthy', 'int32', 'keep'],
    [5, 'desiredHealthy', 'int32', 'keep'],
    [6, 'expectedPods', 'int32', 'keep'],
    [7, 'conditions', 'meta.Condition', 'rep'],
  ],
  PodDisruptionBudget: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'PodDisruptionBudgetSpec'],
    [3, 'status', 'PodDisruptionBudgetStatus'],
  ],
  Eviction: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'deleteOptions', 'meta.DeleteOptions'],
  ],
};
