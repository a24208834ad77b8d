// The network transport: HTTPS (or plain HTTP for test servers) with a keep-alive agent, client
// certificate or bearer token, and the cluster CA, from a ClusterConnection.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { nodeHttp } from '../util/node-builtins.ts';
import type { ClusterConnection } from './kubeconfig.ts';
import { NodeHttpTransport, type Transport } from './transport.ts';

export interface HttpTransportOptions {
  userAgent?: string;
  /** Concurrent sockets per client (watches hold one each; default 64). */
  maxSockets?: number;
  /** Idle keep-alive sockets kept for reuse (default 4). */
  maxFreeSockets?: number;
}

/** Watches hold a socket each, so the pool must exceed the informers a process runs. */
const DEFAULT_MAX_SOCKETS = 64;
/**
 * HTTP/1.1 cannot multiplex, so a burst of requests opens a socket each, and the API server's
 * keep-alive (60 s, sent as a hint the pool honours) would keep them all open after it: a node
 * agent that started 100 pods held ~50 idle TLS sockets, each with ~100 KB of native memory on
 * both ends. A few idle sockets carry a steady trickle; a burst pays a handshake (~1 ms) again.
 */
const DEFAULT_MAX_FREE_SOCKETS = 4;
/** client-go re-reads a token file about once a minute to follow rotation. */
const TOKEN_FILE_REFRESH_MS = 60_000;
export const DEFAULT_USER_AGENT = `skiff-client/0.1 (${process.platform}/${process.arch})`;

export function httpTransport(conn: ClusterConnection, opts: HttpTransportOptions = {}): Transport {
  const url = new URL(conn.server);
  const common = {
    keepAlive: true,
    maxSockets: opts.maxSockets ?? DEFAULT_MAX_SOCKETS,
    maxFreeSockets: opts.maxFreeSockets ?? DEFAULT_MAX_FREE_SOCKETS,
  };
  const agent =
    url.protocol === 'https:'
      ? new HttpsAgent({
          ...common,
          // One TLS context for every socket of the pool: given only ca/cert/key, each new
          // connection parses them into a context of its own (~90 KB of native memory each).
          secureContext: createSecureContext({ ca: conn.ca, cert: conn.cert, key: conn.key }),
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
          servername: conn.tlsServerName,
        })
      : new nodeHttp.Agent(common);
  return new NodeHttpTransport({
    server: conn.server,
    agent,
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
