// ControllerRevisions as StatefulSets and DaemonSets keep them (upstream pkg/controller/history):
// each distinct pod template is stored once as `<owner>-<hash>` with a rising revision number; going
// back to an earlier template renumbers its revision instead of creating a copy; a hash collision
// (same name, other data) bumps the owner's collisionCount; old unused revisions are pruned.
import type { KObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound, type RestClient } from '../../client/index.ts';
import { newControllerRef } from './controller-ref.ts';
import { canonicalJson, computeHash } from './hash.ts';
import { CONTROLLER_REVISIONS } from './resources.ts';

/** Upstream ControllerRevisionHashLabel, on each revision. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** Upstream caps the name prefix so `<prefix>-<hash>` stays a valid name. */
const MAX_REVISION_PREFIX = 223;
/** Upstream gives up on hash collisions after this many tries in one sync. */
const MAX_COLLISION_RETRIES = 10;

/** What upstream stores: a strategic merge patch that replaces the whole template. */
export const templatePatch = (template: unknown): KObject => ({
  spec: { template: { ...structuredClone((template ?? {}) as KObject), $patch: 'replace' } },
});

export const revisionName = (owner: string, hash: string): string =>
  `${owner.slice(0, MAX_REVISION_PREFIX)}-${hash}`;

export const revisionNumber = (r: KObject): number => Number(r.revision ?? 0);

export const sortRevisions = (rs: readonly KObject[]): KObject[] =>
  [...rs].sort(
    (a, b) => revisionNumber(a) - revisionNumber(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1),
  );

export interface EnsureRevisionOptions {
  client: RestClient;
  owner: KObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** The owner's revisions (already claimed). */
  revisions: readonly KObject[];
  data: KObject;
  labels: Record<string, string>;
  collisionCount: number;
  /** The label carrying the hash (DaemonSets use `controller-revision-hash`). */
  hashLabel?: string;
}

/**
 * The revision holding `data`, created or renumbered to be the newest; returns it with the
 * collision count that produced its name.
 */
export async function ensureRevision(
  o: EnsureRevisionOptions,
): Promise<{ revision: KObject; collisionCount: number }> {
  const sorted = sortRevisions(o.revisions);
  const max = sorted.length ? revisionNumber(sorted[sorted.length - 1]) : 0;
  const want = canonicalJson(o.data);
  const equal = sorted.filter((r) => canonicalJson(r.data) === want);
  const namespace = o.owner.metadata!.namespace!;
  const api = o.client.resource(CONTROLLER_REVISIONS, namespace);
  if (equal.length) {
    const r = equal[equal.length - 1];
    if (revisionNumber(r) === max) return { revision: r, collisionCount: o.collisionCount };
    // A rollback: the old template becomes the newest revision again.
    const renumbered = await api.patch(r.metadata!.name!, 'merge', { revision: max + 1 });
    return { revision: renumbered, collisionCount: o.collisionCount };
  }
  let collisionCount = o.collisionCount;
  for (let i = 0; i < MAX_COLLISION_RETRIES; i++) {
    const hash = computeHash(o.data, collisionCount);
    const cr: KObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revisionName(o.owner.metadata!.name!, hash),
        namespace,
        labels: { ...o.labels, [o.hashLabel ?? CONTROLLER_REVISION_HASH_LABEL]: hash },
        ownerReferences: [newControllerRef(o.owner, o.ownerApiVersion, o.ownerKind)],
      },
      data: o.data,
      revision: max + 1,
    };
    try {
      return { revision: await api.create(cr), collisionCount };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await api.get(cr.metadata!.name!);
      const ours = (existing.metadata?.ownerReferences ?? []).some((r) => r.uid === o.owner.metadata!.uid);
      if (ours && canonicalJson(existing.data) === want) return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
  throw new Error(`too many ControllerRevision hash collisions for ${namespace}/${o.owner.metadata!.name}`);
}

/** Deletes the oldest revisions beyond `limit`, never one in `live` (names still in use). */
export async function truncateHistory(
  client: RestClient,
  revisions: readonly KObject[],
  live: ReadonlySet<string>,
  limit: number,
): Promise<void> {
  const old = sortRevisions(revisions).filter((r) => !live.has(r.metadata!.name!));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    try {
      await client.resource(CONTROLLER_REVISIONS, r.metadata!.namespace!).delete(r.metadata!.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
