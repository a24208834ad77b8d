// The service proxy as a component: informers on Services and EndpointSlices feed the Proxier,
// which renders and applies SKIFF-* chains through iptables-restore (see README.md).
//
//   informers (Services, EndpointSlices) ─ any event ─► one coalesced Proxier.update(snapshots)
//        └ first list done ─► sync at once ─► `synced` resolves (rules are in the kernel)
//
// route_localnet: kube-proxy's iptables mode lets NodePorts answer on 127.0.0.1 by setting
// net.ipv4.conf.all.route_localnet=1 (and guards it with the SKIFF-FIREWALL martian drop). That
// sysctl is host-wide, so it is set only when `localhostNodePorts` is on (the default, as
// upstream); turn it off and NodePorts answer on the node IPs only, with the sysctl untouched.
// cleanup() puts the sysctl back to the value found (kube-proxy leaves it set).
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { findKind } from '../api/kinds/index.ts';
import type { KObject } from '../api/object.ts';
import { type ResourceRef, type RestClient, refOf, SharedInformerFactory } from '../client/index.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { type ConntrackCleaner, ExecConntrackCleaner } from './conntrack.ts';
import { ExecIptablesBackend, type IptablesBackend } from './iptables-backend.ts';
import { Proxier } from './proxier.ts';

export const SERVICES: ResourceRef = refOf(findKind('', 'services')!);
export const ENDPOINT_SLICES: ResourceRef = refOf(findKind('discovery.k8s.io', 'endpointslices')!);
/** How often `synced` checks whether the first sync (retried by the Proxier) has landed. */
const FIRST_SYNC_POLL_MS = 50;

export interface ServiceProxyOptions {
  client: RestClient;
  nodeName: string;
  /** Addresses NodePorts answer on. */
  nodeIPs: readonly string[];
  /** The cluster's pod CIDR: service traffic from outside it is masqueraded. */
  clusterCidr: string;
  /** Default: iptables on this host. Tests pass `new ExecIptablesBackend({prefix: ['ip','netns','exec',…]})`. */
  iptables?: IptablesBackend;
  /** Default: the `conntrack` tool on this host (UDP flows to removed endpoints). */
  conntrack?: ConntrackCleaner;
  /** Share informers with other components of the process; default: a private factory. */
  informers?: SharedInformerFactory;
  /** NodePorts on 127.0.0.1 (sets route_localnet=1). Default true, as kube-proxy. */
  localhostNodePorts?: boolean;
  masqueradeAll?: boolean;
  minSyncPeriodMs?: number;
  fullSyncPeriodMs?: number;
  log?: Logger;
}

export interface ServiceProxy {
  /** Resolves once the informers listed and the first ruleset is in the kernel. */
  synced: Promise<void>;
  proxier: Proxier;
  /** Stops watching and syncing; the rules stay (kube-proxy leaves them for a restart). */
  stop(): Promise<void>;
  /** Removes every SKIFF-* chain and jump and restores route_localnet (`skiff uninstall`); call after stop(). */
  cleanup(): Promise<void>;
}

export function startServiceProxy(opts: ServiceProxyOptions): ServiceProxy {
  const log = opts.log ?? createLogger({ component: 'proxy' });
  const backend = opts.iptables ?? new ExecIptablesBackend();
  const conntrack =
    opts.conntrack ??
    new ExecConntrackCleaner({
      onMissing: () => log.warn('conntrack tool missing: stale UDP flows will age out instead'),
    });
  const ownFactory = !opts.informers;
  const factory = opts.informers ?? new SharedInformerFactory(opts.client, { log });
  const services = factory.informerFor<Service & KObject>(SERVICES);
  const slices = factory.informerFor<EndpointSlice & KObject>(ENDPOINT_SLICES);
  const proxier = new Proxier({
    backend,
    conntrack,
    nodeName: opts.nodeName,
    nodeIPs: opts.nodeIPs,
    clusterCIDR: opts.clusterCidr,
    options: { localhostNodePorts: opts.localhostNodePorts ?? true, masqueradeAll: opts.masqueradeAll },
    minSyncPeriodMs: opts.minSyncPeriodMs,
    fullSyncPeriodMs: opts.fullSyncPeriodMs,
    logger: log,
  });
  const abort = new AbortController();
  let ready = false;
  let pending = false;
  // Many events in one tick (a re-list, a burst) become one snapshot.
  const changed = (): void => {
    if (!ready || pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      if (abort.signal.aborted) return;
      proxier.update({ services: services.lister.list(), endpointSlices: slices.lister.list() });
    });
  };
  const handler = { onAdd: changed, onUpdate: changed, onDelete: changed };
  const regs = [services.addEventHandler(handler), slices.addEventHandler(handler)];
  if (ownFactory) factory.start();
  else {
    services.start();
    slices.start();
  }

  const synced = (async () => {
    const ok = (await services.waitForSync(abort.signal)) && (await slices.waitForSync(abort.signal));
    if (!ok) throw new Error('service proxy stopped before its informers synced');
    ready = true;
    proxier.update({ services: services.lister.list(), endpointSlices: slices.lister.list() });
    await proxier.syncNow();
    // A failed first sync is retried by the Proxier itself; wait for one to land.
    while (proxier.metrics.syncs === 0) {
      if (abort.signal.aborted) throw new Error('service proxy stopped before its first sync');
      await new Promise((r) => setTimeout(r, FIRST_SYNC_POLL_MS));
    }
    log.info('service proxy synced', { services: proxier.applied?.stats.services ?? 0 });
  })();
  // `synced` is for callers that care; an unobserved rejection at stop() must not crash the process.
  synced.catch(() => {});

  let stopped: Promise<void> | undefined;
  return {
    synced,
    proxier,
    stop: () => {
      stopped ??= (async () => {
        abort.abort();
        for (const r of regs) await r.dispose();
        if (ownFactory) await factory.dispose();
        await proxier.dispose();
      })();
      return stopped;
    },
    cleanup: async () => {
      await backend.cleanup();
      await backend.restoreRouteLocalnet();
    },
  };
}
