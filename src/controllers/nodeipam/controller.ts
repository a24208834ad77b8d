// Node IPAM with the range allocator (upstream pkg/controller/nodeipam, --allocate-node-cidrs):
// every Node gets `spec.podCIDR`/`spec.podCIDRs`, a subnet of the cluster CIDR. Subnets held by
// existing Nodes are marked used before anything is handed out, so a restarted controller never
// gives one subnet twice; a deleted Node's subnet goes back to the pool.
//
//   nodes informer ─(add/update without podCIDR)─► queue(node) ─► allocateNext ─► update Node
//                  └(delete)─► release its subnet

import type { KObject } from '../../api/object.ts';
import type { EventRecorder } from '../../client/index.ts';
import { isNotFound, NODES, type SharedInformer } from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import { unwrapDeleted } from '../common/queue-runner.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { CidrSet } from './cidr-set.ts';

export const NODE_IPAM_CONTROLLER = 'nodeipam';
/** k3s's defaults (DESIGN.md §7). */
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;
/** Upstream's event reasons on the Node. */
export const REASON_CIDR_NOT_AVAILABLE = 'CIDRNotAvailable';
export const REASON_CIDR_ASSIGNMENT_FAILED = 'CIDRAssignmentFailed';
const EVENT_SOURCE = 'cidrAllocator';

export class NodeIpamController implements Controller {
  readonly name = NODE_IPAM_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #set: CidrSet;
  readonly #queue: WorkQueue<string>;
  readonly #nodes: SharedInformer;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext, set: CidrSet) {
    this.#ctx = ctx;
    this.#set = set;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#recorder = ctx.recorder(EVENT_SOURCE);
    this.#nodes = ctx.informers.informerFor(NODES);
    // Subnets set by anyone (this controller, an earlier run, a user) are marked used as they appear.
    const onNode = (node: KObject): void => {
      const cidrs = cidrsOf(node);
      for (const cidr of cidrs) this.#set.occupy(cidr);
      if (!cidrs.length) this.#queue.add(node.metadata!.name!);
    };
    this.#nodes.addEventHandler({
      onAdd: onNode,
      onUpdate: (_o, node) => onNode(node),
      onDelete: (o) => {
        const freed = cidrsOf(unwrapDeleted(o));
        for (const cidr of freed) this.#set.release(cidr);
        // Nodes waiting on a full range need not sit out their retry backoff.
        if (freed.length) {
          for (const n of this.#nodes.lister.list())
            if (!cidrsOf(n).length) this.#queue.add(n.metadata!.name!);
        }
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#nodes.waitForSync(signal))) return;
    // Every subnet already held is marked before the first one is handed out (restart safety).
    for (const node of this.#nodes.lister.list()) {
      for (const cidr of cidrsOf(node)) {
        if (!this.#set.occupy(cidr)) {
          this.#ctx.log.warn('node podCIDR outside the cluster CIDR', { node: node.metadata?.name, cidr });
        }
      }
    }
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (name) => this.reconcile(name), {
      onError: (name, err) =>
        this.#ctx.log.warn('assign pod CIDR', { node: name, error: (err as Error).message }),
    });
  }

  async reconcile(name: string): Promise<void> {
    const cached = this.#nodes.lister.get(name);
    if (!cached || cidrsOf(cached).length || cached.metadata?.deletionTimestamp) return;
    let cidr: string;
    try {
      cidr = this.#set.allocateNext();
    } catch (err) {
      this.#recorder.event(
        cached,
        'Normal',
        REASON_CIDR_NOT_AVAILABLE,
        `Node ${name} status is now: ${REASON_CIDR_NOT_AVAILABLE}`,
      );
      throw err;
    }
    const nodes = this.#ctx.client.resource(NODES);
    try {
      // Re-read: the cache may lag a podCIDR another writer already set.
      const fresh = await nodes.get(name);
      if (cidrsOf(fresh).length) {
        this.#set.release(cidr);
        for (const c of cidrsOf(fresh)) this.#set.occupy(c);
        return;
      }
      await nodes.update({ ...fresh, spec: { ...(fresh.spec ?? {}), podCIDR: cidr, podCIDRs: [cidr] } });
      this.#ctx.log.info('assigned pod CIDR', { node: name, cidr });
    } catch (err) {
      this.#set.release(cidr);
      if (isNotFound(err)) return;
      this.#recorder.event(
        cached,
        'Warning',
        REASON_CIDR_ASSIGNMENT_FAILED,
        `Node ${name} status is now: ${REASON_CIDR_ASSIGNMENT_FAILED}`,
      );
      throw err;
    }
  }
}

export const cidrsOf = (node: KObject): string[] => {
  const list = node.spec?.podCIDRs as string[] | undefined;
  if (list?.length) return list;
  return node.spec?.podCIDR ? [node.spec.podCIDR as string] : [];
};

export const nodeIpamControllerFactory: ControllerFactory = (ctx) =>
  new NodeIpamController(
    ctx,
    new CidrSet(ctx.clusterCidr ?? DEFAULT_CLUSTER_CIDR, ctx.nodeCidrMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE),
  );
