// `skiff compose ps`: one row per pod of the project, in docker compose's columns. STATUS reads
// like docker's ("Up 2 minutes (healthy)", "Exited (0) 5 seconds ago"); a healthcheck is the
// readiness probe, so Ready is "healthy". PORTS come from the service's Service and hostPorts.
import type { KObject } from '../api/object.ts';
import { SERVICE_LABEL } from './names.ts';

export interface PsRow {
  name: string;
  image: string;
  service: string;
  created: string;
  status: string;
  ports: string;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    running?: { startedAt?: string };
    waiting?: { reason?: string };
    terminated?: { exitCode?: number; finishedAt?: string; reason?: string };
  };
}

/** docker's "About a minute", "2 hours" style, from milliseconds. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(m / 60);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

function podStatus(pod: KObject, now: number, hasProbe: boolean): string {
  const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: ContainerStatus[] };
  if (pod.metadata?.deletionTimestamp) return 'Removing';
  const c = status.containerStatuses?.[0];
  if (!c?.state) return status.phase === 'Pending' || !status.phase ? 'Created' : status.phase;
  const { running, waiting, terminated } = c.state;
  if (running) {
    const since = running.startedAt ? humanDuration(now - Date.parse(running.startedAt)) : '';
    const health = hasProbe ? (c.ready ? ' (healthy)' : ' (unhealthy)') : '';
    return `Up ${since}${health}`.replace('Up  ', 'Up ');
  }
  if (terminated) {
    const ago = terminated.finishedAt ? ` ${humanDuration(now - Date.parse(terminated.finishedAt))} ago` : '';
    return `Exited (${terminated.exitCode ?? 0})${ago}`;
  }
  if (waiting?.reason === 'CrashLoopBackOff') return `Restarting (${c.restartCount ?? 0})`;
  return waiting?.reason ?? 'Created';
}

interface ServicePort {
  port?: number;
  nodePort?: number;
  protocol?: string;
  targetPort?: number | string;
}

function portsOf(pod: KObject, services: readonly KObject[], service: string): string {
  const out: string[] = [];
  const containers = ((pod.spec as { containers?: KObject[] })?.containers ?? []) as {
    ports?: { containerPort: number; hostPort?: number; hostIP?: string; protocol?: string }[];
  }[];
  for (const c of containers)
    for (const p of c.ports ?? [])
      if (p.hostPort)
        out.push(
          `${p.hostIP ?? '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`,
        );
  const svc = services.find(
    (s) => s.metadata?.labels?.[SERVICE_LABEL] === service && s.metadata?.name === service,
  );
  for (const p of ((svc?.spec as { ports?: ServicePort[] })?.ports ?? []) as ServicePort[]) {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const target = typeof p.targetPort === 'number' ? p.targetPort : p.port;
    out.push(p.nodePort ? `0.0.0.0:${p.nodePort}->${target}/${proto}` : `${target}/${proto}`);
  }
  return [...new Set(out)].join(', ');
}

export function psRows(pods: readonly KObject[], services: readonly KObject[], now = Date.now()): PsRow[] {
  return pods
    .map((pod) => {
      const service = pod.metadata?.labels?.[SERVICE_LABEL] ?? '';
      const first = ((pod.spec as { containers?: { image?: string; readinessProbe?: unknown }[] })
        ?.containers ?? [])[0];
      const created = pod.metadata?.creationTimestamp as string | undefined;
      return {
        name: pod.metadata?.name as string,
        image: first?.image ?? '',
        service,
        created: created ? `${humanDuration(now - Date.parse(created))} ago` : '',
        status: podStatus(pod, now, Boolean(first?.readinessProbe)),
        ports: portsOf(pod, services, service),
      };
    })
    .sort((a, b) => (a.service === b.service ? (a.name < b.name ? -1 : 1) : a.service < b.service ? -1 : 1));
}

/** Left-aligned columns separated by three spaces, like docker's tables. */
export function formatPs(rows: readonly PsRow[]): string {
  const header: PsRow = {
    name: 'NAME',
    image: 'IMAGE',
    service: 'SERVICE',
    created: 'CREATED',
    status: 'STATUS',
    ports: 'PORTS',
  };
  const cols: (keyof PsRow)[] = ['name', 'image', 'service', 'created', 'status', 'ports'];
  const all = [header, ...rows];
  const widths = cols.map((c) => Math.max(...all.map((r) => r[c].length)));
  return all
    .map((r) =>
      cols
        .map((c, i) => (i === cols.length - 1 ? r[c] : r[c].padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
