// The resource quota controller: keeps each ResourceQuota's status.hard (= spec.hard) and
// status.used (computed from the namespace's objects, see usage.ts) current. (Admission enforces
// quotas in the API server; this is the full recount that corrects any drift.)
//
//   resourcequotas ─┐
//   pods/services/configmaps/secrets/pvcs/rcs ─┴─► queue(namespace/quota) ─► computeUsed ─► PUT status
//   every RESYNC_MS: every quota (counts of other resources are listed live)
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import {
  CONFIGMAPS,
  DeletedFinalStateUnknown,
  isNotFound,
  objectKey,
  PODS,
  type ResourceRef,
  refOf,
  type SharedInformer,
  splitKey,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { computeUsed, countedResource } from './usage.ts';

export const RESOURCEQUOTA_CONTROLLER = 'resourcequota';
export const RESOURCEQUOTAS = refOf(findKind('', 'resourcequotas')!);
/** Upstream --resource-quota-sync-period is 5 min; counts of unwatched resources refresh this often. */
const RESYNC_MS = 30_000;

const WATCHED: ResourceRef[] = [
  PODS,
  CONFIGMAPS,
  refOf(findKind('', 'services')!),
  refOf(findKind('', 'secrets')!),
  refOf(findKind('', 'persistentvolumeclaims')!),
  refOf(findKind('', 'replicationcontrollers')!),
];

const unwrap = (o: KObject | DeletedFinalStateUnknown): KObject =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;
/** Resource lists compared regardless of key order (the server may store them in another). */
const sameList = (a: Record<string, string>, b: Record<string, string> | undefined): boolean =>
  !!b && Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
const id = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);

export class ResourceQuotaController implements Controller {
  readonly name = RESOURCEQUOTA_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #quotas: SharedInformer;
  readonly #watched = new Map<string, SharedInformer>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#quotas = ctx.informers.informerFor(RESOURCEQUOTAS);
    const quota = (o: KObject | DeletedFinalStateUnknown): void => this.#queue.add(objectKey(unwrap(o)));
    this.#quotas.addEventHandler({ onAdd: quota, onUpdate: (_o, n) => quota(n), onDelete: quota });
    const inNamespace = (o: KObject | DeletedFinalStateUnknown): void =>
      this.#enqueueNamespace(unwrap(o).metadata?.namespace ?? '');
    for (const ref of WATCHED) {
      const inf = ctx.informers.informerFor(ref);
      inf.addEventHandler({ onAdd: inNamespace, onUpdate: (_o, n) => inNamespace(n), onDelete: inNamespace });
      this.#watched.set(id(ref.resource, ref.group), inf);
    }
  }

  #enqueueNamespace(namespace: string): void {
    for (const q of this.#quotas.lister.namespace(namespace).list()) this.#queue.add(objectKey(q));
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#quotas, ...this.#watched.values()];
    if (!(await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    const resync = async (): Promise<void> => {
      while (!signal.aborted) {
        await this.#ctx.clock.sleep(RESYNC_MS, signal);
        for (const q of this.#quotas.lister.list()) this.#queue.add(objectKey(q));
      }
    };
    await Promise.all([
      resync(),
      runWorkers(this.#queue, this.#ctx.options.workers, (key) => this.reconcile(key), {
        onError: (key, err) =>
          this.#ctx.log.warn('resource quota sync failed', { quota: key, error: (err as Error).message }),
      }),
    ]);
  }

  async reconcile(key: string): Promise<void> {
    const quota = this.#quotas.lister.get(key);
    if (!quota) return;
    const { namespace } = splitKey(key);
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    // Counts of resources without an informer here are listed live.
    const live = new Map<string, KObject[]>();
    for (const name of Object.keys(hard)) {
      const c = countedResource(name);
      if (!c || this.#watched.has(id(c.resource, c.group)) || live.has(id(c.resource, c.group))) continue;
      const kind = findKind(c.group, c.resource);
      if (!kind) continue;
      live.set(
        id(c.resource, c.group),
        (await this.#ctx.client.resource(refOf(kind), namespace).listAll()).items,
      );
    }
    const used = computeUsed(hard, {
      of: (resource, group) =>
        this.#watched.get(id(resource, group))?.lister.namespace(namespace).list() ??
        live.get(id(resource, group)) ??
        [],
    });
    const status = { hard: { ...hard }, used };
    if (sameList(status.hard, quota.status?.hard) && sameList(status.used, quota.status?.used)) return;
    try {
      await this.#ctx.client
        .resource(RESOURCEQUOTAS, namespace)
        .updateStatus({ ...structuredClone(quota), status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export const resourceQuotaControllerFactory: ControllerFactory = (ctx) => new ResourceQuotaController(ctx);
