// The node's network components, started beside its agent in `skiff up` (DESIGN.md §7):
//
//   bridge + gateway (10.42.0.1) ─► cluster DNS on <gateway>:53 ─► kube-system/kube-dns slice → it
//   service proxy (iptables, SKIFF-*)   NetworkPolicy enforcer (SKIFF-NP-*)   pod masquerade (agent)
//   host-gw routes: each other Node's podCIDR via its InternalIP (proto 188)
//
// Why the gateway: pods reach it through their default route on every node (other nodes' gateways
// over host-gw routes), it is never the machine's external address, and the kube-dns ClusterIP
// DNATs to it like to any endpoint.
//
// Who the components speak as (one function for `skiff up`'s node and a joined `skiff agent`):
// - `skiff up`'s node holds the cluster CA key, so the proxy and enforcer get a `system:kube-proxy`
//   certificate and the DNS server a `system:skiff-dns` one, and it publishes the kube-dns
//   Service and EndpointSlice (the one cluster-wide DNS endpoint).
// - A joined agent has no CA key: every component uses the node's own credential
//   (`system:node:<name>`). The default policy grants the group system:nodes only the reads these
//   components need beyond the Node authorizer's (`system:skiff-node-network`: namespaces,
//   endpoints, NetworkPolicies) and no writes, so a node cannot rewrite Services or endpoints. Its
//   pods therefore do not go through the kube-dns ClusterIP (whose endpoint it may not publish):
//   their resolv.conf names the node-local server on the bridge gateway directly, the way
//   NodeLocal DNSCache is used with kubelet's --cluster-dns. Cluster DNS then keeps answering on a
//   node cut off from the server's node, and works with `skiff server` (no kube-dns at all).
//
// stop() ends watches and the DNS listener; iptables rules stay, as kube-proxy leaves them for the
// next start. cleanup() (uninstall, tests) removes the SKIFF-* and SKIFF-NP-* chains.
import { readFile } from 'node:fs/promises';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { gatewayFor } from '../agent/cni/cni-config.ts';
import { desiredRoutes, removeRoutes, syncRoutes } from '../agent/cni/host-gw-routes.ts';
import { ensureNodeBridge } from '../agent/cni/node-bridge.ts';
import type { ClusterDnsDefaults } from '../agent/runtime/pod-files.ts';
import type { KObject } from '../api/object.ts';
import { ensureClientCert } from '../apiserver/pki/index.ts';
import { clientForConnection, NODES, type RestClient, SharedInformerFactory } from '../client/index.ts';
import { type ClusterDns, startClusterDns } from '../dns/cluster-dns.ts';
import { CLUSTER_DNS_IP, ensureClusterDnsObjects } from '../dns/cluster-dns-service.ts';
import { NetpolIptables } from '../netpol/iptables.ts';
import { type NetworkPolicyEnforcer, startNetworkPolicy } from '../netpol/network-policy.ts';
import { ExecIptablesBackend } from '../proxy/iptables-backend.ts';
import { type ServiceProxy, startServiceProxy } from '../proxy/service-proxy.ts';
import type { Logger } from '../util/log.ts';
import { parseResolvConf } from '../util/resolv-conf.ts';

/** kubelet's --resolv-conf default: where the node's own resolvers (DNS upstreams) come from. */
export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';
/** Overrides the upstream resolv.conf (set by `skiff up --resolv-conf`; tests: a stub on 127.0.0.x). */
export const ENV_RESOLV_CONF = 'SKIFF_RESOLV_CONF';
export const DNS_PORT = 53;
export const PROXY_USER = 'system:kube-proxy';
export const DNS_USER = 'system:skiff-dns';

/** Who the network components speak as (see the header). */
export type NodeNetworkCredentials =
  | { kind: 'cluster-ca'; tlsDir: string; ca: { certPem: string; keyPem: string }; server: string }
  | { kind: 'node'; client: RestClient };

export interface NodeNetworkOptions {
  credentials: NodeNetworkCredentials;
  nodeName: string;
  podCidr: string;
  clusterCidr: string;
  bridge: string;
  /** Addresses NodePorts answer on (besides 127.0.0.1). */
  nodeIPs: readonly string[];
  resolvConfPath: string;
  log: Logger;
}

export interface NodeNetwork {
  /** What the runtime writes into ClusterFirst pods' resolv.conf. */
  readonly podDns: ClusterDnsDefaults;
  stop(): Promise<void>;
  /** Removes the proxy's and enforcer's chains; after stop(). */
  cleanup(): Promise<void>;
}

type CaCredentials = Extract<NodeNetworkCredentials, { kind: 'cluster-ca' }>;

