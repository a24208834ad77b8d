// The node agent alone in its own process, for the pods benchmark: its RSS is then the agent's and
// nothing else's. Options come as one JSON argument (AgentOptions without the client, plus the
// kubeconfig path); prints `ready` once the agent has registered and synced, stops on SIGTERM.
//   node bench/pods-agent.ts '{"kubeconfig":"…","nodeName":"…","dataDir":"…",…}'
import { AGENT_CLIENT_MAX_SOCKETS, type AgentOptions, startAgent } from '../src/agent/agent.ts';
import { clientFromKubeconfig } from '../src/client/index.ts';
import { startIdleCompaction } from '../src/util/idle-compaction.ts';
import { createLogger } from '../src/util/log.ts';

export const READY_LINE = 'ready';

type EntryOptions = Omit<AgentOptions, 'client' | 'log'> & { kubeconfig: string };

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as EntryOptions;
  const { kubeconfig, ...rest } = opts;
  const client = await clientFromKubeconfig(kubeconfig, {
    userAgent: 'skiff-bench-agent',
    maxSockets: Number(process.env.SKIFF_BENCH_AGENT_SOCKETS ?? AGENT_CLIENT_MAX_SOCKETS),
  });
  const agent = await startAgent({
    ...rest,
    client,
    log: createLogger({ level: 'warn', component: 'agent' }),
  });
  // As `skiff agent` does once its node runs (src/cli/agent.ts).
  const compaction = startIdleCompaction();
  // Where the RSS goes (heap, external, array buffers), on demand: `kill -USR2 <pid>`.
  process.on('SIGUSR2', () => process.stderr.write(`${JSON.stringify(process.memoryUsage())}\n`));
  process.stdout.write(`${READY_LINE}\n`);
  process.once('SIGTERM', () => {
    void compaction.dispose();
    void agent
      .stop()
      .then(() => client.close())
      .finally(() => process.exit(0));
  });
}

if (import.meta.main) await main();
