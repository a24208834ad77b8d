// The namespace lifecycle controller: a namespace marked for deletion turns Terminating, loses all
// its content, and then its `kubernetes` finalizer (through namespaces/<name>/finalize), after
// which the API server removes it. While content remains, status.conditions say why.
//
//   namespaces informer ─(deletionTimestamp set)─► queue(name) ─► reconcile:
//     GET ─► phase Terminating ─► deleteAllContent ─► conditions ─► remaining? recheck later
//                                                                  └► none: drop `kubernetes`

import { FINALIZER_KUBERNETES } from '../../api/kinds/core/namespace.ts';
import type { KObject } from '../../api/object.ts';
import { isNotFound, NAMESPACES, type ResourceClient } from '../../client/index.ts';
import { rfc3339 } from '../../util/time-format.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { nextConditions } from './conditions.ts';
import { deleteAllContent } from './deleter.ts';

export const NAMESPACE_CONTROLLER = 'namespace';
const TERMINATING = 'Terminating';
/**
 * Bounds on how soon a namespace with content left is looked at again: at least a second (content
 * held by finalizers changes without any namespace event), at most ten even when pods have long
 * grace periods (the node usually finishes them well before the deadline).
 */
const MIN_RECHECK_MS = 1_000;
const MAX_RECHECK_MS = 10_000;

export class NamespaceController implements Controller {
  readonly name = NAMESPACE_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #namespaces: ResourceClient;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#namespaces = ctx.client.resource(NAMESPACES);
    const enqueue = (ns: KObject): void => {
      if (ns.metadata?.deletionTimestamp) this.#queue.add(ns.metadata.name!);
    };
    ctx.informers.informerFor(NAMESPACES).addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, ns) => enqueue(ns),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#ctx.informers.waitForCacheSync(signal))) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (name) => this.reconcile(name, signal), {
      onError: (name, err) =>
        this.#ctx.log.warn('namespace deletion failed', { namespace: name, error: (err as Error).message }),
    });
  }

  async reconcile(name: string, signal?: AbortSignal): Promise<void> {
    let ns: KObject;
    try {
      ns = await this.#namespaces.get(name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    if (ns.status?.phase !== TERMINATING) {
      ns = await this.#namespaces.updateStatus({ ...ns, status: { ...ns.status, phase: TERMINATING } });
    }
    const finalizers: string[] = ns.spec?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_KUBERNETES)) return;

    const now = this.#ctx.clock.now();
    const pass = await deleteAllContent(this.#ctx.client, name, now, signal);
    const conditions = nextConditions(ns.status?.conditions, pass, rfc3339(now));
    if (JSON.stringify(conditions) !== JSON.stringify(ns.status?.conditions ?? [])) {
      try {
        ns = await this.#namespaces.updateStatus({ ...ns, status: { ...ns.status, conditions } });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (pass.discoveryFailures.size > 0 || pass.deleteFailures.length > 0) {
      throw new Error(
        `namespace ${name}: ${[...pass.discoveryFailures.values(), ...pass.deleteFailures].join('; ')}`,
      );
    }
    if (pass.remaining.size > 0) {
      const wait = Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, pass.estimateSeconds * 1000));
      this.#queue.addAfter(name, wait);
      return;
    }
    try {
      await this.#namespaces.updateSubresource(name, 'finalize', {
        ...ns,
        spec: { ...ns.spec, finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) },
      });
    } catch (err) {
      // A conflict (someone else changed the namespace) is retried with backoff.
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export const namespaceControllerFactory: ControllerFactory = (ctx) => new NamespaceController(ctx);
