// The CRI container log format conmon writes (`k8s-file`), and a reader with the kubelet's
// `kubectl logs` semantics. One record per file line:
//
//   2026-11-22T08:03:18.937998792+00:00 stdout F out-line
//   <RFC 3339 with nanoseconds>        <stream> <tag> <content>
//
// Tag `F` ends a line; `P` is a fragment of a longer line (no newline after it). Like the kubelet,
// `tailLines` counts file lines, `sinceNs` filters by record time, timestamps are printed as
// RFC 3339 UTC with nanoseconds, and following stops once the container has exited and the file
// is drained.

import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isoMillis } from '../../util/time-format.ts';

export type LogStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  /** Nanoseconds since the Unix epoch. */
  timeNs: bigint;
  stream: LogStream;
  /** A `P` record: the line continues in the next record. */
  partial: boolean;
  content: Buffer;
}

export class CriLogParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CriLogParseError';
  }
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const NS_PER_MS = 1_000_000n;

/** RFC 3339 (any offset, up to nanoseconds) → ns since epoch. */
export function parseRfc3339Nano(s: string): bigint {
  const m = TIME_RE.exec(s);
  if (!m) throw new CriLogParseError(`bad timestamp ${JSON.stringify(s)}`);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(ms)) throw new CriLogParseError(`bad timestamp ${JSON.stringify(s)}`);
  const frac = BigInt((m[7] ?? '').padEnd(9, '0'));
  return BigInt(ms) * NS_PER_MS + frac;
}

/** ns since epoch → `2026-11-22T08:03:18.937998792Z` (Go's RFC3339Nano: trailing zeros trimmed). */
export function formatRfc3339Nano(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  const iso = isoMillis(Number(ms)); // …T08:03:18.937Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Parses one record (without its newline). */
export function parseCriLine(line: Buffer): CriLogEntry {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s1 < 0 || s2 < 0)
    throw new CriLogParseError(`malformed CRI log line ${JSON.stringify(line.toString())}`);
  const timeNs = parseRfc3339Nano(line.subarray(0, s1).toString());
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') throw new CriLogParseError(`unknown stream ${stream}`);
  const s3 = line.indexOf(0x20, s2 + 1);
  const tags = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString();
  const content = s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1);
  return { timeNs, stream, partial: tags.split(':').includes('P'), content };
}

/** Formats one record as `kubectl logs` prints it. */
export function formatCriEntry(entry: CriLogEntry, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${formatRfc3339Nano(entry.timeNs)} `));
  parts.push(entry.content);
  if (!entry.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Byte offset where the last `n` lines of `buf` start (a trailing newline ends, not starts, a line). */
export function tailStart(buf: Buffer, n: number): number {
  if (n <= 0) return buf.length;
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let count = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (buf[i] === 0x0a && ++count === n) return i + 1;
  }
  return 0;
}

export interface ReadLogOptions {
  follow?: boolean;
  /** Last N lines of the file (kubelet's `tailLines`). */
  tailLines?: number;
  /** Only records at or after this time (ns since epoch). */
  sinceNs?: bigint;
  timestamps?: boolean;
  /** Stop after this many output bytes. */
  limitBytes?: number;
  stream?: LogStream | 'all';
  signal?: AbortSignal;
  /** While following: true once the container has exited (the reader drains the file, then ends). */
  isDone?: () => boolean | Promise<boolean>;
  /** Poll fallback when fs.watch misses a change. */
  pollIntervalMs?: number;
}

/** Polling interval while following when no fs.watch event arrives. */
const DEFAULT_POLL_MS = 250;
/** Read granularity; also the step when scanning back for `tailLines`. */
const CHUNK = 64 * 1024;

/** Streams formatted log output (the bytes `kubectl logs` shows). */
export async function* readCriLog(path: string, opts: ReadLogOptions = {}): AsyncGenerator<Buffer> {
  const want = opts.stream ?? 'all';
  let budget = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  let offset = opts.tailLines !== undefined ? await tailOffset(path, opts.tailLines) : 0;
  let carry = Buffer.alloc(0);
  for (;;) {
    if (opts.signal?.aborted) return;
    // Decide "done" before reading, so everything written before the exit is still delivered.
    const done = !opts.follow || (opts.isDone ? await opts.isDone() : false);
    const size = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (size >= 0 && size < offset) {
      offset = 0; // truncated or replaced: start over
      carry = Buffer.alloc(0);
    }
    if (size > offset) {
      const fh = await open(path, 'r');
      try {
        while (offset < size) {
          const buf = Buffer.alloc(Math.min(CHUNK, size - offset));
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const data = carry.length
            ? Buffer.concat([carry, buf.subarray(0, bytesRead)])
            : buf.subarray(0, bytesRead);
          let start = 0;
          for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
            const line = data.subarray(start, nl);
            start = nl + 1;
            if (line.length === 0) continue;
            const entry = parseCriLine(line);
            if (want !== 'all' && entry.stream !== want) continue;
            if (opts.sinceNs !== undefined && entry.timeNs < opts.sinceNs) continue;
            let out = formatCriEntry(entry, opts.timestamps ?? false);
            if (out.length > budget) out = out.subarray(0, budget);
            budget -= out.length;
            if (out.length > 0) yield out;
            if (budget <= 0) return;
          }
          carry = Buffer.from(data.subarray(start));
        }
      } finally {
        await fh.close();
      }
    }
    if (done) return;
    await waitForChange(path, opts.pollIntervalMs ?? DEFAULT_POLL_MS, opts.signal);
  }
}

async function tailOffset(path: string, lines: number): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return 0;
  const fh = await open(path, 'r');
  try {
    // Read backwards until the window holds `lines` + 1 newlines (or the whole file).
    let from = size;
    let buf = Buffer.alloc(0);
    while (from > 0) {
      const len = Math.min(CHUNK, from);
      from -= len;
      const chunk = Buffer.alloc(len);
      await fh.read(chunk, 0, len, from);
      buf = Buffer.concat([chunk, buf]);
      const start = tailStart(buf, lines);
      if (start > 0) return from + start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

function waitForChange(path: string, pollMs: number, signal?: AbortSignal): Promise<void> {
  // An abort that came while the consumer held a chunk fires no event any more.
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const finish = () => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, pollMs);
    try {
      watcher = watch(path, { persistent: false }, finish);
      watcher.on('error', () => {});
    } catch {
      // file not there yet: the poll timer covers it
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
