// Many hollow nodes in one process, for scale runs (`skiff sim`, `npm run bench -- scale`). Where
// startHollowNode gives each node its own pod watch and timers — right for a handful — a fleet
// shares one pod informer (every bound pod), one node informer and one workqueue across all its
// nodes, and renews their Leases from one paced loop, so a node costs a few hundred bytes of
// state instead of a watch connection: 5,000 nodes are 2 watches, not 5,000.
//
//   start ─► create Nodes (bounded concurrency) + status + Lease ─► informers ─► workers
//   pod event ─► queue ─► simulatedStatus (pod-status.ts, as a hollow node) ─► status patch
//   heartbeat timer: every heartbeatMs each Lease renewed once, evenly spread, never waiting on a batch
//   node informer: a node marked not Ready (by node lifecycle) gets its status re-posted
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isAlreadyExists,
  isConflict,
  isNotFound,
  NAMESPACES,
  NODES,
  objectKey,
  PODS,
  type RestClient,
  SharedInformer,
} from '../../client/index.ts';
import { type Clock, realClock, type Timer } from '../../util/clock.ts';
import { createLogger, type Logger } from '../../util/log.ts';
import { rfc3339 } from '../../util/time-format.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import { DEFAULT_HEARTBEAT_MS } from './hollow-node.ts';
import { IpPool } from './ip-pool.ts';
import { NODE_LEASE_NAMESPACE, renewNodeLease } from './node-lease.ts';
import { isReady, newNode, nodeStatus, SIM_HOST_IP } from './node-object.ts';
import { dueNow } from './paced.ts';
import { type PodLife, simulatedStatus, statusFingerprint } from './pod-status.ts';

/** How often the heartbeat timer starts the renewals that fell due. */
const HEARTBEAT_TICK_MS = 100;
/** Renewals outstanding at most (the client's socket pool is shared with the pod workers). */
const MAX_RENEWALS_IN_FLIGHT = 32;

/** Every fleet node carries it, so a fleet can find (and clean up) its own nodes. */
export const FLEET_LABEL = 'sim.skiff.dev/fleet';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface FleetOptions {
  client: RestClient;
  nodes: number;
  /** Node names are `<prefix><index>`; also the FLEET_LABEL value. Default `hollow-`. */
  prefix?: string;
  /** Zones `zone-0…zone-(n-1)` assigned round-robin (default 1). */
  zones?: number;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  heartbeatMs?: number;
  startupDelayMs?: number;
  /** Concurrent API calls while registering nodes (default 16). */
  registerConcurrency?: number;
  /** Pod status workers (default 8). */
  workers?: number;
  clock?: Clock;
  log?: Logger;
}

export interface Fleet {
  /** The FLEET_LABEL value on its nodes. */
  readonly id: string;
  readonly names: readonly string[];
  /** Pods whose simulated status was written at least once (Running or finished). */
  readonly podsStarted: () => number;
  /** Lease renewals started, and those skipped because the node's previous one was still out. */
  readonly heartbeats: () => { started: number; skipped: number };
  stop(opts?: { deleteNodes?: boolean }): Promise<void>;
}

/** Node i's pod CIDR: 10.128.0.0/9 cut in /24s — 32,768 nodes, outside the cluster CIDR. */
export function fleetPodCidr(i: number): string {
  return `10.${128 + (i >> 8)}.${i & 255}.0/24`;
}

