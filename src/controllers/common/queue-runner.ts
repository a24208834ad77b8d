// The loop every workload controller shares (sample-controller's shape): informer handlers enqueue
// `namespace/name` keys; after the caches sync, N workers take keys off the queue and reconcile
// them; a failed key is retried with per-key exponential backoff. Stops when the signal aborts.
import type { KObject } from '../../api/object.ts';
import { DeletedFinalStateUnknown, objectKey, type SharedInformer } from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { ControllerContext } from '../types.ts';

export class QueueRunner {
  readonly queue: WorkQueue<string>;
  readonly #ctx: ControllerContext;
  readonly #name: string;
  readonly #informers: SharedInformer[];
  readonly #reconcile: (key: string) => Promise<void>;

  constructor(
    ctx: ControllerContext,
    name: string,
    informers: SharedInformer[],
    reconcile: (key: string) => Promise<void>,
  ) {
    this.#ctx = ctx;
    this.#name = name;
    this.#informers = informers;
    this.#reconcile = reconcile;
    this.queue = new WorkQueue<string>({ clock: ctx.clock });
  }

  /** Enqueues an object's key (tombstones included). */
  enqueue(obj: KObject | DeletedFinalStateUnknown): void {
    this.queue.add(obj instanceof DeletedFinalStateUnknown ? obj.key : objectKey(obj));
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, Math.max(0, ms));
  }

  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.queue.shutDown();
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const synced = await Promise.all(this.#informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    this.#ctx.log.info('controller started', { controller: this.#name });
    await runWorkers(this.queue, this.#ctx.options.workers, this.#reconcile, {
      onError: (key, err) =>
        this.#ctx.log.warn('sync failed, retrying', {
          controller: this.#name,
          key,
          error: (err as Error).message,
        }),
    });
  }
}

/** The object inside a delete notification, whether or not it came as a tombstone. */
export const unwrapDeleted = <T extends KObject>(obj: T | DeletedFinalStateUnknown<T>): T =>
  obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
