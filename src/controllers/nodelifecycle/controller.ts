// The node lifecycle controller: nodes heartbeat through Leases in kube-node-lease (and their Ready
// condition); a node silent for longer than nodeMonitorGracePeriod goes Ready=Unknown and gets the
// unreachable taints (not-ready for Ready=False), removed again when it reports Ready; pods on a
// node with NoExecute taints they do not tolerate are deleted once their toleration runs out.
//
//   every monitorPeriod: for each node ─► observe(lease, heartbeat) ─► silent? conditions Unknown
//                                        ─► reconcileTaints(Ready) ─► evict pods past their time
import type { KObject } from '../../api/object.ts';
import {
  type EventRecorder,
  fieldIndexFunc,
  isNotFound,
  LEASES,
  NODES,
  PODS,
  type SharedInformer,
} from '../../client/index.ts';
import { rfc3339 } from '../../util/time-format.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { observe, type ProbeRecord, readyStatus, unknownConditions } from './health.ts';
import { evictionDelayMs, NO_EXECUTE, reconcileTaints, type Taint } from './taints.ts';

export const NODE_LIFECYCLE_CONTROLLER = 'node-lifecycle';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const BY_NODE = 'spec.nodeName';
const EVICTION_REASON = 'TaintManagerEviction';

export interface NodeLifecycleOptions {
  /** How often nodes are checked (upstream --node-monitor-period: 5 s). */
  monitorPeriodMs: number;
}

export const DEFAULT_NODE_LIFECYCLE_OPTIONS: NodeLifecycleOptions = { monitorPeriodMs: 5_000 };

export class NodeLifecycleController implements Controller {
  readonly name = NODE_LIFECYCLE_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #opts: NodeLifecycleOptions;
  readonly #nodes: SharedInformer;
  readonly #leases: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #probes = new Map<string, ProbeRecord>();
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext, opts: Partial<NodeLifecycleOptions> = {}) {
    this.#ctx = ctx;
    this.#opts = { ...DEFAULT_NODE_LIFECYCLE_OPTIONS, ...opts };
    this.#nodes = ctx.informers.informerFor(NODES);
    this.#leases = ctx.informers.informerFor(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.#pods = ctx.informers.informerFor(PODS, { indexers: { [BY_NODE]: fieldIndexFunc(BY_NODE) } });
    this.#recorder = ctx.recorder('node-controller');
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#nodes, this.#leases, this.#pods];
    if (!(await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
    while (!signal.aborted) {
      try {
        await this.monitor();
      } catch (err) {
        this.#ctx.log.warn('node monitoring failed', { error: (err as Error).message });
      }
      await this.#ctx.clock.sleep(this.#opts.monitorPeriodMs, signal);
    }
  }

  /** One pass over every node (tests call it after moving a FakeClock). */
  async monitor(): Promise<void> {
    const now = this.#ctx.clock.now();
    const names = new Set<string>();
    for (const cached of this.#nodes.lister.list()) {
      const name = cached.metadata!.name!;
      names.add(name);
      try {
        await this.#monitorNode(cached, now);
      } catch (err) {
        if (!isNotFound(err))
          this.#ctx.log.warn('node health update failed', { node: name, error: (err as Error).message });
      }
    }
    for (const n of this.#probes.keys()) if (!names.has(n)) this.#probes.delete(n);
  }

  async #monitorNode(cached: KObject, now: number): Promise<void> {
    const name = cached.metadata!.name!;
    const lease = this.#leases.lister.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const probe = observe(this.#probes.get(name), cached, lease, now);
    this.#probes.set(name, probe);
    const nodes = this.#ctx.client.resource(NODES);
    let node = cached;
    if (now - probe.probeMs > this.#ctx.options.nodeMonitorGracePeriodMs) {
      const conditions = unknownConditions(node, rfc3339(now));
      if (conditions) {
        this.#ctx.log.info('node stopped posting status', { node: name });
        node = await nodes.updateStatus({ ...structuredClone(node), status: { ...node.status, conditions } });
        this.#recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const taints = reconcileTaints(node.spec?.taints ?? [], readyStatus(node), rfc3339(now));
    if (taints) {
      const next = structuredClone(node) as KObject;
      next.spec = { ...next.spec, taints };
      if (taints.length === 0) delete next.spec.taints;
      node = await nodes.update(next);
    }
    await this.#evict(node, now);
  }

  async #evict(node: KObject, now: number): Promise<void> {
    const taints: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t.effect === NO_EXECUTE);
    if (taints.length === 0) return;
    // Tolerations count from when the taint appeared.
    const since = Math.min(...taints.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : now)));
    for (const pod of this.#pods.lister.byIndex(BY_NODE, node.metadata!.name!)) {
      if (pod.metadata?.deletionTimestamp) continue;
      const delay = evictionDelayMs(pod, taints, this.#ctx.options.podEvictionTimeoutMs);
      if (delay === undefined || now < since + delay) continue;
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      this.#ctx.log.info('evicting pod from tainted node', { pod: key, node: node.metadata!.name });
      this.#recorder.event(pod, 'Normal', EVICTION_REASON, `Marking for deletion Pod ${key}`);
      try {
        await this.#ctx.client.resource(PODS, pod.metadata!.namespace!).delete(pod.metadata!.name!, {
          preconditions: { uid: pod.metadata!.uid! },
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}

export const nodeLifecycleControllerFactory: ControllerFactory = (ctx) => new NodeLifecycleController(ctx);
