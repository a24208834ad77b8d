// The garbage collector (upstream pkg/controller/garbagecollector): watches every listable resource,
// keeps the ownerReferences graph, and
//   - background: deletes dependents whose owners are all gone (checked with a live GET by uid);
//   - foreground: for an owner carrying `foregroundDeletion`, deletes its dependents first, then
//     removes the finalizer once no dependent with blockOwnerDeletion is left;
//   - orphan: for an owner carrying `orphan`, removes the ownerReferences to it from its
//     dependents, then removes the finalizer.
//
//   informer per resource ─► graph (uid → owners, owner uid → dependents)
//        │ owner gone / owner deleting in foreground / dependent with unseen owner
//        ├──► attemptToDelete(uid) ─► classify owners: solid | dangling | waiting ─► delete or patch
//        └──► attemptToOrphan(uid) ─► strip ownerReferences from dependents ─► drop `orphan`
import type { KObject, OwnerReference } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  type DeleteOptions,
  isConflict,
  isNotFound,
  type ResourceClient,
  type SharedInformer,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import { apiVersionOf, type DiscoveredResource, discoverResources, kindKey, supports } from './discovery.ts';
import {
  DependencyGraph,
  deletingDependents,
  describeNode,
  FOREGROUND_FINALIZER,
  type GraphNode,
  nodeOf,
  ORPHAN_FINALIZER,
} from './graph.ts';

export const GARBAGE_COLLECTOR = 'garbage-collector';
/** Upstream never collects Events (they expire on their own and are too many to watch). */
const IGNORED = new Set(['events', 'events.events.k8s.io']);
/** How long to wait before trying discovery again when it failed entirely. */
const DISCOVERY_RETRY_MS = 5_000;

type Owner =
  | { kind: 'solid'; ref: OwnerReference }
  | { kind: 'dangling'; ref: OwnerReference }
  | { kind: 'waiting'; ref: OwnerReference };

