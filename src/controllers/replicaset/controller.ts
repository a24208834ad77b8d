// The ReplicaSet controller (upstream pkg/controller/replicaset), which also runs
// ReplicationControllers: keeps `spec.replicas` active pods matching the selector — creating them
// from the template in slow-start batches, deleting the least valuable first — adopts matching
// orphans, releases pods that stop matching, and reports status.
//
//   RS/RC events ──► key ─┐
//   pod events ──► owner key (controllerRef, or every RS whose selector matches an orphan) ─┤
//                                                              workqueue ──► reconcile(key)
//   reconcile: expectations met? ─► claim pods ─► create/delete diff ─► status (+ requeue at
//              minReadySeconds when pods are ready but not yet available)
import type { KObject } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.ts';
import {
  type DeletedFinalStateUnknown,
  type EventRecorder,
  isNotFound,
  PODS,
  type ResourceRef,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import {
  CONTROLLER_UID_INDEX,
  claimObjects,
  controllerRefOf,
  controllerUidIndexFunc,
  newControllerRef,
  ownedOrOrphans,
} from '../common/controller-ref.ts';
import { ControllerExpectations } from '../common/expectations.ts';
import { generateNamePrefix, PodControl, podFromTemplate } from '../common/pod-control.ts';
import { compareForDeletion, isPodActive, isPodReady } from '../common/pod-util.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import { apiVersionOfRef, REPLICASETS, REPLICATION_CONTROLLERS } from '../common/resources.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/slow-start.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { calculateStatus, type ManageFailure, statusDiffers } from './status.ts';

export const REPLICASET_CONTROLLER = 'replicaset';
export const REPLICATION_CONTROLLER = 'replicationcontroller';

/** Upstream BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
const REASON_FAILED_CREATE = 'FailedCreate';
const REASON_FAILED_DELETE = 'FailedDelete';

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaKind {
  controllerName: string;
  eventSource: string;
  ref: ResourceRef;
  kind: string;
  /** RS: a LabelSelector object; RC: a plain label map. */
  selectorOf(obj: KObject): LabelSelector;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  controllerName: REPLICASET_CONTROLLER,
  eventSource: 'replicaset-controller',
  ref: REPLICASETS,
  kind: 'ReplicaSet',
  selectorOf: (rs) => labelSelectorFromObject(rs.spec?.selector),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controllerName: REPLICATION_CONTROLLER,
  eventSource: 'replication-controller',
  ref: REPLICATION_CONTROLLERS,
  kind: 'ReplicationController',
  selectorOf: (rc) => labelSelectorFromObject({ matchLabels: rc.spec?.selector ?? {} }),
};

