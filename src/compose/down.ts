// `skiff compose down`: the project's objects deleted newest-kind first (workloads with
// Foreground propagation so their pods go before the call returns), its pods waited out, and with
// `--volumes` the claims and the project's own Namespace too — leaving nothing of the project.
import { isNotFound, NAMESPACES, PODS, type RestClient, refOf } from '../client/index.ts';
import { kindByGroup, PROJECT_KINDS, projectSelector } from './apply.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROJECT_LABEL } from './names.ts';

export interface DownOptions {
  project: string;
  namespace: string;
  /** Also delete the named volumes' claims (and the project's Namespace). */
  volumes?: boolean;
  timeoutMs?: number;
  onEvent?: (e: { kind: string; name: string; outcome: 'removed' }) => void;
}

const POLL_MS = 250;

async function until(what: string, deadline: number, done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function downProject(client: RestClient, o: DownOptions): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const selector = projectSelector(o.project);
  for (const k of [...PROJECT_KINDS].reverse()) {
    if (k.kind === 'PersistentVolumeClaim' && !o.volumes) continue;
    const def = kindByGroup(k.group, k.kind);
    const rc = client.resource(refOf(def), o.namespace);
    const list = await rc.list({ labelSelector: selector });
    for (const item of list.items) {
      const name = item.metadata?.name as string;
      try {
        await rc.delete(name, { propagationPolicy: 'Foreground' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      o.onEvent?.({ kind: def.kind, name, outcome: 'removed' });
    }
  }
  const pods = client.resource(PODS, o.namespace);
  await until('the project pods to stop', deadline, async () => {
    const left = await pods.list({ labelSelector: selector });
    return left.items.length === 0;
  });
  if (!o.volumes) return;
  const namespaces = client.resource(NAMESPACES);
  let ns: Awaited<ReturnType<typeof namespaces.get>>;
  try {
    ns = await namespaces.get(o.namespace);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  // Only a Namespace `up` created for this project: never a shared one such as `default`.
  const labels = ns.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[PROJECT_LABEL] !== o.project) return;
  await namespaces.delete(o.namespace);
  o.onEvent?.({ kind: 'Namespace', name: o.namespace, outcome: 'removed' });
  await until(`namespace ${o.namespace} to be deleted`, deadline, async () => {
    try {
      await namespaces.get(o.namespace);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  });
}
