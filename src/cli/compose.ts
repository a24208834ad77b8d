// `skiff compose convert`: compose files → the Kubernetes objects skiff would create, as
// multi-document YAML for `kubectl apply -f -`. The converter is imported only when the command
// runs, so other subcommands pay nothing for it. (`up`, `down`, `ps`, `logs`, `scale` and
// `restart` come with the client library: they apply the same objects with server-side apply.)
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
  compose
    .command('convert')
    .description('print the Kubernetes objects for a compose project as YAML (for kubectl apply -f -)')
    .option('-f, --file <file>', 'compose file (repeat to merge several, in order)', repeat, [])
    .option('-p, --project-name <name>', 'project name (default: name: in the file, else the directory)')
    .option('-n, --namespace <ns>', 'namespace of every object (default: the project name)')
    .option('--profile <profile>', 'enable a profile (repeatable; * for all)', repeat, [])
    .option('--env-file <file>', 'read interpolation variables from this file instead of .env', repeat, [])
    .option('--project-directory <dir>', 'where default compose files are looked up (default: cwd)')
    .option('--wait-image <image>', 'image of the init containers that wait for dependencies')
    .option('--strict', 'fail when any key cannot be mapped (warnings become errors)')
    .action(async (flags: ComposeConvertFlags) => {
      process.exitCode = await runConvert(flags, process.stdout, process.stderr);
    });
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
