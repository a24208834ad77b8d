// `skiff agent --server URL --token T --ca-cert-hash H`: join this machine to a cluster (kubeadm
// discovery + kubelet TLS bootstrap, src/agent/join) and run the node agent with the node identity
// it obtained, with the node's network components beside it (src/cmd/node.ts startJoinedNode).
// Once joined, the written kubeconfig is reused and the token is no longer needed.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { colorsFor } from './colors.ts';
import { DEFAULT_DATA_DIR } from './up.ts';

interface AgentFlags {
  server: string;
  token?: string;
  caCertHash: string[];
  dataDir: string;
  nodeName: string;
  logLevel: string;
  joinOnly?: boolean;
  runDir?: string;
  nodeIp?: string;
  disable: string[];
  resolvConf?: string;
}

/** Exit codes: 1 for a refused or failed join, 2 for bad flags (commander's convention). */
const EXIT_FAILED = 1;
const EXIT_BAD_FLAGS = 2;

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function addAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('join this machine to a cluster and run the node agent')
    .requiredOption('--server <url>', 'the API server, e.g. https://10.0.0.1:6443')
    .option('--token <token>', 'bootstrap token <id>.<secret> (from `skiff token create`)')
    .option('--ca-cert-hash <sha256:hex>', 'pin of the cluster CA public key (repeatable)', collect, [])
    .option(
      '--data-dir <dir>',
      'where the agent keeps its state',
      process.env.SKIFF_DATA_DIR ?? DEFAULT_DATA_DIR,
    )
    .option('--node-name <name>', 'the Node name', hostname().toLowerCase())
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--run-dir <dir>', 'volatile runtime state (default /run/skiff)')
    .option('--node-ip <ip>', "the Node's InternalIP (default: the source address toward the server)")
    .option(
      '--disable <components>',
      'node components not to run: network (DNS, service proxy, NetworkPolicy, routes)',
      collect,
      [],
    )
    .option('--resolv-conf <file>', "resolvers the node's cluster DNS forwards other names to")
    .option('--join-only', 'obtain the node credentials, write the kubeconfig and exit')
    .action(async (flags: AgentFlags) => {
      const err = colorsFor(process.stderr);
      const { DISABLE_NETWORK } = await import('../cmd/node.ts');
      const disable = new Set(flags.disable.flatMap((d) => d.split(',')).filter(Boolean));
      const unknown = [...disable].filter((d) => d !== DISABLE_NETWORK);
      if (unknown.length) {
        console.error(
          err.red(`skiff agent: unknown --disable ${unknown.join(', ')} (known: ${DISABLE_NETWORK})`),
        );
        process.exit(EXIT_BAD_FLAGS);
      }
      const { joinCluster } = await import('../agent/join/join.ts');
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let kubeconfigPath: string;
      try {
        const res = await joinCluster({
          server: flags.server,
          token: flags.token,
          caCertHashes: flags.caCertHash,
          dataDir: flags.dataDir,
          nodeName: flags.nodeName,
          signal: abort.signal,
          log: (m) => process.stderr.write(`skiff agent: ${m}\n`),
        });
        kubeconfigPath = res.kubeconfigPath;
        process.stderr.write(
          `skiff agent: ${res.bootstrapped ? `joined as system:node:${flags.nodeName}` : 'using the existing node credentials'}; kubeconfig ${kubeconfigPath}\n`,
        );
      } catch (e) {
        console.error(err.red(`skiff agent: join failed: ${(e as Error).message}`));
        process.exit(EXIT_FAILED);
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (flags.joinOnly) return;
      const [{ startJoinedNode }, { ENV_RESOLV_CONF }, { createLogger }] = await Promise.all([
        import('../cmd/node.ts'),
        import('../cmd/network.ts'),
        import('../util/log.ts'),
      ]);
      // The same node as `skiff up`'s: agent, service proxy, NetworkPolicy, cluster DNS, routes.
      let node: { stop(): Promise<void> };
      try {
        node = await startJoinedNode({
          kubeconfigPath,
          nodeName: flags.nodeName,
          dataDir: flags.dataDir,
          ...(flags.nodeIp ? { nodeIP: flags.nodeIp } : {}),
          ...(flags.runDir ? { runDir: flags.runDir } : {}),
          disable,
          ...(flags.resolvConf ? { env: { ...process.env, [ENV_RESOLV_CONF]: flags.resolvConf } } : {}),
          log: createLogger({ level: flags.logLevel as 'info', component: 'agent' }),
        });
      } catch (e) {
        console.error(err.red(`skiff agent: ${(e as Error).message}`));
        process.exit(EXIT_FAILED);
      }
      process.stderr.write(`skiff agent: node ${flags.nodeName} running\n`);
      const { startIdleCompaction } = await import('../util/idle-compaction.ts');
      const compaction = startIdleCompaction();
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`skiff agent: ${signal}, stopping\n`);
        void compaction.dispose();
        node.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            console.error(e);
            process.exit(EXIT_FAILED);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
