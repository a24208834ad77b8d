// RFC 6455 WebSocket, just what the Kubernetes streaming protocols need: the server handshake
// (done by hand because `ws` refuses the `SPDY/3.1+portforward.k8s.io` subprotocol name), binary
// and text messages, fragmentation, ping/pong and close. Clients mask their frames; servers do not.
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** RFC 6455 close codes we send. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
/** Refuse messages beyond this size: streaming payloads are small frames, never whole files. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export const websocketAccept = (key: string): string =>
  createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');

/** Header values that may arrive repeated or comma-joined (`Sec-WebSocket-Protocol`, …), split and trimmed. */
export function headerList(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export const isWebSocketUpgrade = (headers: Record<string, string | string[] | undefined>): boolean =>
  String(headers.upgrade ?? '').toLowerCase() === 'websocket';

/** The `101` answer accepting a WebSocket upgrade with `protocol`. */
export function websocketResponse(key: string, protocol: string): string {
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${websocketAccept(key)}`,
    `Sec-WebSocket-Protocol: ${protocol}`,
    '',
    '',
  ].join('\r\n');
}

/** One frame; `mask` is set by clients (RFC 6455 §5.3). */
export function encodeFrame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; mask?: boolean } = {},
): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const maskLen = opts.mask ? 4 : 0;
  const head = Buffer.alloc(2 + ext + maskLen);
  head[0] = ((opts.fin ?? true) ? 0x80 : 0) | opcode;
  head[1] = (opts.mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  else if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!opts.mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!;
  return Buffer.concat([head, body]);
}

export interface WsFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class WebSocketProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebSocketProtocolError';
  }
}

/** Incremental frame parser: feed bytes, get whole frames (unmasked). */
export class FrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WsFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: WsFrame[] = [];
    for (;;) {
      const b = this.#buf;
      if (b.length < 2) break;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) throw new WebSocketProtocolError('frame too large');
        len = Number(big);
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) break;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= b[maskOff + (i & 3)]!;
      out.push({ fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload });
      this.#buf = b.subarray(off + len);
    }
    return out;
  }
}

export interface WebSocketHandlers {
  onMessage(data: Buffer, binary: boolean): void;
  onClose?(code: number | undefined): void;
}

/**
 * A WebSocket over an upgraded socket (after the 101). Answers pings, reassembles fragmented
 * messages, and closes the socket once both sides sent CLOSE.
 */
export class WebSocketConnection {
  readonly socket: Duplex;
  readonly #client: boolean;
  readonly #parser = new FrameParser();
  #fragments: Buffer[] = [];
  #fragmentBinary = true;
  #closeSent = false;
  #closed = false;
  readonly #h: WebSocketHandlers;

  /** `client`: mask outgoing frames (a test client or a proxy speaking to a server). */
  constructor(socket: Duplex, handlers: WebSocketHandlers, opts: { client?: boolean; head?: Buffer } = {}) {
    this.socket = socket;
    this.#h = handlers;
    this.#client = opts.client ?? false;
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('close', () => this.#finish(undefined));
    socket.on('error', () => this.#finish(undefined));
    if (opts.head?.length) queueMicrotask(() => this.#onData(opts.head!));
  }

  get closed(): boolean {
    return this.#closed || this.#closeSent;
  }

  send(data: Buffer, binary = true): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(binary ? OP_BINARY : OP_TEXT, data, { mask: this.#client }));
  }

  ping(data = Buffer.alloc(0)): void {
    if (!this.closed) this.socket.write(encodeFrame(OP_PING, data, { mask: this.#client }));
  }

  close(code = CLOSE_NORMAL, reason = ''): void {
    if (this.#closeSent || this.#closed) return;
    this.#closeSent = true;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.socket.write(encodeFrame(OP_CLOSE, body, { mask: this.#client }));
    // The peer answers with its CLOSE; do not wait forever for it.
    setTimeout(() => this.socket.destroy(), CLOSE_WAIT_MS).unref();
  }

  #onData(d: Buffer): void {
    let frames: WsFrame[];
    try {
      frames = this.#parser.push(d);
    } catch {
      this.close(CLOSE_PROTOCOL_ERROR);
      return;
    }
    for (const f of frames) this.#onFrame(f);
  }

  #onFrame(f: WsFrame): void {
    switch (f.opcode) {
      case OP_PING:
        if (!this.closed) this.socket.write(encodeFrame(OP_PONG, f.payload, { mask: this.#client }));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE: {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
        if (!this.#closeSent) {
          this.#closeSent = true;
          this.socket.write(encodeFrame(OP_CLOSE, f.payload.subarray(0, 2), { mask: this.#client }));
        }
        this.socket.end();
        this.#finish(code);
        return;
      }
      case OP_TEXT:
      case OP_BINARY:
      case OP_CONTINUATION: {
        if (f.opcode !== OP_CONTINUATION) {
          this.#fragments = [];
          this.#fragmentBinary = f.opcode === OP_BINARY;
        }
        this.#fragments.push(f.payload);
        if (!f.fin) return;
        const msg = this.#fragments.length === 1 ? this.#fragments[0]! : Buffer.concat(this.#fragments);
        this.#fragments = [];
        this.#h.onMessage(msg, this.#fragmentBinary);
        return;
      }
      default:
        this.close(CLOSE_PROTOCOL_ERROR);
    }
  }

  #finish(code: number | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#h.onClose?.(code);
  }
}

/** How long `close()` waits for the peer's CLOSE before dropping the socket. */
const CLOSE_WAIT_MS = 2000;
