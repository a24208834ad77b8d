// The ownership graph across every watched resource, keyed by uid: each object's owners (its
// ownerReferences) and, inverted, each uid's dependents — kept even for owners never seen (they may
// be gone already, or live in a resource not watched), so their dependents can still be found.
import type { KObject, OwnerReference } from '../../api/object.ts';
import type { DiscoveredResource } from './discovery.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface GraphNode {
  uid: string;
  ref: DiscoveredResource;
  namespace: string;
  name: string;
  owners: readonly OwnerReference[];
  finalizers: readonly string[];
  /** metadata.deletionTimestamp is set. */
  deleting: boolean;
}

export const nodeOf = (ref: DiscoveredResource, obj: KObject): GraphNode => ({
  uid: obj.metadata?.uid ?? '',
  ref,
  namespace: obj.metadata?.namespace ?? '',
  name: obj.metadata?.name ?? '',
  owners: obj.metadata?.ownerReferences ?? [],
  finalizers: obj.metadata?.finalizers ?? [],
  deleting: !!obj.metadata?.deletionTimestamp,
});

/** Being deleted in the foreground: its dependents go first. */
export const deletingDependents = (n: GraphNode): boolean =>
  n.deleting && n.finalizers.includes(FOREGROUND_FINALIZER);

export const describeNode = (n: GraphNode): string =>
  `${n.ref.resource}${n.ref.group ? `.${n.ref.group}` : ''} ${n.namespace ? `${n.namespace}/` : ''}${n.name} (${n.uid})`;

export class DependencyGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.#nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** The observed objects naming uid as an owner. */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.#dependents.get(uid) ?? []) {
      const n = this.#nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  /** Every node of one resource (plural name), for checks and debugging. */
  nodesOf(resource: string): GraphNode[] {
    return [...this.#nodes.values()].filter((n) => n.ref.resource === resource);
  }

  /** Records the node; returns the version it replaced. */
  upsert(node: GraphNode): GraphNode | undefined {
    const old = this.#nodes.get(node.uid);
    this.#nodes.set(node.uid, node);
    if (old) for (const o of old.owners) this.#unlink(o.uid, node.uid);
    for (const o of node.owners) {
      const set = this.#dependents.get(o.uid) ?? new Set<string>();
      this.#dependents.set(o.uid, set);
      set.add(node.uid);
    }
    return old;
  }

  remove(uid: string): GraphNode | undefined {
    const old = this.#nodes.get(uid);
    if (!old) return undefined;
    this.#nodes.delete(uid);
    for (const o of old.owners) this.#unlink(o.uid, uid);
    return old;
  }

  #unlink(owner: string, dependent: string): void {
    const set = this.#dependents.get(owner);
    if (!set) return;
    set.delete(dependent);
    if (set.size === 0) this.#dependents.delete(owner);
  }
}
