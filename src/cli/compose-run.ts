// `skiff compose up|down|ps|logs|scale|restart`: the converted project applied to a cluster
// through the client library (server-side apply, field manager `skiff-compose`). Every verb
// reads the compose files first, as docker compose does, for the project name and namespace.

import { colorsFor } from './colors.ts';
import type { ComposeConvertFlags } from './compose.ts';

export interface ComposeRunFlags extends ComposeConvertFlags {
  kubeconfig?: string;
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const EXIT_FAILURE = 1;
/** `up --wait` gives up after this long unless --wait-timeout says otherwise (compose has none). */
const DEFAULT_WAIT_TIMEOUT_S = 300;

export function defaultKubeconfig(env = process.env): string {
  return env.KUBECONFIG?.split(':')[0] || `${env.SKIFF_DATA_DIR ?? '/var/lib/skiff'}/kubeconfig.yaml`;
}

async function loadAndConvert(flags: ComposeRunFlags) {
  const { convertProject, loadProject } = await import('../compose/index.ts');
  const { toDnsLabel } = await import('../compose/names.ts');
  const project = loadProject({
    files: flags.file,
    ...(flags.projectName ? { projectName: flags.projectName } : {}),
    ...(flags.profile.length ? { profiles: flags.profile } : {}),
    ...(flags.envFile.length ? { envFiles: flags.envFile } : {}),
    ...(flags.projectDirectory ? { cwd: flags.projectDirectory } : {}),
  });
  const result = convertProject(project, {
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.waitImage ? { waitImage: flags.waitImage } : {}),
  });
  return { ...result, project: toDnsLabel(project.name) };
}

async function client(flags: ComposeRunFlags) {
  const { clientFromKubeconfig } = await import('../client/index.ts');
  return clientFromKubeconfig(flags.kubeconfig ?? defaultKubeconfig(), { userAgent: 'skiff-compose' });
}

