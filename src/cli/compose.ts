// `skiff compose convert`: compose files → the Kubernetes objects skiff would create, as
// multi-document YAML for `kubectl apply -f -`. The converter is imported only when the command
// runs, so other subcommands pay nothing for it. `up`, `down`, `ps`, `logs`, `scale` and
// `restart` (compose-run.ts) apply the same objects to a cluster with server-side apply.
import type { Command } from 'commander';
import { colorsFor } from './colors.ts';

export interface ComposeConvertFlags {
  file: string[];
  projectName?: string;
  namespace?: string;
  profile: string[];
  envFile: string[];
  strict?: boolean;
  waitImage?: string;
  projectDirectory?: string;
}

/** Exit status when the files cannot be converted (or, with --strict, when anything was warned about). */
const EXIT_FAILURE = 1;

const repeat = (v: string, prev: string[]): string[] => [...prev, v];

export function addComposeCommands(program: Command): void {
  const compose = program
    .command('compose')
    .description('run docker-compose projects on the cluster (compose files → Kubernetes objects)');
  // As with docker compose, project options go before the verb (`skiff compose -f a.yaml up`);
  // they are accepted after it too, except `-f`, which `logs` keeps for --follow.
  const projectOptions = (cmd: Command, shortFile = true): Command =>
    cmd
      .option(
        shortFile ? '-f, --file <file>' : '--file <file>',
        'compose file (repeat to merge several, in order)',
        repeat,
        [],
      )
      .option('-p, --project-name <name>', 'project name (default: name: in the file, else the directory)')
      .option('-n, --namespace <ns>', 'namespace of every object (default: the project name)')
      .option('--profile <profile>', 'enable a profile (repeatable; * for all)', repeat, [])
      .option('--env-file <file>', 'read interpolation variables from this file instead of .env', repeat, [])
      .option('--project-directory <dir>', 'where default compose files are looked up (default: cwd)')
      .option('--wait-image <image>', 'image of the init containers that wait for dependencies')
      .option(
        '--kubeconfig <file>',
        'cluster to use (default: $KUBECONFIG, else <data-dir>/kubeconfig.yaml)',
      );
  projectOptions(compose).enablePositionalOptions();
  const clusterOptions = (cmd: Command, shortFile = true): Command => projectOptions(cmd, shortFile);
  const io = { out: process.stdout, err: process.stderr };
  const run = async <T>(load: () => Promise<T>, fn: (m: T) => Promise<number>) => {
    process.exitCode = await fn(await load());
  };
  const verbs = () => import('./compose-run.ts');

  projectOptions(compose.command('convert'))
    .description('print the Kubernetes objects for a compose project as YAML (for kubectl apply -f -)')
    .option('--strict', 'fail when any key cannot be mapped (warnings become errors)')
    .action(async (_flags: ComposeConvertFlags, cmd: Command) => {
      process.exitCode = await runConvert(mergedFlags(cmd), process.stdout, process.stderr);
    });
  clusterOptions(compose.command('up'))
    .description('create or update the project on the cluster (only changed services roll)')
    .option('-d, --detach', 'accepted for compatibility: up never attaches')
    .option('--wait', 'wait until every service is running and healthy (one-shot services completed)')
    .option('--wait-timeout <seconds>', 'give up waiting after this long', '300')
    .option('--no-remove-orphans', "keep the project's objects that the files no longer define")
    .action((_f, cmd: Command) => run(verbs, (m) => m.runUp(mergedFlags(cmd), io)));
  clusterOptions(compose.command('down'))
    .description("remove the project's objects and wait for its pods to stop")
    .option('-v, --volumes', "also remove named volumes (claims) and the project's namespace")
    .option('-t, --timeout <seconds>', 'how long to wait for everything to go', '120')
    .action((_f, cmd: Command) => run(verbs, (m) => m.runDown(mergedFlags(cmd), io)));
  clusterOptions(compose.command('ps'))
    .description("list the project's pods")
    .action((_f, cmd: Command) => run(verbs, (m) => m.runPs(mergedFlags(cmd), io)));
  clusterOptions(compose.command('logs'), false)
    .description("print the project's container logs")
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'follow log output')
    .option('--tail <n>', 'lines from the end of each log (or all)', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .action((services: string[], _f, cmd: Command) => {
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      return run(verbs, (m) => m.runLogs(mergedFlags(cmd), services, io, abort.signal));
    });
  clusterOptions(compose.command('scale'))
    .description('set the number of replicas of services')
    .argument('<service=replicas...>')
    .action((specs: string[], _f, cmd: Command) =>
      run(verbs, (m) => m.runScale(mergedFlags(cmd), specs, io)),
    );
  clusterOptions(compose.command('restart'))
    .description("restart services' pods (a rolling restart)")
    .argument('[services...]')
    .action((services: string[], _f, cmd: Command) =>
      run(verbs, (m) => m.runRestart(mergedFlags(cmd), services, io)),
    );
}

/** The verb's options over the `compose` command's; list options from both, parent first. */
// biome-ignore lint/suspicious/noExplicitAny: commander's option bag is untyped by design
function mergedFlags(cmd: Command): any {
  const parent = cmd.parent?.opts() ?? {};
  const own = cmd.opts();
  const merged: Record<string, unknown> = { ...parent };
  for (const [k, v] of Object.entries(own)) {
    if (Array.isArray(v)) merged[k] = [...((parent[k] as unknown[]) ?? []), ...v];
    else if (v !== undefined) merged[k] = v;
  }
  return merged;
}

export async function runConvert(
  flags: ComposeConvertFlags,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { convertProject, formatWarning, loadProject, toYamlDocuments } = await import('../compose/index.ts');
  let result: ReturnType<typeof convertProject>;
  try {
    const project = loadProject({
      files: flags.file,
      ...(flags.projectName ? { projectName: flags.projectName } : {}),
      ...(flags.profile.length ? { profiles: flags.profile } : {}),
      ...(flags.envFile.length ? { envFiles: flags.envFile } : {}),
      ...(flags.projectDirectory ? { cwd: flags.projectDirectory } : {}),
    });
    result = convertProject(project, {
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.waitImage ? { waitImage: flags.waitImage } : {}),
    });
  } catch (e) {
    err.write(`${colorsFor(err).red('error:')} ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
  const pc = colorsFor(err);
  const label = flags.strict ? pc.red('error:') : pc.yellow('warning:');
  for (const w of result.warnings) err.write(`${label} ${formatWarning(w)}\n`);
  if (flags.strict && result.warnings.length) {
    err.write(`${pc.red('error:')} ${result.warnings.length} key(s) cannot be mapped (--strict)\n`);
    return EXIT_FAILURE;
  }
  out.write(toYamlDocuments(result.objects));
  return 0;
}
