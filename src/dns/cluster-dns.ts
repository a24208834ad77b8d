// Cluster DNS as a component: informers on Services, EndpointSlices, Pods and Namespaces keep the
// ClusterIndex current; the DnsServer answers from it and forwards other names upstream.
//
//   informers ─ add/update ─► ClusterIndex.upsert*     ─┐
//             ─ delete    ─► ClusterIndex.remove*      ├─► DnsServer (UDP+TCP on listen.host:port)
//   all listed ─► index.synced = true (misses stop being SERVFAIL and become NXDOMAIN)
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { findKind } from '../api/kinds/index.ts';
import type { KObject } from '../api/object.ts';
import {
  DeletedFinalStateUnknown,
  type EventHandler,
  NAMESPACES,
  PODS,
  type ResourceRef,
  type RestClient,
  refOf,
  SharedInformerFactory,
} from '../client/index.ts';
import type { Disposable } from '../util/disposable.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { ClusterIndex } from './cluster-index.ts';
import { DEFAULT_CLUSTER_DOMAIN } from './names.ts';
import type { PodRecordsMode } from './resolve.ts';
import { DnsServer } from './server.ts';

const SERVICES: ResourceRef = refOf(findKind('', 'services')!);
const ENDPOINT_SLICES: ResourceRef = refOf(findKind('discovery.k8s.io', 'endpointslices')!);

export interface ClusterDnsOptions {
  client: RestClient;
  /** Where to answer; port 0 picks a free one (tests). */
  listen: { host: string; port: number };
  /** Resolvers for names outside the cluster zone (`ip` or `ip:port`), e.g. the node's resolv.conf. */
  upstreams: readonly string[];
  clusterDomain?: string;
  /** CoreDNS's `pods` setting: verified (default) needs a watch on every Pod; disabled needs none. */
  pods?: PodRecordsMode;
  forwardTimeoutMs?: number;
  informers?: SharedInformerFactory;
  log?: Logger;
}

export interface ClusterDns {
  /** The address both UDP and TCP listen on. */
  address: { host: string; port: number };
  /** Resolves once every informer has listed (until then, cluster misses answer SERVFAIL). */
  synced: Promise<void>;
  server: DnsServer;
  index: ClusterIndex;
  stop(): Promise<void>;
}

const nsName = (o: KObject): [string, string] => [o.metadata?.namespace ?? 'default', o.metadata?.name ?? ''];

function indexHandler<T extends KObject>(upsert: (o: T) => void, remove: (ns: string, name: string) => void) {
  const h: EventHandler<T> = {
    onAdd: (o) => upsert(o),
    onUpdate: (_old, o) => upsert(o),
    onDelete: (o) => remove(...nsName(o instanceof DeletedFinalStateUnknown ? o.obj : o)),
  };
  return h;
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const log = opts.log ?? createLogger({ component: 'dns' });
  const pods = opts.pods ?? 'verified';
  const index = new ClusterIndex({ synced: false });
  const server = new DnsServer({
    index,
    host: opts.listen.host,
    port: opts.listen.port,
    zone: opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    upstreams: opts.upstreams,
    pods,
    forwardTimeoutMs: opts.forwardTimeoutMs,
    logger: log,
  });
  const address = await server.start();

  const ownFactory = !opts.informers;
  const factory = opts.informers ?? new SharedInformerFactory(opts.client, { log });
  const services = factory.informerFor<Service & KObject>(SERVICES);
  const slices = factory.informerFor<EndpointSlice & KObject>(ENDPOINT_SLICES);
  const namespaces = factory.informerFor<Namespace & KObject>(NAMESPACES);
  const regs: Disposable[] = [
    services.addEventHandler(
      indexHandler<Service & KObject>(
        (s) => index.upsertService(s),
        (ns, n) => index.removeService(ns, n),
      ),
    ),
    slices.addEventHandler(
      indexHandler<EndpointSlice & KObject>(
        (s) => index.upsertEndpointSlice(s),
        (ns, n) => index.removeEndpointSlice(ns, n),
      ),
    ),
  ];
  // A namespace exists for DNS (NXDOMAIN vs NODATA) while its Namespace object does.
  const syncNamespaces = (): void =>
    index.setNamespaces(namespaces.lister.list().map((n) => n.metadata?.name ?? ''));
  regs.push(
    namespaces.addEventHandler({ onAdd: syncNamespaces, onUpdate: syncNamespaces, onDelete: syncNamespaces }),
  );
  const informers: { start(): void; waitForSync(signal?: AbortSignal): Promise<boolean> }[] = [
    services,
    slices,
    namespaces,
  ];
  if (pods !== 'disabled') {
    const podInformer = factory.informerFor<Pod & KObject>(PODS);
    regs.push(
      podInformer.addEventHandler(
        indexHandler<Pod & KObject>(
          (p) => index.upsertPod(p),
          (ns, n) => index.removePod(ns, n),
        ),
      ),
    );
    informers.push(podInformer);
  }
  if (ownFactory) factory.start();
  else for (const i of informers) i.start();

  const abort = new AbortController();
  const synced = (async () => {
    for (const i of informers)
      if (!(await i.waitForSync(abort.signal)))
        throw new Error('cluster DNS stopped before its informers synced');
    index.synced = true;
    log.info('cluster dns synced', { address: `${address.host}:${address.port}` });
  })();
  synced.catch(() => {});

  let stopped: Promise<void> | undefined;
  return {
    address,
    synced,
    server,
    index,
    stop: () => {
      stopped ??= (async () => {
        abort.abort();
        for (const r of regs) await r.dispose();
        if (ownFactory) await factory.dispose();
        await server.close();
      })();
      return stopped;
    },
  };
}
