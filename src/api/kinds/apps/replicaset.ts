// apps/v1 ReplicaSet.
import type { KObject } from '../../object.ts';
import { defineKind, SCALE_SUBRESOURCE, statusSubresource } from '../define.ts';
import { int, templateCells } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import {
  defaultTemplate,
  SCALE_BY_REPLICAS,
  validateCommonCounts,
  validateSelectorAndTemplate,
  validateSelectorImmutable,
} from './workload.ts';

export const REPLICA_SET = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'v1', 'ReplicaSet')],
  scale: SCALE_BY_REPLICAS,
  bumpsGeneration: true,
  fieldSelectors: { 'status.replicas': (o) => String(int(o.status?.replicas)) },
  defaults(rs) {
    rs.spec ??= {};
    const spec = rs.spec;
    spec.replicas ??= 1;
    defaultTemplate(spec);
  },
  validate(rs) {
    const spec: KObject = rs.spec ?? {};
    return [
      ...validateCommonCounts({ replicas: spec.replicas, minReadySeconds: spec.minReadySeconds }),
      ...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'),
    ];
  },
  validateUpdate: validateSelectorImmutable,
  table: {
    columns: [
      nameColumn(),
      column('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
      column('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
      column('Ready', 'The number of ready replicas for this replica set.', { type: 'integer' }),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column('Selector', 'Selector is a label query over pods that should match the replica count.', {
        wide: true,
      }),
    ],
    cells: (rs, now) => [
      nameOf(rs),
      int(rs.spec?.replicas),
      int(rs.status?.replicas),
      int(rs.status?.readyReplicas),
      ageOf(rs, now),
      ...templateCells(rs.spec?.template, rs.spec?.selector),
    ],
  },
});
