// The node agent of the all-in-one process (`skiff up`; `skiff server` runs without it). It talks
// to this process's API server over HTTPS as `system:node:<name>` in `system:nodes`, with a client
// certificate from the cluster CA, so the Node authorizer and NodeRestriction admission apply to
// it exactly as to a joined agent.
//
//   startNodeAgent()  returns at once; the agent starts in the background (image store, Node
//                     registration, pod informer) and a failure is logged, not fatal to the server
//   stop()            waits for the start to settle, then stops the agent: pod workers, Lease
//                     heartbeats and watches end, but containers KEEP RUNNING (conmon outlives the
//                     process) and the next `skiff up` over the same data dir re-adopts them.
//                     `skiff uninstall` is what removes containers and host state.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../agent/agent.ts';
import { ensureClientCert } from '../apiserver/pki/index.ts';
import { clientForConnection, type RestClient } from '../client/index.ts';
import type { Logger } from '../util/log.ts';
import type { NodeNetwork } from './network.ts';

/** `--disable` name. */
export const DISABLE_AGENT = 'agent';
/** The first node's slice of the cluster CIDR 10.42.0.0/16 (DESIGN.md §7, k3s's convention). */
export const FIRST_NODE_POD_CIDR = '10.42.0.0/24';
/** Upstream's node identity: the Node authorizer keys on this user prefix and group. */
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
/**
 * Names every host object of this agent after one tag (`/run/skiff-<tag>`, cgroup `/skiff-<tag>`,
 * bridge and CNI network `skiff-<tag>`, netns `skiff-<tag>-…`), so several clusters — or tests —
 * can share a machine without touching each other's containers. Unset: skiff's defaults.
 */
export const ENV_HOST_SCOPE = 'SKIFF_AGENT_SCOPE';
/** Overrides the pod CIDR (tests running beside another cluster on the same machine). */
export const ENV_POD_CIDR = 'SKIFF_AGENT_POD_CIDR';
/** The agent API's port (default 10250, the kubelet's); 0 picks a free one (tests). */
export const ENV_AGENT_PORT = 'SKIFF_AGENT_PORT';
export const DEFAULT_AGENT_API_PORT = 10250;
/** DESIGN.md §7 (the server's CLUSTER_CIDR; repeated here so the agent does not load server.ts). */
export const CLUSTER_CIDR = '10.42.0.0/16';

export interface NodeAgentOptions {
  /** The server's data dir: the agent keeps its state in `<dataDir>/agent`. */
  dataDir: string;
  /** The server's TLS dir (cluster CA, component certificates). */
  tlsDir: string;
  ca: { certPem: string; keyPem: string };
  /** The API server URL the agent dials (loopback in the all-in-one process). */
  server: string;
  log: Logger;
  nodeName?: string;
  /** Every node's pods (default 10.42.0.0/16): not masqueraded, and the proxy's "local" traffic. */
  clusterCidr?: string;
  env?: NodeJS.ProcessEnv;
}

export interface NodeAgent {
  readonly nodeName: string;
  /** Settles once the agent runs (or failed to start; logged). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

/** Host object names for a scope tag (see ENV_HOST_SCOPE). */
export function scopedHostNames(tag: string | undefined) {
  if (!tag) return {};
  return {
    runDir: `/run/skiff-${tag}`,
    cgroupRoot: `/skiff-${tag}`,
    networkName: `skiff-${tag}`,
    bridge: `skiff-${tag}`,
    sandboxIdPrefix: `${tag}-`,
  };
}

export function startNodeAgent(o: NodeAgentOptions): NodeAgent {
  const env = o.env ?? process.env;
  // Node names are DNS subdomains: lower case, as `skiff agent --node-name` defaults too.
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  const log = o.log.child('agent');
  let agent: Agent | undefined;
  let network: NodeNetwork | undefined;
  let client: RestClient | undefined;
  let stopping = false;
  const started = (async () => {
    const cert = await ensureClientCert(o.tlsDir, `node-${nodeName}`, o.ca, {
      commonName: `${NODE_USER_PREFIX}${nodeName}`,
      organizations: [NODES_GROUP],
      usage: 'client',
    });
    // The agent API's serving certificate; the API server presents its own client certificate
    // (CN kube-apiserver-kubelet-client) to it, checked against the same CA.
    const serving = await ensureClientCert(o.tlsDir, `node-${nodeName}-serving`, o.ca, {
      commonName: `${NODE_USER_PREFIX}${nodeName}`,
      organizations: [NODES_GROUP],
      dnsNames: [nodeName, 'localhost'],
      ips: ['127.0.0.1'],
      usage: 'server',
    });
    const { firstIPv4, startAgent } = await import('../agent/agent.ts');
    if (stopping) return;
    const podCidr = env[ENV_POD_CIDR] || FIRST_NODE_POD_CIDR;
    const scoped = scopedHostNames(env[ENV_HOST_SCOPE]);
    const { startNodeNetwork, DEFAULT_RESOLV_CONF, ENV_RESOLV_CONF } = await import('./network.ts');
    const { DEFAULT_BRIDGE } = await import('../agent/cni/cni-config.ts');
    const internalIP = firstIPv4();
    network = await startNodeNetwork({
      tlsDir: o.tlsDir,
      ca: o.ca,
      server: o.server,
      nodeName,
      podCidr,
      clusterCidr: o.clusterCidr ?? CLUSTER_CIDR,
      bridge: scoped.bridge ?? DEFAULT_BRIDGE,
      nodeIPs: [internalIP],
      resolvConfPath: env[ENV_RESOLV_CONF] || DEFAULT_RESOLV_CONF,
      log,
    });
    if (stopping) return;
    const port = env[ENV_AGENT_PORT] === undefined ? DEFAULT_AGENT_API_PORT : Number(env[ENV_AGENT_PORT]);
    client = clientForConnection(
      {
        server: o.server,
        ca: Buffer.from(o.ca.certPem),
        cert: Buffer.from(cert.certPem),
        key: Buffer.from(cert.keyPem),
      },
      { userAgent: `skiff-agent/${nodeName}` },
    );
    agent = await startAgent({
      client,
      nodeName,
      dataDir: join(o.dataDir, 'agent'),
      podCidr,
      clusterCidr: o.clusterCidr ?? CLUSTER_CIDR,
      clusterDns: network.podDns,
      internalIP,
      ...scoped,
      api: { port, tls: { cert: serving.certPem, key: serving.keyPem, clientCa: o.ca.certPem } },
      log,
    });
    log.info('node agent running', { node: nodeName });
  })().catch((err: unknown) => log.error('node agent failed to start', { err: String(err) }));
  let stopped: Promise<void> | undefined;
  return {
    nodeName,
    started,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        await started;
        await agent?.stop();
        await network?.stop();
        client?.close();
      })();
      return stopped;
    },
  };
}
