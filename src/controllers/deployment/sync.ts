// One deployment sync (upstream sync.go, rolling.go, recreate.go, progress.go): find or create the
// new ReplicaSet, move replicas from old to new within maxSurge/maxUnavailable (or all at once for
// Recreate), scale proportionally when resized mid-rollout, prune history, and report status and
// the Progressing/Available conditions. Works on private copies of the deployment and its
// ReplicaSets, mutated as the writes succeed.
import type { KObject } from '../../api/object.ts';
import { type EventRecorder, isAlreadyExists, type RestClient } from '../../client/index.ts';
import { newControllerRef } from '../common/controller-ref.ts';
import { computeHash } from '../common/hash.ts';
import { isPodTerminal } from '../common/pod-util.ts';
import { apiVersionOfRef, DEPLOYMENTS, REPLICASETS } from '../common/resources.ts';
import {
  annotatedInt,
  DESIRED_REPLICAS_ANNOTATION,
  maxRevision,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './annotations.ts';
import {
  CONDITION_PROGRESSING,
  CONDITION_REPLICA_FAILURE,
  getCondition,
  MESSAGE_PAUSED,
  MESSAGE_RESUMED,
  newCondition,
  REASON_FAILED_RS_CREATE,
  REASON_FOUND_NEW_RS,
  REASON_NEW_RS_AVAILABLE,
  REASON_NEW_RS_CREATED,
  REASON_PAUSED,
  REASON_RESUMED,
  REASON_RS_UPDATED,
  REASON_TIMED_OUT,
  removeCondition,
  setCondition,
} from './conditions.ts';
import {
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  RECREATE,
  specReplicas,
  sumSpecReplicas,
  sumStatus,
} from './replicas.ts';
import {
  byCreation,
  byRevision,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  normalizedTemplate,
  oldReplicaSets,
  POD_TEMPLATE_HASH_LABEL,
} from './replicasets.ts';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  progressDeadlineAt,
} from './status.ts';

export const REASON_SCALING_RS = 'ScalingReplicaSet';
/** Requeue a stuck deployment this long after its deadline (upstream adds a second). */
const DEADLINE_SLACK_MS = 1000;

export interface SyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  now(): number;
  /** Look at the deployment again after ms (progress deadline checks). */
  requeueAfter(ms: number): void;
}

export class DeploymentSync {
  readonly #x: SyncDeps;
  /** The deployment being synced: a private copy, kept current with every write. */
  readonly #d: KObject;

  constructor(deps: SyncDeps, d: KObject) {
    this.#x = deps;
    this.#d = structuredClone(d) as KObject;
    this.#d.status ??= {};
  }

  /**
   * Upstream syncDeployment after the claim: `rss` are the deployment's ReplicaSets, `podsByRS`
   * its pods grouped by owning RS uid (Recreate waits for old pods to go).
   */
  async run(rss: readonly KObject[], podsByRS: Map<string, KObject[]>): Promise<void> {
    const d = this.#d;
    const mine = rss.map((rs) => structuredClone(rs) as KObject);
    if (d.metadata?.deletionTimestamp) {
      const [newRS, olds] = await this.#allReplicaSets(mine, false);
      return this.#syncStatusOnly([...olds, newRS], newRS);
    }
    await this.#checkPausedConditions();
    if (d.spec?.paused) return this.#sync(mine);
    if (await this.#isScalingEvent(mine)) return this.#sync(mine);
    if (d.spec?.strategy?.type === RECREATE) return this.#recreate(mine, podsByRS);
    return this.#rolling(mine);
  }

  // --- status writes --------------------------------------------------------------------------

  async #writeStatus(status: KObject): Promise<void> {
    const d = this.#d;
    const written = await this.#x.client
      .resource(DEPLOYMENTS, d.metadata!.namespace!)
      .updateStatus({ ...d, status });
    d.status = status;
    d.metadata!.resourceVersion = written.metadata?.resourceVersion;
  }