/** Runs a verb, turning any failure into one `error:` line and exit status 1. */
export async function guarded(io: Io, fn: () => Promise<number | undefined>): Promise<number> {
  try {
    return (await fn()) ?? 0;
  } catch (e) {
    io.err.write(`${colorsFor(io.err).red('error:')} ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

export interface UpFlags extends ComposeRunFlags {
  wait?: boolean;
  waitTimeout?: string;
  removeOrphans?: boolean;
}

export function runUp(flags: UpFlags, io: Io): Promise<number> {
  return guarded(io, async () => {
    const { applyProject } = await import('../compose/apply.ts');
    const { formatWarning } = await import('../compose/index.ts');
    const conv = await loadAndConvert(flags);
    const pc = colorsFor(io.err);
    for (const w of conv.warnings) io.err.write(`${pc.yellow('warning:')} ${formatWarning(w)}\n`);
    const c = await client(flags);
    try {
      await applyProject(c, conv.objects, {
        project: conv.project,
        namespace: conv.namespace,
        prune: flags.removeOrphans !== false,
        onEvent: (e) => io.out.write(`${e.kind.toLowerCase()}/${e.name} ${e.outcome}\n`),
      });
      if (!flags.wait) return 0;
      const { waitForProject } = await import('../compose/wait.ts');
      const timeoutS = Number(flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_S);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0)
        throw new Error(`invalid --wait-timeout ${flags.waitTimeout}`);
      const po = colorsFor(io.out);
      await waitForProject(c, conv.objects, {
        namespace: conv.namespace,
        timeoutMs: timeoutS * 1000,
        onChange: (r) => {
          const mark = r.state === 'ready' ? po.green('✔') : r.state === 'failed' ? po.red('✘') : '…';
          io.out.write(
            `${mark} ${r.kind.toLowerCase()}/${r.name} ${r.state === 'ready' ? 'up' : r.state}: ${r.message}\n`,
          );
        },
      });
      return 0;
    } finally {
      c.close();
    }
  });
}

export function runDown(
  flags: ComposeRunFlags & { volumes?: boolean; timeout?: string },
  io: Io,
): Promise<number> {
  return guarded(io, async () => {
    const { downProject } = await import('../compose/down.ts');
    const conv = await loadAndConvert(flags);
    const c = await client(flags);
    try {
      await downProject(c, {
        project: conv.project,
        namespace: conv.namespace,
        volumes: flags.volumes,
        ...(flags.timeout ? { timeoutMs: Number(flags.timeout) * 1000 } : {}),
        onEvent: (e) => io.out.write(`${e.kind.toLowerCase()}/${e.name} removed\n`),
      });
      return 0;
    } finally {
      c.close();
    }
  });
}

export function runPs(flags: ComposeRunFlags, io: Io): Promise<number> {
  return guarded(io, async () => {
    const { psRows, formatPs } = await import('../compose/ps.ts');
    const { projectSelector } = await import('../compose/apply.ts');
    const { PODS, refOf } = await import('../client/index.ts');
    const { findKind } = await import('../api/kinds/index.ts');
    const conv = await loadAndConvert(flags);
    const c = await client(flags);
    try {
      const selector = projectSelector(conv.project);
      const pods = await c.resource(PODS, conv.namespace).list({ labelSelector: selector });
      const svcDef = findKind('', 'services');
      const services = svcDef
        ? await c.resource(refOf(svcDef), conv.namespace).list({ labelSelector: selector })
        : { items: [] };
      io.out.write(formatPs(psRows(pods.items, services.items)));
      return 0;
    } finally {
      c.close();
    }
  });
}

const PREFIX_COLOURS = ['cyan', 'yellow', 'green', 'magenta', 'blue'] as const;

export function runLogs(
  flags: ComposeRunFlags & { follow?: boolean; tail?: string; timestamps?: boolean },
  services: string[],
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  return guarded(io, async () => {
    const { streamProjectLogs } = await import('../compose/logs.ts');
    const conv = await loadAndConvert(flags);
    const c = await client(flags);
    const pc = colorsFor(io.out);
    const colourOf = new Map<string, (typeof PREFIX_COLOURS)[number]>();
    try {
      await streamProjectLogs(c, {
        project: conv.project,
        namespace: conv.namespace,
        services,
        follow: flags.follow,
        timestamps: flags.timestamps,
        ...(flags.tail !== undefined && flags.tail !== 'all' ? { tail: Number(flags.tail) } : {}),
        signal,
        write: (line) => io.out.write(`${line}\n`),
        decorate: (prefix, service) => {
          if (!colourOf.has(service))
            colourOf.set(service, PREFIX_COLOURS[colourOf.size % PREFIX_COLOURS.length]);
          return pc[colourOf.get(service)!](prefix);
        },
      });
      return 0;
    } finally {
      c.close();
    }
  });
}

/** The workload object of each compose service (the one labelled with its service name). */
async function workloadsOf(flags: ComposeRunFlags, services: string[]) {
  const conv = await loadAndConvert(flags);
  const { SERVICE_LABEL } = await import('../compose/names.ts');
  const kinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
  const found = conv.objects.filter(
    (o) =>
      kinds.has(o.kind as string) &&
      (!services.length || services.includes(o.metadata?.labels?.[SERVICE_LABEL] ?? '')),
  );
  const missing = services.filter((s) => !found.some((o) => o.metadata?.labels?.[SERVICE_LABEL] === s));
  if (missing.length) throw new Error(`no such service: ${missing.join(', ')}`);
  return { conv, found };
}

export function runScale(flags: ComposeRunFlags, specs: string[], io: Io): Promise<number> {
  return guarded(io, async () => {
    const wanted = specs.map((s) => {
      const m = /^([^=]+)=(\d+)$/.exec(s);
      if (!m) throw new Error(`expected SERVICE=REPLICAS, got ${JSON.stringify(s)}`);
      return { service: m[1], replicas: Number(m[2]) };
    });
    const { kindOf } = await import('../compose/apply.ts');
    const { SERVICE_LABEL } = await import('../compose/names.ts');
    const { refOf } = await import('../client/index.ts');
    const { conv, found } = await workloadsOf(
      flags,
      wanted.map((w) => w.service),
    );
    const c = await client(flags);
    try {
      for (const w of wanted) {
        const obj = found.find((o) => o.metadata?.labels?.[SERVICE_LABEL] === w.service)!;
        if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet')
          throw new Error(`service ${w.service} runs as a ${obj.kind}, which has no replica count to scale`);
        const rc = c.resource(refOf(kindOf(obj.apiVersion as string, obj.kind)), conv.namespace);
        await rc.patch(
          obj.metadata?.name as string,
          'merge',
          { spec: { replicas: w.replicas } },
          { subresource: 'scale' },
        );
        io.out.write(`${obj.kind.toLowerCase()}/${obj.metadata?.name} scaled to ${w.replicas}\n`);
      }
      return 0;
    } finally {
      c.close();
    }
  });
}

export function runRestart(flags: ComposeRunFlags, services: string[], io: Io): Promise<number> {
  return guarded(io, async () => {
    const { kindOf } = await import('../compose/apply.ts');
    const { refOf } = await import('../client/index.ts');
    const { conv, found } = await workloadsOf(flags, services);
    const c = await client(flags);
    try {
      const at = new Date().toISOString();
      for (const obj of found) {
        if (obj.kind === 'Job') continue; // a finished one-shot is re-run by `up`, as compose does
        const rc = c.resource(refOf(kindOf(obj.apiVersion as string, obj.kind as string)), conv.namespace);
        // What `kubectl rollout restart` does: a template annotation change rolls the pods.
        const patch = {
          spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
        };
        await rc.patch(obj.metadata?.name as string, 'strategic', patch);
        io.out.write(`${(obj.kind as string).toLowerCase()}/${obj.metadata?.name} restarted\n`);
      }
      return 0;
    } finally {
      c.close();
    }
  });
}
