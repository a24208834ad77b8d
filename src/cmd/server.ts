// Composition root of `skiff server` / `skiff up`: the one place that wires storage, PKI, the API
// server and (as later components land) controllers, scheduler and the node agent. Start order is
// store → PKI → API server → bootstrap objects; each component can be disabled.
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ALL_KINDS } from '../api/kinds/index.ts';
import { decodeKubernetesProtobuf } from '../api/protobuf/index.ts';
import { findUnknownFields } from '../api/schemas/unknown-fields.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/index.ts';
import { ensureServiceAccountKey } from '../apiserver/authn/service-account-token.ts';
import { loadTokenFile } from '../apiserver/authn/token-file.ts';
import { reconcileDefaultPolicy } from '../apiserver/authz/reconcile-policy.ts';
import { lazyOpenApi } from '../apiserver/openapi-provider.ts';
import { ensureComponentCerts, ensurePki, writeKubeconfig } from '../apiserver/pki/index.ts';
import { systemContext } from '../apiserver/registry/context.ts';
import { ApiServer } from '../apiserver/server.ts';
import { ensureAgentClientCert } from '../apiserver/streaming/index.ts';
import { openBackend } from '../storage/open.ts';
import { createLogger, type LogLevel } from '../util/log.ts';
import { bootstrapCluster, bootstrapJoin } from './bootstrap.ts';
import { bootstrapStorage } from './bootstrap-storage.ts';
import { mintControlPlaneTokens, startControlPlane } from './control-plane.ts';

