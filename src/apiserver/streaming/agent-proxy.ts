// Proxying to a node agent: plain requests (logs, node proxy) are streamed responses; upgrades
// (exec, attach, port-forward) are relayed verbatim — the request line and upgrade headers go to
// the agent, its answer (101 or an error) goes back to the client, then the two sockets are piped
// both ways. The client's subprotocol negotiation (WebSocket v5, SPDY/3.1, SPDY over WebSocket)
// thus happens end to end with the agent; the API server never parses frames.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AgentAddress } from './agent-location.ts';

/** TLS material the API server presents to agents (its kubelet-client certificate) and trusts them with. */
export interface AgentClientTls {
  cert: string;
  key: string;
  /** CA the agents' serving certificates chain to; absent = not verified (self-signed agents). */
  ca?: string;
}

/** Request headers relayed on an upgrade; everything else (credentials above all) stays here. */
const UPGRADE_HEADERS = [
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
];
/** Give up on an agent that does not answer the connection in this long. */
const AGENT_CONNECT_TIMEOUT_MS = 10_000;

function tlsOptions(tls: AgentClientTls | undefined) {
  return tls
    ? {
        cert: tls.cert,
        key: tls.key,
        ...(tls.ca ? { ca: tls.ca } : {}),
        rejectUnauthorized: tls.ca !== undefined,
      }
    : { rejectUnauthorized: false };
}

/** GET `path` on the agent and stream its answer to `res` (status, content type, body). */
export function proxyGet(
  agent: AgentAddress,
  path: string,
  tls: AgentClientTls | undefined,
  res: ServerResponse,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = httpsRequest(
      { host: agent.host, port: agent.port, path, method: 'GET', ...tlsOptions(tls), servername: '' },
      (ar) => {
        const headers: Record<string, string> = {};
        const ct = ar.headers['content-type'];
        if (ct) headers['Content-Type'] = ct;
        res.writeHead(ar.statusCode ?? 502, headers);
        res.flushHeaders();
        ar.pipe(res);
        ar.on('end', () => resolve());
        ar.on('error', () => resolve());
      },
    );
    up.setTimeout(AGENT_CONNECT_TIMEOUT_MS, () => up.destroy(new Error('agent did not answer in time')));
    res.on('close', () => up.destroy());
    up.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(err);
    });
    up.end();
  });
}

/**
 * Relays an upgrade to `path` on the agent. Resolves once the agent answered (101 piped, or its
 * error response relayed); rejects if the agent cannot be reached (nothing written yet).
 */
export function proxyUpgrade(
  agent: AgentAddress,
  path: string,
  tls: AgentClientTls | undefined,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const h of UPGRADE_HEADERS) {
    const v = req.headers[h];
    if (v !== undefined) headers[h] = v;
  }
  return new Promise((resolve, reject) => {
    const up = httpsRequest({
      host: agent.host,
      port: agent.port,
      path,
      method: req.method,
      headers,
      ...tlsOptions(tls),
      servername: '',
    });
    up.setTimeout(AGENT_CONNECT_TIMEOUT_MS, () => up.destroy(new Error('agent did not answer in time')));
    up.on('upgrade', (ar, agentSocket, agentHead) => {
      up.setTimeout(0);
      socket.write(statusLine(ar) + rawHeaders(ar));
      if (agentHead.length) socket.write(agentHead);
      if (head.length) agentSocket.write(head);
      agentSocket.pipe(socket);
      socket.pipe(agentSocket);
      const end = () => {
        agentSocket.destroy();
        socket.destroy();
      };
      agentSocket.on('error', end);
      socket.on('error', end);
      agentSocket.on('close', () => socket.end());
      socket.on('close', () => agentSocket.destroy());
      resolve();
    });
    up.on('response', (ar) => {
      up.setTimeout(0);
      socket.write(statusLine(ar) + rawHeaders(ar, ['transfer-encoding', 'connection']));
      ar.on('data', (d: Buffer) => socket.write(d));
      ar.on('end', () => socket.end());
      resolve();
    });
    up.on('error', reject);
    up.end();
  });
}

const statusLine = (ar: IncomingMessage) => `HTTP/1.1 ${ar.statusCode} ${ar.statusMessage ?? ''}\r\n`;

/** The agent's headers as received; `drop` removes framing headers we cannot keep. */
function rawHeaders(ar: IncomingMessage, drop: string[] = []): string {
  let out = '';
  for (let i = 0; i < ar.rawHeaders.length; i += 2) {
    const k = ar.rawHeaders[i]!;
    if (drop.includes(k.toLowerCase())) continue;
    out += `${k}: ${ar.rawHeaders[i + 1]}\r\n`;
  }
  if (drop.length) out += 'Connection: close\r\n';
  return `${out}\r\n`;
}

/** GET a JSON document from the agent (metrics). */
export function fetchAgentJson<T>(
  agent: AgentAddress,
  path: string,
  tls: AgentClientTls | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const up = httpsRequest(
      { host: agent.host, port: agent.port, path, method: 'GET', ...tlsOptions(tls), servername: '' },
      (ar) => {
        const chunks: Buffer[] = [];
        ar.on('data', (d: Buffer) => chunks.push(d));
        ar.on('end', () => {
          if (ar.statusCode !== 200) return reject(new Error(`agent answered ${ar.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as T);
          } catch (err) {
            reject(err);
          }
        });
        ar.on('error', reject);
      },
    );
    up.setTimeout(AGENT_CONNECT_TIMEOUT_MS, () => up.destroy(new Error('agent did not answer in time')));
    up.on('error', reject);
    up.end();
  });
}