export class ReplicaSetController implements Controller {
  readonly name: string;
  readonly expectations: ControllerExpectations;
  readonly #ctx: ControllerContext;
  readonly #k: ReplicaKind;
  readonly #owners: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext, kind: ReplicaKind = REPLICA_SET_KIND) {
    this.#ctx = ctx;
    this.#k = kind;
    this.name = kind.controllerName;
    this.expectations = new ControllerExpectations(ctx.clock);
    this.#owners = ctx.informers.informerFor(kind.ref);
    this.#pods = ctx.informers.informerFor(PODS, {
      indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndexFunc },
    });
    this.#recorder = ctx.recorder(kind.eventSource);
    this.#podControl = new PodControl(ctx.client, this.#recorder);
    this.#runner = new QueueRunner(ctx, this.name, [this.#owners, this.#pods], (key) => this.reconcile(key));
    this.#owners.addEventHandler({
      onAdd: (o) => this.#runner.enqueue(o),
      onUpdate: (_old, o) => this.#runner.enqueue(o),
      onDelete: (o) => {
        this.expectations.delete(keyOf(unwrapDeleted(o)));
        this.#runner.enqueue(o);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podAdded(p),
      onUpdate: (old, cur) => this.#podUpdated(old, cur),
      onDelete: (p) => this.#podDeleted(p),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  // --- pod events → owner keys -----------------------------------------------------------------

  /** The owner of ours a controller ref points at, if it exists in the cache with that uid. */
  #ownerOf(pod: KObject): KObject | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.#k.kind) return undefined;
    const owner = this.#owners.lister.namespace(pod.metadata!.namespace!).get(ref.name);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  #enqueueMatching(pod: KObject): void {
    for (const o of this.#owners.lister.namespace(pod.metadata!.namespace!).list()) {
      if (matchesLabels(this.#k.selectorOf(o), pod.metadata?.labels ?? {})) this.#runner.enqueue(o);
    }
  }

  #podAdded(pod: KObject): void {
    if (pod.metadata?.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    if (controllerRefOf(pod)) {
      const owner = this.#ownerOf(pod);
      if (!owner) return;
      this.expectations.creationObserved(keyOf(owner));
      this.#runner.enqueue(owner);
      return;
    }
    this.#enqueueMatching(pod);
  }

  #podUpdated(old: KObject, cur: KObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      this.#podDeleted(cur);
      if (labelsChanged) this.#podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const curRef = controllerRefOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const oldOwner = this.#ownerOf(old);
      if (oldOwner) this.#runner.enqueue(oldOwner);
    }
    if (curRef) {
      const owner = this.#ownerOf(cur);
      if (!owner) return;
      this.#runner.enqueue(owner);
      // A pod that just became ready turns available minReadySeconds later: look again then.
      const minReady = Number(owner.spec?.minReadySeconds ?? 0);
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) {
        this.#runner.enqueueAfter(keyOf(owner), minReady * 1000 + 1);
      }
      return;
    }
    if (labelsChanged || oldRef) this.#enqueueMatching(cur);
  }

  #podDeleted(p: KObject | DeletedFinalStateUnknown): void {
    const pod = unwrapDeleted(p);
    const owner = this.#ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), pod.metadata!.uid!);
    this.#runner.enqueue(owner);
  }

  // --- reconcile ---------------------------------------------------------------------------------

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#owners.lister.namespace(namespace).get(name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = cached;
    const selector = this.#k.selectorOf(rs);
    const needsSync = this.expectations.satisfied(key);
    const active = ownedOrOrphans(this.#pods.lister, rs).filter(isPodActive);
    const owned = await claimObjects(active, {
      owner: rs,
      ownerApiVersion: apiVersionOfRef(this.#k.ref),
      ownerKind: this.#k.kind,
      selector,
      client: this.#ctx.client.resource(PODS, namespace),
      fetchOwner: () => this.#fetch(namespace, name),
    });
    let failure: ManageFailure | undefined;
    let manageError: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await this.#manageReplicas(key, owned, rs);
      } catch (err) {
        manageError = err;
        failure = {
          reason: (err as { failedReason?: string }).failedReason ?? REASON_FAILED_CREATE,
          message: (err as Error).message,
        };
      }
    }
    const now = this.#ctx.clock.now();
    const status = calculateStatus(rs, owned, failure, now);
    if (statusDiffers(rs.status, status)) {
      const updated = structuredClone(rs) as KObject;
      updated.status = { ...(updated.status ?? {}), ...status };
      if (!status.conditions) delete updated.status.conditions;
      await this.#ctx.client.resource(this.#k.ref, namespace).updateStatus(updated);
    }
    const minReady = Number(rs.spec?.minReadySeconds ?? 0);
    if (
      manageError === undefined &&
      minReady > 0 &&
      status.readyReplicas === Number(rs.spec?.replicas ?? 1) &&
      status.availableReplicas !== status.readyReplicas
    ) {
      this.#runner.enqueueAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  async #fetch(namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#ctx.client.resource(this.#k.ref, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #manageReplicas(key: string, pods: KObject[], rs: KObject): Promise<void> {
    const want = Number(rs.spec?.replicas ?? 1);
    const diff = pods.length - want;
    const namespace = rs.metadata!.namespace!;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(rs, apiVersionOfRef(this.#k.ref), this.#k.kind);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        const pod = podFromTemplate(rs.spec?.template, namespace, ref);
        pod.metadata!.generateName = generateNamePrefix(rs.metadata!.name!);
        await this.#podControl.create(rs, pod);
      });
      // Creations that failed or never started will never be observed.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw withReason(error, REASON_FAILED_CREATE);
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = [...pods].sort(compareForDeletion).slice(0, n);
      this.expectations.expectDeletions(
        key,
        victims.map((p) => p.metadata!.uid!),
      );
      const results = await Promise.allSettled(
        victims.map(async (p) => {
          try {
            const deleted = await this.#podControl.delete(rs, p);
            if (!deleted) this.expectations.deletionObserved(key, p.metadata!.uid!);
          } catch (err) {
            this.expectations.deletionObserved(key, p.metadata!.uid!);
            throw err;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw withReason((failed as PromiseRejectedResult).reason, REASON_FAILED_DELETE);
    }
  }
}

const keyOf = (o: KObject): string => `${o.metadata!.namespace}/${o.metadata!.name}`;

function withReason(err: unknown, failedReason: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  (e as Error & { failedReason?: string }).failedReason = failedReason;
  return e;
}

export const replicaSetControllerFactory: ControllerFactory = (ctx) => new ReplicaSetController(ctx);
export const replicationControllerFactory: ControllerFactory = (ctx) =>
  new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND);
