// apps/v1 Deployment.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { fieldInvalidText, validateNonNegative } from '../../validation/index.ts';
import { defineKind, SCALE_SUBRESOURCE, statusSubresource } from '../define.ts';
import { labelSelectorString } from '../label-selector.ts';
import { containerCells, int } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import {
  DEFAULT_REVISION_HISTORY_LIMIT,
  defaultTemplate,
  intOrPercentValue,
  SCALE_BY_REPLICAS,
  validateCommonCounts,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateSelectorAndTemplate,
  validateSelectorImmutable,
} from './workload.ts';

export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
const STRATEGY_TYPES = ['Recreate', 'RollingUpdate'];

function defaultDeployment(d: KObject): void {
  d.spec ??= {};
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  const strategy = spec.strategy;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxUnavailable ??= DEFAULT_MAX_UNAVAILABLE;
    strategy.rollingUpdate.maxSurge ??= DEFAULT_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  spec.progressDeadlineSeconds ??= DEFAULT_PROGRESS_DEADLINE_SECONDS;
  defaultTemplate(spec);
}

function validateStrategy(strategy: KObject | undefined): FieldError[] {
  const s: KObject = strategy ?? {};
  const field = 'spec.strategy';
  if (s.type === 'Recreate') {
    return s.rollingUpdate
      ? [fieldForbidden(`${field}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
      : [];
  }
  if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate;
    if (!ru) return [fieldRequired(`${field}.rollingUpdate`, 'this should be defaulted and never be nil')];
    const at = `${field}.rollingUpdate`;
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, `${at}.maxUnavailable`),
      ...validatePositiveIntOrPercent(ru.maxSurge, `${at}.maxSurge`),
    ];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(
        fieldInvalidText(
          `${at}.maxUnavailable`,
          String(ru.maxUnavailable),
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    }
    errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, `${at}.maxUnavailable`));
    return errs;
  }
  const shown = `apps.DeploymentStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`;
  return [
    {
      type: 'FieldValueNotSupported',
      field,
      detail: `Unsupported value: ${shown}: supported values: ${STRATEGY_TYPES.map((t) => `"${t}"`).join(', ')}`,
    },
  ];
}

function validateDeployment(d: KObject): FieldError[] {
  const spec: KObject = d.spec ?? {};
  const errs = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'),
  ];
  errs.push(...validateStrategy(spec.strategy));
  errs.push(
    ...validateCommonCounts({
      minReadySeconds: spec.minReadySeconds,
      revisionHistoryLimit: spec.revisionHistoryLimit,
    }),
  );
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...validateNonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldInvalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const DEPLOYMENT = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'v1', 'Deployment')],
  scale: SCALE_BY_REPLICAS,
  bumpsGeneration: true,
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate: validateSelectorImmutable,
  table: {
    columns: [
      nameColumn(),
      column('Ready', 'Number of the pod with ready state'),
      column(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      column(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column(
        'Selector',
        'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
        { wide: true },
      ),
    ],
    cells(d, now) {
      const [names, images] = containerCells(d.spec?.template?.spec?.containers);
      return [
        nameOf(d),
        `${int(d.status?.readyReplicas)}/${int(d.spec?.replicas)}`,
        int(d.status?.updatedReplicas),
        int(d.status?.availableReplicas),
        ageOf(d, now),
        names,
        images,
        labelSelectorString(d.spec?.selector) ?? '<invalid>',
      ];
    },
  },
});
