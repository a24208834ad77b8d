// exec (and later attach) over either transport kubectl speaks, bound to one process:
//
//   WebSocket v5/v4: one binary message = channel byte + payload (0 stdin, 1 stdout, 2 stderr,
//                    3 error, 4 resize; v5 adds 255 = close channel, used for stdin EOF)
//   SPDY/3.1:        one stream per channel, named by the `streamtype` header; stdin EOF = FIN
//
// Either way the session ends with exactly one Status on the error channel, then close.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CHANNEL_CLOSE,
  CHANNEL_ERROR,
  CHANNEL_RESIZE,
  CHANNEL_STDERR,
  CHANNEL_STDIN,
  CHANNEL_STDOUT,
  type ExitStatus,
  exitStatus,
  failureStatus,
  HEADER_STREAM_PROTOCOL,
  PROTOCOL_V4,
  PROTOCOL_V5,
  parseResizes,
  pickProtocol,
  STREAM_ERROR,
  STREAM_RESIZE,
  STREAM_STDERR,
  STREAM_STDIN,
  STREAM_STDOUT,
  type TerminalSize,
  UPGRADE_SPDY,
} from '../../util/stream-protocols/channels.ts';
import { SpdySession, type SpdyStream } from '../../util/stream-protocols/spdy.ts';
import {
  headerList,
  isWebSocketUpgrade,
  WebSocketConnection,
  websocketResponse,
} from '../../util/stream-protocols/websocket.ts';
import type { ExecProcess } from './exec-process.ts';

/** SPDY clients open their streams right after the upgrade; give up if they never do (kubelet: 30 s). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
const WEBSOCKET_PROTOCOLS = [PROTOCOL_V5, PROTOCOL_V4];
/** SPDY exec: v5 adds nothing over v4 there, so both are answered as v4 framing. */
const SPDY_PROTOCOLS = [PROTOCOL_V4];

export interface CommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function parseCommandOptions(q: URLSearchParams): CommandOptions & { command: string[] } {
  const flag = (n: string) => ['true', '1'].includes(q.get(n) ?? '');
  return {
    command: q.getAll('command'),
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    tty: flag('tty'),
  };
}

/** What a transport delivers to the process side. */
interface Inbound {
  stdin(data: Buffer): void;
  stdinEnd(): void;
  resize(size: TerminalSize): void;
  /** The client went away before the process ended. */
  gone(): void;
}

/** What the process side writes to the client. */
interface Outbound {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  finish(status: ExitStatus): void;
}

export class UpgradeRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'UpgradeRefused';
    this.status = status;
  }
}

/**
 * Accepts the upgrade (WebSocket or SPDY), waits until the client's channels exist, then starts
 * the process (`start`) and pipes it. Throws UpgradeRefused before anything was written.
 */
export function serveRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: CommandOptions,
  start: () => ExecProcess,
): void {
  if (isWebSocketUpgrade(req.headers)) {
    const protocol = pickProtocol(headerList(req.headers['sec-websocket-protocol']), WEBSOCKET_PROTOCOLS);
    const key = req.headers['sec-websocket-key'];
    if (!protocol || typeof key !== 'string')
      throw new UpgradeRefused(400, `unsupported WebSocket subprotocols; supported: ${WEBSOCKET_PROTOCOLS}`);
    socket.write(websocketResponse(key, protocol));
    websocketCommand(socket, head, protocol === PROTOCOL_V5, (out) => bind(start(), out, opts));
    return;
  }
  if (String(req.headers.upgrade ?? '').toLowerCase() === UPGRADE_SPDY.toLowerCase()) {
    const offered = headerList(req.headers[HEADER_STREAM_PROTOCOL.toLowerCase()]);
    const protocol = pickProtocol(offered, SPDY_PROTOCOLS);
    if (!protocol) throw new UpgradeRefused(403, `unsupported stream protocols ${offered.join(', ')}`);
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Connection: Upgrade',
        `Upgrade: ${UPGRADE_SPDY}`,
        `${HEADER_STREAM_PROTOCOL}: ${protocol}`,
        '',
        '',
      ].join('\r\n'),
    );
    spdyCommand(socket, head, opts, (out) => bind(start(), out, opts));
    return;
  }
  throw new UpgradeRefused(400, 'Upgrade request required');
}

