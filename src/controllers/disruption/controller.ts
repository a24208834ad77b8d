// The disruption controller: keeps each PodDisruptionBudget's status (healthy/desired/expected
// pods, disruptionsAllowed, the DisruptionAllowed condition) current, which the API server's
// eviction subresource reads and decrements (see apiserver/handlers/pod-subresources.ts).
//
//   pdbs ─┐                                 ┌─► selected pods + controllers' scale ─► computeBudget
//   pods ─┼─► queue(namespace/pdb) ─────────┤
//   rs/deploy/sts/rc ┘ (all pdbs of the ns)  └─► PUT status when it changed
import { findKind } from '../../api/kinds/index.ts';
import { selectorMatches } from '../../api/kinds/label-selector.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isNotFound,
  objectKey,
  PODS,
  refOf,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { rfc3339 } from '../../util/time-format.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { computeBudget, type ScaleFinder } from './budget.ts';

export const DISRUPTION_CONTROLLER = 'disruption';
export const PDBS = refOf(findKind('policy', 'poddisruptionbudgets')!);
const REPLICASETS = refOf(findKind('apps', 'replicasets')!);
const DEPLOYMENTS = refOf(findKind('apps', 'deployments')!);
const STATEFULSETS = refOf(findKind('apps', 'statefulsets')!);
const RCS = refOf(findKind('', 'replicationcontrollers')!);

const unwrap = (o: KObject | DeletedFinalStateUnknown): KObject =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;
const controllerOf = (o: KObject) => (o.metadata?.ownerReferences ?? []).find((r) => r.controller);

export class DisruptionController implements Controller {
  readonly name = DISRUPTION_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #pdbs: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #owners: Record<'rs' | 'deploy' | 'sts' | 'rc', SharedInformer>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#pdbs = ctx.informers.informerFor(PDBS);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#owners = {
      rs: ctx.informers.informerFor(REPLICASETS),
      deploy: ctx.informers.informerFor(DEPLOYMENTS),
      sts: ctx.informers.informerFor(STATEFULSETS),
      rc: ctx.informers.informerFor(RCS),
    };
    const pdb = (o: KObject | DeletedFinalStateUnknown): void => this.#queue.add(objectKey(unwrap(o)));
    this.#pdbs.addEventHandler({ onAdd: pdb, onUpdate: (_o, n) => pdb(n), onDelete: pdb });
    const pods = (...ps: KObject[]): void => {
      for (const p of ps) {
        for (const b of this.#pdbs.lister.namespace(p.metadata?.namespace ?? '').list()) {
          if (selectorMatches(b.spec?.selector, p.metadata?.labels)) this.#queue.add(objectKey(b));
        }
      }
    };
    this.#pods.addEventHandler({
      onAdd: (p) => pods(p),
      onUpdate: (o, n) => pods(o, n),
      onDelete: (p) => pods(unwrap(p)),
    });
    const scaleChanged = (o: KObject | DeletedFinalStateUnknown): void => {
      for (const b of this.#pdbs.lister.namespace(unwrap(o).metadata?.namespace ?? '').list())
        this.#queue.add(objectKey(b));
    };
    for (const inf of Object.values(this.#owners)) {
      inf.addEventHandler({
        onAdd: scaleChanged,
        onUpdate: (_o, n) => scaleChanged(n),
        onDelete: scaleChanged,
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#pdbs, this.#pods, ...Object.values(this.#owners)];
    if (!(await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (key) => this.reconcile(key), {
      onError: (key, err) =>
        this.#ctx.log.warn('disruption budget sync failed', { pdb: key, error: (err as Error).message }),
    });
  }

  /** Finds a pod's controller and its replicas the way upstream's finders do (RS → Deployment, STS, RC). */
  #finder(namespace: string): ScaleFinder {
    const get = (inf: SharedInformer, name: string, uid: string): KObject | undefined => {
      const o = inf.lister.get(`${namespace}/${name}`);
      return o?.metadata?.uid === uid ? o : undefined;
    };
    return (pod) => {
      const ref = controllerOf(pod);
      if (!ref) return undefined;
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      let target: KObject | undefined;
      if (group === 'apps' && ref.kind === 'ReplicaSet') {
        const rs = get(this.#owners.rs, ref.name, ref.uid);
        const up = rs && controllerOf(rs);
        target = up?.kind === 'Deployment' ? get(this.#owners.deploy, up.name, up.uid) : rs;
      } else if (group === 'apps' && ref.kind === 'StatefulSet') {
        target = get(this.#owners.sts, ref.name, ref.uid);
      } else if (group === '' && ref.kind === 'ReplicationController') {
        target = get(this.#owners.rc, ref.name, ref.uid);
      } else {
        throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      }
      if (!target) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      return { uid: target.metadata!.uid!, replicas: target.spec?.replicas ?? 1 };
    };
  }

  async reconcile(key: string): Promise<void> {
    const pdb = this.#pdbs.lister.get(key);
    if (!pdb) return;
    const { namespace } = splitKey(key);
    const pods = pdb.spec?.selector
      ? this.#pods.lister
          .namespace(namespace)
          .list()
          .filter((p) => selectorMatches(pdb.spec.selector, p.metadata?.labels))
      : [];
    const now = this.#ctx.clock.now();
    const { status, recheckAtMs } = computeBudget(pdb, pods, this.#finder(namespace), now, rfc3339(now));
    if (recheckAtMs !== undefined) this.#queue.addAfter(key, Math.max(0, recheckAtMs - now));
    if (JSON.stringify(status) === JSON.stringify(pdb.status ?? {})) return;
    try {
      await this.#ctx.client.resource(PDBS, namespace).updateStatus({ ...structuredClone(pdb), status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export const disruptionControllerFactory: ControllerFactory = (ctx) => new DisruptionController(ctx);
