// batch/v1 CronJob.
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  validateAnnotations,
  validateEnum,
  validateLabels,
  validateNonNegative,
} from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { len, NONE, str, templateCells } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { timestampSince } from '../printing/duration.ts';
import { CronParseError, isKnownTimeZone, parseCronSchedule } from './cron-schedule.ts';
import { defaultJobTemplatePod, validateJobSpecCommon } from './job.ts';

/** Job names are the CronJob's name plus an 11-character suffix, and must stay DNS-1035 labels. */
export const MAX_CRONJOB_NAME_LENGTH = 52;
export const DEFAULT_SUCCESSFUL_JOBS_HISTORY = 3;
export const DEFAULT_FAILED_JOBS_HISTORY = 1;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

function defaultCronJob(cj: KObject): void {
  cj.spec ??= {};
  const spec = cj.spec;
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= DEFAULT_SUCCESSFUL_JOBS_HISTORY;
  spec.failedJobsHistoryLimit ??= DEFAULT_FAILED_JOBS_HISTORY;
  if (spec.jobTemplate?.spec) defaultJobTemplatePod(spec.jobTemplate.spec);
}

function validateSchedule(schedule: string): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (err) {
    errs.push(
      fieldInvalid('spec.schedule', schedule, err instanceof CronParseError ? err.message : String(err)),
    );
  }
  // Zones belong in spec.timeZone (skiff never stored a CronJob with a TZ= schedule, so no
  // update needs upstream's allowance for old objects).
  if (schedule.includes('TZ')) {
    errs.push(
      fieldInvalid(
        'spec.schedule',
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  }
  return errs;
}

function validateCronJob(cj: KObject): FieldError[] {
  const spec: KObject = cj.spec ?? {};
  const errs: FieldError[] = [];
  const name: string = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME_LENGTH)
    errs.push(
      fieldInvalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`),
    );
  if (!spec.schedule) errs.push(fieldRequired('spec.schedule'));
  else errs.push(...validateSchedule(String(spec.schedule)));
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    const tz = String(spec.timeZone);
    if (tz.toLowerCase() === 'local') {
      errs.push(
        fieldInvalid(
          'spec.timeZone',
          tz,
          'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
        ),
      );
    } else if (!isKnownTimeZone(tz)) {
      errs.push(fieldInvalid('spec.timeZone', tz, `unknown time zone ${tz}`));
    }
  }
  errs.push(
    ...validateEnum(spec.concurrencyPolicy, 'spec.concurrencyPolicy', CONCURRENCY_POLICIES, {
      required: true,
    }),
  );
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    errs.push(...validateNonNegative(spec[k], `spec.${k}`));
  }
  const tmpl = spec.jobTemplate;
  if (!tmpl || typeof tmpl !== 'object') {
    errs.push(fieldRequired('spec.jobTemplate'));
    return errs;
  }
  errs.push(...validateLabels(tmpl.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(tmpl.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
  const jobSpec: KObject = tmpl.spec ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.manualSelector === true) {
    errs.push(fieldNotSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  }
  return errs;
}

function printBool(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

export const CRON_JOB = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [statusSubresource('batch', 'v1', 'CronJob')],
  bumpsGeneration: true,
  defaults: defaultCronJob,
  validate: validateCronJob,
  table: {
    columns: [
      nameColumn(),
      column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      column(
        'Timezone',
        'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
      ),
      column('Suspend', 'This flag tells the controller to suspend subsequent executions.', {
        type: 'boolean',
      }),
      column('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
      column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
      ageColumn(),
      column('Containers', 'Names of each container in the template.', { wide: true }),
      column('Images', 'Images referenced by each container in the template.', { wide: true }),
      column('Selector', 'A label query over pods that should match the pod count.', { wide: true }),
    ],
    cells(cj, now) {
      const last = cj.status?.lastScheduleTime ? timestampSince(cj.status.lastScheduleTime, now) : NONE;
      return [
        nameOf(cj),
        str(cj.spec?.schedule),
        str(cj.spec?.timeZone) || NONE,
        printBool(cj.spec?.suspend),
        len(cj.status?.active),
        last,
        ageOf(cj, now),
        ...templateCells(cj.spec?.jobTemplate?.spec?.template, cj.spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
});
