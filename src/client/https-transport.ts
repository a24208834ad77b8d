// The network transport: HTTPS (or plain HTTP for test servers) with a keep-alive agent, client
// certificate or bearer token, and the cluster CA, from a ClusterConnection.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { nodeHttp, nodeTls } from '../util/node-builtins.ts';
import { closeIdleSockets } from './idle-sockets.ts';
import type { ClusterConnection } from './kubeconfig.ts';
import { NodeHttpTransport, type Transport } from './transport.ts';

export interface HttpTransportOptions {
  userAgent?: string;
  /** Concurrent requests per client (default 64); watches have a pool of their own. */
  maxSockets?: number;
  /** How long an unused keep-alive socket stays open (default 5 s; see idle-sockets.ts). */
  freeSocketIdleMs?: number;
}

/** Requests in flight at once per client (client-go's default burst is far lower). */
const DEFAULT_MAX_SOCKETS = 64;
/** client-go re-reads a token file about once a minute to follow rotation. */
const TOKEN_FILE_REFRESH_MS = 60_000;
export const DEFAULT_USER_AGENT = `skiff-client/0.1 (${process.platform}/${process.arch})`;

export function httpTransport(conn: ClusterConnection, opts: HttpTransportOptions = {}): Transport {
  const url = new URL(conn.server);
  // One TLS context for every socket of both pools: given only ca/cert/key, each new connection
  // parses them into a context of its own (~90 KB of native memory each).
  const secureContext =
    url.protocol === 'https:'
      ? nodeTls.createSecureContext({ ca: conn.ca, cert: conn.cert, key: conn.key })
      : undefined;
  const pool = (maxSockets: number) => {
    const common = { keepAlive: true, maxSockets };
    const agent = secureContext
      ? new HttpsAgent({
          ...common,
          secureContext,
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
          servername: conn.tlsServerName,
        })
      : new nodeHttp.Agent(common);
    return closeIdleSockets(agent, opts.freeSocketIdleMs);
  };
  return new NodeHttpTransport({
    server: conn.server,
    agent: pool(opts.maxSockets ?? DEFAULT_MAX_SOCKETS),
    // Watches get their own pool: a cap on requests must not be used up by long-lived watches.
    watchAgent: pool(Number.POSITIVE_INFINITY),
    headers: { 'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT },
    authorization: bearerSource(conn),
  });
}

function bearerSource(conn: ClusterConnection): (() => string | undefined) | undefined {
  if (conn.token) {
    const h = `Bearer ${conn.token}`;
    return () => h;
  }
  const path = conn.tokenFile;
  if (!path) return undefined;
  let cached: string | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - readAt > TOKEN_FILE_REFRESH_MS) {
      try {
        cached = `Bearer ${readFileSync(path, 'utf8').trim()}`;
        readAt = now;
      } catch {
        // Keep the last good token: the file is replaced atomically, a read can race the rename.
      }
    }
    return cached;
  };
}
