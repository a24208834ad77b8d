// Watches the pods bound to this node (fieldSelector spec.nodeName=<node>) and keeps one PodWorker
// per pod UID: informer events and container exits kick the worker, a periodic resync kicks all.
// On start, sandboxes whose pod no longer exists are cleaned up after the first list.
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../api/object.ts';
import {
  DeletedFinalStateUnknown,
  PODS,
  SharedInformerFactory,
  stripManagedFields,
} from '../client/index.ts';
import type { Disposable } from '../util/disposable.ts';
import { LABEL_POD_UID, PodWorker, type WorkerDeps } from './pod-worker.ts';

export const RESYNC_MS = 10_000;
/** A resync waits at most this long for one worker (a pod terminating waits out its grace). */
export const RESYNC_STEP_MAX_MS = 1_000;

export class PodManager implements Disposable {
  readonly #deps: WorkerDeps;
  readonly #workers = new Map<string, PodWorker>();
  readonly #factory: SharedInformerFactory;
  #disposables: Disposable[] = [];
  #resync: { cancel(): void } | undefined;
  #stopped = false;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    // The agent never reads managedFields (its status writes go to /status, where the server keeps
    // the stored ones): dropping them halves what a cached pod costs.
    this.#factory = new SharedInformerFactory(deps.client, { transform: stripManagedFields });
  }

  workers(): ReadonlyMap<string, PodWorker> {
    return this.#workers;
  }

  async start(): Promise<void> {
    const inf = this.#factory.informerFor<KObject>(PODS, {
      fieldSelector: { 'spec.nodeName': this.#deps.nodeName },
    });
    this.#disposables.push(
      inf.addEventHandler({
        onAdd: (p) => this.#upsert(p as Pod),
        onUpdate: (_o, p) => this.#upsert(p as Pod),
        onDelete: (p) => {
          const obj = (p instanceof DeletedFinalStateUnknown ? p.obj : p) as Pod;
          const uid = obj.metadata?.uid ?? '';
          const w = this.#workers.get(uid);
          if (!w) return;
          w.gone();
          // Dropped once its clean-up is done (the resync also drops finished ones it finds).
          void w.idle().then(() => {
            if (w.finished && this.#workers.get(uid) === w) this.#drop(uid, w);
          });
        },
      }),
    );
    this.#disposables.push(this.#deps.runtime.onContainerExit((id) => void this.#kickOwner(id)));
    this.#factory.start();
    await this.#factory.waitForCacheSync();
    await this.#cleanupOrphans(new Set(inf.lister.list().map((p) => p.metadata?.uid)));
    // One worker at a time: kicking every worker at once made each resync a burst of N
    // concurrent syncs that new pods' start-ups queued behind.
    const tick = async (): Promise<void> => {
      // Workers of pods gone from the API are dropped, or every pod ever run here would stay.
      const live = new Set(inf.lister.list().map((p) => p.metadata?.uid));
      for (const [uid, w] of this.#workers) if (w.finished && !live.has(uid)) this.#drop(uid, w);
      for (const w of [...this.#workers.values()]) {
        if (w.finished) continue;
        if (this.#stopped) return;
        w.kick();
        await this.#idleOrTimeout(w);
      }
      if (!this.#stopped) this.#resync = this.#deps.clock.setTimer(RESYNC_MS, () => void tick());
    };
    this.#resync = this.#deps.clock.setTimer(RESYNC_MS, () => void tick());
  }

  #upsert(pod: Pod): void {
    if (this.#stopped) return;
    const uid = pod.metadata?.uid ?? '';
    let w = this.#workers.get(uid);
    if (w?.finished) return;
    // Workers keep the informer's (deep-frozen) object itself: no copy per pod and per update.
    if (!w) {
      w = new PodWorker(this.#deps, pod);
      this.#workers.set(uid, w);
      w.kick();
    } else w.update(pod);
  }

  /** A deleted pod's worker is done: it and the event state kept for the pod go. */
  #drop(uid: string, w: PodWorker): void {
    this.#workers.delete(uid);
    this.#deps.recorder.forget(w.eventRef());
  }

  #idleOrTimeout(w: PodWorker): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = this.#deps.clock.setTimer(RESYNC_STEP_MAX_MS, resolve);
      void w.idle().finally(() => {
        t.cancel();
        resolve();
      });
    });
  }

  /**
   * Kicks the worker of the pod whose container exited (the pod UID label the worker sets), all
   * of them when the owner is unknown: kicking every worker on every exit made each exit O(pods).
   */
  async #kickOwner(containerId: string): Promise<void> {
    const uid = (await this.#deps.runtime.containerStatus(containerId).catch(() => undefined))?.labels[
      LABEL_POD_UID
    ];
    const owner = uid === undefined ? undefined : this.#workers.get(uid);
    if (owner) owner.kick();
    else for (const w of this.#workers.values()) w.kick();
  }

  /** Sandboxes of pods the API server no longer has (deleted while the agent was down). */
  async #cleanupOrphans(known: Set<string | undefined>): Promise<void> {
    for (const sb of await this.#deps.runtime.listSandboxes()) {
      if (known.has(sb.podUid) || this.#workers.has(sb.podUid)) continue;
      await this.#deps.runtime.removeSandbox(sb.id);
      await this.#deps.network?.tearDown(sb.id);
    }
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    this.#resync?.cancel();
    for (const d of this.#disposables) await d.dispose();
    await this.#factory.dispose();
    for (const w of this.#workers.values()) {
      w.stop();
      await w.idle();
    }
  }
}