/** Pipes a started process to the client; ends with the exit Status. */
function bind(proc: ExecProcess, out: Outbound, opts: CommandOptions): Inbound {
  proc.stdout.on('data', (d: Buffer) => {
    if (opts.stdout || opts.tty) out.stdout(d);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    if (opts.stderr) out.stderr(d);
  });
  if (!opts.stdin) proc.stdin.end();
  proc.exited.then(
    (code) => out.finish(exitStatus(code)),
    (err: unknown) => out.finish(failureStatus(String(err))),
  );
  return {
    stdin: (d) => proc.stdin.write(d),
    stdinEnd: () => proc.stdin.end(),
    resize: (s) => proc.resize(s),
    gone: () => proc.kill(),
  };
}

function websocketCommand(
  socket: Duplex,
  head: Buffer,
  v5: boolean,
  begin: (out: Outbound) => Inbound,
): void {
  let inbound: Inbound | undefined;
  let finished = false;
  const ws = new WebSocketConnection(
    socket,
    {
      onMessage: (msg) => {
        if (!inbound || msg.length === 0) return;
        const ch = msg[0]!;
        const body = msg.subarray(1);
        if (ch === CHANNEL_STDIN) inbound.stdin(body);
        else if (ch === CHANNEL_RESIZE) for (const s of parseResizes(body)) inbound.resize(s);
        else if (ch === CHANNEL_CLOSE && v5 && body[0] === CHANNEL_STDIN) inbound.stdinEnd();
      },
      onClose: () => {
        if (!finished) inbound?.gone();
      },
    },
    { head },
  );
  const send = (ch: number, d: Buffer) => ws.send(Buffer.concat([Buffer.from([ch]), d]));
  const out: Outbound = {
    stdout: (d) => send(CHANNEL_STDOUT, d),
    stderr: (d) => send(CHANNEL_STDERR, d),
    finish: (status) => {
      finished = true;
      send(CHANNEL_ERROR, Buffer.from(JSON.stringify(status)));
      ws.close();
    },
  };
  // Frames (even those that came with the upgrade) are read on later ticks: nothing is missed.
  inbound = begin(out);
}

function spdyCommand(
  socket: Duplex,
  head: Buffer,
  opts: CommandOptions,
  begin: (out: Outbound) => Inbound,
): void {
  const streams = new Map<string, SpdyStream>();
  let inbound: Inbound | undefined;
  let finished = false;
  const session = new SpdySession({
    write: (d) => {
      if (!socket.destroyed) socket.write(d);
    },
    onStream: (s) => {
      const type = s.headers.streamtype ?? '';
      streams.set(type, s);
      // stdin and resize are read only once the process runs: SpdyStream holds what arrives before.
      if (type !== STREAM_STDIN && type !== STREAM_RESIZE) s.on({});
      if (!inbound && ready()) {
        clearTimeout(timer);
        const inb = begin(out);
        inbound = inb;
        streams.get(STREAM_STDIN)?.on({ onData: (d) => inb.stdin(d), onEnd: () => inb.stdinEnd() });
        streams.get(STREAM_RESIZE)?.on({
          onData: (d) => {
            for (const sz of parseResizes(d)) inb.resize(sz);
          },
        });
      }
    },
    onError: () => socket.destroy(),
  });
  const ready = () =>
    streams.has(STREAM_ERROR) &&
    (!opts.stdout || streams.has(STREAM_STDOUT)) &&
    (!opts.stderr || opts.tty || streams.has(STREAM_STDERR)) &&
    (!opts.stdin || streams.has(STREAM_STDIN)) &&
    (!opts.tty || streams.has(STREAM_RESIZE));
  const end = () => {
    session.close();
    if (!socket.destroyed) socket.end();
  };
  const out: Outbound = {
    stdout: (d) => streams.get(STREAM_STDOUT)?.write(d),
    stderr: (d) => streams.get(STREAM_STDERR)?.write(d),
    finish: (status) => {
      finished = true;
      const err = streams.get(STREAM_ERROR);
      err?.write(Buffer.from(JSON.stringify(status)));
      for (const s of streams.values()) s.end();
      // Let the client read the FINs, then drop the connection if it does not close it.
      setTimeout(end, SPDY_LINGER_MS).unref();
    },
  };
  const timer = setTimeout(() => {
    if (!inbound) end();
  }, STREAM_CREATION_TIMEOUT_MS);
  timer.unref();
  socket.on('data', (d: Buffer) => session.push(d));
  socket.on('close', () => {
    clearTimeout(timer);
    session.close();
    if (!finished) inbound?.gone();
  });
  socket.on('error', () => {});
  if (head.length) session.push(head);
}

/** How long the SPDY connection stays open after the exit Status, for the client to close it. */
const SPDY_LINGER_MS = 5000;