  /** Upstream SetDeploymentRevision, written with a metadata patch (status writes keep metadata). */
  async #setRevision(revision: string): Promise<void> {
    const d = this.#d;
    if (d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
    const written = await this.#x.client
      .resource(DEPLOYMENTS, d.metadata!.namespace!)
      .patch(d.metadata!.name!, 'merge', { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } });
    d.metadata!.annotations = { ...d.metadata!.annotations, [REVISION_ANNOTATION]: revision };
    d.metadata!.resourceVersion = written.metadata?.resourceVersion;
  }

  async #checkPausedConditions(): Promise<void> {
    const d = this.#d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, CONDITION_PROGRESSING);
    if (cond?.reason === REASON_TIMED_OUT) return;
    const pausedCond = cond?.reason === REASON_PAUSED;
    const status = structuredClone(d.status);
    const now = this.#x.now();
    if (d.spec?.paused && !pausedCond) {
      setCondition(
        status,
        newCondition(CONDITION_PROGRESSING, 'Unknown', REASON_PAUSED, MESSAGE_PAUSED, now),
      );
    } else if (!d.spec?.paused && pausedCond) {
      setCondition(
        status,
        newCondition(CONDITION_PROGRESSING, 'Unknown', REASON_RESUMED, MESSAGE_RESUMED, now),
      );
    } else return;
    await this.#writeStatus(status);
  }

  // --- the new ReplicaSet -----------------------------------------------------------------------

  async #allReplicaSets(rss: KObject[], create: boolean): Promise<[KObject | undefined, KObject[]]> {
    const existing = findNewReplicaSet(this.#d, rss);
    const olds = oldReplicaSets(rss, existing);
    const newRS = await this.#newReplicaSet(existing, olds, create);
    return [newRS, olds];
  }

  async #newReplicaSet(
    existing: KObject | undefined,
    olds: KObject[],
    create: boolean,
  ): Promise<KObject | undefined> {
    const d = this.#d;
    const ns = d.metadata!.namespace!;
    const newRevision = maxRevision(olds) + 1;
    const rsClient = this.#x.client.resource(REPLICASETS, ns);
    const now = this.#x.now();
    if (existing) {
      const changed = setNewReplicaSetAnnotations(d, existing, newRevision, true, maxSurge(d));
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (changed || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        existing.spec.minReadySeconds = minReady;
        const written = await rsClient.update(existing);
        Object.assign(existing, { metadata: written.metadata, status: written.status ?? existing.status });
        return existing;
      }
      await this.#setRevision(existing.metadata?.annotations?.[REVISION_ANNOTATION] ?? String(newRevision));
      if (hasProgressDeadline(d) && !getCondition(d.status, CONDITION_PROGRESSING)) {
        const status = structuredClone(d.status);
        const msg = `Found new replica set "${existing.metadata!.name}"`;
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', REASON_FOUND_NEW_RS, msg, now));
        await this.#writeStatus(status);
      }
      return existing;
    }
    if (!create) return undefined;
    const template = normalizedTemplate(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: KObject = {
      metadata: {
        name: `${d.metadata!.name}-${hash}`,
        namespace: ns,
        labels: template.metadata.labels,
        ownerReferences: [newControllerRef(d, apiVersionOfRef(DEPLOYMENTS), 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...olds, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false, maxSurge(d));
    let created: KObject;
    let alreadyExists = false;
    try {
      created = await rsClient.create(rs);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const msg = `Failed to create new replica set "${rs.metadata!.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status);
          setCondition(
            status,
            newCondition(CONDITION_PROGRESSING, 'False', REASON_FAILED_RS_CREATE, msg, now),
          );
          await this.#writeStatus(status);
        }
        this.#x.recorder.event(d, 'Warning', REASON_FAILED_RS_CREATE, msg);
        throw err;
      }
      // Ours already (the cache had not seen it yet), or a hash collision with another template.
      const found = await rsClient.get(rs.metadata!.name!);
      const ref = (found.metadata?.ownerReferences ?? []).find((r) => r.controller);
      if (ref?.uid !== d.metadata?.uid || !findNewReplicaSet(d, [found])) {
        const status = structuredClone(d.status);
        status.collisionCount = Number(status.collisionCount ?? 0) + 1;
        await this.#writeStatus(status);
        throw err;
      }
      created = found;
      alreadyExists = true;
    }
    if (!alreadyExists && specReplicas(created) > 0) {
      this.#x.recorder.event(
        d,
        'Normal',
        REASON_SCALING_RS,
        `Scaled up replica set ${created.metadata!.name} from 0 to ${specReplicas(created)}`,
      );
    }
    await this.#setRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status = structuredClone(d.status);
      const msg = `Created new replica set "${created.metadata!.name}"`;
      setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', REASON_NEW_RS_CREATED, msg, now));
      await this.#writeStatus(status);
    }
    return created;
  }

  // --- scaling ----------------------------------------------------------------------------------

  /** Upstream scaleReplicaSet: writes size and replica annotations (mutates rs); true if resized. */
  async #scaleRS(rs: KObject, size: number, op?: 'up' | 'down'): Promise<boolean> {
    const d = this.#d;
    const from = specReplicas(rs);
    const desired = specReplicas(d);
    const max = desired + maxSurge(d);
    const sizeChange = from !== size;
    if (!sizeChange && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    rs.spec.replicas = size;
    setReplicasAnnotations(rs, desired, max);
    const written = await this.#x.client.resource(REPLICASETS, rs.metadata!.namespace!).update(rs);
    Object.assign(rs, { metadata: written.metadata, status: written.status ?? rs.status });
    if (sizeChange) {
      const dir = op ?? (size > from ? 'up' : 'down');
      this.#x.recorder.event(
        d,
        'Normal',
        REASON_SCALING_RS,
        `Scaled ${dir} replica set ${rs.metadata!.name} from ${from} to ${size}`,
      );
    }
    return sizeChange;
  }

  async #isScalingEvent(rss: KObject[]): Promise<boolean> {
    const [newRS, olds] = await this.#allReplicaSets(rss, false);
    for (const rs of filterActive([...olds, newRS])) {
      const desired = annotatedInt(rs, DESIRED_REPLICAS_ANNOTATION);
      if (desired !== undefined && desired !== specReplicas(this.#d)) return true;
    }
    return false;
  }

  /** Upstream scale(): resize with the deployment, proportionally while several RSs are active. */
  async #scale(newRS: KObject | undefined, olds: KObject[]): Promise<void> {
    const d = this.#d;
    const only = findActiveOrLatest(newRS, olds);
    if (only) {
      if (specReplicas(only) !== specReplicas(d)) await this.#scaleRS(only, specReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of filterActive(olds)) await this.#scaleRS(rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const active = filterActive([...olds, newRS]);
    const toAdd = (specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0) - sumSpecReplicas(active);
    const sizes = proportionalSizes(d, active);
    for (const rs of active) {
      await this.#scaleRS(rs, sizes.get(rs.metadata!.name!) ?? specReplicas(rs), toAdd > 0 ? 'up' : 'down');
    }
  }

  /** Upstream sync(): scaling and status only (paused, or resized mid-rollout). */
  async #sync(rss: KObject[]): Promise<void> {
    const [newRS, olds] = await this.#allReplicaSets(rss, false);
    await this.#scale(newRS, olds);
    if (this.#d.spec?.paused) await this.#cleanup(olds);
    await this.#syncStatusOnly([...olds, newRS], newRS);
  }

  async #syncStatusOnly(all: (KObject | undefined)[], newRS: KObject | undefined): Promise<void> {
    const rss = all.filter((x): x is KObject => x !== undefined);
    const status = calculateStatus(rss, newRS, this.#d, this.#x.now());
    if (JSON.stringify(status) !== JSON.stringify(this.#d.status)) await this.#writeStatus(status);
  }

  /** Upstream cleanupDeployment: delete the oldest empty RSs beyond revisionHistoryLimit. */
  async #cleanup(olds: KObject[]): Promise<void> {
    const limit = this.#d.spec?.revisionHistoryLimit;
    if (typeof limit !== 'number') return;
    const alive = olds.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = alive.length - limit;
    for (let i = 0; i < diff; i++) {
      const rs = alive[i];
      if (Number(rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if (Number(rs.metadata?.generation ?? 0) > Number(rs.status?.observedGeneration ?? 0)) continue;
      await this.#x.client
        .resource(REPLICASETS, rs.metadata!.namespace!)
        .delete(rs.metadata!.name!, { preconditions: { uid: rs.metadata!.uid } })
        .catch(() => undefined);
    }
  }

  // --- strategies -------------------------------------------------------------------------------

  async #rolling(rss: KObject[]): Promise<void> {
    const d = this.#d;
    const [newRS, olds] = await this.#allReplicaSets(rss, true);
    const rs = newRS as KObject;
    const all = [...olds, rs];
    // reconcileNewReplicaSet; after any resize the status is synced and the next step waits
    // for the caches to see it, as upstream does.
    let scaled = false;
    if (specReplicas(rs) > specReplicas(d)) scaled = await this.#scaleRS(rs, specReplicas(d));
    else if (specReplicas(rs) < specReplicas(d))
      scaled = await this.#scaleRS(rs, newRSNewReplicas(d, all, rs));
    if (scaled || (await this.#reconcileOld(all, filterActive(olds), rs))) {
      await this.#syncRolloutStatus(all, rs);
      return;
    }
    if (deploymentComplete(d, d.status)) await this.#cleanup(olds);
    await this.#syncRolloutStatus(all, rs);
  }

  /** Upstream reconcileOldReplicaSets: scale old RSs down as far as availability allows. */
  async #reconcileOld(all: KObject[], olds: KObject[], newRS: KObject): Promise<boolean> {
    const d = this.#d;
    if (sumSpecReplicas(olds) === 0) return false;
    const minAvailable = specReplicas(d) - maxUnavailable(d);
    const newUnavailable = specReplicas(newRS) - Number(newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sumSpecReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // Unhealthy replicas first: scaling them down costs no availability.
    olds.sort(byCreation);
    let cleaned = 0;
    for (const rs of olds) {
      if (cleaned >= maxScaledDown) break;
      const unhealthy = specReplicas(rs) - Number(rs.status?.availableReplicas ?? 0);
      if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      await this.#scaleRS(rs, specReplicas(rs) - n);
      cleaned += n;
    }
    // Then healthy ones, as far as keeps minAvailable.
    const available = sumStatus(all, 'availableReplicas');
    if (available <= minAvailable) return cleaned > 0;
    const budget = available - minAvailable;
    let scaled = 0;
    for (const rs of olds) {
      if (scaled >= budget) break;
      if (specReplicas(rs) === 0) continue;
      const n = Math.min(specReplicas(rs), budget - scaled);
      await this.#scaleRS(rs, specReplicas(rs) - n);
      scaled += n;
    }
    return cleaned + scaled > 0;
  }

  async #recreate(rss: KObject[], podsByRS: Map<string, KObject[]>): Promise<void> {
    const d = this.#d;
    let [newRS, olds] = await this.#allReplicaSets(rss, false);
    let scaledDown = false;
    for (const rs of filterActive(olds)) scaledDown = (await this.#scaleRS(rs, 0)) || scaledDown;
    if (scaledDown || oldPodsRunning(newRS, olds, podsByRS)) {
      await this.#syncRolloutStatus([...olds, newRS], newRS);
      return;
    }
    if (!newRS) [newRS, olds] = await this.#allReplicaSets(rss, true);
    const rs = newRS as KObject;
    await this.#scaleRS(rs, specReplicas(d));
    if (deploymentComplete(d, d.status)) await this.#cleanup(olds);
    await this.#syncRolloutStatus([...olds, rs], rs);
  }

  // --- rollout status ---------------------------------------------------------------------------

  async #syncRolloutStatus(all: (KObject | undefined)[], newRS: KObject | undefined): Promise<void> {
    const d = this.#d;
    const rss = all.filter((x): x is KObject => x !== undefined);
    const now = this.#x.now();
    const status = calculateStatus(rss, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, CONDITION_PROGRESSING);
    const cur = getCondition(d.status, CONDITION_PROGRESSING);
    const complete = status.replicas === status.updatedReplicas && cur?.reason === REASON_NEW_RS_AVAILABLE;
    const subject = newRS ? `ReplicaSet "${newRS.metadata!.name}"` : `Deployment "${d.metadata!.name}"`;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        const msg = `${subject} has successfully progressed.`;
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', REASON_NEW_RS_AVAILABLE, msg, now));
      } else if (deploymentProgressing(d, status)) {
        const c = newCondition(
          CONDITION_PROGRESSING,
          'True',
          REASON_RS_UPDATED,
          `${subject} is progressing.`,
          now,
        );
        // Progress refreshes lastUpdateTime even with the same reason (the deadline restarts).
        if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(status, CONDITION_PROGRESSING);
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, now)) {
        const msg = `${subject} has timed out progressing.`;
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'False', REASON_TIMED_OUT, msg, now));
      }
    }
    const failure = rss
      .map((rs) => getCondition(rs.status, CONDITION_REPLICA_FAILURE))
      .find((c) => c?.status === 'True');
    if (failure) setCondition(status, { ...failure });
    else removeCondition(status, CONDITION_REPLICA_FAILURE);
    if (JSON.stringify(status) === JSON.stringify(d.status)) {
      this.#requeueStuck(status);
      return;
    }
    await this.#writeStatus(status);
    this.#requeueStuck(status);
  }

  /** Upstream requeueStuckDeployment: look again when the progress deadline passes. */
  #requeueStuck(status: KObject): void {
    const d = this.#d;
    if (deploymentComplete(d, status)) return;
    const at = progressDeadlineAt(d, status);
    if (at === undefined) return;
    this.#x.requeueAfter(Math.max(0, at - this.#x.now()) + DEADLINE_SLACK_MS);
  }
}

/** Upstream oldPodsRunning: any old RS still counts pods, or any non-terminal pod of an old RS. */
function oldPodsRunning(
  newRS: KObject | undefined,
  olds: KObject[],
  podsByRS: Map<string, KObject[]>,
): boolean {
  if (sumStatus(olds, 'replicas') > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => !isPodTerminal(p))) return true;
  }
  return false;
}
