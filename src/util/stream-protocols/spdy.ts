// SPDY/3.1 framing for Kubernetes' exec/attach/port-forward streams (what moby/spdystream speaks):
// streams opened by SYN_STREAM with a header block, answered by SYN_REPLY, DATA frames with FIN to
// half-close, RST_STREAM, PING echoed, GOAWAY. Flow control (WINDOW_UPDATE) is ignored, as the
// Kubernetes peers never block on it for these streams.
//
// Header blocks share one zlib context per direction for the whole connection. Incoming blocks
// are inflated in order by one streaming inflater (with the SPDY/3 dictionary). Outgoing blocks are
// written as stored (uncompressed) deflate blocks of one zlib stream, each followed by the
// sync-flush marker: byte-aligned and complete, which is all a peer's inflater needs, and it keeps
// writing synchronous.
//
//   transport bytes ─► push() ─► frames ─► (in order) ─► onStream(stream) / stream.onData / onEnd
//   stream.write/end ─► DATA frames ─► write(bytes) ─► transport
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';

const VERSION = 3;
export const TYPE_SYN_STREAM = 1;
export const TYPE_SYN_REPLY = 2;
export const TYPE_RST_STREAM = 3;
export const TYPE_SETTINGS = 4;
export const TYPE_PING = 6;
export const TYPE_GOAWAY = 7;
export const TYPE_HEADERS = 8;
export const TYPE_WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;
/** RST_STREAM status codes (SPDY/3 §2.4.2). */
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;
/** DATA and header payloads are 24-bit lengths; larger writes are split. */
const MAX_FRAME_PAYLOAD = 0xffffff;
/** A stored deflate block holds at most this many bytes. */
const MAX_STORED_BLOCK = 0xffff;
/** zlib header: deflate, 32K window, no preset-dictionary flag (stored blocks never refer back). */
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
/** An empty non-final stored block: the sync-flush marker. */
const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export type SpdyHeaders = Record<string, string>;

export interface SpdyFrame {
  control: boolean;
  /** Control frames: the type; DATA frames: 0. */
  type: number;
  /** DATA frames: the stream id. */
  streamId: number;
  flags: number;
  data: Buffer;
}

/** Splits a byte stream into frames (the 8-byte header carries a 24-bit length). */
export class SpdyFrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: SpdyFrame[] = [];
    while (this.#buf.length >= 8) {
      const b = this.#buf;
      const len = b.readUIntBE(5, 3);
      if (b.length < 8 + len) break;
      const control = (b[0]! & 0x80) !== 0;
      out.push({
        control,
        type: control ? b.readUInt16BE(2) : 0,
        streamId: control ? 0 : b.readUInt32BE(0) & 0x7fffffff,
        flags: b[4]!,
        data: Buffer.from(b.subarray(8, 8 + len)),
      });
      this.#buf = b.subarray(8 + len);
    }
    return out;
  }
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

/** The uncompressed SPDY/3 name/value block: count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  if (b.length < 4) throw new SpdyProtocolError('short header block');
  const n = b.readUInt32BE(0);
  let off = 4;
  const str = () => {
    if (off + 4 > b.length) throw new SpdyProtocolError('truncated header block');
    const len = b.readUInt32BE(off);
    off += 4;
    if (off + len > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.subarray(off, off + len).toString();
    off += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const k = str();
    // Several values for one name are NUL-separated; the Kubernetes headers are single-valued.
    out[k.toLowerCase()] = str().split('\0')[0]!;
  }
  return out;
}

/** One direction's outgoing header compression: a zlib stream of stored blocks. */
export class HeaderCompressor {
  #started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.#started) {
      parts.push(ZLIB_HEADER);
      this.#started = true;
    }
    for (let off = 0; off < block.length || off === 0; off += MAX_STORED_BLOCK) {
      const chunk = block.subarray(off, off + MAX_STORED_BLOCK);
      const h = Buffer.alloc(5);
      h[0] = 0; // BFINAL=0, BTYPE=00 (stored); the stream never ends
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
      if (block.length === 0) break;
    }
    // An empty stored block, as Z_SYNC_FLUSH writes: inflaters (Go's flate) hand out pending
    // output only when they reach it, without reading past the end of this header block.
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

/** One direction's incoming header decompression: a shared inflater, flushed per block. */
export class HeaderDecompressor {
  readonly #inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  #out: Buffer[] = [];
  #failed: Error | undefined;

  constructor() {
    this.#inflate.on('data', (d: Buffer) => this.#out.push(d));
    this.#inflate.on('error', (e) => {
      this.#failed = e;
    });
  }

  decompress(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed);
      this.#inflate.write(block);
      this.#inflate.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.#failed) return reject(this.#failed);
        const out = Buffer.concat(this.#out);
        this.#out = [];
        resolve(out);
      });
    });
  }

  close(): void {
    this.#inflate.destroy();
  }
}

export interface SpdyStreamHandlers {
  onData?(data: Buffer): void;
  /** The peer half-closed (FIN) or reset the stream. */
  onEnd?(reset: boolean): void;
}

export class SpdyStream {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #session: SpdySession;
  #handlers: SpdyStreamHandlers = {};
  #pending: Buffer[] = [];
  #remoteEnded: boolean | undefined;
  #localEnded = false;

  constructor(session: SpdySession, id: number, headers: SpdyHeaders) {
    this.#session = session;
    this.id = id;
    this.headers = headers;
  }

