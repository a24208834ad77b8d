// `skiff slo`: the SLI table for a running cluster — API call latency per SLO class from the
// apiserver's metrics, pod startup from the pods themselves. Exit status 1 when an SLO is missed.
import type { Command } from 'commander';
import { colorsFor } from './colors.ts';
import { defaultKubeconfig } from './compose-run.ts';

export function addSloCommand(program: Command): void {
  program
    .command('slo')
    .description("print the cluster's SLIs against the Kubernetes scalability SLOs")
    .option('--kubeconfig <file>', 'cluster to use (default: $KUBECONFIG, else <data-dir>/kubeconfig.yaml)')
    .option('--json', 'print the rows as JSON')
    .action(async (flags: { kubeconfig?: string; json?: boolean }) => {
      process.exitCode = await runSlo(flags, process.stdout, process.stderr);
    });
}

export async function runSlo(
  flags: { kubeconfig?: string; json?: boolean },
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { apiRows, formatSli, podStartupRow } = await import('../util/slo.ts');
  const { clientFromKubeconfig, PODS } = await import('../client/index.ts');
  try {
    const c = await clientFromKubeconfig(flags.kubeconfig ?? defaultKubeconfig(), { userAgent: 'skiff-slo' });
    try {
      const metrics = await c.text({ method: 'GET', path: '/metrics', accept: 'text/plain' });
      const pods = await c.resource(PODS).listAll();
      const rows = [...apiRows(metrics), podStartupRow(pods.items)];
      out.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : formatSli(rows));
      return rows.some((r) => r.p99 !== undefined && r.p99 > r.slo) ? 1 : 0;
    } finally {
      c.close();
    }
  } catch (e) {
    err.write(`${colorsFor(err).red('error:')} ${(e as Error).message}\n`);
    return 1;
  }
}
