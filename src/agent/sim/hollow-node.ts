// A hollow node: a Node that heartbeats and reports pod status like a kubelet, without running
// anything. Controllers, the scheduler and kubectl see ordinary pods go Pending → Running (→
// Succeeded/Failed); tests drive scale (many nodes in one process) and failure (pause() = a dead
// node) cheaply. Pod behaviour is steered by annotations (annotations.ts).
//
//   register Node (create or adopt) ─► renew Lease every heartbeatMs (+ re-post Ready if lost)
//   informer: pods with spec.nodeName=<name> ─► queue of pod keys ─► sync(key):
//     deletionTimestamp → delete with grace 0 · else status = f(pod, first seen, now) → patch
//     if it differs; a future change (startup delay over, container exit) re-queues the key then.
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isConflict,
  isNotFound,
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
import { derivedPodCidr, IpPool } from './ip-pool.ts';
import { renewNodeLease } from './node-lease.ts';
import { isReady, newNode, nodeLabels, nodeStatus, SIM_HOST_IP } from './node-object.ts';
import { type PodLife, simulatedStatus, statusFingerprint } from './pod-status.ts';

export { LEASE_DURATION_SECONDS, NODE_LEASE_NAMESPACE } from './node-lease.ts';

export const DEFAULT_HEARTBEAT_MS = 10_000;
/** Pods synced in parallel: status writes are small, a few in flight keep a 100-pod burst quick. */
const POD_WORKERS = 4;

export interface HollowNodeOptions {
  client: RestClient;
  name: string;
  /** Merged over kubernetes.io/hostname, kubernetes.io/os=linux, kubernetes.io/arch. */
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Default 4 / 16Gi / 110. */
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Pod IPs handed out from it (default: the Node's spec.podCIDR, else derived from the name). */
  podCidr?: string;
  /** Lease renew period (default 10 s). */
  heartbeatMs?: number;
  /** Delay before a bound pod turns Running (default 0). */
  startupDelayMs?: number;
  clock?: Clock;
  log?: Logger;
}

export interface HollowNode {
  readonly name: string;
  /** Stops heartbeats and status updates (a dead node). */
  pause(): void;
  /** Heartbeats again at once and re-syncs every pod. */
  resume(): void;
  /** Stops everything; the Node object stays. */
  stop(): Promise<void>;
}

export async function startHollowNode(o: HollowNodeOptions): Promise<HollowNode> {
  const node = new Hollow(o);
  try {
    await node.start();
  } catch (err) {
    await node.stop();
    throw err;
  }
  return node;
}

class Hollow implements HollowNode {
  readonly name: string;
  readonly #o: HollowNodeOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #nodes;
  readonly #queue: WorkQueue<string>;
  readonly #informer: SharedInformer<KObject>;
  /** By pod uid: a pod re-created under the same name is a new pod. */
  readonly #lives = new Map<string, PodLife>();
  #pool: IpPool | undefined;
  #nodeUid = '';
  #lease: Lease | undefined;
  #heartbeat: Timer | undefined;
  #beating: Promise<void> = Promise.resolve();
  #workers: Promise<void> | undefined;
  #paused = false;
  #stopped = false;

