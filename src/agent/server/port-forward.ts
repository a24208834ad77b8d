// /portForward/{namespace}/{pod}: SPDY/3.1 streams, either straight on the upgraded connection or
// tunnelled in WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`, kubectl ≥ 1.31). Each
// local connection kubectl accepts becomes a pair of streams sharing a `requestid`: `error` (we
// write a message there when the dial fails) and `data`, piped to a TCP connection to the pod's
// IP and `port` (the pod network is reachable from the host through the bridge).
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  HEADER_STREAM_PROTOCOL,
  PROTOCOL_PORT_FORWARD,
  PROTOCOL_SPDY_OVER_WS,
  STREAM_DATA,
  STREAM_ERROR,
  UPGRADE_SPDY,
} from '../../util/stream-protocols/channels.ts';
import { SpdySession, type SpdyStream } from '../../util/stream-protocols/spdy.ts';
import {
  headerList,
  isWebSocketUpgrade,
  WebSocketConnection,
  websocketResponse,
} from '../../util/stream-protocols/websocket.ts';
import { UpgradeRefused } from './remote-command.ts';

export type Dialer = (port: number) => Duplex;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
}

/** Accepts the upgrade and serves port-forward streams until the client closes the connection. */
export function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, dial: Dialer): void {
  let session: SpdySession | undefined;
  if (isWebSocketUpgrade(req.headers)) {
    const key = req.headers['sec-websocket-key'];
    const offered = headerList(req.headers['sec-websocket-protocol']);
    if (!offered.includes(PROTOCOL_SPDY_OVER_WS) || typeof key !== 'string')
      throw new UpgradeRefused(
        400,
        `unsupported WebSocket subprotocols; supported: ${PROTOCOL_SPDY_OVER_WS}`,
      );
    socket.write(websocketResponse(key, PROTOCOL_SPDY_OVER_WS));
    const ws = new WebSocketConnection(
      socket,
      { onMessage: (m) => session?.push(m), onClose: () => session?.close() },
      { head },
    );
    session = newSession((d) => ws.send(d), dial);
    return;
  }
  if (String(req.headers.upgrade ?? '').toLowerCase() !== UPGRADE_SPDY.toLowerCase())
    throw new UpgradeRefused(400, 'Upgrade request required');
  const offered = headerList(req.headers[HEADER_STREAM_PROTOCOL.toLowerCase()]);
  if (!offered.includes(PROTOCOL_PORT_FORWARD))
    throw new UpgradeRefused(403, `unsupported stream protocols ${offered.join(', ')}`);
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Connection: Upgrade',
      `Upgrade: ${UPGRADE_SPDY}`,
      `${HEADER_STREAM_PROTOCOL}: ${PROTOCOL_PORT_FORWARD}`,
      '',
      '',
    ].join('\r\n'),
  );
  const spdy = newSession((d) => {
    if (!socket.destroyed) socket.write(d);
  }, dial);
  socket.on('data', (d: Buffer) => spdy.push(d));
  socket.on('close', () => spdy.close());
  socket.on('error', () => {});
  if (head.length) spdy.push(head);
}

function newSession(write: (d: Buffer) => void, dial: Dialer): SpdySession {
  const pairs = new Map<string, Pair>();
  return new SpdySession({
    write,
    onStream: (s) => {
      const id = s.headers.requestid ?? '';
      const pair = pairs.get(id) ?? {};
      pairs.set(id, pair);
      if (s.headers.streamtype === STREAM_ERROR) {
        pair.error = s;
        s.on({}); // the client closes its half at once; nothing to read
      } else if (s.headers.streamtype === STREAM_DATA) {
        pair.data = s;
        forward(pair, Number(s.headers.port), dial, () => pairs.delete(id));
      } else s.reset();
    },
  });
}

function forward(pair: Pair, port: number, dial: Dialer, done: () => void): void {
  const data = pair.data!;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(pair, `invalid port ${JSON.stringify(data.headers.port)}`);
    done();
    return;
  }
  const conn = dial(port);
  let connected = false;
  conn.on('connect', () => {
    connected = true;
  });
  conn.on('data', (d: Buffer) => data.write(d));
  conn.on('end', () => data.end());
  conn.on('error', (err) => {
    fail(
      pair,
      connected
        ? `error forwarding port ${port}: ${err.message}`
        : `failed to connect to port ${port}: ${err.message}`,
    );
  });
  conn.on('close', () => {
    data.end();
    pair.error?.end();
    done();
  });
  data.on({
    onData: (d) => conn.write(d),
    onEnd: (reset) => (reset ? conn.destroy() : conn.end()),
  });
}

function fail(pair: Pair, message: string): void {
  pair.error?.end(Buffer.from(message));
  pair.data?.end();
}

/** Dials `ip:port` over TCP. */
export const tcpDialer =
  (ip: string): Dialer =>
  (port) =>
    connect({ host: ip, port });
