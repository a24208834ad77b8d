// batch/v1 Job.
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  child,
  FIELD_IMMUTABLE,
  fieldInvalidGo,
  goLabelSelector,
  isObject,
  key,
  sameValue,
  validateImmutable,
  validateLabelSelector,
  validateNonNegative,
} from '../../validation/index.ts';
import { defaultPodSpec } from '../core/pod-defaults.ts';
import { validatePodTemplateSpec } from '../core/pod-validation.ts';
import { validateTemplateMatchesSelector } from '../core/workload-template.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { int, templateCells } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { humanDuration, parseTime } from '../printing/duration.ts';

export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const DEFAULT_BACKOFF_LIMIT = 6;
const MAX_INT32 = 2_147_483_647;
/** Upstream caps Indexed jobs' parallelism to keep the controller's bookkeeping bounded. */
export const MAX_PARALLELISM_INDEXED = 100_000;
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];

/** SetDefaults_Job, for a Job's spec (jobTemplates in CronJobs only get the pod defaults). */
function defaultJobSpec(spec: KObject): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : DEFAULT_BACKOFF_LIMIT;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const c of rule?.onPodConditions ?? []) c.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
}

export function defaultJobTemplatePod(spec: KObject): void {
  if (!isObject(spec.template)) return;
  const template: KObject = spec.template;
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

/**
 * What upstream's job strategy does on create unless spec.manualSelector: label the pods with
 * the job's name and uid, and select them by uid — so a Job only ever owns its own pods.
 */
function generateSelector(job: KObject): void {
  const spec = job.spec;
  if (spec.manualSelector === true || !job.metadata?.uid) return;
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels ??= {};
  const labels = spec.template.metadata.labels;
  const name = job.metadata.name ?? '';
  for (const l of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[l] ??= name;
  for (const l of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[l] ??= job.metadata.uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[CONTROLLER_UID_LABEL] ??= job.metadata.uid;
}

function defaultJob(job: KObject): void {
  job.spec ??= {};
  defaultJobSpec(job.spec);
  defaultJobTemplatePod(job.spec);
  generateSelector(job);
  // A Job without labels of its own carries its pods' labels (read back after generation, upstream).
  job.metadata ??= {};
  const meta = job.metadata;
  const templateLabels = job.spec.template?.metadata?.labels;
  if (templateLabels && (!meta.labels || Object.keys(meta.labels).length === 0))
    meta.labels = { ...templateLabels };
}

/** validateJobSpec: what Jobs and CronJob jobTemplates share. */
export function validateJobSpecCommon(spec: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
  ]) {
    errs.push(...validateNonNegative(spec[k], child(field, k)));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (!COMPLETION_MODES.includes(mode))
      errs.push(fieldNotSupported(child(field, 'completionMode'), mode, COMPLETION_MODES));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) {
        errs.push(fieldRequired(child(field, 'completions'), 'when completion mode is Indexed'));
      }
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_PARALLELISM_INDEXED) {
        errs.push(
          fieldInvalid(
            child(field, 'parallelism'),
            spec.parallelism,
            `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
          ),
        );
      }
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(field, 'template')));
  const restart = spec.template?.spec?.restartPolicy;
  if (!JOB_RESTART_POLICIES.includes(restart)) {
    errs.push(
      fieldNotSupported(child(field, 'template.spec.restartPolicy'), restart ?? '', JOB_RESTART_POLICIES),
    );
  }
  return errs;
}

function validateJob(job: KObject): FieldError[] {
  const spec: KObject = job.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.manualSelector !== true) {
    const uid = job.metadata?.uid ?? '';
    if (!spec.template?.metadata?.labels) errs.push(fieldRequired('spec.template.metadata.labels'));
    const labels = spec.template?.metadata?.labels ?? {};
    for (const [label, want] of [
      [CONTROLLER_UID_LABEL, uid],
      [JOB_NAME_LABEL, job.metadata?.name ?? ''],
    ]) {
      if (label in labels && labels[label] !== want) {
        errs.push(
          fieldInvalid(key('spec.template.metadata.labels', label), labels[label], `must be '${want}'`),
        );
      }
    }
    if (spec.selector && spec.selector.matchLabels?.[CONTROLLER_UID_LABEL] !== uid) {
      errs.push(fieldInvalidGo('spec.selector', spec.selector, '`selector` not auto-generated'));
    }
  }
  if (spec.selector === undefined || spec.selector === null) errs.push(fieldRequired('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateTemplateMatchesSelector(spec.template, spec.selector, 'spec.template'));
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  return errs;
}

/** A suspended Job that never started may still change where its pods will run. */
const SCHEDULING_DIRECTIVES = ['nodeSelector', 'tolerations', 'schedulingGates'];

function validateJobUpdate(job: KObject, old: KObject): FieldError[] {
  const spec: KObject = job.spec ?? {};
  const oldSpec: KObject = old.spec ?? {};
  const errs: FieldError[] = [];
  // Indexed jobs may scale completions together with parallelism (elastic indexed jobs).
  const elastic =
    spec.completionMode === 'Indexed' &&
    oldSpec.completionMode === 'Indexed' &&
    spec.completions === spec.parallelism &&
    oldSpec.completions === oldSpec.parallelism;
  if (!elastic) errs.push(...validateImmutable(spec.completions, oldSpec.completions, 'spec.completions'));
  if (!sameValue(spec.selector, oldSpec.selector)) {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      detail: `Invalid value: ${goLabelSelector(spec.selector)}: ${FIELD_IMMUTABLE}`,
    });
  }
  const oldTemplate: KObject = structuredClone(oldSpec.template ?? {});
  if (oldSpec.suspend === true && !old.status?.startTime) {
    const t: KObject = spec.template ?? {};
    oldTemplate.metadata = {
      ...oldTemplate.metadata,
      labels: t.metadata?.labels,
      annotations: t.metadata?.annotations,
    };
    oldTemplate.spec ??= {};
    for (const k of SCHEDULING_DIRECTIVES) oldTemplate.spec[k] = t.spec?.[k];
    const affinity = t.spec?.affinity;
    oldTemplate.spec.affinity = affinity
      ? { ...oldTemplate.spec.affinity, nodeAffinity: affinity.nodeAffinity }
      : undefined;
  }
  errs.push(...validateImmutable(spec.template, oldTemplate, 'spec.template'));
  for (const k of [
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'managedBy',
    'successPolicy',
  ]) {
    errs.push(...validateImmutable(spec[k], oldSpec[k], `spec.${k}`));
  }
  return errs;
}

/** The first condition of a type decides, as upstream's hasJobCondition. */
function hasCondition(job: KObject, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x: KObject) => x?.type === type);
  return c?.status === 'True';
}

export function jobStatus(job: KObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(job: KObject): string {
  const succeeded = int(job.status?.succeeded);
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: KObject, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

export const JOB = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('batch', 'v1', 'Job')],
  bumpsGeneration: true,
  fieldSelectors: { 'status.successful': (o) => String(int(o.status?.succeeded)) },
  defaults: defaultJob,
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Status', 'Status of the job.'),
      column('Completions', 'The number of pods which reached phase Succeeded.'),
      column('Duration', 'Time required to complete the job.'),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column('Selector', 'A label query over pods that should match the pod count.', { wide: true }),
    ],
    cells: (job, now) => [
      nameOf(job),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      ageOf(job, now),
      ...templateCells(job.spec?.template, job.spec?.selector),
    ],
  },
});
