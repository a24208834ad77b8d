// core/v1 ReplicationController.
import { type FieldError, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { isObject, validateNonNegative } from '../../validation/index.ts';
import { defineKind, SCALE_SUBRESOURCE, statusSubresource } from '../define.ts';
import { labelSelectorString, mapSelector } from '../label-selector.ts';
import { containerCells, formatLabels, int } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { defaultPodSpec } from './pod-defaults.ts';
import { validateWorkloadTemplate } from './workload-template.ts';

function defaultRC(rc: KObject): void {
  rc.spec ??= {};
  const spec = rc.spec;
  const labels = spec.template?.metadata?.labels;
  if (labels && typeof labels === 'object') {
    if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    const meta = rc.metadata;
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (spec.template && typeof spec.template === 'object') {
    spec.template.spec ??= {};
    defaultPodSpec(spec.template.spec);
  }
}

function validateRC(rc: KObject): FieldError[] {
  const spec: KObject = rc.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0)
    errs.push(fieldRequired('spec.selector'));
  errs.push(...validateNonNegative(spec.replicas, 'spec.replicas'));
  errs.push(
    ...validateWorkloadTemplate(
      spec.template,
      mapSelector(spec.selector),
      'spec.template',
      'ReplicationController',
    ),
  );
  return errs;
}

export const REPLICATION_CONTROLLER = defineKind({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('', 'v1', 'ReplicationController')],
  scale: {
    specReplicasPath: ['spec', 'replicas'],
    statusReplicasPath: ['status', 'replicas'],
    selector: (rc) => labelSelectorString(mapSelector(rc.spec?.selector)) ?? '',
  },
  bumpsGeneration: true,
  fieldSelectors: { 'status.replicas': (o) => String(int(o.status?.replicas)) },
  defaults: defaultRC,
  validate: validateRC,
  table: {
    columns: [
      nameColumn(),
      column('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
      column('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
      column('Ready', 'The number of ready replicas for this replication controller.', { type: 'integer' }),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column('Selector', 'Selector is a label query over pods that should match the Replicas count.', {
        wide: true,
      }),
    ],
    cells(rc, now) {
      const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
      return [
        nameOf(rc),
        int(rc.spec?.replicas),
        int(rc.status?.replicas),
        int(rc.status?.readyReplicas),
        ageOf(rc, now),
        names,
        images,
        formatLabels(rc.spec?.selector),
      ];
    },
  },
});