const qualified = (r: DiscoveredResource): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export class GarbageCollector implements Controller {
  readonly name = GARBAGE_COLLECTOR;
  readonly graph = new DependencyGraph();
  readonly #ctx: ControllerContext;
  readonly #deleteQueue: WorkQueue<string>;
  readonly #orphanQueue: WorkQueue<string>;
  /** apiVersion/kind and group/kind → resource, from discovery. */
  readonly #byKind = new Map<string, DiscoveredResource>();
  readonly #informers: SharedInformer[] = [];

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#deleteQueue = new WorkQueue<string>({ clock: ctx.clock });
    this.#orphanQueue = new WorkQueue<string>({ clock: ctx.clock });
  }

  /** Resources watched (after run() discovered them). */
  get watched(): number {
    return this.#informers.length;
  }

  async run(signal: AbortSignal): Promise<void> {
    const stop = (): void => {
      this.#deleteQueue.shutDown();
      this.#orphanQueue.shutDown();
    };
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) return stop();
    // Discovery is I/O, so (unlike other controllers) the informers are requested here; the
    // factory starts informers requested after its start() at once.
    while (!signal.aborted) {
      try {
        const { resources } = await discoverResources(this.#ctx.client, signal);
        this.#watch(resources);
        break;
      } catch (err) {
        this.#ctx.log.warn('garbage collector discovery failed', { error: (err as Error).message });
        await this.#ctx.clock.sleep(DISCOVERY_RETRY_MS, signal);
      }
    }
    const synced = await Promise.all(this.#informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    const onError = (uid: string, err: unknown): void =>
      this.#ctx.log.warn('garbage collection failed', { uid, error: (err as Error).message });
    const workers = this.#ctx.options.workers;
    await Promise.all([
      runWorkers(this.#deleteQueue, workers, (uid) => this.attemptToDelete(uid), { onError }),
      runWorkers(this.#orphanQueue, workers, (uid) => this.attemptToOrphan(uid), { onError }),
    ]);
  }

  #watch(resources: DiscoveredResource[]): void {
    for (const r of resources) {
      this.#byKind.set(kindKey(apiVersionOf(r), r.kind), r);
      if (!this.#byKind.has(`${r.group}/${r.kind}`)) this.#byKind.set(`${r.group}/${r.kind}`, r);
    }
    for (const r of resources) {
      if (IGNORED.has(qualified(r)) || !supports(r, 'list', 'watch', 'delete')) continue;
      const inf = this.#ctx.informers.informerFor(r);
      inf.addEventHandler({
        onAdd: (obj) => this.#observe(r, obj),
        onUpdate: (_old, obj) => this.#observe(r, obj),
        onDelete: (obj) => this.#forget(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
      });
      this.#informers.push(inf);
    }
  }

  // --- graph changes (informer handlers: quick, enqueue only) ----------------------------------

  #observe(ref: DiscoveredResource, obj: KObject): void {
    const node = nodeOf(ref, obj);
    if (!node.uid) return;
    const old = this.graph.upsert(node);
    // Owners it no longer names may have been waiting for it (foreground deletion).
    for (const o of old?.owners ?? []) {
      if (!node.owners.some((n) => n.uid === o.uid)) this.#requeueIfWaiting(o.uid);
    }
    if (node.deleting && node.finalizers.includes(ORPHAN_FINALIZER)) this.#orphanQueue.add(node.uid);
    if (deletingDependents(node)) {
      this.#deleteQueue.add(node.uid);
      for (const d of this.graph.dependents(node.uid)) this.#deleteQueue.add(d.uid);
    }
    // A dependent whose owner is unknown (maybe gone) or deleting its dependents needs a look.
    for (const o of node.owners) {
      const owner = this.graph.get(o.uid);
      if (!owner || deletingDependents(owner)) {
        this.#deleteQueue.add(node.uid);
        break;
      }
    }
  }

  #forget(obj: KObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const gone = this.graph.remove(uid);
    for (const d of this.graph.dependents(uid)) this.#deleteQueue.add(d.uid);
    for (const o of gone?.owners ?? []) this.#requeueIfWaiting(o.uid);
  }

  #requeueIfWaiting(ownerUid: string): void {
    const owner = this.graph.get(ownerUid);
    if (owner && deletingDependents(owner)) this.#deleteQueue.add(ownerUid);
  }

  // --- workers ------------------------------------------------------------------------------------

  async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (deletingDependents(node)) return this.#finishForeground(node);
    if (node.deleting || node.owners.length === 0) return;
    // Act on the live object: the cache may lag behind (owners already removed, another uid).
    const item = await this.#getLive(node.ref, node.namespace, node.name);
    if (!item || item.metadata?.uid !== uid || item.metadata?.deletionTimestamp) return;
    const refs: OwnerReference[] = item.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners = await Promise.all(refs.map((r) => this.#classify(node, r)));
    const solid = owners.filter((o) => o.kind === 'solid');
    const dangling = owners.filter((o) => o.kind === 'dangling');
    const waiting = owners.filter((o) => o.kind === 'waiting');
    if (solid.length > 0) {
      // Still owned: only drop references to owners that are gone or waiting on it.
      const drop = new Set([...dangling, ...waiting].map((o) => o.ref.uid));
      if (drop.size === 0) return;
      await this.#patchOwners(
        node.ref,
        item,
        refs.filter((r) => !drop.has(r.uid)),
      );
      return;
    }
    let policy: DeleteOptions['propagationPolicy'] = 'Background';
    if (waiting.length > 0 && this.graph.dependents(uid).length > 0) policy = 'Foreground';
    else if (node.finalizers.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (node.finalizers.includes(FOREGROUND_FINALIZER)) policy = 'Foreground';
    this.#ctx.log.info('deleting dependent', { object: describeNode(node), policy });
    try {
      await this.#client(node.ref, node.namespace).delete(node.name, {
        propagationPolicy: policy,
        preconditions: { uid },
      });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone, or a new object under that name
      throw err;
    }
  }

  /** An owner deleting in the foreground: done once no blocking dependent is left. */
  async #finishForeground(owner: GraphNode): Promise<void> {
    const blocking = this.graph
      .dependents(owner.uid)
      .filter((d) => d.owners.some((o) => o.uid === owner.uid && o.blockOwnerDeletion));
    if (blocking.length > 0) {
      for (const d of blocking) if (!d.deleting) this.#deleteQueue.add(d.uid);
      return;
    }
    await this.#removeFinalizer(owner, FOREGROUND_FINALIZER);
  }

  async attemptToOrphan(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner?.deleting || !owner.finalizers.includes(ORPHAN_FINALIZER)) return;
    for (const d of this.graph.dependents(uid)) {
      const item = await this.#getLive(d.ref, d.namespace, d.name);
      if (!item || item.metadata?.uid !== d.uid) continue;
      const refs: OwnerReference[] = item.metadata?.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      await this.#patchOwners(
        d.ref,
        item,
        refs.filter((r) => r.uid !== uid),
      );
    }
    await this.#removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  // --- helpers ------------------------------------------------------------------------------------

  async #classify(dependent: GraphNode, ref: OwnerReference): Promise<Owner> {
    const known = this.graph.get(ref.uid);
    let owner: { deleting: boolean; finalizers: readonly string[] } | undefined = known;
    if (!known) {
      const res =
        this.#byKind.get(kindKey(ref.apiVersion, ref.kind)) ??
        this.#byKind.get(`${ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : ''}/${ref.kind}`);
      // An unknown kind may be served later (CRDs): retry rather than delete on a guess.
      if (!res)
        throw new Error(
          `no resource serves ${ref.apiVersion} ${ref.kind} (owner of ${describeNode(dependent)})`,
        );
      const live = await this.#getLive(res, res.namespaced ? dependent.namespace : '', ref.name);
      if (!live || live.metadata?.uid !== ref.uid) return { kind: 'dangling', ref };
      owner = {
        deleting: !!live.metadata?.deletionTimestamp,
        finalizers: live.metadata?.finalizers ?? [],
      };
    }
    if (owner?.deleting && owner.finalizers.includes(FOREGROUND_FINALIZER)) return { kind: 'waiting', ref };
    return { kind: 'solid', ref };
  }

  async #getLive(ref: DiscoveredResource, namespace: string, name: string): Promise<KObject | undefined> {
    try {
      return await this.#client(ref, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Rewrites ownerReferences, conditional on the version read (a conflict retries). */
  async #patchOwners(ref: DiscoveredResource, item: KObject, owners: OwnerReference[]): Promise<void> {
    try {
      await this.#client(ref, item.metadata?.namespace ?? '').patch(item.metadata!.name!, 'merge', {
        metadata: {
          ownerReferences: owners.length ? owners : null,
          resourceVersion: item.metadata?.resourceVersion,
        },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const live = await this.#getLive(node.ref, node.namespace, node.name);
    if (!live || live.metadata?.uid !== node.uid) return;
    const finalizers: string[] = live.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    const rest = finalizers.filter((f) => f !== finalizer);
    try {
      await this.#client(node.ref, node.namespace).patch(node.name, 'merge', {
        metadata: { finalizers: rest.length ? rest : null, resourceVersion: live.metadata?.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #client(ref: DiscoveredResource, namespace: string): ResourceClient {
    return this.#ctx.client.resource(ref, ref.namespaced ? namespace : undefined);
  }
}

export const garbageCollectorFactory: ControllerFactory = (ctx) => new GarbageCollector(ctx);
