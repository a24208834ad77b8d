// kube-scheduler over the client:
//
//   informers (nodes, namespaces, PDBs, all non-terminal pods; services/RC/RS/STS for default
//   spreading) start at once, so a standby's cache is warm
//     └─► leader election on the kube-system/kube-scheduler Lease
//           └─ leading: wait for sync ─► new Scheduler ─► feedScheduler (replays the caches)
//                        ─► run until leadership ends ─► detach, flush status writes
//   stop(): abort the term, release the Lease, stop informers, flush events (in that order).
//
// Each leadership term gets a fresh Scheduler (queue and cache rebuilt from the informers): a
// former leader's assumed pods and queue state mean nothing once another instance has scheduled.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KObject } from '../../api/object.ts';
import type { RestClient } from '../../client/index.ts';
import {
  EventRecorder,
  LeaderElector,
  NAMESPACES,
  NODES,
  PODS,
  SharedInformerFactory,
} from '../../client/index.ts';
import type { Logger } from '../../util/log.ts';
import type { SchedulerConfig } from '../framework/config.ts';
import type { PersistentVolumeObject, SchedulerHost, VolumeClaim, VolumeSource } from '../host.ts';
import { Scheduler } from '../scheduler.ts';
import { DEFAULT_SCHEDULER_NAME, podKey } from '../types.ts';
import { ClientSchedulerHost } from './client-host.ts';
import { defaultSpreadSelector } from './default-spread.ts';
import { feedScheduler } from './informer-feed.ts';
import {
  type NodeObject,
  PDBS,
  type PdbObject,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  type PodObject,
  REPLICA_SETS,
  REPLICATION_CONTROLLERS,
  SERVICES,
  STATEFUL_SETS,
  STORAGE_CLASSES,
} from './resources.ts';

/** Upstream's lock: kube-system/kube-scheduler. */
export const SCHEDULER_LEASE_NAMESPACE = 'kube-system';
export const SCHEDULER_LEASE_NAME = 'kube-scheduler';
/** Events are reported as upstream's default profile does. */
export const SCHEDULER_COMPONENT = DEFAULT_SCHEDULER_NAME;
/** Terminal pods hold no resources: the scheduler never caches them (as upstream's informer). */
export const NON_TERMINAL_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export interface SchedulerLeaderElection {
  namespace?: string;
  name?: string;
  /** Default: `<hostname>_<uuid>`, as upstream. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface StartSchedulerOptions {
  client: RestClient;
  log?: Logger;
  /** false: schedule without a Lease (the only scheduler). Default: the kube-scheduler Lease. */
  leaderElection?: false | SchedulerLeaderElection;
  config?: SchedulerConfig;
  /**
   * Deep-freeze informer objects (default false: the scheduler sees every pod event, and freezing
   * cost ~12% of its throughput at 5,000 nodes, measured by bench/scheduler.ts). The scheduler
   * copies what it changes; its tests run frozen so a mutation of shared state fails there.
   */
  freeze?: boolean;
  /** Wraps the client-backed host (benchmarks time binds through it). */
  wrapHost?: (host: SchedulerHost) => SchedulerHost;
}

export interface RunningScheduler {
  /** The scheduler of the current leadership term, if leading. */
  readonly current: Scheduler | undefined;
  /** Resolves when this instance first starts scheduling (false if stopped before). */
  readonly leading: Promise<boolean>;
  stop(): Promise<void>;
}

export function startScheduler(opts: StartSchedulerOptions): RunningScheduler {
  const { client, log } = opts;
  const factory = new SharedInformerFactory(client, { log, freeze: opts.freeze ?? false });
  const informers = {
    nodes: factory.informerFor<NodeObject>(NODES),
    namespaces: factory.informerFor<KObject>(NAMESPACES),
    pdbs: factory.informerFor<PdbObject>(PDBS),
    pods: factory.informerFor<PodObject>(PODS, { fieldSelector: NON_TERMINAL_PODS }),
  };
  const spread = {
    services: factory.informerFor(SERVICES).lister,
    replicationControllers: factory.informerFor(REPLICATION_CONTROLLERS).lister,
    replicaSets: factory.informerFor(REPLICA_SETS).lister,
    statefulSets: factory.informerFor(STATEFUL_SETS).lister,
  };
  const storage = {
    claims: factory.informerFor(PERSISTENT_VOLUME_CLAIMS),
    volumes: factory.informerFor(PERSISTENT_VOLUMES),
    classes: factory.informerFor(STORAGE_CLASSES),
  };
  const volumes: VolumeSource = {
    claim: (ns, name) => storage.claims.lister.get(`${ns}/${name}`) as VolumeClaim | undefined,
    volume: (name) => storage.volumes.lister.get(name) as PersistentVolumeObject | undefined,
    storageClass: (name) => storage.classes.lister.get(name) as { volumeBindingMode?: string } | undefined,
  };
  const recorder = new EventRecorder(client, { component: SCHEDULER_COMPONENT, log });
  const clientHost = new ClientSchedulerHost({
    client,
    recorder,
    pods: informers.pods.lister,
    defaultSpreadSelector: (pod) => defaultSpreadSelector(spread, pod),
    volumes,
    log,
  });
  const host = opts.wrapHost ? opts.wrapHost(clientHost) : clientHost;
  const stopAll = new AbortController();
  let current: Scheduler | undefined;
  let term: Promise<void> | undefined;
  let markLeading: (v: boolean) => void = () => {};
  const leading = new Promise<boolean>((r) => {
    markLeading = r;
  });

  const runTerm = async (signal: AbortSignal): Promise<void> => {
    if (!(await factory.waitForCacheSync(signal)) || signal.aborted) return;
    const s = new Scheduler({
      host,
      config: opts.config,
      onError: (err, pod) => log?.warn('scheduling failed', { pod: podKey(pod), err: String(err) }),
    });
    current = s;
    const feed = feedScheduler(s, { ...informers, storage });
    markLeading(true);
    log?.info('scheduling', { nodes: informers.nodes.indexer.list().length });
    try {
      await s.run(signal);
    } finally {
      await feed.dispose();
      if (current === s) current = undefined;
      await clientHost.flush();
    }
  };
  const startTerm = (signal: AbortSignal): void => {
    term = runTerm(signal).catch((err: unknown) => log?.error('scheduler stopped', { err: String(err) }));
  };

  factory.start();
  let campaign: Promise<void>;
  let elector: LeaderElector | undefined;
  if (opts.leaderElection === false) {
    startTerm(stopAll.signal);
    campaign = Promise.resolve();
  } else {
    const le = opts.leaderElection ?? {};
    const identity = le.identity ?? `${hostname()}_${randomUUID()}`;
    campaign = (async () => {
      // A lost Lease ends the term; campaign again until stopped (upstream exits and restarts).
      while (!stopAll.signal.aborted) {
        elector = new LeaderElector(client, {
          namespace: le.namespace ?? SCHEDULER_LEASE_NAMESPACE,
          name: le.name ?? SCHEDULER_LEASE_NAME,
          identity,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          log,
          // Must return at once: the elector renews only after this returns.
          onStartedLeading: (signal) => startTerm(signal),
        });
        await elector.run();
        await term;
      }
    })();
  }

  let stopped: Promise<void> | undefined;
  return {
    get current() {
      return current;
    },
    leading,
    stop: () => {
      stopped ??= (async () => {
        stopAll.abort();
        await elector?.dispose();
        await campaign;
        await term;
        markLeading(false);
        await factory.dispose();
        await recorder.dispose();
      })();
      return stopped;
    },
  };
}
