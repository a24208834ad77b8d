// Rollback to a revision, as `kubectl rollout undo --to-revision=N` does it: take the pod template
// of the ReplicaSet carrying that revision, drop the pod-template-hash label the controller added,
// and replace the Deployment's template and annotations with one JSON patch.
import type { KObj } from './api.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const JSON_PATCH = 'application/json-patch+json';

/** Deployment annotations that stay the Deployment's own, never copied from the ReplicaSet. */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface Revision {
  revision: number;
  replicaSet: KObj;
  changeCause?: string;
  images: string[];
}

/** The Deployment's ReplicaSets (controller owner = its uid) by revision, newest first. */
export function rolloutHistory(deployment: KObj, replicaSets: KObj[]): Revision[] {
  return replicaSets
    .filter((rs) =>
      rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === deployment.metadata.uid),
    )
    .map((rs) => ({
      revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
      replicaSet: rs,
      changeCause: rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION],
      images: (rs.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image),
    }))
    .filter((r) => r.revision > 0)
    .sort((a, b) => b.revision - a.revision);
}

export class RollbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollbackError';
  }
}

/** The JSON patch restoring `revision`, or undefined when the template already matches it. */
export function rollbackPatch(deployment: KObj, history: Revision[], revision: number): object[] | undefined {
  if (deployment.spec?.paused) {
    throw new RollbackError(`you cannot rollback a paused deployment; resume it first`);
  }
  const target = history.find((r) => r.revision === revision);
  if (!target) throw new RollbackError(`unable to find the specified revision ${revision}`);
  const template = structuredClone(target.replicaSet.spec.template);
  if (template.metadata?.labels) {
    delete template.metadata.labels[POD_TEMPLATE_HASH];
  }
  if (sameJson(template, deployment.spec.template)) return undefined;
  const annotations: Record<string, string> = {};
  const own = deployment.metadata.annotations ?? {};
  for (const k of ANNOTATIONS_TO_SKIP) if (k in own) annotations[k] = own[k];
  for (const [k, v] of Object.entries(target.replicaSet.metadata.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** Structural equality regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
