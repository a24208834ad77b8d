// The service account controller: every active namespace has a `default` ServiceAccount, created
// when the namespace appears and again whenever it is deleted (upstream serviceaccounts_controller.go).
//
//   namespaces informer ─(add/update)─────────┐
//   serviceaccounts informer ─(delete default)─┴─► queue(namespace) ─► create if missing

import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isAlreadyExists,
  isNotFound,
  NAMESPACES,
  refOf,
  type SharedInformer,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';

export const SERVICEACCOUNT_CONTROLLER = 'serviceaccount';
export const DEFAULT_SERVICE_ACCOUNT = 'default';
const SERVICEACCOUNTS = refOf(findKind('', 'serviceaccounts')!);
const ACTIVE = 'Active';
/** The API server's answer when creating in a terminating namespace. */
const FORBIDDEN = 403;

export class ServiceAccountController implements Controller {
  readonly name = SERVICEACCOUNT_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #namespaces: SharedInformer;
  readonly #accounts: SharedInformer;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#namespaces = ctx.informers.informerFor(NAMESPACES);
    this.#accounts = ctx.informers.informerFor(SERVICEACCOUNTS);
    const byNamespace = (ns: KObject): void => this.#queue.add(ns.metadata!.name!);
    this.#namespaces.addEventHandler({ onAdd: byNamespace, onUpdate: (_o, ns) => byNamespace(ns) });
    this.#accounts.addEventHandler({
      onDelete: (o) => {
        const sa = o instanceof DeletedFinalStateUnknown ? o.obj : o;
        if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT) this.#queue.add(sa.metadata.namespace!);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.#namespaces.waitForSync(signal),
      this.#accounts.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (ns) => this.reconcile(ns), {
      onError: (ns, err) =>
        this.#ctx.log.warn('default service account', { namespace: ns, error: (err as Error).message }),
    });
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.#namespaces.lister.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? ACTIVE) !== ACTIVE) return;
    if (this.#accounts.lister.get(`${namespace}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    try {
      await this.#ctx.client
        .resource(SERVICEACCOUNTS, namespace)
        .create({ metadata: { name: DEFAULT_SERVICE_ACCOUNT } });
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or began terminating meanwhile.
      if (isAlreadyExists(err) || isNotFound(err) || (err as { code?: number }).code === FORBIDDEN) return;
      throw err;
    }
  }
}

export const serviceAccountControllerFactory: ControllerFactory = (ctx) => new ServiceAccountController(ctx);
