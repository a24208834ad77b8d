// Controller references (metadata.ownerReferences with controller=true) and upstream's
// ControllerRefManager (pkg/controller/controller_ref_manager.go): an owner claims the objects its
// selector matches — adopting orphans and releasing objects that stopped matching — so exactly one
// controller manages each pod (or ReplicaSet, or ControllerRevision).
import type { KObject, OwnerReference } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import { matchesLabels } from '../../api/selectors/index.ts';
import { type IndexFunc, isNotFound, type Lister, type ResourceClient } from '../../client/index.ts';

export function controllerRefOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Upstream's podControllerUID index: an object under its controller's uid, an orphan under its
 * namespace's orphan key. An owner's candidates are then its own objects plus its namespace's
 * orphans — not every object in the namespace, which made a sync O(namespace) and a burst of
 * pod events O(n²).
 */
export const CONTROLLER_UID_INDEX = 'controllerUID';
const orphanKey = (namespace: string): string => `_ORPHAN_/${namespace}`;
export const controllerUidIndexFunc: IndexFunc = (obj) => [
  controllerRefOf(obj)?.uid ?? orphanKey(obj.metadata?.namespace ?? ''),
];

/** What claimObjects needs to see for owner: what it controls, and the orphans it may adopt. */
export function ownedOrOrphans<T extends KObject>(lister: Lister<T>, owner: KObject): T[] {
  return [
    ...lister.byIndex(CONTROLLER_UID_INDEX, owner.metadata?.uid ?? ''),
    ...lister.byIndex(CONTROLLER_UID_INDEX, orphanKey(owner.metadata?.namespace ?? '')),
  ];
}

/** The reference an owner puts on what it creates (blockOwnerDeletion so foreground deletion waits). */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const isControlledBy = (obj: KObject, owner: KObject): boolean =>
  controllerRefOf(obj)?.uid === owner.metadata?.uid;

export interface ClaimOptions<T extends KObject> {
  owner: KObject;
  ownerApiVersion: string;
  ownerKind: string;
  selector: LabelSelector;
  /** Client for the claimed objects, in the owner's namespace. */
  client: ResourceClient<T>;
  /**
   * Re-reads the owner from the API server before the first adoption (upstream's canAdopt): a
   * stale cache must not adopt for an owner that is gone or being deleted. Resolves undefined when
   * the owner no longer exists.
   */
  fetchOwner: () => Promise<KObject | undefined>;
  /** Extra test an orphan must pass to be adopted (e.g. the StatefulSet's ordinal naming). */
  canClaim?: (obj: T) => boolean;
}

/**
 * Returns the objects the owner controls after adopting matching orphans and releasing owned
 * objects that no longer match. Objects being deleted are never adopted.
 */
export async function claimObjects<T extends KObject>(objs: readonly T[], o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = o.owner.metadata!.uid!;
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  const claimed: T[] = [];
  let adoptChecked: boolean | undefined;
  const canAdopt = async (): Promise<boolean> => {
    if (adoptChecked === undefined) {
      const fresh = await o.fetchOwner();
      adoptChecked = !!fresh && fresh.metadata?.uid === ownerUid && !fresh.metadata?.deletionTimestamp;
    }
    return adoptChecked;
  };
  for (const obj of objs) {
    const matches = matchesLabels(o.selector, obj.metadata?.labels ?? {}) && (o.canClaim?.(obj) ?? true);
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches || ownerDeleting) {
        claimed.push(obj);
        continue;
      }
      await release(o.client, obj, ownerUid);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata?.deletionTimestamp) continue;
    if (!(await canAdopt())) continue;
    const adopted = await adopt(o.client, obj, newControllerRef(o.owner, o.ownerApiVersion, o.ownerKind));
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** Strategic merge patch adding the controller ref; the uid pins the patch to this very object. */
async function adopt<T extends KObject>(
  client: ResourceClient<T>,
  obj: T,
  ref: OwnerReference,
): Promise<T | undefined> {
  try {
    return await client.patch(obj.metadata!.name!, 'strategic', {
      metadata: { ownerReferences: [ref], uid: obj.metadata!.uid },
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function release<T extends KObject>(
  client: ResourceClient<T>,
  obj: T,
  ownerUid: string,
): Promise<void> {
  try {
    await client.patch(obj.metadata!.name!, 'strategic', {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata!.uid },
    });
  } catch (err) {
    // Gone, or the uid no longer matches (a new object of the same name): nothing to release.
    if (isNotFound(err) || (err as { code?: number }).code === 422) return;
    throw err;
  }
}
