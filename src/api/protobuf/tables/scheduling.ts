// k8s.io/api/scheduling/v1 and k8s.io/api/node/v1. Field facts from upstream's types; see
// ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const scheduling: MessageTable = {
  PriorityClass: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'value', 'int32', 'keep'],
    [3, 'globalDefault', 'bool'],
    [4, 'description', 'string'],
    [5, 'preemptionPolicy', 'string', 'keep'],
  ],
};

export const node: MessageTable = {
  RuntimeClass: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'handler', 'string', 'keep'],
    [3, 'overhead', 'Overhead'],
    [4, 'scheduling', 'Scheduling'],
  ],
  Overhead: [[1, 'podFixed', 'Quantity', 'map']],
  Scheduling: [
    [1, 'nodeSelector', 'string', 'map'],
    [2, 'tolerations', 'core.Toleration', 'rep'],
  ],
};
