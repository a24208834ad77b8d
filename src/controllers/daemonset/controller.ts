// The DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node. Pods are
// pinned to their node through required node affinity on metadata.name and placed by the
// scheduler (upstream since 1.12); they carry the tolerations every daemon pod gets. Template
// changes become ControllerRevisions and roll out node by node within maxUnavailable (or, with
// maxSurge, a new pod starts beside the old one); OnDelete waits for the user to delete pods.
//
//   ds/pod/node/revision events ──► key ──► reconcile:
//     claim pods + revisions ─► current revision (hash) ─► per node: should run? pods there?
//       ─► create missing / delete failed, surplus, evicted ─► rolling update ─► status
import type { KObject } from '../../api/object.ts';
import { labelSelectorFromObject } from '../../api/selectors/index.ts';
import {
  type DeletedFinalStateUnknown,
  type EventRecorder,
  isNotFound,
  NODES,
  PODS,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { claimObjects, controllerRefOf, newControllerRef } from '../common/controller-ref.ts';
import { ControllerExpectations } from '../common/expectations.ts';
import { canonicalJson } from '../common/hash.ts';
import { ensureRevision, templatePatch, truncateHistory } from '../common/history.ts';
import { scaledValue } from '../common/int-or-percent.ts';
import { generateNamePrefix, PodControl, podFromTemplate } from '../common/pod-control.ts';
import { availableAt, isPodAvailable, isPodReady, POD_FAILED, POD_SUCCEEDED } from '../common/pod-util.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import { apiVersionOfRef, CONTROLLER_REVISIONS, DAEMONSETS } from '../common/resources.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/slow-start.ts';
import { fromTimestamp } from '../common/time.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { daemonPodTolerations, nodeShouldRunDaemonPod, pinToNode, targetNodeOf } from './eligibility.ts';

export const DAEMONSET_CONTROLLER = 'daemonset';
const EVENT_SOURCE = 'daemonset-controller';
const DS_KIND = 'DaemonSet';
/** Upstream DefaultDaemonSetUniqueLabelKey: the revision hash on daemon pods and revisions. */
export const DAEMONSET_HASH_LABEL = 'controller-revision-hash';
/** Upstream DaemonSetTemplateGenerationKey (deprecated, still set). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const REASON_FAILED_DAEMON_POD = 'FailedDaemonPod';
const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const DEFAULT_MAX_UNAVAILABLE = 1;

const keyOf = (o: KObject): string => `${o.metadata!.namespace}/${o.metadata!.name}`;
const isTerminating = (p: KObject): boolean => !!p.metadata?.deletionTimestamp;
const podHash = (p: KObject): string | undefined => p.metadata?.labels?.[DAEMONSET_HASH_LABEL];
const created = (p: KObject): number => fromTimestamp(p.metadata?.creationTimestamp) ?? 0;

interface Plan {
  create: string[];
  remove: KObject[];
}

export class DaemonSetController implements Controller {
  readonly name = DAEMONSET_CONTROLLER;
  readonly expectations: ControllerExpectations;
  readonly #ctx: ControllerContext;
  readonly #sets: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #nodes: SharedInformer;
  readonly #revisions: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.expectations = new ControllerExpectations(ctx.clock);
    this.#sets = ctx.informers.informerFor(DAEMONSETS);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#nodes = ctx.informers.informerFor(NODES);
    this.#revisions = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#podControl = new PodControl(ctx.client, this.#recorder);
    this.#runner = new QueueRunner(
      ctx,
      this.name,
      [this.#sets, this.#pods, this.#nodes, this.#revisions],
      (key) => this.reconcile(key),
    );
    this.#sets.addEventHandler({
      onAdd: (o) => this.#runner.enqueue(o),
      onUpdate: (_old, o) => this.#runner.enqueue(o),
      onDelete: (o) => this.expectations.delete(keyOf(unwrapDeleted(o))),
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podEvent(p, 'add'),
      onUpdate: (_old, p) => this.#podEvent(p, isTerminating(p) ? 'delete' : 'update'),
      onDelete: (p) => this.#podEvent(unwrapDeleted(p), 'delete'),
    });
    // Any node change may change where daemons run: look at every DaemonSet.
    const all = (): void => {
      for (const ds of this.#sets.lister.list()) this.#runner.enqueue(ds);
    };
    this.#nodes.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
    const revision = (r: KObject | DeletedFinalStateUnknown): void => {
      const owner = this.#ownerOf(unwrapDeleted(r));
      if (owner) this.#runner.enqueue(owner);
    };
    this.#revisions.addEventHandler({
      onAdd: revision,
      onUpdate: (_o, r) => revision(r),
      onDelete: revision,
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  #ownerOf(obj: KObject): KObject | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== DS_KIND) return undefined;
    const ds = this.#sets.lister.namespace(obj.metadata!.namespace!).get(ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  #podEvent(pod: KObject, what: 'add' | 'update' | 'delete'): void {
    const ds = this.#ownerOf(pod);
    if (!ds) {
      if (!controllerRefOf(pod)) {
        for (const d of this.#sets.lister.namespace(pod.metadata!.namespace!).list()) this.#runner.enqueue(d);
      }
      return;
    }
    const key = keyOf(ds);
    if (what === 'add') this.expectations.creationObserved(key);
    if (what === 'delete') this.expectations.deletionObserved(key, pod.metadata!.uid!);
    this.#runner.enqueue(ds);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.#sets.lister.namespace(namespace).get(name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const selector = labelSelectorFromObject(ds.spec?.selector);
    const apiVersion = apiVersionOfRef(DAEMONSETS);
    const fetchOwner = () => this.#fetch(namespace, name);
    const pods = await claimObjects(this.#pods.lister.namespace(namespace).list(), {
      owner: ds,
      ownerApiVersion: apiVersion,
      ownerKind: DS_KIND,
      selector,
      client: this.#ctx.client.resource(PODS, namespace),
      fetchOwner,
    });
    const revisions = await claimObjects(this.#revisions.lister.namespace(namespace).list(), {
      owner: ds,
      ownerApiVersion: apiVersion,
      ownerKind: DS_KIND,
      selector,
      client: this.#ctx.client.resource(CONTROLLER_REVISIONS, namespace),
      fetchOwner,
    });
    const { revision, collisionCount } = await ensureRevision({
      client: this.#ctx.client,
      owner: ds,
      ownerApiVersion: apiVersion,
      ownerKind: DS_KIND,
      revisions,
      data: templatePatch(ds.spec?.template),
      labels: ds.spec?.template?.metadata?.labels ?? {},
      collisionCount: Number(ds.status?.collisionCount ?? 0),
      hashLabel: DAEMONSET_HASH_LABEL,
    });
    const hash = revision.metadata!.labels![DAEMONSET_HASH_LABEL];
    const nodes = [...this.#nodes.lister.list()];
    const byNode = new Map<string, KObject[]>();
    for (const p of pods) {
      const n = targetNodeOf(p);
      if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    let manageError: unknown;
    if (this.expectations.satisfied(key)) {
      try {
        const plan = this.#plan(ds, nodes, byNode, hash);
        await this.#execute(key, ds, plan, hash);
      } catch (err) {
        manageError = err;
      }
    }
    await this.#updateStatus(ds, nodes, byNode, hash, collisionCount);
    const inUse = new Set([revision.metadata!.name!]);
    for (const r of revisions) {
      const h = r.metadata?.labels?.[DAEMONSET_HASH_LABEL];
      if (h && pods.some((p) => podHash(p) === h)) inUse.add(r.metadata!.name!);
    }
    await truncateHistory(
      this.#ctx.client,
      revisions,
      inUse,
      Number(ds.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT),
    );
    if (manageError !== undefined) throw manageError;
  }

  /** What to create and delete: upstream manage (podsShouldBeOnNode) then rollingUpdate. */
  #plan(ds: KObject, nodes: KObject[], byNode: Map<string, KObject[]>, hash: string): Plan {
    const plan: Plan = { create: [], remove: [] };
    const touched = new Set<string>();
    const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const surge = rolling
      ? scaledValue(
          ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0,
          this.#desiredNodes(ds, nodes).length,
          true,
        )
      : 0;
    for (const node of nodes) {
      const nodeName = node.metadata!.name!;
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds.spec?.template, node);
      const here = (byNode.get(nodeName) ?? []).filter((p) => !isTerminating(p));
      if (!shouldContinueRunning) {
        if (here.length) touched.add(nodeName);
        plan.remove.push(...here);
        continue;
      }
      const failed = here.filter((p) => p.status?.phase === POD_FAILED);
      for (const p of failed) {
        this.#recorder.event(
          ds,
          'Warning',
          REASON_FAILED_DAEMON_POD,
          `Found failed daemon pod ${p.metadata!.namespace}/${p.metadata!.name} on node ${nodeName}, will try to kill it`,
        );
      }
      plan.remove.push(...failed);
      const running = here.filter((p) => p.status?.phase !== POD_FAILED && p.status?.phase !== POD_SUCCEEDED);
      if (failed.length) touched.add(nodeName);
      if (shouldRun && running.length === 0) {
        if (!failed.length) plan.create.push(nodeName);
        touched.add(nodeName);
        continue;
      }
      if (running.length > 1) {
        // Keep the oldest pod (and, while surging, the newest updated one beside it).
        const sorted = [...running].sort((a, b) => created(a) - created(b));
        const keep = new Set([sorted[0]]);
        if (surge > 0) {
          const updated = sorted.filter((p) => podHash(p) === hash);
          if (updated.length) keep.add(updated[updated.length - 1]);
        }
        const extra = sorted.filter((p) => !keep.has(p));
        if (extra.length) touched.add(nodeName);
        plan.remove.push(...extra);
      }
    }
    if (rolling) this.#rollingUpdate(ds, nodes, byNode, hash, surge, touched, plan);
    return plan;
  }

  #desiredNodes(ds: KObject, nodes: KObject[]): KObject[] {
    return nodes.filter((n) => nodeShouldRunDaemonPod(ds.spec?.template, n).shouldRun);
  }

  /** Upstream rollingUpdate: replace old pods node by node within the unavailability budget. */
  #rollingUpdate(
    ds: KObject,
    nodes: KObject[],
    byNode: Map<string, KObject[]>,
    hash: string,
    surge: number,
    touched: Set<string>,
    plan: Plan,
  ): void {
    const now = this.#ctx.clock.now();
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const desired = this.#desiredNodes(ds, nodes);
    let maxUnavailable = scaledValue(
      ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE,
      desired.length,
      true,
    );
    if (maxUnavailable === 0 && surge === 0) maxUnavailable = DEFAULT_MAX_UNAVAILABLE;
    const available = (p: KObject | undefined) => !!p && isPodAvailable(p, minReady, now);
    let unavailable = 0;
    let surging = 0;
    const candidates: { node: string; old: KObject }[] = [];
    for (const node of desired) {
      const nodeName = node.metadata!.name!;
      const here = (byNode.get(nodeName) ?? []).filter(
        (p) => !isTerminating(p) && p.status?.phase !== POD_FAILED,
      );
      const fresh = here.find((p) => podHash(p) === hash);
      const old = here.find((p) => podHash(p) !== hash);
      if (touched.has(nodeName)) {
        if (!available(fresh) && !available(old)) unavailable++;
        continue;
      }
      if (!old) {
        if (!available(fresh)) unavailable++;
        continue;
      }
      if (surge > 0) {
        if (fresh) {
          // The new pod replaces the old one once it is available.
          if (available(fresh)) plan.remove.push(old);
          else surging++;
          continue;
        }
        if (!available(old)) {
          plan.create.push(nodeName);
          continue;
        }
        candidates.push({ node: nodeName, old });
        continue;
      }
      if (!available(old)) {
        // An old pod that is not available anyway can go at once.
        plan.remove.push(old);
        unavailable++;
        continue;
      }
      candidates.push({ node: nodeName, old });
    }
    for (const c of candidates) {
      if (surge > 0) {
        if (surging >= surge) break;
        surging++;
        plan.create.push(c.node);
        continue;
      }
      if (unavailable >= maxUnavailable) break;
      unavailable++;
      plan.remove.push(c.old);
    }
  }

  /** Deletions first; creations once nothing is left to delete (one expectation set per sync). */
  async #execute(key: string, ds: KObject, plan: Plan, hash: string): Promise<void> {
    if (plan.remove.length) {
      this.expectations.expectDeletions(
        key,
        plan.remove.map((p) => p.metadata!.uid!),
      );
      const results = await Promise.allSettled(
        plan.remove.map(async (p) => {
          try {
            if (!(await this.#podControl.delete(ds, p)))
              this.expectations.deletionObserved(key, p.metadata!.uid!);
          } catch (err) {
            this.expectations.deletionObserved(key, p.metadata!.uid!);
            throw err;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      // Creations wait for the deletions to be observed (the next sync).
      return;
    }
    const n = plan.create.length;
    if (!n) return;
    this.expectations.expectCreations(key, n);
    const ref = newControllerRef(ds, apiVersionOfRef(DAEMONSETS), DS_KIND);
    const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async (i) => {
      await this.#podControl.create(ds, this.#newPod(ds, plan.create[i], hash, ref));
    });
    for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
  }

  #newPod(ds: KObject, nodeName: string, hash: string, ref: ReturnType<typeof newControllerRef>): KObject {
    const pod = podFromTemplate(ds.spec?.template, ds.metadata!.namespace!, ref);
    pod.metadata!.generateName = generateNamePrefix(ds.metadata!.name!);
    pod.metadata!.labels = {
      ...pod.metadata!.labels,
      [DAEMONSET_HASH_LABEL]: hash,
      [TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 1),
    };
    pod.spec.tolerations = daemonPodTolerations(pod.spec);
    pinToNode(pod.spec, nodeName);
    return pod;
  }

  async #updateStatus(
    ds: KObject,
    nodes: KObject[],
    byNode: Map<string, KObject[]>,
    hash: string,
    collisionCount: number,
  ): Promise<void> {
    const now = this.#ctx.clock.now();
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const surging =
      (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, 1, true) > 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    let nextAvailable: number | undefined;
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(ds.spec?.template, node);
      // Pods count for their target node from creation on, before the scheduler binds them.
      const here = (byNode.get(node.metadata!.name!) ?? []).filter((p) => !isTerminating(p));
      if (!shouldRun) {
        if (here.length) misscheduled++;
        continue;
      }
      desired++;
      if (!here.length) continue;
      current++;
      // Upstream looks at the oldest pod on the node (the newest while surging).
      const sorted = [...here].sort((a, b) => created(a) - created(b));
      const pod = surging ? sorted[sorted.length - 1] : sorted[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
        else {
          const at = availableAt(pod, minReady, now);
          if (at !== undefined && (nextAvailable === undefined || at < nextAvailable)) nextAvailable = at;
        }
      }
      if (podHash(pod) === hash) updated++;
    }
    const status: KObject = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata?.generation,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
      collisionCount,
    };
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (canonicalJson(status) !== canonicalJson(ds.status ?? {})) {
      const body = structuredClone(ds) as KObject;
      body.status = status;
      try {
        await this.#ctx.client.resource(DAEMONSETS, ds.metadata!.namespace!).updateStatus(body);
      } catch (err) {
        // Deleted meanwhile: nothing to report on.
        if (!isNotFound(err)) throw err;
      }
    }
    if (nextAvailable !== undefined) this.#runner.enqueueAfter(keyOf(ds), nextAvailable - now + 1);
  }

  async #fetch(namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#ctx.client.resource(DAEMONSETS, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export const daemonSetControllerFactory: ControllerFactory = (ctx) => new DaemonSetController(ctx);