async function pooled<T>(
  items: readonly T[],
  concurrency: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

interface FleetNode {
  name: string;
  index: number;
  uid: string;
  pool: IpPool;
  lease?: Lease;
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const clock = o.clock ?? realClock;
  const log = (o.log ?? createLogger({ level: 'warn' })).child('fleet');
  const prefix = o.prefix ?? 'hollow-';
  const fleetId = prefix.replace(/-+$/, '') || 'hollow';
  const zones = Math.max(1, o.zones ?? 1);
  const nodesApi = o.client.resource<KObject>(NODES);
  const members = new Map<string, FleetNode>();
  const lives = new Map<string, PodLife>();
  let stopped = false;
  let started = 0;

  const shape = (i: number) => ({
    name: `${prefix}${i}`,
    labels: { [FLEET_LABEL]: fleetId, [ZONE_LABEL]: `zone-${i % zones}` },
    capacity: o.capacity,
    podCidr: fleetPodCidr(i),
  });

  await o.client
    .resource(NAMESPACES)
    .create({ metadata: { name: NODE_LEASE_NAMESPACE } })
    .catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });

  const renew = async (m: FleetNode): Promise<void> => {
    m.lease = await renewNodeLease(o.client, m, m.lease, clock.now());
  };

  const postStatus = (i: number, current: Node | undefined) =>
    nodesApi.patch(
      shape(i).name,
      'merge',
      { status: nodeStatus(shape(i), current, rfc3339(clock.now())) },
      { subresource: 'status' },
    );

  const register = async (i: number): Promise<void> => {
    const s = shape(i);
    let node: Node;
    try {
      node = (await nodesApi.create(newNode(s) as KObject)) as Node;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = (await nodesApi.get(s.name)) as Node;
    }
    node = (await postStatus(i, node)) as Node;
    const m: FleetNode = {
      name: s.name,
      index: i,
      uid: node.metadata?.uid ?? '',
      pool: new IpPool(s.podCidr),
    };
    members.set(s.name, m);
    await renew(m);
  };
  const indices = Array.from({ length: o.nodes }, (_, i) => i);
  await pooled(indices, o.registerConcurrency ?? 16, register);
  log.info('fleet registered', { nodes: members.size });

  // --- pods ---
  const queue = new WorkQueue<string>({ clock });
  const pods = new SharedInformer<KObject>(o.client.resource<KObject>(PODS), {
    fieldSelector: 'spec.nodeName!=',
    clock,
    log,
    name: 'fleet pods',
  });
  const ours = (p: KObject) => members.has((p as Pod).spec?.nodeName ?? '');
  pods.addEventHandler({
    onAdd: (p) => ours(p) && queue.add(objectKey(p)),
    onUpdate: (_, p) => ours(p) && queue.add(objectKey(p)),
    onDelete: (p) => {
      const pod = (p instanceof DeletedFinalStateUnknown ? p.obj : p) as Pod;
      const uid = pod.metadata?.uid;
      const life = uid ? lives.get(uid) : undefined;
      if (!uid || !life) return;
      lives.delete(uid);
      if (life.podIP !== SIM_HOST_IP) members.get(pod.spec?.nodeName ?? '')?.pool.release(life.podIP);
    },
  });
  const sync = async (key: string): Promise<void> => {
    if (stopped) return;
    const pod = pods.lister.get(key) as Pod | undefined;
    if (!pod?.metadata?.uid) return;
    const m = members.get(pod.spec?.nodeName ?? '');
    if (!m) return;
    const { name, namespace, uid } = pod.metadata as { name: string; namespace: string; uid: string };
    const podsNs = o.client.resource<KObject>(PODS, namespace);
    if (pod.metadata.deletionTimestamp) {
      await podsNs.delete(name, { gracePeriodSeconds: 0, preconditions: { uid } }).catch((err: unknown) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
      return;
    }
    const now = clock.now();
    let life = lives.get(uid);
    if (!life) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      life = {
        seenAt: now,
        runningAt: now + (o.startupDelayMs ?? 0),
        podIP: pod.spec?.hostNetwork ? SIM_HOST_IP : m.pool.allocate(),
        hostIP: SIM_HOST_IP,
      };
      lives.set(uid, life);
    }
    const { status, nextChangeAt } = simulatedStatus(pod, life, now);
    if (statusFingerprint(status) !== statusFingerprint(pod.status)) {
      await podsNs.patch(name, 'merge', { status }, { subresource: 'status' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      if (status.phase !== 'Pending' && pod.status?.phase !== status.phase) started++;
    }
    if (nextChangeAt !== undefined) queue.addAfter(key, nextChangeAt - now);
  };

  // --- nodes: re-post Ready when node lifecycle marked one Unknown ---
  const nodes = new SharedInformer<KObject>(nodesApi, {
    labelSelector: `${FLEET_LABEL}=${fleetId}`,
    clock,
    log,
    name: 'fleet nodes',
  });
  nodes.addEventHandler({
    onUpdate: (_, n) => {
      const m = members.get(n.metadata?.name ?? '');
      if (m && !isReady(n as Node) && !stopped)
        void postStatus(m.index, n as Node).catch((err: unknown) =>
          log.warn('status re-post failed', { node: m.name, error: String(err) }),
        );
    },
  });
  pods.start();
  nodes.start();
  await Promise.all([pods.waitForSync(), nodes.waitForSync()]);
  const workers = runWorkers(queue, o.workers ?? 8, sync, {
    onError: (key, err) => log.warn('pod status sync failed', { pod: key, error: String(err) }),
  });

  // --- heartbeats: every Lease once per period, evenly spread, open loop ---
  // Each node renews on its own schedule, as kubelets do: a slow answer delays that node's next
  // renewal only (it is skipped while one is out), never the other nodes' — a loop that waited for
  // each batch fell to a few renewals/s on a busy server and let Leases expire.
  const period = o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const list = [...members.values()];
  const renewing = new Map<FleetNode, Promise<void>>();
  const beats = { started: 0, skipped: 0 };
  let ticked = 0;
  const beatsFrom = clock.now() + period;
  let timer: Timer | undefined;
  const tick = () => {
    if (stopped) return;
    const due = dueNow(clock.now() - beatsFrom, list.length, period, ticked);
    for (let k = 0; k < due; k++) {
      const m = list[ticked++ % list.length];
      if (renewing.has(m) || renewing.size >= MAX_RENEWALS_IN_FLIGHT) {
        beats.skipped++;
        continue;
      }
      beats.started++;
      renewing.set(
        m,
        renew(m)
          .catch((err: unknown) => log.warn('lease renew failed', { node: m.name, error: String(err) }))
          .finally(() => renewing.delete(m)),
      );
    }
    timer = clock.setTimer(HEARTBEAT_TICK_MS, tick);
  };
  // Registration just renewed every Lease: the first pass starts one period on.
  timer = clock.setTimer(period, tick);

  return {
    id: fleetId,
    names: list.map((m) => m.name),
    podsStarted: () => started,
    heartbeats: () => ({ ...beats }),
    async stop(opts = {}) {
      stopped = true;
      timer?.cancel();
      await Promise.all(renewing.values());
      queue.shutDown();
      await Promise.all([pods.dispose(), nodes.dispose()]);
      await workers;
      if (opts.deleteNodes)
        await pooled(list, o.registerConcurrency ?? 16, async (m) => {
          await nodesApi.delete(m.name).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        });
    },
  };
}
