// `skiff up` (the whole cluster on this machine) and `skiff server` (the same without the node
// agent). Flags follow k3s's names where they mean the same thing.
import type { Command } from 'commander';
import { colorsFor } from './colors.ts';

export const DEFAULT_DATA_DIR = '/var/lib/skiff';
export const DEFAULT_HTTPS_PORT = 6443;

export interface UpFlags {
  dataDir: string;
  bindAddress: string;
  httpsPort: string;
  datastoreEndpoint?: string;
  disable: string[];
  logLevel: string;
  tokenAuthFile?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: string;
  auditLogMaxbackup?: string;
  encryptionProviderConfig?: string;
  nodeMonitorGracePeriod?: string;
  resolvConf?: string;
}

const collect = (v: string, prev: string[]): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function addServerCommands(program: Command): void {
  for (const [name, desc, agent] of [
    ['up', 'start the whole cluster on this machine (API server, store, controllers, node agent)', true],
    ['server', 'start the control plane only (no node agent on this machine)', false],
  ] as const) {
    program
      .command(name)
      .description(desc)
      .option(
        '--data-dir <dir>',
        'where state, certificates and the kubeconfig live',
        process.env.SKIFF_DATA_DIR ?? DEFAULT_DATA_DIR,
      )
      .option('--bind-address <ip>', 'address the API server listens on', '127.0.0.1')
      .option('--https-port <port>', 'API server port', String(DEFAULT_HTTPS_PORT))
      .option(
        '--datastore-endpoint <url>',
        'sqlite (default, in the data dir), sqlite:///path.db, or etcd://host:port[,host:port]',
      )
      .option('--disable <components>', 'components not to run (comma separated)', collect, [])
      .option('--log-level <level>', 'debug, info, warn or error', 'info')
      // --- security flags (kube-apiserver's names) ---
      .option('--token-auth-file <file>', 'static bearer tokens: CSV token,user,uid,"group1,group2"')
      .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy; enables the audit log')
      .option(
        '--audit-log-path <file>',
        'where audit events go (default <data-dir>/audit/audit.log; - for stdout)',
      )
      .option('--audit-log-maxsize <MB>', 'rotate the audit log past this size')
      .option('--audit-log-maxbackup <n>', 'rotated audit logs to keep')
      .option(
        '--encryption-provider-config <file>',
        'EncryptionConfiguration for data at rest (aescbc, aesgcm, identity)',
      )
      // --- controller flags (kube-controller-manager's names) ---
      .option('--node-monitor-grace-period <duration>', 'a node silent this long goes NotReady (e.g. 40s)')
      // --- node flags (kubelet's names) ---
      .option('--resolv-conf <file>', "resolvers the cluster DNS forwards other names to (the node's)")
      .action(async (flags: UpFlags) => {
        const disable = new Set(flags.disable);
        if (!agent) disable.add('agent');
        const { runServer } = await import('../cmd/server.ts');
        // The node agent reads it from the environment: runServer's config stays the control plane's.
        if (flags.resolvConf) {
          const { ENV_RESOLV_CONF } = await import('../cmd/network.ts');
          process.env[ENV_RESOLV_CONF] = flags.resolvConf;
        }
        const port = Number(flags.httpsPort);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          console.error(colorsFor(process.stderr).red(`invalid --https-port ${flags.httpsPort}`));
          process.exit(2);
        }
        let nodeMonitorGracePeriodMs: number | undefined;
        if (flags.nodeMonitorGracePeriod !== undefined) {
          const { parseDuration } = await import('../api/protobuf/duration.ts');
          try {
            nodeMonitorGracePeriodMs = parseDuration(flags.nodeMonitorGracePeriod) / 1e6;
          } catch (err) {
            console.error(
              colorsFor(process.stderr).red(`invalid --node-monitor-grace-period: ${(err as Error).message}`),
            );
            process.exit(2);
          }
        }
        const running = await runServer({
          dataDir: flags.dataDir,
          bindAddress: flags.bindAddress,
          httpsPort: port,
          datastoreEndpoint: flags.datastoreEndpoint ?? '',
          disable,
          logLevel: flags.logLevel as 'info',
          tokenAuthFile: flags.tokenAuthFile,
          auditPolicyFile: flags.auditPolicyFile,
          auditLogPath: flags.auditLogPath,
          auditLogMaxSizeMB: flags.auditLogMaxsize === undefined ? undefined : Number(flags.auditLogMaxsize),
          auditLogMaxBackups:
            flags.auditLogMaxbackup === undefined ? undefined : Number(flags.auditLogMaxbackup),
          encryptionProviderConfig: flags.encryptionProviderConfig,
          nodeMonitorGracePeriodMs,
        });
        const pc = colorsFor(process.stdout);
        const host = flags.bindAddress === '0.0.0.0' ? '127.0.0.1' : flags.bindAddress;
        process.stdout.write(
          `${pc.green('skiff is up')} in ${running.startMs.toFixed(0)} ms: https://${host}:${running.port}\n` +
            `  kubeconfig: ${running.kubeconfigPath}\n` +
            `  try:        ${pc.bold(`kubectl --kubeconfig ${running.kubeconfigPath} get namespaces`)}\n`,
        );
        // A process-wide concern, so here rather than in runServer (tests run servers in-process).
        const { startIdleCompaction } = await import('../util/idle-compaction.ts');
        const compaction = startIdleCompaction();
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`skiff: ${signal}, stopping\n`);
          void compaction.dispose();
          running.stop().then(
            () => process.exit(0),
            (err: unknown) => {
              console.error(err);
              process.exit(1);
            },
          );
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      });
  }
}
