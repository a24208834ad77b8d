// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable names
// `<set>-<ordinal>`, stable storage (a PVC per volumeClaimTemplate) and ordered rollout.
// OrderedReady creates ordinal i+1 only once i is Running and Ready and removes pods from the
// highest ordinal down, one at a time; Parallel does both at once. Template changes become
// ControllerRevisions; RollingUpdate replaces pods from the highest ordinal down to the partition,
// one at a time; OnDelete leaves it to the user.
//
//   set/pod/revision events ──► key ──► reconcile:
//     claim pods + revisions ─► current/update revision ─► for each ordinal (ascending):
//       failed → delete; missing → PVCs + create; not ready (OrderedReady) → stop
//     ─► condemned ordinals (descending) ─► rolling update (descending, ≥ partition) ─► status
import type { KObject } from '../../api/object.ts';
import { labelSelectorFromObject } from '../../api/selectors/index.ts';
import {
  type DeletedFinalStateUnknown,
  type EventRecorder,
  isAlreadyExists,
  isNotFound,
  PODS,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { claimObjects, controllerRefOf, newControllerRef } from '../common/controller-ref.ts';
import { canonicalJson } from '../common/hash.ts';
import { ensureRevision, templatePatch, truncateHistory } from '../common/history.ts';
import { availableAt, isPodAvailable, isPodReady, POD_FAILED, POD_RUNNING } from '../common/pod-util.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import {
  apiVersionOfRef,
  CONTROLLER_REVISIONS,
  PERSISTENT_VOLUME_CLAIMS,
  STATEFULSETS,
} from '../common/resources.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  claimsDeletedWith,
  newSetPod,
  ordinalOf,
  ownerRefTo,
  podClaims,
  podName,
  podRevision,
  startOrdinal,
} from './identity.ts';

export const STATEFULSET_CONTROLLER = 'statefulset';
const EVENT_SOURCE = 'statefulset-controller';
const STS_KIND = 'StatefulSet';
export const REASON_SUCCESSFUL_CREATE = 'SuccessfulCreate';
export const REASON_FAILED_CREATE = 'FailedCreate';
export const REASON_SUCCESSFUL_DELETE = 'SuccessfulDelete';
export const REASON_RECREATING_FAILED_POD = 'RecreatingFailedPod';
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

const keyOf = (o: KObject): string => `${o.metadata!.namespace}/${o.metadata!.name}`;
const isTerminating = (p: KObject): boolean => !!p.metadata?.deletionTimestamp;
const isRunningAndReady = (p: KObject): boolean => p.status?.phase === POD_RUNNING && isPodReady(p);

