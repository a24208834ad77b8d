// The Job controller (upstream pkg/controller/job), with the ttl-after-finished controller folded
// in: runs pods until `completions` succeed (NonIndexed, or one per index for Indexed Jobs), at most
// `parallelism` at a time; replaces failed pods after an exponential back-off; fails the Job past
// backoffLimit or activeDeadlineSeconds; honours suspend; deletes finished Jobs after their TTL.
//
//   job/pod events ──► key ──► reconcile:
//     claim pods ─► newly finished pods (still holding the job-tracking finalizer)
//       ─► status with uncountedTerminatedPods ─► remove the finalizers ─► create/delete pods
//       ─► status with the counters moved, FailureTarget/SuccessCriteriaMet, then Failed/Complete
//          once no pod is left running
import type { KObject } from '../../api/object.ts';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.ts';
import {
  type DeletedFinalStateUnknown,
  type EventRecorder,
  isNotFound,
  PODS,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { type Condition, findCondition, setCondition } from '../common/conditions.ts';
import { claimObjects, controllerRefOf, newControllerRef } from '../common/controller-ref.ts';
import { ControllerExpectations } from '../common/expectations.ts';
import { canonicalJson } from '../common/hash.ts';
import { PodControl } from '../common/pod-control.ts';
import { isPodReady, isPodTerminal, POD_FAILED, POD_SUCCEEDED } from '../common/pod-util.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import { apiVersionOfRef, JOBS } from '../common/resources.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/slow-start.ts';
import { fromTimestamp, toTimestamp } from '../common/time.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  type BackoffRecord,
  DEFAULT_POD_FAILURE_BACKOFF_MS,
  nextBackoffRecord,
  remainingBackoffMs,
} from './backoff.ts';
import { ACTION_FAIL_JOB, ACTION_IGNORE, matchPodFailurePolicy } from './failure-policy.ts';
import { formatIndexes, parseIndexes, podIndex } from './indexes.ts';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, jobPod } from './pod-template.ts';
import {
  CONDITION_COMPLETE,
  CONDITION_FAILED,
  CONDITION_FAILURE_TARGET,
  CONDITION_SUSPENDED,
  earlierVerdict,
  judgeJob,
} from './verdict.ts';

export const JOB_CONTROLLER = 'job';
const EVENT_SOURCE = 'job-controller';
const JOB_KIND = 'Job';

export const REASON_JOB_SUSPENDED = 'JobSuspended';
export const REASON_JOB_RESUMED = 'JobResumed';
const EVENT_COMPLETED = 'Completed';
const EVENT_SUSPENDED = 'Suspended';
const EVENT_RESUMED = 'Resumed';

const MESSAGE_SUSPENDED = 'Job suspended';
const MESSAGE_RESUMED = 'Job resumed';
const MESSAGE_COMPLETED = 'Job completed';

/** Queue keys for pods whose Job is gone (they share the Jobs' queue, as upstream's orphanQueue). */
const ORPHAN_KEY_PREFIX = 'orphan-pod:';
/** Upstream MaxUncountedPods: status stays small however many pods finish at once. */
const MAX_UNCOUNTED_PODS = 500;

export interface JobControllerOptions {
  /** First delay before replacing a failed pod (upstream 10 s; tests shorten it). */
  podFailureBackoffMs?: number;
}

interface Uncounted {
  succeeded: string[];
  failed: string[];
}

const keyOf = (o: KObject): string => `${o.metadata!.namespace}/${o.metadata!.name}`;
const conditionTrue = (job: KObject, type: string): boolean =>
  findCondition(job.status?.conditions, type)?.status === 'True';
const podRestarts = (p: KObject): number =>
  [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].reduce(
    (m: number, c: KObject) => m + Number(c.restartCount ?? 0),
    0,
  );
export const isJobFinished = (job: KObject): boolean =>
  conditionTrue(job, CONDITION_COMPLETE) || conditionTrue(job, CONDITION_FAILED);

