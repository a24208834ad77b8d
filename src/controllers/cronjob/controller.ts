// The CronJob controller (upstream pkg/controller/cronjob, controller v2): at each scheduled time
// creates a Job `<cronjob>-<minutes since epoch>` from the jobTemplate, honouring suspend,
// startingDeadlineSeconds and concurrencyPolicy; keeps status.active/lastScheduleTime/
// lastSuccessfulTime; prunes finished Jobs beyond the history limits. Time is the context clock's,
// and the key is requeued for the next start time rather than polled.
//
//   cronjob/job events ──► key ──► reconcile:
//     owned jobs ─► active list (drop finished/missing, note last success) ─► prune history
//       ─► suspended? ─► most recent missed start time ─► too late? already run? Forbid/Replace
//       ─► create Job ─► status ─► requeue at the next start time
import type { KObject, OwnerReference } from '../../api/object.ts';
import {
  type DeletedFinalStateUnknown,
  type EventRecorder,
  isAlreadyExists,
  isNotFound,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { findCondition } from '../common/conditions.ts';
import { controllerRefOf, newControllerRef } from '../common/controller-ref.ts';
import { canonicalJson } from '../common/hash.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import { apiVersionOfRef, CRONJOBS, JOBS } from '../common/resources.ts';
import { fromTimestamp, toTimestamp } from '../common/time.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  formatInZone,
  MAX_MISSED_START_TIMES,
  mostRecentScheduleTime,
  parseSchedule,
  type Schedule,
} from './schedule.ts';

export const CRONJOB_CONTROLLER = 'cronjob';
const EVENT_SOURCE = 'cronjob-controller';
const CRONJOB_KIND = 'CronJob';
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export const REASON_SUCCESSFUL_CREATE = 'SuccessfulCreate';
export const REASON_FAILED_CREATE = 'FailedCreate';
export const REASON_SUCCESSFUL_DELETE = 'SuccessfulDelete';
export const REASON_SAW_COMPLETED_JOB = 'SawCompletedJob';
export const REASON_MISSING_JOB = 'MissingJob';
export const REASON_UNEXPECTED_JOB = 'UnexpectedJob';
export const REASON_MISS_SCHEDULE = 'MissSchedule';
export const REASON_JOB_ALREADY_ACTIVE = 'JobAlreadyActive';
export const REASON_TOO_MANY_MISSED_TIMES = 'TooManyMissedTimes';
export const REASON_UNPARSEABLE_SCHEDULE = 'UnparseableSchedule';
export const REASON_UNKNOWN_TIME_ZONE = 'UnknownTimeZone';
const MESSAGE_FORBID = 'Not starting job because prior execution is running and concurrency policy is Forbid';
const MESSAGE_TOO_MANY_MISSED =
  'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew';

/** Upstream requeues a little after the next start time so the clock has surely passed it. */
const NEXT_SCHEDULE_DELTA_MS = 100;
const MS_PER_MINUTE = 60_000;

/** Complete or Failed (True), as upstream's IsJobFinished. */
function finishedCondition(job: KObject): string | undefined {
  for (const type of ['Complete', 'Failed']) {
    if (findCondition(job.status?.conditions, type)?.status === 'True') return type;
  }
  return undefined;
}

/** Upstream getJobName: the scheduled minute makes the name unique and idempotent per run. */
export const jobNameFor = (cronJobName: string, scheduledMs: number): string =>
  `${cronJobName}-${Math.floor(scheduledMs / MS_PER_MINUTE)}`;

