// k8s.io/api/coordination/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const coordination: MessageTable = {
  Lease: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'LeaseSpec'],
  ],
  LeaseSpec: [
    [1, 'holderIdentity', 'string', 'keep'],
    [2, 'leaseDurationSeconds', 'int32', 'keep'],
    [3, 'acquireTime', 'MicroTime'],
    [4, 'renewTime', 'MicroTime'],
    [5, 'leaseTransitions', 'int32', 'keep'],
    [6, 'strategy', 'string', 'keep'],
    [7, 'preferredHolder', 'string', 'keep'],
  ],
};
