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
import type { Agent, AgentOptions } from '../agent/agent.ts';
import { ensureClientCert } from '../apiserver/pki/index.ts';
import { clientForConnection, type RestClient } from '../client/index.ts';
import type { Logger } from '../util/log.ts';
import type { NodeNetwork, NodeNetworkCredentials } from './network.ts';

/** `--disable` name. */
export const DISABLE_AGENT = 'agent';
/**
 * `skiff agent --disable network`: no cluster DNS, service proxy, NetworkPolicy enforcer or
 * host-gw routes on this node (k3s's --disable-kube-proxy/--disable-network-policy/--flannel-backend
 * none in one), for machines whose network another tool manages, and for tests of the join alone.
 */
export const DISABLE_NETWORK = 'network';
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
const SERVING_CERT_MISSING =
  'no serving certificate for the agent API (approve its CSR and restart the agent): logs, exec and port-forward to this node fail';
/** DESIGN.md §7 (the server's CLUSTER_CIDR; repeated here so the agent does not load server.ts). */
export const CLUSTER_CIDR = '10.42.0.0/16';
/** A joined agent's cluster CIDR when the server's is not the default (`skiff agent`). */
export const ENV_CLUSTER_CIDR = 'SKIFF_CLUSTER_CIDR';

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

/** The agent API's port: SKIFF_AGENT_PORT (0 = any free one, for tests) or the kubelet's 10250. */
const agentApiPort = (env: NodeJS.ProcessEnv): number =>
  env[ENV_AGENT_PORT] === undefined ? DEFAULT_AGENT_API_PORT : Number(env[ENV_AGENT_PORT]);

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
    const { firstIPv4, AGENT_CLIENT_MAX_SOCKETS } = await import('../agent/agent.ts');
    if (stopping) return;
    const port = agentApiPort(env);
    client = clientForConnection(
      {
        server: o.server,
        ca: Buffer.from(o.ca.certPem),
        cert: Buffer.from(cert.certPem),
        key: Buffer.from(cert.keyPem),
      },
      { userAgent: `skiff-agent/${nodeName}`, maxSockets: AGENT_CLIENT_MAX_SOCKETS },
    );
    const running = await startNodeComponents({
      client,
      credentials: { kind: 'cluster-ca', tlsDir: o.tlsDir, ca: o.ca, server: o.server },
      nodeName,
      dataDir: join(o.dataDir, 'agent'),
      podCidr: env[ENV_POD_CIDR] || FIRST_NODE_POD_CIDR,
      clusterCidr: o.clusterCidr ?? CLUSTER_CIDR,
      internalIP: firstIPv4(),
      api: { port, tls: { cert: serving.certPem, key: serving.keyPem, clientCa: o.ca.certPem } },
      stopping: () => stopping,
      env,
      log,
    });
    network = running.network;
    agent = running.agent;
    if (!agent) return;
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

