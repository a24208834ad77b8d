// apps/v1 StatefulSet.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { sameValue, validateEnum, validateNonNegative } from '../../validation/index.ts';
import { defineKind, SCALE_SUBRESOURCE, statusSubresource } from '../define.ts';
import { containerCells, int } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import {
  DEFAULT_REVISION_HISTORY_LIMIT,
  defaultTemplate,
  SCALE_BY_REPLICAS,
  validateCommonCounts,
  validateSelectorAndTemplate,
} from './workload.ts';

const RETENTION_POLICIES = ['Retain', 'Delete'];
/** The spec fields a StatefulSet update may change. */
const MUTABLE_FIELDS = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

function defaultStatefulSet(sts: KObject): void {
  sts.spec ??= {};
  const spec = sts.spec;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  defaultTemplate(spec);
}

function validateStatefulSet(sts: KObject): FieldError[] {
  const spec: KObject = sts.spec ?? {};
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(fieldRequired('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(fieldInvalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us: KObject = spec.updateStrategy ?? {};
  if (!us.type) errs.push(fieldRequired('spec.updateStrategy'));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate)
      errs.push(
        fieldInvalid(
          'spec.updateStrategy.rollingUpdate',
          us.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (us.type === 'RollingUpdate') {
    errs.push(
      ...validateNonNegative(us.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'),
    );
  } else {
    errs.push(fieldInvalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention: KObject = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const k of ['whenDeleted', 'whenScaled']) {
    errs.push(
      ...validateEnum(retention[k], `spec.persistentVolumeClaimRetentionPolicy.${k}`, RETENTION_POLICIES),
    );
  }
  errs.push(...validateCommonCounts(spec));
  errs.push(...validateNonNegative(spec.ordinals?.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, 'statefulset', 'StatefulSet'));
  return errs;
}

function validateStatefulSetUpdate(sts: KObject, old: KObject): FieldError[] {
  const strip = (spec: KObject | undefined): KObject => {
    const copy: KObject = { ...(spec ?? {}) };
    for (const k of MUTABLE_FIELDS) delete copy[k];
    return copy;
  };
  if (sameValue(strip(sts.spec), strip(old.spec))) return [];
  return [
    fieldForbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export const STATEFUL_SET = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'v1', 'StatefulSet')],
  scale: SCALE_BY_REPLICAS,
  bumpsGeneration: true,
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Ready', 'Number of the pod with ready state'),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
    ],
    cells(sts, now) {
      const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
      return [
        nameOf(sts),
        `${int(sts.status?.readyReplicas)}/${int(sts.spec?.replicas)}`,
        ageOf(sts, now),
        names,
        images,
      ];
    },
  },
});
