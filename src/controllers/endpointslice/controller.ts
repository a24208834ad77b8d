// The EndpointSlice controller: keeps a Service's discovery.k8s.io/v1 EndpointSlices (labelled with
// the service name and this controller as manager, owned by the Service) in line with its pods.
//
//   services ─┐                               ┌─► desiredGroups ─► planSlices ─► create/update/delete
//   pods ─────┼─► queue(namespace/service) ───┤
//   endpointslices (ours) ┘                   └─► no Service: delete its slices

import { findKind } from '../../api/kinds/index.ts';
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
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import { podServiceKeys, SERVICES } from '../endpoints/controller.ts';
import { hasSelector } from '../endpoints/pods.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  CONTROLLER_NAME,
  desiredGroups,
  MANAGED_BY_LABEL,
  planSlices,
  SERVICE_NAME_LABEL,
} from './slices.ts';

export const ENDPOINTSLICE_CONTROLLER = 'endpointslice';
export const ENDPOINTSLICES = refOf(findKind('discovery.k8s.io', 'endpointslices')!);
const BY_SERVICE = 'service';
/** How soon to look again while slices this controller created are not in its cache yet. */
const CACHE_WAIT_MS = 50;

const unwrap = (o: KObject | DeletedFinalStateUnknown): KObject =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;

const managedServiceKey = (slice: KObject): string[] => {
  const labels = slice.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== CONTROLLER_NAME || !labels[SERVICE_NAME_LABEL]) return [];
  return [`${slice.metadata?.namespace}/${labels[SERVICE_NAME_LABEL]}`];
};

export class EndpointSliceController implements Controller {
  readonly name = ENDPOINTSLICE_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #services: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #slices: SharedInformer;
  /**
   * Slices created and not yet seen by the informer, per Service (upstream's "expectations"):
   * reconciling on a cache without them would create them twice.
   */
  readonly #created = new Map<string, Set<string>>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#services = ctx.informers.informerFor(SERVICES);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#slices = ctx.informers.informerFor(ENDPOINTSLICES, {
      indexers: { [BY_SERVICE]: managedServiceKey },
    });
    const svc = (o: KObject | DeletedFinalStateUnknown): void => this.#queue.add(objectKey(unwrap(o)));
    this.#services.addEventHandler({ onAdd: svc, onUpdate: (_o, n) => svc(n), onDelete: svc });
    const pods = (...ps: KObject[]): void => {
      for (const k of podServiceKeys(this.#services, ...ps)) this.#queue.add(k);
    };
    this.#pods.addEventHandler({
      onAdd: (p) => pods(p),
      onUpdate: (o, n) => pods(o, n),
      onDelete: (p) => pods(unwrap(p)),
    });
    const slice = (o: KObject | DeletedFinalStateUnknown): void => {
      for (const k of managedServiceKey(unwrap(o))) this.#queue.add(k);
    };
    this.#slices.addEventHandler({ onAdd: slice, onUpdate: (_o, n) => slice(n), onDelete: slice });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#services, this.#pods, this.#slices];
    if (!(await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (key) => this.reconcile(key), {
      onError: (key, err) =>
        this.#ctx.log.warn('endpointslice sync failed', { service: key, error: (err as Error).message }),
    });
  }

  async reconcile(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const client = this.#ctx.client.resource(ENDPOINTSLICES, namespace);
    const pending = this.#created.get(key);
    if (pending) {
      for (const n of pending) if (this.#slices.lister.get(`${namespace}/${n}`)) pending.delete(n);
      if (pending.size > 0) {
        this.#queue.addAfter(key, CACHE_WAIT_MS);
        return;
      }
      this.#created.delete(key);
    }
    const existing = this.#slices.lister.byIndex(BY_SERVICE, key);
    const service = this.#services.lister.get(key);
    let plan: { create: KObject[]; update: KObject[]; delete: KObject[] };
    if (!service || !hasSelector(service)) {
      // Gone (the garbage collector would get them too), or no longer selecting: not ours to keep.
      plan = { create: [], update: [], delete: [...existing] };
    } else {
      const groups = desiredGroups(service, this.#pods.lister.namespace(namespace).list());
      plan = planSlices(service, groups, existing);
    }
    for (const s of plan.update) await client.update(s);
    for (const s of plan.create) {
      const made = await client.create(s);
      const names = this.#created.get(key) ?? new Set<string>();
      this.#created.set(key, names);
      names.add(made.metadata!.name!);
    }
    for (const s of plan.delete) {
      try {
        await client.delete(s.metadata!.name!, { preconditions: { uid: s.metadata!.uid! } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}

export const endpointSliceControllerFactory: ControllerFactory = (ctx) => new EndpointSliceController(ctx);