export interface ServerConfig {
  dataDir: string;
  bindAddress: string;
  httpsPort: number;
  /** '' → sqlite in the data dir; sqlite:///path.db; etcd://host:port[,host:port]; memory:// */
  datastoreEndpoint: string;
  disable: Set<string>;
  logLevel?: LogLevel;
  // --- security flags (upstream's kube-apiserver names) ---
  /** --token-auth-file: CSV token,user,uid,"group1,group2". */
  tokenAuthFile?: string;
  /** --audit-policy-file; events go to auditLogPath (default <data-dir>/audit/audit.log). */
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxSizeMB?: number;
  auditLogMaxBackups?: number;
  /** --encryption-provider-config: EncryptionConfiguration for secrets at rest. */
  encryptionProviderConfig?: string;
  /** --node-monitor-grace-period: a node silent this long goes NotReady (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
}

/** --cluster-cidr: pod addresses; nodes get /24s of it (k3s's default). */
export const CLUSTER_CIDR = '10.42.0.0/16';

/** upstream's --audit-log-maxsize / --audit-log-maxbackup defaults are "never"; these bound the disk. */
const DEFAULT_AUDIT_MAX_SIZE_MB = 100;
const DEFAULT_AUDIT_MAX_BACKUPS = 5;

export interface RunningServer {
  port: number;
  kubeconfigPath: string;
  startMs: number;
  api: ApiServer;
  stop(): Promise<void>;
}

export async function runServer(cfg: ServerConfig): Promise<RunningServer> {
  const t0 = performance.now();
  const log = createLogger({ level: cfg.logLevel ?? 'info', component: 'skiff' });
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  let backend = await openBackend(cfg.datastoreEndpoint, { dataDir: cfg.dataDir });
  const tlsDir = join(cfg.dataDir, 'tls');
  const pki = await ensurePki(tlsDir, {
    hosts: [hostname()],
    ips: serverIps(cfg.bindAddress),
  });
  // --- security: encryption at rest, component identities, tokens, audit ---
  if (cfg.encryptionProviderConfig) {
    const { loadEncryptionConfig } = await import('../apiserver/encryption/config.ts');
    const { encryptingBackend } = await import('../apiserver/encryption/encrypting-backend.ts');
    backend = encryptingBackend(backend, loadEncryptionConfig(cfg.encryptionProviderConfig));
  }
  await ensureComponentCerts(tlsDir, { certPem: pki.caCertPem, keyPem: pki.caKeyPem }, hostname());
  const serviceAccountKeyPem = ensureServiceAccountKey(join(tlsDir, 'service-account.key'));
  const tokens = cfg.tokenAuthFile ? loadTokenFile(cfg.tokenAuthFile) : undefined;
  let audit: import('../apiserver/audit/audit-log.ts').AuditLog | undefined;
  if (cfg.auditPolicyFile) {
    const { loadPolicy } = await import('../apiserver/audit/policy.ts');
    const { AuditLog } = await import('../apiserver/audit/audit-log.ts');
    audit = new AuditLog({
      policy: loadPolicy(cfg.auditPolicyFile),
      path: cfg.auditLogPath ?? join(cfg.dataDir, 'audit', 'audit.log'),
      maxSizeMB: cfg.auditLogMaxSizeMB ?? DEFAULT_AUDIT_MAX_SIZE_MB,
      maxBackups: cfg.auditLogMaxBackups ?? DEFAULT_AUDIT_MAX_BACKUPS,
    });
  }
  // --- end security ---
  // --- control plane: per-process tokens for the scheduler and controllers (control-plane.ts) ---
  const controlPlaneTokens = mintControlPlaneTokens();
  const allTokens = new Map([...(tokens ?? []), ...controlPlaneTokens.table]);
  const apiLog = log.child('apiserver');
  const api = new ApiServer({
    backend,
    kinds: ALL_KINDS,
    validateMeta: validateObjectMeta,
    validateMetaUpdate: validateObjectMetaUpdate,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    authentication: { tokens: allTokens, serviceAccountKeyPem, bootstrapTokens: true },
    audit,
    protobuf: decodeKubernetesProtobuf,
    unknownFields: findUnknownFields,
    openapi: lazyOpenApi(ALL_KINDS),
    log: (level, msg, fields) => apiLog[level](msg, fields),
  });
  // --- streaming: the client certificate the API server shows node agents (logs, exec, …) ---
  api.agentClientTls = await ensureAgentClientCert(tlsDir, { certPem: pki.caCertPem, keyPem: pki.caKeyPem });
  let addr: { port: number };
  try {
    addr = await api.listen(cfg.httpsPort, cfg.bindAddress);
    await bootstrapCluster(api, { securePort: addr.port });
    await bootstrapStorage(api, { localPathRoot: join(cfg.dataDir, 'storage') });
    // --- security: default cluster roles and bindings (upstream's bootstrap-roles hook) ---
    const rbac = 'rbac.authorization.k8s.io';
    await reconcileDefaultPolicy(
      api.store(rbac, 'v1', 'clusterroles')!,
      api.store(rbac, 'v1', 'clusterrolebindings')!,
      systemContext(),
    );
  } catch (err) {
    await api.close().catch(() => {});
    await backend.close().catch(() => {});
    throw err;
  }
  const host = cfg.bindAddress === '0.0.0.0' || cfg.bindAddress === '::' ? '127.0.0.1' : cfg.bindAddress;
  const kubeconfigPath = join(cfg.dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfigPath, {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    caCertPem: pki.caCertPem,
    clientCertPem: pki.adminCertPem,
    clientKeyPem: pki.adminKeyPem,
  });
  await bootstrapJoin(api, {
    caCertPem: pki.caCertPem,
    server: `https://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
  });
  const startMs = performance.now() - t0;
  log.info('ready', { port: addr.port, startMs: Math.round(startMs), datastore: backend.name });
  // --- control plane: started in the background once the API serves; honours --disable ---
  const controlPlane = startControlPlane({
    handler: api.handle.bind(api),
    tokens: controlPlaneTokens,
    disable: cfg.disable,
    log,
    controllerOptions:
      cfg.nodeMonitorGracePeriodMs === undefined
        ? undefined
        : { nodeMonitorGracePeriodMs: cfg.nodeMonitorGracePeriodMs },
    cluster: {
      rootCaPem: pki.caCertPem,
      clusterSigning: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
      clusterCidr: CLUSTER_CIDR,
    },
  });
  // --- node agent ---
  // `skiff up` runs the node agent in this process (`skiff server` disables it). It goes down
  // before the control plane and the API server, which it needs to the end; containers keep running.
  const { DISABLE_AGENT, startNodeAgent } = await import('./node.ts');
  if (!cfg.disable.has(DISABLE_AGENT)) {
    const nodeAgent = startNodeAgent({
      dataDir: cfg.dataDir,
      tlsDir,
      ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
      server: `https://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
      log,
    });
    const stopControlPlane = controlPlane.stop.bind(controlPlane);
    controlPlane.stop = async () => {
      await nodeAgent.stop();
      await stopControlPlane();
    };
  }
  // --- end node agent ---
  let stopped: Promise<void> | undefined;
  return {
    port: addr.port,
    kubeconfigPath,
    startMs,
    api,
    stop: () => {
      stopped ??= (async () => {
        await controlPlane.stop();
        await api.close();
        await backend.close();
      })();
      return stopped;
    },
  };
}

/** The IPs the serving certificate must cover: the bind address and this machine's addresses. */
function serverIps(bind: string): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  if (bind !== '0.0.0.0' && bind !== '::') ips.add(bind);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  }
  return [...ips];
}
