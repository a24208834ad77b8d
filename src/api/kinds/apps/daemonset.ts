// apps/v1 DaemonSet.
import { type FieldError, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { fieldInvalidText } from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { formatLabels, int, templateCells } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import {
  DEFAULT_REVISION_HISTORY_LIMIT,
  defaultTemplate,
  intOrPercentValue,
  validateCommonCounts,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateSelectorAndTemplate,
  validateSelectorImmutable,
} from './workload.ts';

/** One node at a time, no surge: a DaemonSet's default rollout. */
export const DEFAULT_DAEMONSET_MAX_UNAVAILABLE = 1;
export const DEFAULT_DAEMONSET_MAX_SURGE = 0;
const STRATEGY_TYPES = ['RollingUpdate', 'OnDelete'];

function defaultDaemonSet(ds: KObject): void {
  ds.spec ??= {};
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.maxUnavailable ??= DEFAULT_DAEMONSET_MAX_UNAVAILABLE;
    us.rollingUpdate.maxSurge ??= DEFAULT_DAEMONSET_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  defaultTemplate(spec);
}

function validateStrategy(us: KObject | undefined): FieldError[] {
  const s: KObject = us ?? {};
  const field = 'spec.updateStrategy';
  if (s.type === 'OnDelete') return [];
  if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate;
    if (!ru) return [fieldRequired(`${field}.rollingUpdate`)];
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
    errs.push(...validateNotMoreThan100Percent(ru.maxSurge, `${at}.maxSurge`));
    return errs;
  }
  const shown = `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`;
  return [
    {
      type: 'FieldValueNotSupported',
      field,
      detail: `Unsupported value: ${shown}: supported values: ${STRATEGY_TYPES.map((t) => `"${t}"`).join(', ')}`,
    },
  ];
}

export const DAEMON_SET = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: [statusSubresource('apps', 'v1', 'DaemonSet')],
  bumpsGeneration: true,
  defaults: defaultDaemonSet,
  validate(ds) {
    const spec: KObject = ds.spec ?? {};
    return [
      ...validateSelectorAndTemplate(spec, 'daemonset', 'DaemonSet'),
      ...validateCommonCounts({
        minReadySeconds: spec.minReadySeconds,
        revisionHistoryLimit: spec.revisionHistoryLimit,
      }),
      ...validateStrategy(spec.updateStrategy),
    ];
  },
  validateUpdate: validateSelectorImmutable,
  table: {
    columns: [
      nameColumn(),
      column('Desired', 'The total number of nodes that should be running the daemon pod.', {
        type: 'integer',
      }),
      column(
        'Current',
        'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
        { type: 'integer' },
      ),
      column(
        'Ready',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
        { type: 'integer' },
      ),
      column('Up-to-date', 'The total number of nodes that are running updated daemon pod', {
        type: 'integer',
      }),
      column(
        'Available',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
        { type: 'integer' },
      ),
      column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column('Selector', 'A label query over pods that are managed by the daemon set.', { wide: true }),
    ],
    cells: (ds, now) => [
      nameOf(ds),
      int(ds.status?.desiredNumberScheduled),
      int(ds.status?.currentNumberScheduled),
      int(ds.status?.numberReady),
      int(ds.status?.updatedNumberScheduled),
      int(ds.status?.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds, now),
      ...templateCells(ds.spec?.template, ds.spec?.selector),
    ],
  },
});
