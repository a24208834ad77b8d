// The node's network components, started beside its agent in `skiff up` (DESIGN.md §7):
//
//   bridge + gateway (10.42.0.1) ─► cluster DNS on <gateway>:53 ─► kube-system/kube-dns slice → it
//   service proxy (iptables, SKIFF-*)   NetworkPolicy enforcer (SKIFF-NP-*)   pod masquerade (agent)
//   host-gw routes: each other Node's podCIDR via its InternalIP (proto 188)
//
// Why the gateway: pods reach it through their default route on every node (other nodes' gateways
// over host-gw routes), it is never the machine's external address, and the kube-dns ClusterIP
// DNATs to it like to any endpoint. The proxy and enforcer speak as `system:kube-proxy`, the DNS
// server as `system:skiff-dns`, each with a client certificate from the cluster CA.
//
// stop() ends watches and the DNS listener; iptables rules stay, as kube-proxy leaves them for the
// next start. cleanup() (uninstall, tests) removes the SKIFF-* and SKIFF-NP-* chains.
import { readFile } from 'node:fs/promises';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { desiredRoutes, removeRoutes, syncRoutes } from '../agent/cni/host-gw-routes.ts';
import { ensureNodeBridge } from '../agent/cni/node-bridge.ts';
import type { ClusterDnsDefaults } from '../agent/runtime/pod-files.ts';
import type { KObject } from '../api/object.ts';
import { ensureClientCert } from '../apiserver/pki/index.ts';
import { clientForConnection, NODES, type RestClient, SharedInformerFactory } from '../client/index.ts';
import { type ClusterDns, startClusterDns } from '../dns/cluster-dns.ts';
import { CLUSTER_DNS_IP, ensureClusterDnsObjects } from '../dns/cluster-dns-service.ts';
import { parseResolvConf } from '../dns/resolv-conf.ts';
import { NetpolIptables } from '../netpol/iptables.ts';
import { type NetworkPolicyEnforcer, startNetworkPolicy } from '../netpol/network-policy.ts';
import { ExecIptablesBackend } from '../proxy/iptables-backend.ts';
import { type ServiceProxy, startServiceProxy } from '../proxy/service-proxy.ts';
import type { Logger } from '../util/log.ts';

/** kubelet's --resolv-conf default: where the node's own resolvers (DNS upstreams) come from. */
export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';
/** Overrides the upstream resolv.conf (set by `skiff up --resolv-conf`; tests: a stub on 127.0.0.x). */
export const ENV_RESOLV_CONF = 'SKIFF_RESOLV_CONF';
export const DNS_PORT = 53;
export const PROXY_USER = 'system:kube-proxy';
export const DNS_USER = 'system:skiff-dns';

export interface NodeNetworkOptions {
  tlsDir: string;
  ca: { certPem: string; keyPem: string };
  server: string;
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

async function componentClient(o: NodeNetworkOptions, file: string, user: string): Promise<RestClient> {
  const cert = await ensureClientCert(o.tlsDir, file, o.ca, { commonName: user, usage: 'client' });
  return clientForConnection(
    {
      server: o.server,
      ca: Buffer.from(o.ca.certPem),
      cert: Buffer.from(cert.certPem),
      key: Buffer.from(cert.keyPem),
    },
    { userAgent: `skiff-network/${o.nodeName}` },
  );
}

/** Starts the node's network components; a component that fails to start is logged, not fatal. */
export async function startNodeNetwork(o: NodeNetworkOptions): Promise<NodeNetwork> {
  const log = o.log.child('network');
  const hostConf = parseResolvConf(await readFile(o.resolvConfPath, 'utf8').catch(() => ''));
  const proxyClient = await componentClient(o, `node-${o.nodeName}-proxy`, PROXY_USER);
  const dnsClient = await componentClient(o, `node-${o.nodeName}-dns`, DNS_USER);
  let dns: ClusterDns | undefined;
  try {
    const gateway = await ensureNodeBridge(o.bridge, o.podCidr);
    dns = await startClusterDns({
      client: dnsClient,
      listen: { host: gateway, port: DNS_PORT },
      upstreams: hostConf.nameservers,
      log: log.child('dns'),
    });
    await ensureClusterDnsObjects(dnsClient, { endpointIP: gateway, port: DNS_PORT, nodeName: o.nodeName });
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
    podDns: { nameservers: [CLUSTER_DNS_IP], hostSearches: hostConf.searches },
    async stop() {
      await Promise.allSettled([proxy.stop(), netpol.stop(), dns?.stop(), routes.dispose()]);
      proxyClient.close();
      dnsClient.close();
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
