// The contract every controller implements and the context the manager gives it. Controllers talk
// to the cluster only through the client (informers to read, the REST client to write), so each
// one can run in the all-in-one process, in its own process, or against another API server.
import type { EventRecorder, RestClient, SharedInformerFactory } from '../client/index.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';

/** Tuning the manager passes through (upstream kube-controller-manager flag names in comments). */
export interface ControllerOptions {
  /** --node-monitor-grace-period: a node whose Lease is older than this goes Unknown (default 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** Default tolerationSeconds for not-ready/unreachable taints before eviction (default 300 s). */
  podEvictionTimeoutMs: number;
  /** --terminated-pod-gc-threshold (default 12500). */
  terminatedPodGcThreshold: number;
  /** --concurrent-*-syncs: workers per controller (default 5). */
  workers: number;
}

export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  nodeMonitorGracePeriodMs: 40_000,
  podEvictionTimeoutMs: 300_000,
  terminatedPodGcThreshold: 12_500,
  workers: 5,
};

export interface ControllerContext {
  client: RestClient;
  /** Shared by all controllers: one list+watch per resource for the whole manager. */
  informers: SharedInformerFactory;
  /** An event recorder whose source component is the given name. */
  recorder(component: string): EventRecorder;
  clock: Clock;
  log: Logger;
  options: ControllerOptions;
  /** The cluster CA certificate (PEM) published as `kube-root-ca.crt` (--root-ca-file). */
  rootCaPem?: string;
  /** CA pair that signs approved CSRs (--cluster-signing-cert-file / --cluster-signing-key-file). */
  clusterSigning?: { certPem: string; keyPem: string };
  /** --cluster-cidr for node IPAM (default 10.42.0.0/16); --node-cidr-mask-size (default 24). */
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
}

export interface Controller {
  /** Upstream's controller name (e.g. `deployment`, `replicaset`, `garbage-collector`). */
  readonly name: string;
  /**
   * Waits for its informers' caches to sync, then runs workers until the signal aborts; resolves
   * once every worker has stopped. (Informer handlers are registered by the factory, before the
   * manager starts the shared informer factory.)
   */
  run(signal: AbortSignal): Promise<void>;
}

/** Creates the controller and registers its informer handlers; no I/O. */
export type ControllerFactory = (ctx: ControllerContext) => Controller;
