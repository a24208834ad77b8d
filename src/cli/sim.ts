// `skiff sim`: hollow nodes for scale runs against any Kubernetes API server (a skiff server by
// default): N Ready nodes in one process, their pods "running" after a delay, Lease heartbeats on
// upstream's period. With --pods-per-node it also creates Deployments of 100 to fill them.
import type { Command } from 'commander';
import { colorsFor } from './colors.ts';
import { defaultKubeconfig } from './compose-run.ts';

export interface SimFlags {
  nodes: string;
  podsPerNode?: string;
  zones: string;
  prefix: string;
  startupDelay: string;
  heartbeat: string;
  namespace: string;
  keep?: boolean;
  kubeconfig?: string;
}

/** Pods per filler Deployment. */
const DEPLOYMENT_SIZE = 100;
const PROGRESS_MS = 5000;

export function addSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run simulated (hollow) nodes against a cluster, for scale tests')
    .option('--nodes <n>', 'how many nodes', '100')
    .option('--pods-per-node <m>', 'also create Deployments filling each node with m pods')
    .option('--zones <z>', 'spread nodes over z zones (topology.kubernetes.io/zone)', '1')
    .option('--prefix <name>', 'node name prefix', 'hollow-')
    .option('--startup-delay <ms>', 'how long a bound pod takes to turn Running', '0')
    .option('--heartbeat <ms>', 'Lease renewal period', '10000')
    .option('--namespace <ns>', 'namespace of the filler Deployments', 'skiff-sim')
    .option('--keep', 'leave the nodes (and Deployments) in place on exit')
    .option('--kubeconfig <file>', 'cluster to use (default: $KUBECONFIG, else <data-dir>/kubeconfig.yaml)')
    .action(async (flags: SimFlags) => {
      process.exitCode = await runSim(flags);
    });
}

async function runSim(flags: SimFlags): Promise<number> {
  const pc = colorsFor(process.stderr);
  const nodes = Number(flags.nodes);
  const perNode = flags.podsPerNode === undefined ? 0 : Number(flags.podsPerNode);
  if (!Number.isInteger(nodes) || nodes < 1 || !Number.isInteger(perNode) || perNode < 0) {
    process.stderr.write(`${pc.red('error:')} --nodes must be ≥ 1 and --pods-per-node ≥ 0 (integers)\n`);
    return 2;
  }
  const { clientFromKubeconfig } = await import('../client/index.ts');
  const { FLEET_LABEL, startFleet } = await import('../agent/sim/fleet.ts');
  const { fillerDeployments } = await import('../agent/sim/filler.ts');
  const client = await clientFromKubeconfig(flags.kubeconfig ?? defaultKubeconfig(), {
    userAgent: 'skiff-sim',
  });
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const fleet = await startFleet({
    client,
    nodes,
    zones: Number(flags.zones),
    prefix: flags.prefix,
    startupDelayMs: Number(flags.startupDelay),
    heartbeatMs: Number(flags.heartbeat),
  });
  const perNodeKb = (process.memoryUsage().rss - rss0) / 1024 / nodes;
  process.stdout.write(
    `${nodes} nodes registered in ${((performance.now() - t0) / 1000).toFixed(1)} s (~${perNodeKb.toFixed(0)} KB resident each)\n`,
  );
  const filler = perNode
    ? await fillerDeployments(client, {
        namespace: flags.namespace,
        pods: nodes * perNode,
        size: DEPLOYMENT_SIZE,
        nodeSelector: { [FLEET_LABEL]: fleet.id },
      })
    : undefined;
  if (filler)
    process.stdout.write(
      `created ${filler.deployments} Deployments (${filler.pods} pods) in ${flags.namespace}\n`,
    );
  const progress = setInterval(
    () => process.stdout.write(`pods started: ${fleet.podsStarted()}\n`),
    PROGRESS_MS,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(progress);
  process.stdout.write('stopping\n');
  if (!flags.keep && filler) await filler.remove();
  await fleet.stop({ deleteNodes: !flags.keep });
  client.close();
  return 0;
}