  constructor(o: HollowNodeOptions) {
    this.name = o.name;
    this.#o = o;
    this.#clock = o.clock ?? realClock;
    this.#log = (o.log ?? createLogger({ level: 'warn' })).child(`hollow-node.${o.name}`);
    this.#nodes = o.client.resource<KObject>(NODES);
    this.#queue = new WorkQueue<string>({ clock: this.#clock });
    this.#informer = new SharedInformer<KObject>(o.client.resource<KObject>(PODS), {
      fieldSelector: `spec.nodeName=${o.name}`,
      clock: this.#clock,
      log: this.#log,
      name: `pods on ${o.name}`,
    });
  }

  async start(): Promise<void> {
    const node = await this.#register();
    this.#pool = new IpPool(this.#o.podCidr ?? node.spec?.podCIDR ?? derivedPodCidr(this.name));
    await this.#renewLease();
    this.#scheduleHeartbeat();
    this.#informer.addEventHandler({
      onAdd: (p) => this.#queue.add(objectKey(p)),
      onUpdate: (_, p) => this.#queue.add(objectKey(p)),
      onDelete: (p) => this.#forget((p instanceof DeletedFinalStateUnknown ? p.obj : p) as Pod),
    });
    this.#informer.start();
    await this.#informer.waitForSync();
    this.#workers = runWorkers(this.#queue, POD_WORKERS, (key) => this.#sync(key), {
      onError: (key, err) => this.#log.warn('pod status sync failed', { pod: key, error: String(err) }),
    });
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (this.#stopped || !this.#paused) return;
    this.#paused = false;
    this.#heartbeat?.cancel();
    this.#beating = this.#beat(true).finally(() => this.#scheduleHeartbeat());
    for (const key of this.#informer.indexer.keys()) this.#queue.add(key);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#heartbeat?.cancel();
    await this.#beating;
    this.#queue.shutDown();
    await this.#informer.dispose();
    await this.#workers;
  }

  /** Creates the Node, or adopts an existing one (labels, taints and CIDR merged in). */
  async #register(): Promise<Node> {
    const shape = { ...this.#o, podCidr: this.#o.podCidr };
    let node: Node;
    try {
      const existing = (await this.#nodes.get(this.name)) as Node;
      const spec = { ...existing.spec };
      if (this.#o.taints) spec.taints = this.#o.taints;
      if (this.#o.podCidr && !spec.podCIDR)
        Object.assign(spec, { podCIDR: this.#o.podCidr, podCIDRs: [this.#o.podCidr] });
      const metadata = {
        ...existing.metadata,
        labels: { ...existing.metadata?.labels, ...nodeLabels(shape) },
      };
      node = (await this.#nodes.update({ ...existing, metadata, spec } as KObject)) as Node;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      node = (await this.#nodes.create(newNode(shape) as KObject)) as Node;
    }
    this.#nodeUid = node.metadata?.uid ?? '';
    return this.#postStatus(node);
  }

  #postStatus(current: Node): Promise<Node> {
    const status = nodeStatus(this.#o, current, rfc3339(this.#clock.now()));
    return this.#nodes.patch(this.name, 'merge', { status }, { subresource: 'status' }) as Promise<Node>;
  }

  #scheduleHeartbeat(): void {
    if (this.#stopped) return;
    this.#heartbeat = this.#clock.setTimer(this.#o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, () => {
      this.#beating = this.#beat(false).finally(() => this.#scheduleHeartbeat());
    });
  }

  /** Renews the Lease; re-posts Ready status if the node lifecycle controller marked it Unknown. */
  async #beat(forceStatus: boolean): Promise<void> {
    if (this.#paused || this.#stopped) return;
    try {
      await this.#renewLease();
      const node = (await this.#nodes.get(this.name)) as Node;
      if (forceStatus || !isReady(node)) await this.#postStatus(node);
    } catch (err) {
      if (!this.#stopped) this.#log.warn('heartbeat failed', { error: String(err) });
    }
  }

  async #renewLease(): Promise<void> {
    this.#lease = await renewNodeLease(
      this.#o.client,
      { name: this.name, uid: this.#nodeUid },
      this.#lease,
      this.#clock.now(),
    );
  }

  async #sync(key: string): Promise<void> {
    if (this.#paused || this.#stopped) return;
    const pod = this.#informer.lister.get(key) as Pod | undefined;
    if (!pod?.metadata?.uid) return;
    const { name, namespace, uid } = pod.metadata as { name: string; namespace: string; uid: string };
    const pods = this.#o.client.resource<KObject>(PODS, namespace);
    if (pod.metadata.deletionTimestamp) {
      // Nothing to stop: finish the deletion at once, as the kubelet does after its containers exit.
      await pods.delete(name, { gracePeriodSeconds: 0, preconditions: { uid } }).catch((err: unknown) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
      return;
    }
    const now = this.#clock.now();
    let life = this.#lives.get(uid);
    if (!life) {
      // A pod already finished before this node (re)started is left as it is.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      life = {
        seenAt: now,
        runningAt: now + (this.#o.startupDelayMs ?? 0),
        podIP: pod.spec?.hostNetwork ? SIM_HOST_IP : (this.#pool as IpPool).allocate(),
        hostIP: SIM_HOST_IP,
      };
      this.#lives.set(uid, life);
    }
    const { status, nextChangeAt } = simulatedStatus(pod, life, now);
    if (statusFingerprint(status) !== statusFingerprint(pod.status)) {
      await pods.patch(name, 'merge', { status }, { subresource: 'status' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    if (nextChangeAt !== undefined) this.#queue.addAfter(key, nextChangeAt - now);
  }

  #forget(pod: Pod): void {
    const uid = pod.metadata?.uid;
    const life = uid ? this.#lives.get(uid) : undefined;
    if (!uid || !life) return;
    this.#lives.delete(uid);
    if (life.podIP !== SIM_HOST_IP) this.#pool?.release(life.podIP);
  }
}