export class CronJobController implements Controller {
  readonly name = CRONJOB_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #cronJobs: SharedInformer;
  readonly #jobs: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#cronJobs = ctx.informers.informerFor(CRONJOBS);
    this.#jobs = ctx.informers.informerFor(JOBS);
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#runner = new QueueRunner(ctx, this.name, [this.#cronJobs, this.#jobs], (key) =>
      this.reconcile(key),
    );
    this.#cronJobs.addEventHandler({
      onAdd: (o) => this.#runner.enqueue(o),
      onUpdate: (_old, o) => this.#runner.enqueue(o),
      onDelete: () => {},
    });
    const job = (j: KObject | DeletedFinalStateUnknown): void => {
      const owner = this.#ownerOf(unwrapDeleted(j));
      if (owner) this.#runner.enqueue(owner);
    };
    this.#jobs.addEventHandler({ onAdd: job, onUpdate: (_o, j) => job(j), onDelete: job });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  #ownerOf(job: KObject): KObject | undefined {
    const ref = controllerRefOf(job);
    if (!ref || ref.kind !== CRONJOB_KIND) return undefined;
    const cj = this.#cronJobs.lister.namespace(job.metadata!.namespace!).get(ref.name);
    return cj?.metadata?.uid === ref.uid ? cj : undefined;
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#cronJobs.lister.namespace(namespace).get(name);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const cj = structuredClone(cached) as KObject;
    cj.status ??= {};
    const before = canonicalJson(cached.status ?? {});
    const jobs = this.#jobs.lister
      .namespace(namespace)
      .list()
      .filter((j) => controllerRefOf(j)?.uid === cj.metadata!.uid);
    this.#syncActive(cj, jobs);
    await this.#pruneHistory(cj, jobs);
    const nextAt = await this.#schedule(cj, jobs);
    if (canonicalJson(cj.status) !== before) {
      try {
        await this.#ctx.client.resource(CRONJOBS, namespace).updateStatus(cj);
      } catch (err) {
        // Deleted meanwhile: nothing to report on.
        if (!isNotFound(err)) throw err;
        return;
      }
    }
    if (nextAt !== undefined) {
      this.#runner.enqueueAfter(key, nextAt - this.#ctx.clock.now() + NEXT_SCHEDULE_DELTA_MS);
    }
  }

  /** Drops finished and vanished Jobs from status.active; notes the last success. */
  #syncActive(cj: KObject, jobs: KObject[]): void {
    const active: KObject[] = cj.status.active ?? [];
    const byUid = new Map(jobs.map((j) => [j.metadata!.uid!, j]));
    const kept: KObject[] = [];
    for (const ref of active) {
      const j = byUid.get(ref.uid);
      if (!j) {
        this.#recorder.event(cj, 'Normal', REASON_MISSING_JOB, `Active job went missing: ${ref.name}`);
        continue;
      }
      const finished = finishedCondition(j);
      if (finished) {
        this.#recorder.event(
          cj,
          'Normal',
          REASON_SAW_COMPLETED_JOB,
          `Saw completed job: ${j.metadata!.name}, condition: ${finished}`,
        );
        continue;
      }
      kept.push(ref);
    }
    const known = new Set(kept.map((r) => r.uid));
    for (const j of jobs) {
      if (!finishedCondition(j) && !known.has(j.metadata!.uid)) {
        // Ours but unlisted (a crash between create and status update): track it again.
        this.#recorder.event(
          cj,
          'Warning',
          REASON_UNEXPECTED_JOB,
          `Saw a job that the controller did not create or forgot: ${j.metadata!.name}`,
        );
        kept.push(jobRef(j));
        known.add(j.metadata!.uid);
      }
      if (finishedCondition(j) === 'Complete') {
        const done = fromTimestamp(j.status?.completionTime);
        const last = fromTimestamp(cj.status.lastSuccessfulTime);
        if (done !== undefined && (last === undefined || done > last))
          cj.status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    if (kept.length) cj.status.active = kept;
    else delete cj.status.active;
  }

  /** Deletes the oldest finished Jobs beyond successful/failedJobsHistoryLimit. */
  async #pruneHistory(cj: KObject, jobs: KObject[]): Promise<void> {
    const limits: Record<string, unknown> = {
      Complete: cj.spec?.successfulJobsHistoryLimit,
      Failed: cj.spec?.failedJobsHistoryLimit,
    };
    for (const [type, limit] of Object.entries(limits)) {
      if (typeof limit !== 'number') continue;
      const finished = jobs
        .filter((j) => finishedCondition(j) === type && !j.metadata?.deletionTimestamp)
        .sort((a, b) => startOf(a) - startOf(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await this.#deleteJob(cj, j);
    }
  }

  /** Starts the run that is due, if any; returns the next start time to look again at. */
  async #schedule(cj: KObject, jobs: KObject[]): Promise<number | undefined> {
    if (cj.spec?.suspend === true) return undefined;
    let sched: Schedule;
    try {
      sched = parseSchedule(String(cj.spec?.schedule ?? ''), cj.spec?.timeZone);
    } catch (err) {
      const zoneBad = err instanceof RangeError && /time ?zone/i.test((err as Error).message);
      this.#recorder.event(
        cj,
        'Warning',
        zoneBad ? REASON_UNKNOWN_TIME_ZONE : REASON_UNPARSEABLE_SCHEDULE,
        zoneBad
          ? `invalid timeZone: ${JSON.stringify(cj.spec?.timeZone)}: ${(err as Error).message}`
          : `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(err as Error).message}`,
      );
      return undefined;
    }
    const now = this.#ctx.clock.now();
    let earliest =
      fromTimestamp(cj.status.lastScheduleTime) ?? fromTimestamp(cj.metadata?.creationTimestamp) ?? now;
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (typeof deadline === 'number') earliest = Math.max(earliest, now - deadline * 1000);
    const recent = mostRecentScheduleTime(sched, earliest, now);
    const next = sched.next(now);
    if (recent.missed > MAX_MISSED_START_TIMES) {
      this.#recorder.event(cj, 'Warning', REASON_TOO_MANY_MISSED_TIMES, MESSAGE_TOO_MANY_MISSED);
    }
    const scheduled = recent.time;
    if (scheduled === undefined) return next;
    if (typeof deadline === 'number' && scheduled + deadline * 1000 < now) {
      this.#recorder.event(
        cj,
        'Warning',
        REASON_MISS_SCHEDULE,
        `Missed scheduled time to start a job: ${formatInZone(scheduled, sched.timeZone)}`,
      );
      return next;
    }
    const jobName = jobNameFor(cj.metadata!.name!, scheduled);
    if (jobs.some((j) => j.metadata!.name === jobName)) {
      // Already started (its status update may have been lost): record it as scheduled.
      if ((fromTimestamp(cj.status.lastScheduleTime) ?? 0) < scheduled)
        cj.status.lastScheduleTime = toTimestamp(scheduled);
      return next;
    }
    const active: KObject[] = cj.status.active ?? [];
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      this.#recorder.event(cj, 'Normal', REASON_JOB_ALREADY_ACTIVE, MESSAGE_FORBID);
      return next;
    }
    if (policy === 'Replace') {
      for (const ref of active) {
        const j = jobs.find((x) => x.metadata!.uid === ref.uid);
        if (j) await this.#deleteJob(cj, j);
      }
      delete cj.status.active;
    }
    const ref = newControllerRef(cj, apiVersionOfRef(CRONJOBS), CRONJOB_KIND);
    const job = jobFromTemplate(cj, jobName, scheduled, sched.timeZone, ref);
    let created: KObject;
    try {
      created = await this.#ctx.client.resource(JOBS, cj.metadata!.namespace!).create(job);
      this.#recorder.event(cj, 'Normal', REASON_SUCCESSFUL_CREATE, `Created job ${jobName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.#recorder.event(
          cj,
          'Warning',
          REASON_FAILED_CREATE,
          `Error creating job: ${(err as Error).message}`,
        );
        throw err;
      }
      // Created by an earlier attempt whose status update was lost: the cache will show it.
      return next;
    }
    cj.status.active = [...(cj.status.active ?? []), jobRef(created)];
    cj.status.lastScheduleTime = toTimestamp(scheduled);
    return next;
  }

  async #deleteJob(cj: KObject, job: KObject): Promise<void> {
    try {
      await this.#ctx.client
        .resource(JOBS, job.metadata!.namespace!)
        .delete(job.metadata!.name!, { propagationPolicy: 'Background' });
      this.#recorder.event(cj, 'Normal', REASON_SUCCESSFUL_DELETE, `Deleted job ${job.metadata!.name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (cj.status.active) {
      cj.status.active = cj.status.active.filter((r: KObject) => r.uid !== job.metadata!.uid);
      if (!cj.status.active.length) delete cj.status.active;
    }
  }
}

const startOf = (j: KObject): number =>
  fromTimestamp(j.status?.startTime) ?? fromTimestamp(j.metadata?.creationTimestamp) ?? 0;

const jobRef = (j: KObject): KObject => ({
  kind: 'Job',
  namespace: j.metadata!.namespace,
  name: j.metadata!.name,
  uid: j.metadata!.uid,
  apiVersion: 'batch/v1',
  resourceVersion: j.metadata!.resourceVersion,
});

/** Upstream getJobFromTemplate2. */
export function jobFromTemplate(
  cj: KObject,
  name: string,
  scheduledMs: number,
  timeZone: string,
  ref: OwnerReference,
): KObject {
  const tmpl = structuredClone(cj.spec?.jobTemplate ?? {}) as KObject;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata!.namespace,
      labels: tmpl.metadata?.labels ?? {},
      annotations: {
        ...(tmpl.metadata?.annotations ?? {}),
        [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledMs, timeZone),
      },
      ownerReferences: [ref],
    },
    spec: tmpl.spec ?? {},
  };
}

export const cronJobControllerFactory: ControllerFactory = (ctx) => new CronJobController(ctx);
