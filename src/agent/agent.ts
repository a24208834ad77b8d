// The node agent's composition root: runtime, images, pod network, Node registration and the pod
// manager. stop() leaves containers running (conmon outlives the agent); the next agent over the
// same data dir re-adopts them without restarting.
import os from 'node:os';
import path from 'node:path';
import { EventRecorder, type RestClient } from '../client/index.ts';
import { realClock } from '../util/clock.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { PodNetwork } from './cni/pod-network.ts';
import { CrashBackoff } from './crash-backoff.ts';
import { NodeRegistration } from './node-registration.ts';
import { PodManager } from './pod-manager.ts';
import { ImageService } from './runtime/images/image-service.ts';
import type { RegistriesConfig } from './runtime/images/registries-config.ts';
import type { ClusterDnsDefaults } from './runtime/pod-files.ts';
import { RuncRuntime } from './runtime/runc-runtime.ts';
import type { ContainerRuntime } from './runtime/types.ts';
import { StartSlots } from './start-slots.ts';
import { LocalPathJanitor } from './volumes/local-path-janitor.ts';

export const AGENT_COMPONENT = 'kubelet';

export interface AgentOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  podCidr?: string;
  registries?: RegistriesConfig;
  log?: Logger;
  /** Volatile runtime dir (default /run/skiff). */
  runDir?: string;
  cgroupRoot?: string;
  /** CNI network and bridge names (default skiff's). */
  networkName?: string;
  bridge?: string;
  sandboxIdPrefix?: string;
  exitPollMs?: number;
  /** Address reported as InternalIP and hostIP (default: first non-loopback IPv4). */
  internalIP?: string;
  /** Max processes per container (kubelet's --pod-max-pids); default unlimited, as upstream. */
  pidsLimit?: number;
  /** Pods starting at once (default: no limit; see start-slots.ts for the measured trade-off). */
  parallelPodStarts?: number;
  /** How often deleted local-path volumes are looked for (default 30 s). */
  localPathSweepMs?: number;
  /** How long a pod waits for its claims before a FailedMount event (default 2 min 3 s). */
  volumeMountTimeoutMs?: number;
  /**
   * The agent's HTTPS API (logs, exec, attach, port-forward, stats) for the API server to proxy
   * to; absent: not served. Port 0 picks a free one; the Node reports the port it got.
   */
  api?: { port: number; host?: string; tls: { cert: string; key: string; clientCa: string } };
  // --- networking (H28) ---
  /** Every node's pods: traffic to them is not masqueraded (default: this node's pod CIDR). */
  clusterCidr?: string;
  /** The cluster resolver written into pods' resolv.conf (default: the host's resolv.conf). */
  clusterDns?: ClusterDnsDefaults;
  // --- end networking ---
}

/**
 * Request connections the agent's client keeps to the API server (watches, its own and those of
 * the node's network components, have a pool of their own): requests queue for a free connection
 * (a few ms each) rather than opening more. Uncapped, a burst of pod starts or deletions opened a
 * TLS connection per concurrent request (~120 over the pods benchmark, each holding ~60 KB of
 * OpenSSL state and BIO buffers until closed and collected): the cap takes ~5 MB off the agent's
 * RSS at 50 pods (bench/README.md, pods).
 */
export const AGENT_CLIENT_MAX_SOCKETS = 8;

export interface Agent {
  readonly manager: PodManager;
  readonly runtime: ContainerRuntime;
  stop(): Promise<void>;
}

export function firstIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function startAgent(o: AgentOptions): Promise<Agent> {
  const log = o.log ?? createLogger({ component: 'agent' });
  const internalIP = o.internalIP ?? firstIPv4();
  const recorder = new EventRecorder(o.client, { component: AGENT_COMPONENT, host: o.nodeName, log });
  const reg = new NodeRegistration({
    client: o.client,
    nodeName: o.nodeName,
    dataDir: o.dataDir,
    internalIP,
    kubeletPort: () => apiServer?.port ?? 0,
    ...(o.podCidr ? { podCidr: o.podCidr } : {}),
    recorder,
    log,
  });
  const runtime = await RuncRuntime.open({
    stateDir: path.join(o.dataDir, 'runtime'),
    ...(o.runDir ? { runDir: o.runDir } : {}),
    ...(o.cgroupRoot ? { cgroupRoot: o.cgroupRoot } : {}),
    ...(o.exitPollMs ? { exitPollMs: o.exitPollMs } : {}),
    ...(o.clusterDns ? { clusterDns: o.clusterDns } : {}), // networking (H28)
  });
  // The API first: its port goes into the Node's status (daemonEndpoints.kubeletEndpoint).
  let apiServer: { port: number; stop(): Promise<void> } | undefined;
  if (o.api) {
    const { startAgentServer } = await import('./server/index.ts');
    try {
      apiServer = await startAgentServer({
        runtime,
        nodeName: o.nodeName,
        port: o.api.port,
        host: o.api.host ?? '0.0.0.0',
        tls: o.api.tls,
        ...(o.cgroupRoot ? { cgroupRoot: o.cgroupRoot } : {}),
        log,
      });
    } catch (err) {
      // Pods still run without it; only logs/exec/port-forward/top are unavailable.
      log.error('agent API did not start', { port: o.api.port, err: String(err) });
    }
  }
  const images = new ImageService({
    root: path.join(o.dataDir, 'images'),
    ...(o.registries ? { registries: o.registries } : {}),
  });
  await images.init();
  await reg.start();
  const podCidr = reg.podCidr;
  const network = podCidr
    ? new PodNetwork({
        podCidr,
        ...(o.clusterCidr ? { clusterCidr: o.clusterCidr } : {}), // networking (H28)
        stateDir: path.join(o.dataDir, 'cni'),
        ...(o.networkName ? { networkName: o.networkName } : {}),
        ...(o.bridge ? { bridge: o.bridge } : {}),
      })
    : undefined;
  const localPaths = new LocalPathJanitor({
    client: o.client,
    nodeName: o.nodeName,
    stateDir: path.join(o.dataDir, 'local-path'),
    clock: realClock,
    log,
    ...(o.localPathSweepMs ? { sweepMs: o.localPathSweepMs } : {}),
  });
  await localPaths.start();
  const manager = new PodManager({
    client: o.client,
    runtime,
    images,
    network,
    recorder,
    crashBackoff: new CrashBackoff(realClock),
    imageBackoff: new CrashBackoff(realClock),
    clock: realClock,
    nodeName: o.nodeName,
    hostIP: internalIP,
    allocatable: () => (reg.node?.status?.allocatable as Record<string, string> | undefined) ?? {},
    log,
    podsDir: path.join(o.dataDir, 'pods'),
    ...(o.sandboxIdPrefix ? { sandboxIdPrefix: o.sandboxIdPrefix } : {}),
    ...(o.pidsLimit ? { pidsLimit: o.pidsLimit } : {}),
    localPaths,
    ...(o.parallelPodStarts ? { startSlots: new StartSlots(o.parallelPodStarts) } : {}),
    ...(o.volumeMountTimeoutMs ? { volumeMountTimeoutMs: o.volumeMountTimeoutMs } : {}),
  });
  await manager.start();
  return {
    manager,
    runtime,
    async stop() {
      await manager.dispose();
      await localPaths.dispose();
      reg.dispose();
      await recorder.flush();
      await recorder.dispose();
      await apiServer?.stop();
      await runtime.dispose();
    },
  };
}
