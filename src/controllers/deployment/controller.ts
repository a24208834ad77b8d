// The Deployment controller (upstream pkg/controller/deployment): owns ReplicaSets through
// controller refs, one per pod template (named `<deployment>-<pod-template-hash>`), and moves a
// rollout between them by RollingUpdate or Recreate (sync.ts does one sync).
//
//   Deployment events ──► key ─┐
//   ReplicaSet events ──► owning deployment (orphans: every deployment whose selector matches) ─┤
//   pod deletions ──► deployment of the pod's RS (Recreate waits for old pods to go) ─┤
//                                                             workqueue ──► reconcile(key)
//   reconcile: claim RSs (adopt/release) ─► DeploymentSync.run ─► RS writes + status
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
import {
  CONTROLLER_UID_INDEX,
  claimObjects,
  controllerRefOf,
  controllerUidIndexFunc,
} from '../common/controller-ref.ts';
import { QueueRunner, unwrapDeleted } from '../common/queue-runner.ts';
import { apiVersionOfRef, DEPLOYMENTS, REPLICASETS } from '../common/resources.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { DeploymentSync } from './sync.ts';

export const DEPLOYMENT_CONTROLLER = 'deployment';
const EVENT_SOURCE = 'deployment-controller';
const REASON_SELECTING_ALL = 'SelectingAll';
const MESSAGE_SELECTING_ALL = 'This deployment is selecting all pods. A non-empty selector is required.';

export class DeploymentController implements Controller {
  readonly name = DEPLOYMENT_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #deployments: SharedInformer;
  readonly #rss: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #runner: QueueRunner;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#deployments = ctx.informers.informerFor(DEPLOYMENTS);
    this.#rss = ctx.informers.informerFor(REPLICASETS);
    this.#pods = ctx.informers.informerFor(PODS, {
      indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndexFunc },
    });
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#runner = new QueueRunner(ctx, this.name, [this.#deployments, this.#rss, this.#pods], (key) =>
      this.reconcile(key),
    );
    this.#deployments.addEventHandler({
      onAdd: (d) => this.#runner.enqueue(d),
      onUpdate: (_old, d) => this.#runner.enqueue(d),
      onDelete: (d) => this.#runner.enqueue(d),
    });
    this.#rss.addEventHandler({
      onAdd: (rs) => this.#rsChanged(rs),
      onUpdate: (old, rs) => {
        if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
        const oldOwner = this.#ownerOf(old);
        if (oldOwner && controllerRefOf(rs)?.uid !== oldOwner.metadata?.uid) this.#runner.enqueue(oldOwner);
        this.#rsChanged(rs);
      },
      onDelete: (rs) => {
        const owner = this.#ownerOf(unwrapDeleted(rs));
        if (owner) this.#runner.enqueue(owner);
      },
    });
    this.#pods.addEventHandler({ onDelete: (p) => this.#podDeleted(p) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#runner.run(signal);
  }

  /** The deployment a controller ref points at, if cached with that uid. */
  #ownerOf(rs: KObject): KObject | undefined {
    const ref = controllerRefOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.#deployments.lister.namespace(rs.metadata!.namespace!).get(ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  #rsChanged(rs: KObject): void {
    if (controllerRefOf(rs)) {
      const owner = this.#ownerOf(rs);
      if (owner) this.#runner.enqueue(owner);
      return;
    }
    for (const d of this.#deployments.lister.namespace(rs.metadata!.namespace!).list()) {
      if (matchesLabels(labelSelectorFromObject(d.spec?.selector), rs.metadata?.labels ?? {})) {
        this.#runner.enqueue(d);
      }
    }
  }

  #podDeleted(p: KObject | DeletedFinalStateUnknown): void {
    const pod = unwrapDeleted(p);
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.#rss.lister.namespace(pod.metadata!.namespace!).get(ref.name);
    const d = rs ? this.#ownerOf(rs) : undefined;
    if (d && d.spec?.strategy?.type === 'Recreate') this.#runner.enqueue(d);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const d = this.#deployments.lister.namespace(namespace).get(name);
    if (!d) return;
    const selector = labelSelectorFromObject(d.spec?.selector);
    const sel = d.spec?.selector ?? {};
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.#recorder.event(d, 'Warning', REASON_SELECTING_ALL, MESSAGE_SELECTING_ALL);
      if (d.status?.observedGeneration !== d.metadata?.generation) {
        await this.#ctx.client.resource(DEPLOYMENTS, namespace).updateStatus({
          ...structuredClone(d),
          status: { ...d.status, observedGeneration: d.metadata?.generation },
        });
      }
      return;
    }
    const rss = await claimObjects(this.#rss.lister.namespace(namespace).list(), {
      owner: d,
      ownerApiVersion: apiVersionOfRef(DEPLOYMENTS),
      ownerKind: 'Deployment',
      selector,
      client: this.#ctx.client.resource(REPLICASETS, namespace),
      fetchOwner: () => this.#fetch(namespace, name),
    });
    const podsByRS = new Map<string, KObject[]>();
    for (const rs of rss) {
      const uid = rs.metadata?.uid;
      const pods = uid ? this.#pods.lister.byIndex(CONTROLLER_UID_INDEX, uid) : [];
      if (uid && pods.length) podsByRS.set(uid, [...pods]);
    }
    const sync = new DeploymentSync(
      {
        client: this.#ctx.client,
        recorder: this.#recorder,
        now: () => this.#ctx.clock.now(),
        requeueAfter: (ms) => this.#runner.enqueueAfter(key, ms),
      },
      d,
    );
    await sync.run(rss, podsByRS);
  }

  async #fetch(namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#ctx.client.resource(DEPLOYMENTS, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export const deploymentControllerFactory: ControllerFactory = (ctx) => new DeploymentController(ctx);
