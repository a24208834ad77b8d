// `skiff bench [suite…|all]`: the benchmark suites of a source checkout (bench/), run with this
// same Node; tables on stdout, JSON in bench/results/, the comparison in bench/results/summary.md.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';

/** The checkout this CLI runs from (src/cli or dist/, any depth below the package root). */
export function checkoutRoot(from = import.meta.dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'bench', 'run.ts')) && existsSync(join(dir, 'package.json'))) return dir;
  return undefined;
}

export function addBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run benchmark suites (storage, api, scheduler, pods, network, scale, or all)')
    .argument('[suites...]', 'suite names', ['all'])
    .action(async (suites: string[]) => {
      const root = checkoutRoot();
      if (!root) {
        process.stderr.write('error: skiff bench runs from a source checkout (bench/ not found)\n');
        process.exitCode = 1;
        return;
      }
      const child = spawn(process.execPath, [join(root, 'bench', 'run.ts'), ...suites], {
        stdio: 'inherit',
        cwd: root,
      });
      process.exitCode = await new Promise<number>((resolve) =>
        child.on('exit', (code) => resolve(code ?? 1)),
      );
    });
}
