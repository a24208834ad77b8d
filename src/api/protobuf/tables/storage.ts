// k8s.io/api/storage/v1 (StorageClass). Field facts from upstream's types; see ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const storage: MessageTable = {
  StorageClass: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'provisioner', 'string', 'keep'],
    [3, 'parameters', 'string', 'map'],
    [4, 'reclaimPolicy', 'string', 'keep'],
    [5, 'mountOptions', 'string', 'rep'],
    [6, 'allowVolumeExpansion', 'bool', 'keep'],
    [7, 'volumeBindingMode', 'string', 'keep'],
    [8, 'allowedTopologies', 'core.TopologySelectorTerm', 'rep'],
  ],
};