interface NodeComponentsOptions {
  /** The agent's client (the node identity). */
  client: RestClient;
  credentials: NodeNetworkCredentials;
  nodeName: string;
  /** The agent's own state dir. */
  dataDir: string;
  podCidr: string;
  clusterCidr: string;
  internalIP: string;
  api?: AgentOptions['api'];
  runDir?: string;
  /** Checked between the steps: stop() came while starting. */
  stopping: () => boolean;
  /** Run the agent alone: pods get the host's resolvers and no Services (see DISABLE_NETWORK). */
  disableNetwork?: boolean;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * What every node runs, in `skiff up` and in a joined `skiff agent` alike: the network components
 * (bridge, cluster DNS, service proxy, NetworkPolicy enforcer, host-gw routes), then the agent,
 * whose pods' resolv.conf names the DNS the network chose. `agent` is unset when stopped early.
 */
async function startNodeComponents(
  o: NodeComponentsOptions,
): Promise<{ network?: NodeNetwork; agent?: Agent }> {
  const scoped = scopedHostNames(o.env[ENV_HOST_SCOPE]);
  const [{ startAgent }, { startNodeNetwork, DEFAULT_RESOLV_CONF, ENV_RESOLV_CONF }, { DEFAULT_BRIDGE }] =
    await Promise.all([
      import('../agent/agent.ts'),
      import('./network.ts'),
      import('../agent/cni/cni-config.ts'),
    ]);
  const network = o.disableNetwork
    ? undefined
    : await startNodeNetwork({
        credentials: o.credentials,
        nodeName: o.nodeName,
        podCidr: o.podCidr,
        clusterCidr: o.clusterCidr,
        bridge: scoped.bridge ?? DEFAULT_BRIDGE,
        nodeIPs: [o.internalIP],
        resolvConfPath: o.env[ENV_RESOLV_CONF] || DEFAULT_RESOLV_CONF,
        log: o.log,
      });
  if (o.stopping()) return { network };
  const agent = await startAgent({
    client: o.client,
    nodeName: o.nodeName,
    dataDir: o.dataDir,
    podCidr: o.podCidr,
    clusterCidr: o.clusterCidr,
    ...(network ? { clusterDns: network.podDns } : {}),
    internalIP: o.internalIP,
    ...scoped,
    ...(o.runDir ? { runDir: o.runDir } : {}),
    ...(o.api ? { api: o.api } : {}),
    log: o.log,
  });
  return { network, agent };
}

export interface JoinedNodeOptions {
  /** The node credential `skiff agent` obtained (src/agent/join). */
  kubeconfigPath: string;
  nodeName: string;
  dataDir: string;
  /** InternalIP (kubelet's --node-ip); default: this machine's source address toward the server. */
  nodeIP?: string;
  runDir?: string;
  /** `--disable` names (DISABLE_NETWORK). */
  disable?: ReadonlySet<string>;
  env?: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * A joined machine's node (`skiff agent`): the same components as `skiff up`'s node, speaking as
 * the node itself (it holds no CA key; see network.ts). Its pod CIDR is the one the nodeipam
 * controller assigns to its Node, waited for before the bridge is made.
 */
export async function startJoinedNode(o: JoinedNodeOptions): Promise<{ stop(): Promise<void> }> {
  const env = o.env ?? process.env;
  const [
    { loadKubeconfig },
    { awaitPodCidr },
    { nodeIpToward },
    { ensureServingCertificate },
    { AGENT_CLIENT_MAX_SOCKETS },
  ] = await Promise.all([
    import('../client/index.ts'),
    import('../agent/join/pod-cidr.ts'),
    import('../agent/join/node-ip.ts'),
    import('../agent/join/serving-cert.ts'),
    import('../agent/agent.ts'),
  ]);
  const conn = await loadKubeconfig(o.kubeconfigPath);
  const client = clientForConnection(conn, {
    userAgent: `skiff-agent/${o.nodeName}`,
    maxSockets: AGENT_CLIENT_MAX_SOCKETS,
  });
  try {
    const internalIP = o.nodeIP ?? (await nodeIpToward(new URL(conn.server).hostname));
    const podCidr = await awaitPodCidr(client, { nodeName: o.nodeName, dataDir: o.dataDir, internalIP });
    // The agent API (logs, exec, port-forward) needs a serving certificate from the cluster CA,
    // which this machine gets through a kubelet-serving CSR; the API server's client certificate
    // is checked against the same CA. Without one (left pending for a human) pods still run.
    const caPem = conn.ca?.toString('utf8');
    const api = caPem
      ? await ensureServingCertificate({
          client,
          nodeName: o.nodeName,
          dataDir: o.dataDir,
          caPem,
          internalIP,
          log: (m) => o.log.info(m, { node: o.nodeName }),
        }).then(
          (c) => ({
            port: agentApiPort(env),
            tls: { cert: c.certPem, key: c.keyPem, clientCa: caPem },
          }),
          (err: unknown) => {
            o.log.warn(SERVING_CERT_MISSING, { node: o.nodeName, err: String(err) });
            return undefined;
          },
        )
      : undefined;
    const { network, agent } = await startNodeComponents({
      client,
      credentials: { kind: 'node', client },
      nodeName: o.nodeName,
      dataDir: o.dataDir,
      podCidr,
      clusterCidr: env[ENV_CLUSTER_CIDR] || CLUSTER_CIDR,
      internalIP,
      ...(api ? { api } : {}),
      ...(o.runDir ? { runDir: o.runDir } : {}),
      stopping: () => false,
      disableNetwork: o.disable?.has(DISABLE_NETWORK) ?? false,
      env,
      log: o.log,
    });
    return {
      async stop() {
        await agent?.stop();
        await network?.stop();
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw err;
  }
}
