// The Endpoints controller: keeps one core/v1 Endpoints object per Service with a selector, listing
// the selected pods' addresses and ports (see subsets.ts), and deletes it with the Service.
//
//   services ─┐                              ┌─► subsets from pods ─► create/update Endpoints
//   pods ─────┼─► queue(namespace/service) ──┤
//   endpoints (deleted) ┘                    └─► no Service: delete Endpoints

import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isAlreadyExists,
  isNotFound,
  objectKey,
  PODS,
  refOf,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { hasSelector, selects, serviceLabels } from './pods.ts';
import { endpointSubsets } from './subsets.ts';

export const ENDPOINTS_CONTROLLER = 'endpoints';
export const SERVICES = refOf(findKind('', 'services')!);
export const ENDPOINTS = refOf(findKind('', 'endpoints')!);

const unwrap = (o: KObject | DeletedFinalStateUnknown): KObject =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;

/** Enqueues the Services selecting a pod (before and after a change) — shared with EndpointSlices. */
export function podServiceKeys(services: SharedInformer, ...pods: KObject[]): Set<string> {
  const keys = new Set<string>();
  for (const pod of pods) {
    for (const svc of services.lister.namespace(pod.metadata?.namespace ?? '').list()) {
      if (selects(svc, pod)) keys.add(objectKey(svc));
    }
  }
  return keys;
}

export class EndpointsController implements Controller {
  readonly name = ENDPOINTS_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #services: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #endpoints: SharedInformer;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#services = ctx.informers.informerFor(SERVICES);
    this.#pods = ctx.informers.informerFor(PODS);
    this.#endpoints = ctx.informers.informerFor(ENDPOINTS);
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
    this.#endpoints.addEventHandler({ onDelete: svc });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#services, this.#pods, this.#endpoints];
    if (!(await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (key) => this.reconcile(key), {
      onError: (key, err) =>
        this.#ctx.log.warn('endpoints sync failed', { service: key, error: (err as Error).message }),
    });
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.#ctx.client.resource(ENDPOINTS, namespace);
    const service = this.#services.lister.get(key);
    if (!service) {
      try {
        await client.delete(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!hasSelector(service)) return;
    const subsets = endpointSubsets(service, this.#pods.lister.namespace(namespace).list());
    const labels = serviceLabels(service);
    const current = this.#endpoints.lister.get(key);
    if (current) {
      const same =
        JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) &&
        JSON.stringify(current.metadata?.labels ?? {}) === JSON.stringify(labels);
      if (same) return;
      const next = structuredClone(current) as KObject;
      next.metadata!.labels = labels;
      if (subsets.length) next.subsets = subsets;
      else delete next.subsets;
      await client.update(next);
      return;
    }
    try {
      await client.create({
        metadata: { name, namespace, labels },
        ...(subsets.length ? { subsets } : {}),
      });
    } catch (err) {
      if (isAlreadyExists(err)) throw new Error(`endpoints ${key} appeared meanwhile; retrying`);
      throw err;
    }
  }
}

export const endpointsControllerFactory: ControllerFactory = (ctx) => new EndpointsController(ctx);