export class JobController implements Controller {
  readonly name = JOB_CONTROLLER;
  readonly expectations: ControllerExpectations;
  readonly #ctx: ControllerContext;
  readonly #jobs: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;
  readonly #podControl: PodControl;
  readonly #backoffMs: number;
  readonly #backoff = new Map<string, BackoffRecord>();
  /** Pod UIDs whose finalizer we removed but the cache has not shown yet: never count them twice. */
  readonly #finalizerRemovals = new Map<string, Set<string>>();

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    this.#ctx = ctx;
    this.#backoffMs = opts.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    this.expectations = new ControllerExpectations(ctx.clock);
    this.#jobs = ctx.informers.informerFor(JOBS);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#podControl = new PodControl(ctx.client, this.#recorder);
    this.#runner = new QueueRunner(ctx, this.name, [this.#jobs, this.#pods], (key) => this.reconcile(key));
    this.#jobs.addEventHandler({
      onAdd: (o) => this.#runner.enqueue(o),
      onUpdate: (_old, o) => this.#runner.enqueue(o),
      onDelete: (o) => {
        const job = unwrapDeleted(o);
        const key = keyOf(job);
        this.expectations.delete(key);
        this.#backoff.delete(key);
        this.#finalizerRemovals.delete(key);
        // Its pods still hold the tracking finalizer: release them, or they never go away.
        for (const p of this.#pods.lister.namespace(job.metadata!.namespace!).list()) {
          if (controllerRefOf(p)?.uid === job.metadata!.uid && hasTrackingFinalizer(p))
            this.#enqueueOrphan(p);
        }
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p, true),
      onUpdate: (_old, p) => this.#podChanged(p, false),
      onDelete: (p) => this.#podGone(p),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  #ownerOf(pod: KObject): KObject | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== JOB_KIND) return undefined;
    const job = this.#jobs.lister.namespace(pod.metadata!.namespace!).get(ref.name);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }

