// Start-up reconciliation of the default cluster roles and bindings (upstream's
// `rbac/bootstrap-roles` post-start hook): create what is missing; for objects still marked
// autoupdate, add back missing rules, labels and subjects while keeping what users added.
import type { KObject } from '../../api/object.ts';
import type { RequestContext } from '../registry/context.ts';
import { AUTOUPDATE_ANNOTATION, defaultClusterRoleBindings, defaultClusterRoles } from './default-policy.ts';

/** The part of ResourceStore reconciliation needs. */
export interface PolicyStore {
  getStored(namespace: string, name: string): Promise<{ obj: KObject }>;
  create(namespace: string, obj: KObject, ctx: RequestContext): Promise<KObject>;
  update(namespace: string, name: string, obj: KObject, ctx: RequestContext): Promise<KObject>;
}

export async function reconcileDefaultPolicy(
  roles: PolicyStore,
  bindings: PolicyStore,
  ctx: RequestContext,
): Promise<void> {
  for (const want of defaultClusterRoles()) await reconcileOne(roles, want, ctx, mergeRole);
  for (const want of defaultClusterRoleBindings()) await reconcileOne(bindings, want, ctx, mergeBinding);
}

type Merge = (have: KObject, want: KObject) => KObject | undefined;

async function reconcileOne(
  store: PolicyStore,
  want: KObject,
  ctx: RequestContext,
  merge: Merge,
): Promise<void> {
  const name = want.metadata!.name!;
  let have: KObject | undefined;
  try {
    have = (await store.getStored('', name)).obj;
  } catch (err) {
    if ((err as { reason?: string }).reason !== 'NotFound') throw err;
  }
  if (!have) {
    try {
      await store.create('', want, ctx);
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'AlreadyExists') throw err;
    }
    return;
  }
  if (have.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
  const next = merge(have, want);
  if (next) await store.update('', name, next, ctx);
}

const key = (v: unknown): string => JSON.stringify(v);

function mergeLabels(have: KObject, want: KObject): boolean {
  const labels = { ...(have.metadata?.labels ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(want.metadata?.labels ?? {})) {
    if (labels[k] !== v) {
      labels[k] = v as string;
      changed = true;
    }
  }
  if (changed) have.metadata = { ...have.metadata, labels };
  return changed;
}

function mergeRole(cur: KObject, want: KObject): KObject | undefined {
  const have = structuredClone(cur);
  let changed = mergeLabels(have, want);
  if (want.aggregationRule) {
    // Aggregated roles get their rules from the aggregator; only the selectors are reconciled.
    if (key(have.aggregationRule) !== key(want.aggregationRule)) {
      have.aggregationRule = want.aggregationRule;
      changed = true;
    }
  } else {
    const rules: unknown[] = Array.isArray(have.rules) ? have.rules : [];
    const present = new Set(rules.map(key));
    for (const r of want.rules ?? []) {
      if (!present.has(key(r))) {
        rules.push(r);
        changed = true;
      }
    }
    have.rules = rules;
  }
  return changed ? have : undefined;
}

function mergeBinding(cur: KObject, want: KObject): KObject | undefined {
  const have = structuredClone(cur);
  let changed = mergeLabels(have, want);
  const subjects: KObject[] = Array.isArray(have.subjects) ? have.subjects : [];
  const present = new Set(subjects.map((s) => `${s.kind}/${s.namespace ?? ''}/${s.name}`));
  for (const s of want.subjects ?? []) {
    if (!present.has(`${s.kind}/${s.namespace ?? ''}/${s.name}`)) {
      subjects.push(s);
      changed = true;
    }
  }
  if (subjects.length) have.subjects = subjects;
  return changed ? have : undefined;
}