export class StatefulSetController implements Controller {
  readonly name = STATEFULSET_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #sets: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #revisions: SharedInformer;
  readonly #claims: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#sets = ctx.informers.informerFor(STATEFULSETS);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#revisions = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    this.#claims = ctx.informers.informerFor(PERSISTENT_VOLUME_CLAIMS);
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#runner = new QueueRunner(
      ctx,
      this.name,
      [this.#sets, this.#pods, this.#revisions, this.#claims],
      (key) => this.reconcile(key),
    );
    this.#sets.addEventHandler({
      onAdd: (o) => this.#runner.enqueue(o),
      onUpdate: (_old, o) => this.#runner.enqueue(o),
      onDelete: () => {},
    });
    const owned = (o: KObject | DeletedFinalStateUnknown): void => {
      const obj = unwrapDeleted(o);
      const ref = controllerRefOf(obj);
      if (ref?.kind !== STS_KIND) {
        // An orphan may be adopted by a set whose selector matches it.
        if (!ref)
          for (const s of this.#sets.lister.namespace(obj.metadata!.namespace!).list())
            this.#runner.enqueue(s);
        return;
      }
      const set = this.#sets.lister.namespace(obj.metadata!.namespace!).get(ref.name);
      if (set?.metadata?.uid === ref.uid) this.#runner.enqueue(set);
    };
    for (const inf of [this.#pods, this.#revisions]) {
      inf.addEventHandler({ onAdd: owned, onUpdate: (_o, n) => owned(n), onDelete: owned });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.#sets.lister.namespace(namespace).get(name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const selector = labelSelectorFromObject(set.spec?.selector);
    const fetchOwner = () => this.#fetch(namespace, name);
    const apiVersion = apiVersionOfRef(STATEFULSETS);
    const pods = await claimObjects(this.#pods.lister.namespace(namespace).list(), {
      owner: set,
      ownerApiVersion: apiVersion,
      ownerKind: STS_KIND,
      selector,
      client: this.#ctx.client.resource(PODS, namespace),
      fetchOwner,
      canClaim: (p) => ordinalOf(set, p) !== undefined,
    });
    const revisions = await claimObjects(this.#revisions.lister.namespace(namespace).list(), {
      owner: set,
      ownerApiVersion: apiVersion,
      ownerKind: STS_KIND,
      selector,
      client: this.#ctx.client.resource(CONTROLLER_REVISIONS, namespace),
      fetchOwner,
    });

    const { revision: update, collisionCount } = await ensureRevision({
      client: this.#ctx.client,
      owner: set,
      ownerApiVersion: apiVersion,
      ownerKind: STS_KIND,
      revisions,
      data: templatePatch(set.spec?.template),
      labels: set.spec?.template?.metadata?.labels ?? {},
      collisionCount: Number(set.status?.collisionCount ?? 0),
    });
    const updateName = update.metadata!.name!;
    const current = revisions.find((r) => r.metadata!.name === set.status?.currentRevision) ?? update;
    const currentName = current.metadata!.name!;

    const live = await this.#syncPods(set, pods, current, update);
    await this.#updateStatus(set, live, currentName, updateName, collisionCount);
    const inUse = new Set([currentName, updateName, ...live.map((p) => podRevision(p) ?? '')]);
    await truncateHistory(
      this.#ctx.client,
      revisions.filter((r) => r.metadata!.name !== updateName),
      inUse,
      Number(set.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT),
    );
  }

  /** One pass of upstream updateStatefulSet; returns the pods as this pass left them. */
  async #syncPods(set: KObject, claimed: KObject[], current: KObject, update: KObject): Promise<KObject[]> {
    const replicas = Number(set.spec?.replicas ?? 1);
    const start = startOrdinal(set);
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? Number(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const pods = new Map<number, KObject>();
    for (const p of claimed) pods.set(ordinalOf(set, p)!, p);
    const inRange = (o: number) => o >= start && o < start + replicas;
    // Ready for minReadySeconds (upstream isRunningAndAvailable) before the rollout moves on.
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    const now = this.#ctx.clock.now();
    const isHealthy = (p: KObject): boolean =>
      isRunningAndReady(p) && !isTerminating(p) && isPodAvailable(p, minReady, now);
    const result = () => [...pods.values()];

    // Upstream newVersionedStatefulSetPod: below the partition, pods stay at the current revision.
    const revisionFor = (ordinal: number): KObject =>
      rolling && ordinal - start < partition && current !== update ? current : update;

    // 1. Every ordinal in range exists and, for OrderedReady, is healthy before the next.
    for (let o = start; o < start + replicas; o++) {
      let pod = pods.get(o);
      if (pod && pod.status?.phase === POD_FAILED && !isTerminating(pod)) {
        this.#recorder.event(
          set,
          'Warning',
          REASON_RECREATING_FAILED_POD,
          `StatefulSet ${set.metadata!.namespace}/${set.metadata!.name} is recreating failed Pod ${pod.metadata!.name}`,
        );
        await this.#deletePod(set, pod);
        pods.set(o, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'now' } });
        if (monotonic) return result();
        continue;
      }
      if (!pod) {
        const created = await this.#createPod(set, o, revisionFor(o));
        if (!created) return result();
        pods.set(o, created);
        pod = created;
        if (monotonic) return result();
        continue;
      }
      if (monotonic && !isHealthy(pod)) return result();
    }

    // 2. Condemned pods (out of range), highest ordinal first.
    const condemned = [...pods.keys()].filter((o) => !inRange(o)).sort((a, b) => b - a);
    for (const o of condemned) {
      const pod = pods.get(o)!;
      if (isTerminating(pod)) {
        if (monotonic) return result();
        continue;
      }
      if (monotonic) {
        const unhealthy = [...pods.entries()].find(([n, p]) => n !== o && !isHealthy(p));
        if (unhealthy) return result();
      }
      if (claimsDeletedWith(set, 'whenScaled')) await this.#handClaimsToPod(set, pod, o);
      await this.#deletePod(set, pod);
      pods.set(o, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'now' } });
      if (monotonic) return result();
    }

    // 3. Rolling update, highest ordinal down to the partition, one unavailable pod at a time.
    if (!rolling) return result();
    const updateName = update.metadata!.name!;
    for (let o = start + replicas - 1; o >= start + partition; o--) {
      const pod = pods.get(o);
      if (!pod || isTerminating(pod)) return result();
      if (podRevision(pod) !== updateName) {
        await this.#deletePod(set, pod);
        pods.set(o, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'now' } });
        return result();
      }
      if (!isHealthy(pod)) return result();
    }
    return result();
  }

  async #createPod(set: KObject, ordinal: number, revision: KObject): Promise<KObject | undefined> {
    const namespace = set.metadata!.namespace!;
    const setName = set.metadata!.name!;
    const name = podName(set, ordinal);
    for (const claim of podClaims(set, ordinal)) {
      if (this.#claims.lister.namespace(namespace).get(claim.metadata!.name!)) continue;
      try {
        await this.#ctx.client.resource(PERSISTENT_VOLUME_CLAIMS, namespace).create(claim);
        this.#recorder.event(
          set,
          'Normal',
          REASON_SUCCESSFUL_CREATE,
          `create Claim ${claim.metadata!.name} Pod ${name} in StatefulSet ${setName} success`,
        );
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.#recorder.event(
          set,
          'Warning',
          REASON_FAILED_CREATE,
          `create Claim ${claim.metadata!.name} for Pod ${name} in StatefulSet ${setName} failed error: ${(err as Error).message}`,
        );
        throw err;
      }
    }
    const template = revision.data?.spec?.template ?? set.spec?.template;
    const { $patch: _replace, ...clean } = structuredClone(template) as KObject;
    const pod = newSetPod(
      set,
      clean,
      ordinal,
      revision.metadata!.name!,
      newControllerRef(set, apiVersionOfRef(STATEFULSETS), STS_KIND),
    );
    try {
      const created = await this.#ctx.client.resource(PODS, namespace).create(pod);
      this.#recorder.event(
        set,
        'Normal',
        REASON_SUCCESSFUL_CREATE,
        `create Pod ${name} in StatefulSet ${setName} successful`,
      );
      return created;
    } catch (err) {
      // The cache was behind: the pod exists; the next event brings it.
      if (isAlreadyExists(err)) return undefined;
      this.#recorder.event(
        set,
        'Warning',
        REASON_FAILED_CREATE,
        `create Pod ${name} in StatefulSet ${setName} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** whenScaled: Delete — a condemned pod owns its claims, so they go with it. */
  async #handClaimsToPod(set: KObject, pod: KObject, ordinal: number): Promise<void> {
    const namespace = set.metadata!.namespace!;
    for (const claim of podClaims(set, ordinal)) {
      try {
        await this.#ctx.client
          .resource(PERSISTENT_VOLUME_CLAIMS, namespace)
          .patch(claim.metadata!.name!, 'strategic', {
            metadata: { ownerReferences: [ownerRefTo(pod, 'v1', 'Pod')] },
          });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #deletePod(set: KObject, pod: KObject): Promise<void> {
    const name = pod.metadata!.name!;
    try {
      await this.#ctx.client
        .resource(PODS, pod.metadata!.namespace!)
        .delete(name, { preconditions: { uid: pod.metadata!.uid } });
      this.#recorder.event(
        set,
        'Normal',
        REASON_SUCCESSFUL_DELETE,
        `delete Pod ${name} in StatefulSet ${set.metadata!.name} successful`,
      );
    } catch (err) {
      if (isNotFound(err) || (err as { code?: number }).code === 409) return;
      throw err;
    }
  }

  async #updateStatus(
    set: KObject,
    pods: KObject[],
    currentName: string,
    updateName: string,
    collisionCount: number,
  ): Promise<void> {
    const now = this.#ctx.clock.now();
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    // Upstream computeReplicaStatus: replicas and readiness count terminating pods too; revisions not.
    const existing = pods.filter((p) => !isTerminating(p));
    const ready = pods.filter(isRunningAndReady);
    const status: KObject = {
      observedGeneration: set.metadata?.generation,
      replicas: pods.length,
      readyReplicas: ready.length,
      currentReplicas: existing.filter((p) => podRevision(p) === currentName).length,
      updatedReplicas: existing.filter((p) => podRevision(p) === updateName).length,
      availableReplicas: ready.filter((p) => isPodAvailable(p, minReady, now)).length,
      currentRevision: currentName,
      updateRevision: updateName,
      collisionCount,
    };
    // Upstream completeRollingUpdate: once every replica runs the update, it becomes current.
    const replicas = Number(set.spec?.replicas ?? 1);
    const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    if (rolling && status.updatedReplicas === replicas && status.readyReplicas === replicas) {
      status.currentRevision = updateName;
      status.currentReplicas = status.updatedReplicas;
    }
    if (set.status?.conditions) status.conditions = set.status.conditions;
    if (canonicalJson(status) !== canonicalJson(set.status ?? {})) {
      const body = structuredClone(set) as KObject;
      body.status = status;
      try {
        await this.#ctx.client.resource(STATEFULSETS, set.metadata!.namespace!).updateStatus(body);
      } catch (err) {
        // Deleted meanwhile: nothing to report on.
        if (!isNotFound(err)) throw err;
      }
    }
    // Ready pods turn available minReadySeconds later: look again then.
    const soonest = ready
      .map((p) => availableAt(p, minReady, now))
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b)[0];
    if (soonest !== undefined) this.#runner.enqueueAfter(keyOf(set), soonest - now + 1);
  }

  async #fetch(namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#ctx.client.resource(STATEFULSETS, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export const statefulSetControllerFactory: ControllerFactory = (ctx) => new StatefulSetController(ctx);
