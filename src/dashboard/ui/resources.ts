// The kinds the dashboard shows: their API paths and one-line status summaries.
import type { KObj } from './api.ts';

export interface Kind {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

const k = (kind: string, group: string, version: string, plural: string, namespaced = true): Kind => ({
  kind,
  group,
  version,
  plural,
  namespaced,
});

export const KINDS = {
  Node: k('Node', '', 'v1', 'nodes', false),
  Namespace: k('Namespace', '', 'v1', 'namespaces', false),
  Pod: k('Pod', '', 'v1', 'pods'),
  Event: k('Event', '', 'v1', 'events'),
  Deployment: k('Deployment', 'apps', 'v1', 'deployments'),
  ReplicaSet: k('ReplicaSet', 'apps', 'v1', 'replicasets'),
  StatefulSet: k('StatefulSet', 'apps', 'v1', 'statefulsets'),
  DaemonSet: k('DaemonSet', 'apps', 'v1', 'daemonsets'),
  Job: k('Job', 'batch', 'v1', 'jobs'),
} as const;

/** The collection path; namespace undefined for cluster-scoped kinds or "all namespaces". */
export function pathFor(kind: Kind, namespace?: string, name?: string, sub?: string): string {
  let p = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  if (kind.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${kind.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

/** The path of the object a manifest describes (for apply), from apiVersion + kind. */
export function pathForManifest(
  obj: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } },
  defaultNamespace: string,
): string {
  const known = Object.values(KINDS).find((kd) => kd.kind === obj.kind);
  if (!known) throw new Error(`the dashboard cannot apply kind ${obj.kind ?? '(none)'}`);
  const gv = known.group ? `${known.group}/${known.version}` : known.version;
  if (obj.apiVersion !== gv)
    throw new Error(`apiVersion ${obj.apiVersion} does not match ${obj.kind} (${gv})`);
  if (!obj.metadata?.name) throw new Error('metadata.name is required');
  return pathFor(known, obj.metadata.namespace ?? defaultNamespace, obj.metadata.name);
}

export type Health = 'ok' | 'warn' | 'bad' | 'idle';

export interface Summary {
  text: string;
  health: Health;
}

export function nodeReady(node: KObj): boolean {
  return (node.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  );
}

/** Like kubectl's READY/STATUS columns, compressed to one phrase and a colour. */
export function summarize(kind: string, o: KObj): Summary {
  const s = o.status ?? {};
  const want = o.spec?.replicas ?? 1;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const ready = s.readyReplicas ?? 0;
      return {
        text: `${ready}/${want} ready`,
        health: ready >= want ? (want === 0 ? 'idle' : 'ok') : 'warn',
      };
    }
    case 'DaemonSet': {
      const ready = s.numberReady ?? 0;
      const desired = s.desiredNumberScheduled ?? 0;
      return { text: `${ready}/${desired} ready`, health: ready >= desired ? 'ok' : 'warn' };
    }
    case 'Job': {
      const done = (s.conditions ?? []).find(
        (c: { type: string; status: string }) =>
          c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'),
      );
      if (done) return { text: done.type, health: done.type === 'Complete' ? 'ok' : 'bad' };
      return { text: `${s.succeeded ?? 0}/${o.spec?.completions ?? 1} succeeded`, health: 'warn' };
    }
    case 'Pod':
      return podSummary(o);
    default:
      return { text: '', health: 'idle' };
  }
}

function podSummary(p: KObj): Summary {
  if (p.metadata.deletionTimestamp) {
    return { text: 'Terminating', health: 'warn' };
  }
  const phase: string = p.status?.phase ?? 'Pending';
  const waiting = (p.status?.containerStatuses ?? [])
    .map((c: { state?: { waiting?: { reason?: string } } }) => c.state?.waiting?.reason)
    .find(Boolean);
  if (waiting) return { text: waiting, health: 'bad' };
  const health: Health =
    phase === 'Running' || phase === 'Succeeded' ? 'ok' : phase === 'Failed' ? 'bad' : 'warn';
  return { text: phase, health };
}

/** "3m", "2h", "5d": the AGE column. */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Counts pods by phase, in a fixed order. */
export function podPhases(pods: KObj[]): [string, number][] {
  const order = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];
  const counts = new Map(order.map((p) => [p, 0]));
  for (const p of pods) {
    const phase = p.status?.phase ?? 'Pending';
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  return [...counts];
}
