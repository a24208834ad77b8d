// The pod garbage collector: every gcCheckPeriod, force-deletes (grace 0) terminated pods above
// --terminated-pod-gc-threshold, pods whose node has been gone for the quarantine time (confirmed
// by a live GET, and first marked Failed with a DisruptionTarget condition as upstream), and
// terminating pods that never reached a node.
import type { KObject } from '../../api/object.ts';
import { isNotFound, NODES, PODS, type SharedInformer } from '../../client/index.ts';
import { rfc3339 } from '../../util/time-format.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { isTerminated, missingNodes, terminatedOverThreshold, unscheduledTerminating } from './select.ts';

export const PODGC_CONTROLLER = 'pod-garbage-collector';

export interface PodGcOptions {
  /** How often to look (upstream gcCheckPeriod: 20 s). */
  gcCheckPeriodMs: number;
  /** How long a node must be missing before its pods go (upstream quarantineTime: 40 s). */
  quarantineMs: number;
}

export const DEFAULT_PODGC_OPTIONS: PodGcOptions = { gcCheckPeriodMs: 20_000, quarantineMs: 40_000 };

const DISRUPTION_TARGET = 'DisruptionTarget';
const DELETION_BY_PODGC = 'DeletionByPodGC';
const ORPHANED_MESSAGE = 'PodGC: node no longer exists';

export class PodGcController implements Controller {
  readonly name = PODGC_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #opts: PodGcOptions;
  readonly #pods: SharedInformer;
  readonly #nodes: SharedInformer;
  /** Node name → when it was first seen missing. */
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, opts: Partial<PodGcOptions> = {}) {
    this.#ctx = ctx;
    this.#opts = { ...DEFAULT_PODGC_OPTIONS, ...opts };
    this.#pods = ctx.informers.informerFor(PODS);
    this.#nodes = ctx.informers.informerFor(NODES);
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#pods.waitForSync(signal), this.#nodes.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.#ctx.log.warn('pod garbage collection failed', { error: (err as Error).message });
      }
      await this.#ctx.clock.sleep(this.#opts.gcCheckPeriodMs, signal);
    }
  }

  /** One pass over the cache. */
  async gc(): Promise<void> {
    const pods = this.#pods.lister.list();
    for (const p of terminatedOverThreshold(pods, this.#ctx.options.terminatedPodGcThreshold)) {
      await this.#forceDelete(p, 'terminated pod over the threshold');
    }
    await this.#gcOrphaned(pods);
    for (const p of unscheduledTerminating(pods)) await this.#forceDelete(p, 'unscheduled and terminating');
  }

  async #gcOrphaned(pods: readonly KObject[]): Promise<void> {
    const now = this.#ctx.clock.now();
    const known = new Set(this.#nodes.lister.list().map((n) => n.metadata!.name!));
    const missing = missingNodes(pods, known);
    for (const n of this.#missingSince.keys()) if (!missing.has(n)) this.#missingSince.delete(n);
    for (const node of missing) {
      const since = this.#missingSince.get(node);
      if (since === undefined) {
        this.#missingSince.set(node, now);
        continue;
      }
      if (now - since < this.#opts.quarantineMs) continue;
      // The cache may lag: only a node the API server also lacks is really gone.
      if (await this.#nodeExists(node)) {
        this.#missingSince.delete(node);
        continue;
      }
      for (const p of pods) {
        if (p.spec?.nodeName === node) await this.#orphaned(p, now);
      }
    }
  }

  async #nodeExists(name: string): Promise<boolean> {
    try {
      await this.#ctx.client.resource(NODES).get(name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #orphaned(pod: KObject, now: number): Promise<void> {
    if (!isTerminated(pod)) {
      const status = structuredClone(pod.status ?? {}) as KObject;
      status.phase = 'Failed';
      status.conditions = [
        ...(status.conditions ?? []).filter((c: KObject) => c.type !== DISRUPTION_TARGET),
        {
          type: DISRUPTION_TARGET,
          status: 'True',
          reason: DELETION_BY_PODGC,
          message: ORPHANED_MESSAGE,
          lastTransitionTime: rfc3339(now),
        },
      ];
      try {
        await this.#ctx.client
          .resource(PODS, pod.metadata!.namespace!)
          .patch(pod.metadata!.name!, 'merge', { status }, { subresource: 'status' });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    await this.#forceDelete(pod, 'orphaned: its node is gone');
  }

  async #forceDelete(pod: KObject, why: string): Promise<void> {
    this.#ctx.log.info('deleting pod', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, why });
    try {
      await this.#ctx.client.resource(PODS, pod.metadata!.namespace!).delete(pod.metadata!.name!, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata!.uid! },
      });
    } catch (err) {
      if (!isNotFound(err) && !(err as { reason?: string }).reason?.includes('Conflict')) throw err;
    }
  }
}

export const podGcControllerFactory: ControllerFactory = (ctx) => new PodGcController(ctx);
