// The root CA publisher (upstream pkg/controller/certificates/rootcacertpublisher): every active
// namespace gets the ConfigMap `kube-root-ca.crt` holding the cluster CA, so pods can verify the
// API server (the service-account projected volume mounts it). The ConfigMap is recreated when
// deleted and put back when its data or description is changed.
//
//   namespaces informer ─(add/update)──────────────┐
//   configmaps informer ─(kube-root-ca.crt changed/ ┴─► queue(namespace) ─► create or repair
//                         deleted)

import type { KObject } from '../../api/object.ts';
import {
  CONFIGMAPS,
  isAlreadyExists,
  isNotFound,
  NAMESPACES,
  type SharedInformer,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import { idleController } from '../certificates/idle.ts';
import { unwrapDeleted } from '../common/queue-runner.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';

export const ROOT_CA_CERT_PUBLISHER_CONTROLLER = 'root-ca-cert-publisher';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Upstream's wording, which users and tools read off the object. */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints ' +
  'such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';
const ACTIVE = 'Active';
/** The API server's answer when creating in a terminating namespace. */
const FORBIDDEN = 403;

export class RootCaCertPublisher implements Controller {
  readonly name = ROOT_CA_CERT_PUBLISHER_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #caPem: string;
  readonly #queue: WorkQueue<string>;
  readonly #namespaces: SharedInformer;
  readonly #configMaps: SharedInformer;

  constructor(ctx: ControllerContext, caPem: string) {
    this.#ctx = ctx;
    this.#caPem = caPem;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#namespaces = ctx.informers.informerFor(NAMESPACES);
    this.#configMaps = ctx.informers.informerFor(CONFIGMAPS);
    const byNamespace = (ns: KObject): void => this.#queue.add(ns.metadata!.name!);
    this.#namespaces.addEventHandler({ onAdd: byNamespace, onUpdate: (_o, ns) => byNamespace(ns) });
    const byConfigMap = (cm: KObject): void => {
      if (cm.metadata?.name === ROOT_CA_CONFIGMAP) this.#queue.add(cm.metadata.namespace!);
    };
    this.#configMaps.addEventHandler({
      onUpdate: (_o, cm) => byConfigMap(cm),
      onDelete: (o) => byConfigMap(unwrapDeleted(o)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.#namespaces.waitForSync(signal),
      this.#configMaps.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (ns) => this.reconcile(ns), {
      onError: (ns, err) =>
        this.#ctx.log.warn('publish root CA', { namespace: ns, error: (err as Error).message }),
    });
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.#namespaces.lister.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? ACTIVE) !== ACTIVE) return;
    const configMaps = this.#ctx.client.resource(CONFIGMAPS, namespace);
    const cm = this.#configMaps.lister.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    try {
      if (!cm) {
        await configMaps.create({
          metadata: {
            name: ROOT_CA_CONFIGMAP,
            annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
          },
          data: { [ROOT_CA_KEY]: this.#caPem },
        });
        return;
      }
      if (this.#upToDate(cm)) return;
      // As upstream: the data is replaced whole (extra keys go), the description is set.
      const fixed = structuredClone(cm) as KObject;
      fixed.data = { [ROOT_CA_KEY]: this.#caPem };
      delete fixed.binaryData;
      fixed.metadata!.annotations = {
        ...fixed.metadata!.annotations,
        [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION,
      };
      await configMaps.update(fixed);
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or began terminating meanwhile.
      if (isAlreadyExists(err) || isNotFound(err) || (err as { code?: number }).code === FORBIDDEN) return;
      throw err;
    }
  }

  #upToDate(cm: KObject): boolean {
    const data = (cm.data ?? {}) as Record<string, string>;
    const keys = Object.keys(data);
    return (
      keys.length === 1 &&
      data[ROOT_CA_KEY] === this.#caPem &&
      !cm.binaryData &&
      Boolean(cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION])
    );
  }
}

/** Without a CA in the context (no --root-ca-file) the controller has nothing to publish and idles. */
export const rootCaCertPublisherFactory: ControllerFactory = (ctx) =>
  ctx.rootCaPem
    ? new RootCaCertPublisher(ctx, ctx.rootCaPem)
    : idleController(
        ctx,
        ROOT_CA_CERT_PUBLISHER_CONTROLLER,
        'no root CA configured; kube-root-ca.crt is not published',
      );