  /** Sets handlers; data or an end that arrived before is delivered now. */
  on(handlers: SpdyStreamHandlers): void {
    this.#handlers = handlers;
    const pending = this.#pending;
    this.#pending = [];
    for (const d of pending) handlers.onData?.(d);
    if (this.#remoteEnded !== undefined) handlers.onEnd?.(this.#remoteEnded);
  }

  get localEnded(): boolean {
    return this.#localEnded;
  }

  write(data: Buffer): void {
    if (this.#localEnded) return;
    for (let off = 0; off < data.length; off += MAX_FRAME_PAYLOAD)
      this.#session.send(dataFrame(this.id, 0, data.subarray(off, off + MAX_FRAME_PAYLOAD)));
  }

  /** Half-close: DATA with FIN. */
  end(data?: Buffer): void {
    if (this.#localEnded) return;
    if (data?.length) this.write(data);
    this.#localEnded = true;
    this.#session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
  }

  reset(status = RST_CANCEL): void {
    this.#localEnded = true;
    const b = Buffer.alloc(8);
    b.writeUInt32BE(this.id & 0x7fffffff, 0);
    b.writeUInt32BE(status, 4);
    this.#session.send(controlFrame(TYPE_RST_STREAM, 0, b));
    this.remoteEnd(true);
  }

  /** @internal */
  deliver(data: Buffer): void {
    if (this.#remoteEnded !== undefined || data.length === 0) return;
    if (this.#handlers.onData) this.#handlers.onData(data);
    else this.#pending.push(data);
  }

  /** @internal */
  remoteEnd(reset: boolean): void {
    if (this.#remoteEnded !== undefined) return;
    this.#remoteEnded = reset;
    this.#handlers.onEnd?.(reset);
  }
}

export interface SpdySessionOptions {
  /** Write bytes to the transport. */
  write(data: Buffer): void;
  /** A peer opened a stream (already answered with SYN_REPLY when not a client). */
  onStream?(stream: SpdyStream): void;
  /** A peer answered our SYN_STREAM. */
  onReply?(stream: SpdyStream, headers: SpdyHeaders): void;
  onGoAway?(): void;
  onError?(err: Error): void;
  /** Client sessions open odd stream ids and do not auto-reply. */
  client?: boolean;
}

export class SpdySession {
  readonly #o: SpdySessionOptions;
  readonly #parser = new SpdyFrameParser();
  readonly #compress = new HeaderCompressor();
  readonly #decompress = new HeaderDecompressor();
  readonly streams = new Map<number, SpdyStream>();
  #nextId: number;
  /** Frames are handled strictly in order; header inflation is asynchronous. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: SpdySessionOptions) {
    this.#o = opts;
    this.#nextId = opts.client ? 1 : 2;
  }

  /** Feed bytes from the transport. */
  push(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      this.#o.onError?.(err as Error);
      return;
    }
    for (const f of frames) {
      this.#chain = this.#chain.then(
        () => this.#onFrame(f),
        () => {},
      );
    }
    this.#chain = this.#chain.catch((err: Error) => this.#o.onError?.(err));
  }

  /** Resolves once every frame pushed so far is handled. */
  idle(): Promise<void> {
    return this.#chain;
  }

  send(frame: Buffer): void {
    if (!this.#closed) this.#o.write(frame);
  }

  openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): SpdyStream {
    const id = this.#nextId;
    this.#nextId += 2;
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    const b = Buffer.alloc(10);
    b.writeUInt32BE(id, 0);
    this.send(
      controlFrame(
        TYPE_SYN_STREAM,
        opts.fin ? FLAG_FIN : 0,
        Buffer.concat([b, this.#compress.compress(encodeHeaderBlock(headers))]),
      ),
    );
    return s;
  }

  goAway(): void {
    this.send(controlFrame(TYPE_GOAWAY, 0, Buffer.alloc(8)));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#decompress.close();
    for (const s of this.streams.values()) s.remoteEnd(true);
  }

  async #onFrame(f: SpdyFrame): Promise<void> {
    if (this.#closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      s.deliver(f.data);
      if (f.flags & FLAG_FIN) s.remoteEnd(false);
      return;
    }
    switch (f.type) {
      case TYPE_SYN_STREAM: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.#decompress.decompress(f.data.subarray(10)));
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        if (!this.#o.client) {
          const b = Buffer.alloc(4);
          b.writeUInt32BE(id, 0);
          this.send(
            controlFrame(
              TYPE_SYN_REPLY,
              0,
              Buffer.concat([b, this.#compress.compress(encodeHeaderBlock({}))]),
            ),
          );
        }
        if (f.flags & FLAG_FIN) s.remoteEnd(false);
        this.#o.onStream?.(s);
        return;
      }
      case TYPE_SYN_REPLY: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.#decompress.decompress(f.data.subarray(4)));
        const s = this.streams.get(id);
        if (s) {
          this.#o.onReply?.(s, headers);
          if (f.flags & FLAG_FIN) s.remoteEnd(false);
        }
        return;
      }
      case TYPE_HEADERS:
        // Keep the shared zlib context in step even though the headers are not used.
        await this.#decompress.decompress(f.data.subarray(4));
        return;
      case TYPE_RST_STREAM: {
        const s = this.streams.get(f.data.readUInt32BE(0) & 0x7fffffff);
        s?.remoteEnd(true);
        return;
      }
      case TYPE_PING: {
        // Echo the peer's pings only (clients use odd ids, servers even): ours coming back are replies.
        const peerIsClient = !this.#o.client;
        if (f.data.length >= 4 && (f.data.readUInt32BE(0) % 2 === 1) === peerIsClient)
          this.send(controlFrame(TYPE_PING, 0, f.data));
        return;
      }
      case TYPE_GOAWAY:
        this.#o.onGoAway?.();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE, CREDENTIAL: nothing to do
    }
  }
}
