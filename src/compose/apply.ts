// `skiff compose up`'s write step: the converted objects applied in order with server-side apply
// under the `skiff-compose` field manager, then the project's objects that the files no longer
// produce are pruned (compose's orphan removal). Applying an unchanged object is a no-op on the
// server (same resourceVersion), so only changed services roll.
import { ALL_KINDS } from '../api/kinds/index.ts';
import type { KindDef } from '../api/kinds/types.ts';
import type { KObject } from '../api/object.ts';
import { isNotFound, type RestClient, refOf } from '../client/index.ts';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROJECT_LABEL } from './names.ts';

/** The kinds `convert` produces, in apply order; `down` deletes them in reverse. */
export const PROJECT_KINDS: readonly { group: string; kind: string }[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Secret' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: '', kind: 'Service' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'apps', kind: 'DaemonSet' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'batch', kind: 'Job' },
];

export type ApplyOutcome = 'created' | 'configured' | 'unchanged' | 'recreated' | 'pruned';

export interface ApplyEvent {
  kind: string;
  name: string;
  namespace?: string;
  outcome: ApplyOutcome;
}

export function kindOf(apiVersion: string, kind: string): KindDef {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const def = ALL_KINDS.find((k) => k.group === group && k.kind === kind);
  if (!def) throw new Error(`no served kind ${apiVersion} ${kind}`);
  return def;
}

export function kindByGroup(group: string, kind: string): KindDef {
  const def = ALL_KINDS.find((k) => k.group === group && k.kind === kind);
  if (!def) throw new Error(`no served kind ${group}/${kind}`);
  return def;
}

/** The label selector of every object of a project. */
export function projectSelector(project: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${PROJECT_LABEL}=${project}`;
}

/** A Job's pod template is immutable: a changed one-shot service is deleted and created again. */
function isImmutableTemplate(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 422 && /field is immutable/.test(e.message ?? '');
}

async function waitGone(get: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await get();
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for the old object to be deleted');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ApplyProjectOptions {
  project: string;
  namespace: string;
  /** Delete the project's objects the files no longer produce (default true). */
  prune?: boolean;
  onEvent?: (e: ApplyEvent) => void;
  /** How long a recreated Job may take to go (default 60 s). */
  deleteTimeoutMs?: number;
}

export async function applyProject(
  client: RestClient,
  objects: readonly KObject[],
  o: ApplyProjectOptions,
): Promise<ApplyEvent[]> {
  const events: ApplyEvent[] = [];
  const emit = (e: ApplyEvent) => {
    events.push(e);
    o.onEvent?.(e);
  };
  const wanted = new Set<string>();
  for (const obj of objects) {
    const def = kindOf(obj.apiVersion as string, obj.kind as string);
    const name = obj.metadata?.name as string;
    const ns = def.namespaced ? (obj.metadata?.namespace ?? o.namespace) : undefined;
    wanted.add(`${def.kind}/${name}`);
    const rc = client.resource(refOf(def), ns);
    let before: KObject | undefined;
    try {
      before = await rc.get(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const base = { kind: def.kind, name, ...(ns ? { namespace: ns } : {}) };
    try {
      const after = await rc.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
      const outcome: ApplyOutcome = !before
        ? 'created'
        : after.metadata?.resourceVersion === before.metadata?.resourceVersion
          ? 'unchanged'
          : 'configured';
      emit({ ...base, outcome });
    } catch (err) {
      if (!before || !isImmutableTemplate(err)) throw err;
      await rc.delete(name, { propagationPolicy: 'Foreground' });
      await waitGone(() => rc.get(name), o.deleteTimeoutMs ?? 60_000);
      await rc.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
      emit({ ...base, outcome: 'recreated' });
    }
  }
  if (o.prune !== false) {
    for (const k of [...PROJECT_KINDS].reverse()) {
      if (k.kind === 'PersistentVolumeClaim') continue; // volumes go only with `down --volumes`
      const def = kindByGroup(k.group, k.kind);
      const rc = client.resource(refOf(def), o.namespace);
      const list = await rc.list({ labelSelector: projectSelector(o.project) });
      for (const item of list.items) {
        const name = item.metadata?.name as string;
        if (wanted.has(`${def.kind}/${name}`)) continue;
        await rc.delete(name, { propagationPolicy: 'Background' });
        emit({ kind: def.kind, name, namespace: o.namespace, outcome: 'pruned' });
      }
    }
  }
  return events;
}
