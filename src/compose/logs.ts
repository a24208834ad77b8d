// `skiff compose logs`: every container of the project's pods (or of the named services), each
// line prefixed with `<pod> | ` as compose prefixes `<container> | `. With follow, pods that
// start later are picked up from a watch, and the call runs until the signal aborts.
import type { KObject } from '../api/object.ts';
import { PODS, type RestClient } from '../client/index.ts';
import { projectSelector } from './apply.ts';
import { SERVICE_LABEL } from './names.ts';

export interface LogsOptions {
  project: string;
  namespace: string;
  services?: readonly string[];
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
  /** Receives whole lines with their prefix. */
  write: (line: string) => void;
  /** Decorates the prefix (colour per service); identity by default. */
  decorate?: (prefix: string, service: string) => string;
}

/** A pod of a selected service whose containers have started (a Pending pod has no log yet). */
function wanted(pod: KObject, services: readonly string[] | undefined): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!phase || phase === 'Pending') return false;
  return !services?.length || services.includes(pod.metadata?.labels?.[SERVICE_LABEL] ?? '');
}

export async function streamProjectLogs(client: RestClient, o: LogsOptions): Promise<void> {
  const pods = client.resource(PODS, o.namespace);
  const selector = projectSelector(o.project);
  const list = await pods.list({ labelSelector: selector });
  const started = new Set<string>();
  const streams: Promise<void>[] = [];
  const width = () => Math.max(0, ...[...started].map((k) => k.length));
  const follow = (pod: KObject) => {
    const name = pod.metadata?.name as string;
    const service = pod.metadata?.labels?.[SERVICE_LABEL] ?? '';
    const containers = ((pod.spec as { containers?: { name: string }[] })?.containers ?? []).map(
      (c) => c.name,
    );
    for (const container of containers) {
      const label = containers.length > 1 ? `${name}/${container}` : name;
      if (started.has(label)) continue;
      started.add(label);
      streams.push(
        (async () => {
          const body = await pods.logStream(name, {
            container,
            follow: o.follow,
            timestamps: o.timestamps,
            ...(o.tail !== undefined ? { tailLines: o.tail } : {}),
            signal: o.signal,
          });
          let rest = '';
          try {
            for await (const chunk of body) {
              const lines = (rest + chunk.toString()).split('\n');
              rest = lines.pop() ?? '';
              const prefix = (o.decorate ?? ((p) => p))(`${label.padEnd(width())} | `, service);
              for (const line of lines) o.write(`${prefix}${line}`);
            }
          } catch (err) {
            if (!o.signal?.aborted) throw err;
          }
          if (rest) o.write(`${label} | ${rest}`);
        })(),
      );
    }
  };
  for (const pod of list.items) if (wanted(pod, o.services)) follow(pod);
  if (o.follow && !o.signal?.aborted) {
    const watch = await pods.watch({
      labelSelector: selector,
      resourceVersion: list.metadata.resourceVersion,
    });
    const onAbort = () => watch.stop();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const ev of watch) {
        const pod = ev.object as KObject;
        if (ev.type !== 'DELETED' && wanted(pod, o.services)) follow(pod);
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }
  await Promise.allSettled(streams);
}