async function componentClient(
  c: CaCredentials,
  nodeName: string,
  file: string,
  user: string,
): Promise<RestClient> {
  const cert = await ensureClientCert(c.tlsDir, file, c.ca, { commonName: user, usage: 'client' });
  return clientForConnection(
    {
      server: c.server,
      ca: Buffer.from(c.ca.certPem),
      cert: Buffer.from(cert.certPem),
      key: Buffer.from(cert.keyPem),
    },
    { userAgent: `skiff-network/${nodeName}` },
  );
}

/** The proxy's and the DNS server's clients; `owned` are closed on stop (the node's is the caller's). */
async function componentClients(
  o: NodeNetworkOptions,
): Promise<{ proxy: RestClient; dns: RestClient; owned: RestClient[]; publishDns: boolean }> {
  const c = o.credentials;
  if (c.kind === 'node') return { proxy: c.client, dns: c.client, owned: [], publishDns: false };
  const proxy = await componentClient(c, o.nodeName, `node-${o.nodeName}-proxy`, PROXY_USER);
  const dns = await componentClient(c, o.nodeName, `node-${o.nodeName}-dns`, DNS_USER);
  return { proxy, dns, owned: [proxy, dns], publishDns: true };
}

/** Starts the node's network components; a component that fails to start is logged, not fatal. */
export async function startNodeNetwork(o: NodeNetworkOptions): Promise<NodeNetwork> {
  const log = o.log.child('network');
  const hostConf = parseResolvConf(await readFile(o.resolvConfPath, 'utf8').catch(() => ''));
  const clients = await componentClients(o);
  const proxyClient = clients.proxy;
  const gateway = gatewayFor(o.podCidr);
  let dns: ClusterDns | undefined;
  try {
    await ensureNodeBridge(o.bridge, o.podCidr);
    dns = await startClusterDns({
      client: clients.dns,
      listen: { host: gateway, port: DNS_PORT },
      upstreams: hostConf.nameservers,
      log: log.child('dns'),
    });
    if (clients.publishDns)
      await ensureClusterDnsObjects(clients.dns, {
        endpointIP: gateway,
        port: DNS_PORT,
        nodeName: o.nodeName,
      });
  } catch (err) {
    log.error('cluster DNS did not start', { err: String(err) });
  }
  const proxy: ServiceProxy = startServiceProxy({
    client: proxyClient,
    nodeName: o.nodeName,
    nodeIPs: o.nodeIPs,
    clusterCidr: o.clusterCidr,
    log: log.child('proxy'),
  });
  const netpol: NetworkPolicyEnforcer = startNetworkPolicy({
    client: proxyClient,
    nodeName: o.nodeName,
    log: log.child('netpol'),
  });
  const routes = startHostRoutes(proxyClient, o.nodeName, log);
  proxy.synced.catch((err: unknown) => log.error('service proxy failed', { err: String(err) }));
  netpol.synced.catch((err: unknown) => log.error('network policy failed', { err: String(err) }));
  return {
    podDns: { nameservers: [clients.publishDns ? CLUSTER_DNS_IP : gateway], host: hostConf },
    async stop() {
      await Promise.allSettled([proxy.stop(), netpol.stop(), dns?.stop(), routes.dispose()]);
      for (const c of clients.owned) c.close();
    },
    async cleanup() {
      await proxy.cleanup();
      await netpol.cleanup();
    },
  };
}

/** Keeps host-gw routes to the other nodes' pod CIDRs (flannel's host-gw) as Nodes come and go. */
function startHostRoutes(client: RestClient, nodeName: string, log: Logger): SharedInformerFactory {
  const factory = new SharedInformerFactory(client, { log });
  const nodes = factory.informerFor<Node & KObject>(NODES);
  let syncing = Promise.resolve();
  const sync = () => {
    syncing = syncing
      .then(() => syncRoutes(desiredRoutes(nodes.lister.list(), nodeName)))
      .catch((err: unknown) => log.warn('host-gw routes not synced', { err: String(err) }));
  };
  nodes.addEventHandler({ onAdd: sync, onUpdate: sync, onDelete: sync });
  factory.start();
  return factory;
}

/**
 * Removes every chain the proxy and the enforcer own (SKIFF-*, SKIFF-NP-*) with no component
 * running: for uninstall and tests, after the server stopped. Host-wide, like kube-proxy --cleanup.
 */
export async function removeNodeNetworkRules(): Promise<void> {
  await new NetpolIptables().cleanup();
  await new ExecIptablesBackend().cleanup();
  await removeRoutes();
}
