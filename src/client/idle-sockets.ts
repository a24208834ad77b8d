// Closes keep-alive sockets that sit unused in a client's pool. HTTP/1.1 cannot multiplex, so a
// burst of requests opens a socket each, and the API server's keep-alive (60 s, sent as a hint
// the pool honours) would keep them all open long after it: a node agent that started 100 pods
// held ~50 idle TLS sockets, ~100 KB of native memory each on both ends. Capping the pool's free
// sockets instead (maxFreeSockets) made a busy client re-handshake constantly — the hollow-node
// fleet of the scale bench cost the server ~50 % more CPU — while an idle limit keeps whatever a
// steady load keeps reusing (the pool hands out the most recently used socket first).
import type { Agent, ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a socket may wait in the pool before it is closed (client-go idles out at 90 s). */
export const DEFAULT_FREE_SOCKET_IDLE_MS = 5_000;

/**
 * Makes the agent's free sockets time out after idleMs: Node's pool destroys a free socket whose
 * timeout fires, and a socket taken for a request gets its timeout cleared (a watch may be quiet
 * for minutes). keepSocketAlive and reuseSocket are the hooks Node documents for this.
 */
export function closeIdleSockets<A extends Agent>(agent: A, idleMs = DEFAULT_FREE_SOCKET_IDLE_MS): A {
  const keep = agent.keepSocketAlive.bind(agent) as (socket: Duplex) => boolean;
  const reuse = agent.reuseSocket.bind(agent);
  agent.keepSocketAlive = ((socket: Duplex & { setTimeout(ms: number): void }) => {
    const kept = keep(socket);
    if (kept) socket.setTimeout(idleMs);
    return kept;
  }) as Agent['keepSocketAlive'];
  agent.reuseSocket = (socket: Duplex, req: ClientRequest) => {
    (socket as Duplex & { setTimeout(ms: number): void }).setTimeout(0);
    reuse(socket, req);
  };
  return agent;
}
