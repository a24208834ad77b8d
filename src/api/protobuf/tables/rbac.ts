// k8s.io/api/rbac/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const rbac: MessageTable = {
  PolicyRule: [
    [1, 'verbs', 'string', 'rep'],
    [2, 'apiGroups', 'string', 'rep'],
    [3, 'resources', 'string', 'rep'],
    [4, 'resourceNames', 'string', 'rep'],
    [5, 'nonResourceURLs', 'string', 'rep'],
  ],
  Subject: [
    [1, 'kind', 'string', 'keep'],
    [2, 'apiGroup', 'string'],
    [3, 'name', 'string', 'keep'],
    [4, 'namespace', 'string'],
  ],
  RoleRef: [
    [1, 'apiGroup', 'string', 'keep'],
    [2, 'kind', 'string', 'keep'],
    [3, 'name', 'string', 'keep'],
  ],
  Role: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'rules', 'PolicyRule', 'rep'],
  ],
  RoleBinding: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'subjects', 'Subject', 'rep'],
    [3, 'roleRef', 'RoleRef'],
  ],
  ClusterRole: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'rules', 'PolicyRule', 'rep'],
    [3, 'aggregationRule', 'AggregationRule'],
  ],
  AggregationRule: [[1, 'clusterRoleSelectors', 'meta.LabelSelector', 'rep']],
  ClusterRoleBinding: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'subjects', 'Subject', 'rep'],
    [3, 'roleRef', 'RoleRef'],
  ],
};
