// Connection settings from a kubeconfig file (the current context, or a named one) or from inside a
// pod (the service-account token and CA that the agent mounts), as client-go's clientcmd and
// rest.InClusterConfig resolve them. Relative file paths are relative to the kubeconfig's folder.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { lazyRequire, yaml } from '../util/lazy-require.ts';

export interface ClusterConnection {
  /** `https://host:port` (or http:// for a plain test server). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Read again as it rotates (service-account tokens are short-lived). */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  /** SNI / certificate name to expect when it differs from the server's host. */
  tlsServerName?: string;
}

/** Where the agent mounts a pod's service-account credentials (upstream's path). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

// biome-ignore lint/suspicious/noExplicitAny: kubeconfig is untyped YAML, checked field by field below
type Raw = Record<string, any>;

export class KubeconfigError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'KubeconfigError';
  }
}

/** Reads and resolves a kubeconfig file. */
export async function loadKubeconfig(path: string, context?: string): Promise<ClusterConnection> {
  let doc: Raw;
  try {
    doc = parseKubeconfigText(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(err as Error).message}`, err);
  }
  return resolveKubeconfig(doc, dirname(path), context);
}

/**
 * A kubeconfig's text as a document. JSON is YAML, and the kubeconfigs skiff writes for its own
 * processes (a joined node's) are JSON: they parse without loading the YAML library, which
 * stays resident once loaded (~2.6 MB of a node agent's memory for one parse at start-up).
 */
// biome-ignore lint/suspicious/noExplicitAny: kubeconfig is untyped, checked field by field by the caller
export function parseKubeconfigText(text: string): Record<string, any> {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all (a YAML flow mapping): the YAML parser decides.
    }
  }
  return yaml().parse(text) as Raw;
}

/** Resolves an already parsed kubeconfig document. */
export function resolveKubeconfig(doc: Raw, baseDir: string, context?: string): ClusterConnection {
  const ctxName = context ?? doc?.['current-context'];
  if (!ctxName) throw new KubeconfigError('kubeconfig has no current-context and no context was given');
  const ctx = pick(doc.contexts, ctxName)?.context;
  if (!ctx) throw new KubeconfigError(`context "${ctxName}" not found in kubeconfig`);
  const cluster = pick(doc.clusters, ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`cluster "${ctx.cluster}" has no server in kubeconfig`);
  const user: Raw = (ctx.user ? pick(doc.users, ctx.user)?.user : undefined) ?? {};
  const file = (p: string | undefined): Buffer | undefined =>
    p ? readFileSync(isAbsolute(p) ? p : join(baseDir, p)) : undefined;
  const data = (b64: string | undefined): Buffer | undefined =>
    b64 ? Buffer.from(b64, 'base64') : undefined;
  const conn: ClusterConnection = { server: String(cluster.server) };
  conn.ca = data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']);
  conn.cert = data(user['client-certificate-data']) ?? file(user['client-certificate']);
  conn.key = data(user['client-key-data']) ?? file(user['client-key']);
  if (user.token) conn.token = String(user.token);
  if (user.tokenFile)
    conn.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : join(baseDir, user.tokenFile);
  if (cluster['insecure-skip-tls-verify']) conn.insecureSkipTlsVerify = true;
  if (cluster['tls-server-name']) conn.tlsServerName = String(cluster['tls-server-name']);
  return conn;
}

/** The connection a pod uses: KUBERNETES_SERVICE_HOST/PORT and the mounted service-account files. */
export function inClusterConnection(env = process.env, dir = SERVICE_ACCOUNT_DIR): ClusterConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeconfigError(
      'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined',
    );
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt')),
    tokenFile: join(dir, 'token'),
  };
}

/** The entry of a named list (`clusters`, `users`, `contexts`) with this name. */
function pick(list: unknown, name: unknown): Raw | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.find((e) => e && typeof e === 'object' && e.name === name);
}
