// Runs benchmarks by name and records their results.
//   node bench/run.ts storage            (npm run bench -- storage)
//   node bench/run.ts all                (every suite, then bench/results/summary.md)
// Each name is a module bench/<name>.ts exporting `run(log)` (see types.ts); adding a benchmark
// (api, pods, …) is adding such a module. Prints a table per benchmark and writes
// bench/results/<name>.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSummary } from './summary.ts';
import type { BenchModule, BenchResult, Metric } from './types.ts';

const BENCH_DIR = import.meta.dirname;
const RESULTS_DIR = join(BENCH_DIR, 'results');
const NAME = /^[a-z][a-z0-9-]*$/;
/** `all`, in dependency order of what they exercise. */
const SUITES = ['storage', 'api', 'scheduler', 'pods', 'network', 'scale'];

function meets(m: Metric): boolean | undefined {
  if (!m.target) return undefined;
  if (m.target.max !== undefined && !(m.value <= m.target.max)) return false;
  if (m.target.min !== undefined && !(m.value >= m.target.min)) return false;
  return true;
}

function table(result: BenchResult): string {
  const rows = Object.entries(result.metrics).map(([key, m]) => {
    const ok = meets(m);
    const target = m.target
      ? `${m.target.max !== undefined ? `≤ ${m.target.max}` : `≥ ${m.target.min}`}`
      : '';
    return [key, String(m.value), m.unit, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED'];
  });
  const head = ['metric', 'value', 'unit', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(args: string[]): Promise<number> {
  const names = args.includes('all') ? SUITES.filter((s) => existsSync(join(BENCH_DIR, `${s}.ts`))) : args;
  if (names.length === 0) {
    process.stderr.write('usage: node bench/run.ts <name…>   e.g. node bench/run.ts storage\n');
    return 2;
  }
  let failed = 0;
  for (const name of names) {
    const file = join(BENCH_DIR, `${name}.ts`);
    if (!NAME.test(name) || !existsSync(file)) {
      process.stderr.write(`unknown benchmark ${JSON.stringify(name)} (expected bench/${name}.ts)\n`);
      failed++;
      continue;
    }
    const mod = (await import(file)) as BenchModule;
    const log = (l: string) => process.stderr.write(`[${name}] ${l}\n`);
    const started = performance.now();
    const result = await mod.run(log);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const metrics: Record<string, Metric> = {};
    for (const [k, m] of Object.entries(result.metrics))
      metrics[k] = { value: m.value, unit: m.unit, ...(m.target ? { target: m.target } : {}) };
    writeFileSync(
      join(RESULTS_DIR, `${result.name}.json`),
      `${JSON.stringify({ name: result.name, metrics }, null, 2)}\n`,
    );
    process.stdout.write(
      `\n${result.name} (${((performance.now() - started) / 1000).toFixed(1)} s)\n${table(result)}\n`,
    );
  }
  if (existsSync(RESULTS_DIR)) process.stdout.write(`\n${writeSummary(RESULTS_DIR)}`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
