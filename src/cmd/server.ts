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
import { createAuthenticator } from '../apiserver/authn/index.ts';
import { lazyOpenApi } from '../apiserver/openapi-provider.ts';
import { ensurePki, writeKubeconfig } from '../apiserver/pki/index.ts';
import { ApiServer } from '../apiserver/server.ts';
import { openBackend } from '../storage/open.ts';
import { createLogger, type LogLevel } from '../util/log.ts';
import { bootstrapCluster } from './bootstrap.ts';

export interface ServerConfig {
  dataDir: string;
  bindAddress: string;
  httpsPort: number;
  /** '' → sqlite in the data dir; sqlite:///path.db; etcd://host:port[,host:port]; memory:// */
  datastoreEndpoint: string;
  disable: Set<string>;
  logLevel?: LogLevel;
}

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
  const backend = await openBackend(cfg.datastoreEndpoint, { dataDir: cfg.dataDir });
  const pki = await ensurePki(join(cfg.dataDir, 'tls'), {
    hosts: [hostname()],
    ips: serverIps(cfg.bindAddress),
  });
  const apiLog = log.child('apiserver');
  const api = new ApiServer({
    backend,
    kinds: ALL_KINDS,
    validateMeta: validateObjectMeta,
    validateMetaUpdate: validateObjectMetaUpdate,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    authenticator: createAuthenticator({}),
    protobuf: decodeKubernetesProtobuf,
    unknownFields: findUnknownFields,
    openapi: lazyOpenApi(ALL_KINDS),
    log: (level, msg, fields) => apiLog[level](msg, fields),
  });
  let addr: { port: number };
  try {
    addr = await api.listen(cfg.httpsPort, cfg.bindAddress);
    await bootstrapCluster(api, { securePort: addr.port });
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
  const startMs = performance.now() - t0;
  log.info('ready', { port: addr.port, startMs: Math.round(startMs), datastore: backend.name });
  let stopped: Promise<void> | undefined;
  return {
    port: addr.port,
    kubeconfigPath,
    startMs,
    api,
    stop: () => {
      stopped ??= (async () => {
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