  #podChanged(pod: KObject, added: boolean): void {
    const job = this.#ownerOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.#enqueueOrphan(pod);
      if (controllerRefOf(pod)) return;
      for (const j of this.#jobs.lister.namespace(pod.metadata!.namespace!).list()) {
        if (matchesLabels(labelSelectorFromObject(j.spec?.selector), pod.metadata?.labels ?? {}))
          this.#runner.enqueue(j);
      }
      return;
    }
    const key = keyOf(job);
    if (added) this.expectations.creationObserved(key);
    if (pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, pod.metadata.uid!);
    if (!hasTrackingFinalizer(pod)) this.#finalizerRemovals.get(key)?.delete(pod.metadata!.uid!);
    this.#runner.enqueue(job);
  }

  #enqueueOrphan(pod: KObject): void {
    this.#runner.queue.add(`${ORPHAN_KEY_PREFIX}${keyOf(pod)}`);
  }

  /**
   * Upstream syncOrphanPod: a pod with the tracking finalizer whose Job is gone (or was never
   * ours to count) loses the finalizer, so deleting it is not blocked forever.
   */
  async #syncOrphanPod(podKey: string): Promise<void> {
    const { namespace, name } = splitKey(podKey);
    const pod = this.#pods.lister.namespace(namespace).get(name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref?.kind === JOB_KIND) {
      const cached = this.#jobs.lister.namespace(namespace).get(ref.name);
      if (cached?.metadata?.uid === ref.uid && !isJobFinished(cached)) return;
      const fresh = await this.#fetch(namespace, ref.name);
      if (fresh?.metadata?.uid === ref.uid && !isJobFinished(fresh)) return;
    }
    try {
      await this.#ctx.client.resource(PODS, namespace).patch(name, 'strategic', {
        metadata: { uid: pod.metadata!.uid, '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #podGone(p: KObject | DeletedFinalStateUnknown): void {
    const pod = unwrapDeleted(p);
    const job = this.#ownerOf(pod);
    if (!job) return;
    const key = keyOf(job);
    this.expectations.deletionObserved(key, pod.metadata!.uid!);
    this.#finalizerRemovals.get(key)?.delete(pod.metadata!.uid!);
    this.#runner.enqueue(job);
  }

  async reconcile(key: string): Promise<void> {
    if (key.startsWith(ORPHAN_KEY_PREFIX)) return this.#syncOrphanPod(key.slice(ORPHAN_KEY_PREFIX.length));
    const { namespace, name } = splitKey(key);
    const job = this.#jobs.lister.namespace(namespace).get(name);
    if (!job) return;
    const podsClient = this.#ctx.client.resource(PODS, namespace);
    const pods = await claimObjects(this.#pods.lister.namespace(namespace).list(), {
      owner: job,
      ownerApiVersion: apiVersionOfRef(JOBS),
      ownerKind: JOB_KIND,
      selector: labelSelectorFromObject(job.spec?.selector),
      client: podsClient,
      fetchOwner: () => this.#fetch(namespace, name),
    });
    if (isJobFinished(job)) {
      await this.#removeFinalizers(
        key,
        namespace,
        pods.filter(hasTrackingFinalizer).map((p) => p.metadata!.uid!),
        pods,
      );
      await this.#expireAfterTtl(key, job);
      return;
    }
    if (!this.expectations.satisfied(key)) return;
    try {
      await this.#sync(key, job, pods);
    } catch (err) {
      // The Job was deleted under us (its status write 404s): the delete event ends the story.
      if (isNotFound(err) && !(await this.#fetch(namespace, name))) return;
      throw err;
    }
  }

  async #sync(key: string, job: KObject, pods: KObject[]): Promise<void> {
    const namespace = job.metadata!.namespace!;
    const now = this.#ctx.clock.now();
    const spec = job.spec ?? {};
    const indexed = spec.completionMode === 'Indexed';
    const completions: number | undefined =
      typeof spec.completions === 'number' ? spec.completions : undefined;
    const parallelism = Number(spec.parallelism ?? 1);
    const suspended = spec.suspend === true;
    const st: KObject = structuredClone(job.status ?? {});
    const uncounted: Uncounted = {
      succeeded: [...(st.uncountedTerminatedPods?.succeeded ?? [])],
      failed: [...(st.uncountedTerminatedPods?.failed ?? [])],
    };
    const completed = parseIndexes(st.completedIndexes, completions ?? 0);

    // Newly finished pods: terminal, or deleted before finishing (counted as failed, as upstream).
    const pending = this.#finalizerRemovals.get(key) ?? new Set<string>();
    const known = new Set([...uncounted.succeeded, ...uncounted.failed]);
    let newSucceeded = 0;
    let newFailed = 0;
    // Failed pods the pod failure policy ignores: released, never counted.
    const ignored: string[] = [];
    let policyFailure: string | undefined;
    for (const p of pods) {
      const uid = p.metadata!.uid!;
      if (!hasTrackingFinalizer(p) || pending.has(uid) || known.has(uid)) continue;
      if (known.size >= MAX_UNCOUNTED_PODS) break;
      const phase = p.status?.phase;
      if (phase === POD_SUCCEEDED) {
        uncounted.succeeded.push(uid);
        newSucceeded++;
        const idx = podIndex(p);
        if (indexed && idx !== undefined && idx < (completions ?? 0)) completed.add(idx);
      } else if (phase === POD_FAILED || p.metadata?.deletionTimestamp) {
        const match = phase === POD_FAILED ? matchPodFailurePolicy(spec.podFailurePolicy, p) : undefined;
        if (match?.action === ACTION_IGNORE) {
          ignored.push(uid);
          known.add(uid);
          continue;
        }
        if (match?.action === ACTION_FAIL_JOB) policyFailure ??= match.message;
        uncounted.failed.push(uid);
        newFailed++;
      } else continue;
      known.add(uid);
    }
    if (newSucceeded || newFailed) {
      this.#backoff.set(key, nextBackoffRecord(this.#backoff.get(key), newSucceeded, newFailed, now));
    }

    const active = pods.filter((p) => !isPodTerminal(p) && !p.metadata?.deletionTimestamp);
    const terminating = pods.filter((p) => !isPodTerminal(p) && p.metadata?.deletionTimestamp).length;
    const succeeded = indexed ? completed.size : Number(st.succeeded ?? 0) + uncounted.succeeded.length;
    const failed = Number(st.failed ?? 0) + uncounted.failed.length;

    // Suspension and the start time (cleared while suspended so the deadline restarts on resume).
    let conditions: Condition[] = (st.conditions ?? []) as Condition[];
    const wasSuspended = conditionTrue(job, CONDITION_SUSPENDED);
    if (suspended && !wasSuspended) {
      conditions = setCondition(
        conditions,
        this.#cond(CONDITION_SUSPENDED, REASON_JOB_SUSPENDED, MESSAGE_SUSPENDED, now),
      );
      this.#recorder.event(job, 'Normal', EVENT_SUSPENDED, MESSAGE_SUSPENDED);
      delete st.startTime;
    } else if (!suspended && wasSuspended) {
      conditions = setCondition(conditions, {
        ...this.#cond(CONDITION_SUSPENDED, REASON_JOB_RESUMED, MESSAGE_RESUMED, now),
        status: 'False',
      });
      this.#recorder.event(job, 'Normal', EVENT_RESUMED, MESSAGE_RESUMED);
      st.startTime = toTimestamp(now);
    }
    if (!suspended) st.startTime ??= toTimestamp(now);

    // The verdict: an earlier FailureTarget/SuccessCriteriaMet stands; otherwise judge now.
    let verdict = earlierVerdict(conditions);
    if (!verdict) {
      verdict = judgeJob({
        spec,
        nowMs: now,
        startedMs: fromTimestamp(st.startTime),
        succeeded,
        failed,
        active: active.length,
        restarts: active.reduce((n, p) => n + podRestarts(p), 0),
        policyFailure,
      });
      if (verdict) {
        conditions = setCondition(conditions, this.#cond(verdict.type, verdict.reason, verdict.message, now));
        if (verdict.type === CONDITION_FAILURE_TARGET)
          this.#recorder.event(job, 'Warning', verdict.reason, verdict.message);
      }
    }

    // 1. Record the newly finished pods as uncounted before their finalizers go.
    let cur = job;
    const setStatus = async (patch: KObject): Promise<void> => {
      const next = { ...st, ...patch };
      if (canonicalJson(next) === canonicalJson(cur.status ?? {})) return;
      const body = structuredClone(cur) as KObject;
      body.status = next;
      cur = await this.#ctx.client.resource(JOBS, namespace).updateStatus(body);
      Object.assign(st, patch);
    };
    const base = (): KObject => ({
      active: active.length,
      ready: active.filter(isPodReady).length,
      terminating,
      ...(indexed ? { completedIndexes: formatIndexes(completed) } : {}),
      conditions,
    });
    if (newSucceeded || newFailed) {
      await setStatus({ ...base(), uncountedTerminatedPods: uncounted });
    }
    // 2. Let the counted pods go.
    await this.#removeFinalizers(
      key,
      namespace,
      [...uncounted.succeeded, ...uncounted.failed, ...ignored],
      pods,
    );

    // 3. Pods: stop everything after a verdict or while suspended; otherwise run what is missing.
    let created = 0;
    let deleted = 0;
    let manageError: unknown;
    try {
      if (verdict || suspended) {
        deleted = await this.#deletePods(key, job, active);
      } else {
        ({ created, deleted } = await this.#manage(
          key,
          job,
          active,
          succeeded,
          completed,
          parallelism,
          completions,
          now,
        ));
      }
    } catch (err) {
      manageError = err;
    }

    // 4. Move the counters; set the terminal condition once nothing runs any more.
    const activeAfter = active.length - deleted + created;
    const terminatingAfter = terminating + deleted;
    const next: KObject = {
      ...base(),
      active: activeAfter,
      terminating: terminatingAfter,
      succeeded,
      failed,
      uncountedTerminatedPods: {},
    };
    if (verdict && activeAfter === 0 && terminatingAfter === 0) {
      const terminal = verdict.type === CONDITION_FAILURE_TARGET ? CONDITION_FAILED : CONDITION_COMPLETE;
      next.conditions = setCondition(conditions, this.#cond(terminal, verdict.reason, verdict.message, now));
      if (terminal === CONDITION_COMPLETE) {
        next.completionTime = toTimestamp(now);
        this.#recorder.event(job, 'Normal', EVENT_COMPLETED, MESSAGE_COMPLETED);
      }
    }
    await setStatus(next);
    if (manageError !== undefined) throw manageError;

    // Deadlines: look again when the Job would run past activeDeadlineSeconds.
    const started = fromTimestamp(st.startTime);
    if (!verdict && typeof spec.activeDeadlineSeconds === 'number' && started !== undefined) {
      this.#runner.enqueueAfter(key, started + spec.activeDeadlineSeconds * 1000 - now);
    }
    if (isJobFinished(cur)) await this.#expireAfterTtl(key, cur);
  }

  #cond(type: string, reason: string, message: string, now: number): Condition {
    const at = toTimestamp(now);
    return { type, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at };
  }

  async #manage(
    key: string,
    job: KObject,
    active: KObject[],
    succeeded: number,
    completed: Set<number>,
    parallelism: number,
    completions: number | undefined,
    now: number,
  ): Promise<{ created: number; deleted: number }> {
    const indexed = job.spec?.completionMode === 'Indexed';
    let want: number;
    if (completions === undefined) want = succeeded > 0 ? 0 : parallelism;
    else want = Math.min(parallelism, Math.max(0, completions - succeeded));
    // Indexed: pods for finished or duplicated indexes are surplus.
    const surplus: KObject[] = [];
    const running = new Set<number>();
    if (indexed) {
      for (const p of active) {
        const idx = podIndex(p);
        if (idx === undefined || completed.has(idx) || running.has(idx) || idx >= (completions ?? 0))
          surplus.push(p);
        else running.add(idx);
      }
    }
    const keep = active.filter((p) => !surplus.includes(p));
    if (keep.length > want) {
      // Delete the newest pods first (upstream: the least valuable by ActivePods ordering).
      const extra = [...keep]
        .sort(
          (a, b) =>
            (fromTimestamp(b.metadata?.creationTimestamp) ?? 0) -
            (fromTimestamp(a.metadata?.creationTimestamp) ?? 0),
        )
        .slice(0, keep.length - want);
      surplus.push(...extra);
    }
    if (surplus.length) return { created: 0, deleted: await this.#deletePods(key, job, surplus) };
    const missing = want - keep.length;
    if (missing <= 0) return { created: 0, deleted: 0 };
    const wait = remainingBackoffMs(this.#backoff.get(key), now, this.#backoffMs);
    if (wait > 0) {
      this.#runner.enqueueAfter(key, wait);
      return { created: 0, deleted: 0 };
    }
    const indexes: (number | undefined)[] = [];
    if (indexed) {
      for (let i = 0; i < (completions ?? 0) && indexes.length < missing; i++) {
        if (!completed.has(i) && !running.has(i)) indexes.push(i);
      }
    } else for (let i = 0; i < missing; i++) indexes.push(undefined);
    const n = indexes.length;
    this.expectations.expectCreations(key, n);
    const ref = newControllerRef(job, apiVersionOfRef(JOBS), JOB_KIND);
    const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async (i) => {
      await this.#podControl.create(job, jobPod(job, ref, indexes[i]));
    });
    for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return { created: successes, deleted: 0 };
  }

  async #deletePods(key: string, job: KObject, pods: KObject[]): Promise<number> {
    if (!pods.length) return 0;
    this.expectations.expectDeletions(
      key,
      pods.map((p) => p.metadata!.uid!),
    );
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        try {
          if (!(await this.#podControl.delete(job, p)))
            this.expectations.deletionObserved(key, p.metadata!.uid!);
        } catch (err) {
          this.expectations.deletionObserved(key, p.metadata!.uid!);
          throw err;
        }
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return pods.length;
  }

  /** Removes the job-tracking finalizer from these pods (by UID), remembering until seen. */
  async #removeFinalizers(key: string, namespace: string, uids: string[], pods: KObject[]): Promise<void> {
    const byUid = new Map(pods.map((p) => [p.metadata!.uid!, p]));
    const client = this.#ctx.client.resource(PODS, namespace);
    let pending = this.#finalizerRemovals.get(key);
    for (const uid of uids) {
      const pod = byUid.get(uid);
      if (!pod || !hasTrackingFinalizer(pod) || pending?.has(uid)) continue;
      if (!pending) {
        pending = new Set();
        this.#finalizerRemovals.set(key, pending);
      }
      pending.add(uid);
      try {
        await client.patch(pod.metadata!.name!, 'strategic', {
          metadata: { uid, '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
        });
      } catch (err) {
        if (!isNotFound(err)) {
          pending.delete(uid);
          throw err;
        }
      }
    }
  }

  /** The ttl-after-finished controller's job: delete a finished Job once its TTL has passed. */
  async #expireAfterTtl(key: string, job: KObject): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (typeof ttl !== 'number' || job.metadata?.deletionTimestamp) return;
    const finish =
      fromTimestamp(job.status?.completionTime) ??
      fromTimestamp(findCondition(job.status?.conditions, CONDITION_FAILED)?.lastTransitionTime) ??
      fromTimestamp(findCondition(job.status?.conditions, CONDITION_COMPLETE)?.lastTransitionTime);
    if (finish === undefined) return;
    const left = finish + ttl * 1000 - this.#ctx.clock.now();
    if (left > 0) {
      this.#runner.enqueueAfter(key, left);
      return;
    }
    try {
      await this.#ctx.client.resource(JOBS, job.metadata!.namespace!).delete(job.metadata!.name!, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata!.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #fetch(namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#ctx.client.resource(JOBS, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export const jobControllerFactory: ControllerFactory = (ctx) => new JobController(ctx);
/** A factory with tuning (tests shorten the pod failure back-off). */
export const jobControllerFactoryWith =
  (opts: JobControllerOptions): ControllerFactory =>
  (ctx) =>
    new JobController(ctx, opts);
