// Applies one layer tarball onto a directory, the way `umoci unpack` flattens an image: lower
// layers are already there, whiteouts become deletions, so the result is a plain directory tree
// (no overlay whiteout devices, no xattrs) usable as the single read-only lowerdir.
//
// Safety: entry names with `..` are refused; parents are resolved inside the root (a symlinked
// parent is followed as a chroot would, never out of the root); existing entries are removed
// before being replaced, so a hardlink or symlink left by a lower layer is never written through.
// Device nodes and fifos are skipped (Node cannot mknod, and containers get /dev from runc).

import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmod,
  chown,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Header } from 'tar-stream';
import { ImageError } from './errors.ts';
import { classifyWhiteout, cleanEntryName, resolveLinkTarget, UnsafePathError } from './layer-paths.ts';
import { type Compression, sniffCompression } from './manifest.ts';

/** Symlink hops allowed while resolving one path inside the root (Linux's MAXSYMLINKS is 40). */
const MAX_SYMLINK_HOPS = 40;
const MODE_MASK = 0o7777;

export interface ApplyStats {
  entries: number;
  whiteouts: number;
  /** Names of entries not materialised (devices, fifos). */
  skipped: string[];
}

export interface ApplyResult {
  /** sha256 of the uncompressed tar: the layer's diff_id. */
  diffId: string;
  stats: ApplyStats;
}

export interface ApplyOptions {
  compression?: Compression | 'auto';
  /** When given, the uncompressed digest must equal it. */
  expectedDiffId?: string;
}

/** Streams `source` (a possibly compressed tar) onto `root`. */
export async function applyLayer(
  root: string,
  source: AsyncIterable<Uint8Array>,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const { compression, body } = await detectCompression(source, opts.compression ?? 'auto');
  const applier = new LayerApplier(root);
  const hash = createHash('sha256');
  // Loaded on the first layer, not at start-up: a node whose images are present never needs
  // tar-stream (and its stream stack) or zlib in memory.
  const [{ extract: tarExtract }, { createGunzip, createZstdDecompress }] = await Promise.all([
    import('tar-stream'),
    import('node:zlib'),
  ]);
  const extract = tarExtract();
  let failure: unknown;
  const finished = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', (err: unknown) => {
      failure = err;
      reject(err);
    });
    extract.on('close', () => (failure ? reject(failure) : resolve()));
  });
  finished.catch(() => {});
  extract.on('entry', (header, stream, next) => {
    applier.apply(header, stream as EntryStream).then(
      () => next(),
      (err: Error) => next(err),
    );
  });
  const decompress: Transform =
    compression === 'gzip'
      ? createGunzip()
      : compression === 'zstd'
        ? createZstdDecompress()
        : new PassThrough();
  try {
    await pipeline(Readable.from(body), decompress, async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        if (failure) break;
        hash.update(chunk);
        if (!extract.write(chunk)) await drained(extract);
      }
      if (!failure) extract.end(null);
      await finished;
    });
    await applier.finish();
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (err instanceof UnsafePathError) throw new ImageError('Invalid', err.message, err);
    throw new ImageError('Invalid', `cannot apply layer: ${(err as Error).message}`, err);
  }
  const diffId = `sha256:${hash.digest('hex')}`;
  if (opts.expectedDiffId !== undefined && opts.expectedDiffId !== diffId) {
    throw new ImageError(
      'DigestMismatch',
      `layer diff_id ${diffId} does not match config's ${opts.expectedDiffId}`,
    );
  }
  return { diffId, stats: applier.stats };
}

async function detectCompression(
  source: AsyncIterable<Uint8Array>,
  wanted: Compression | 'auto',
): Promise<{ compression: Compression; body: AsyncIterable<Uint8Array> }> {
  if (wanted !== 'auto') return { compression: wanted, body: source };
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  async function* rest() {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { compression: sniffCompression(head), body: rest() };
}

function drained(stream: {
  once(ev: string, fn: (...a: unknown[]) => void): unknown;
  off(ev: string, fn: (...a: unknown[]) => void): unknown;
}): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/** A tar entry's data: async-iterable, and resumable to discard what was not read. */
type EntryStream = AsyncIterable<Uint8Array> & { resume(): unknown };

interface DirTimes {
  path: string;
  mtime: Date;
}

class LayerApplier {
  readonly #root: string;
  /** Root-relative real paths created by this layer: whiteouts only remove lower-layer content. */
  readonly #created = new Set<string>();
  /** Directory mtimes are set last, since creating children would change them again. */
  readonly #dirTimes: DirTimes[] = [];
  readonly stats: ApplyStats = { entries: 0, whiteouts: 0, skipped: [] };

  constructor(root: string) {
    this.#root = root;
  }

  async apply(header: Header, stream: EntryStream): Promise<void> {
    try {
      await this.#apply(header, stream);
    } finally {
      // Unconsumed entry data must be drained or the extractor stalls.
      stream.resume();
    }
  }

  async finish(): Promise<void> {
    for (const d of this.#dirTimes.reverse()) {
      await utimes(d.path, d.mtime, d.mtime).catch(() => {});
    }
  }

  async #apply(header: Header, stream: AsyncIterable<Uint8Array>): Promise<void> {
    this.stats.entries++;
    const clean = cleanEntryName(header.name);
    const wh = classifyWhiteout(clean);
    if (wh.kind === 'meta') return;
    if (wh.kind === 'opaque') {
      this.stats.whiteouts++;
      const dir = await this.#resolve(wh.dir);
      const abs = this.#abs(dir);
      for (const child of await readdir(abs).catch(() => [] as string[])) {
        const rel = dir ? `${dir}/${child}` : child;
        if (!this.#created.has(rel)) await rm(join(abs, child), { recursive: true, force: true });
      }
      return;
    }
    if (wh.kind === 'whiteout') {
      this.stats.whiteouts++;
      const parent = await this.#resolve(posix.dirname(wh.target) === '.' ? '' : posix.dirname(wh.target));
      const rel = join2(parent, posix.basename(wh.target));
      if (!this.#created.has(rel)) await rm(this.#abs(rel), { recursive: true, force: true });
      return;
    }
    if (clean === '') {
      // The root entry itself: only its mode matters.
      if (header.type === 'directory') await chmod(this.#root, header.mode & MODE_MASK);
      return;
    }
    const parentRel = await this.#resolve(posix.dirname(clean) === '.' ? '' : posix.dirname(clean));
    await this.#ensureDir(parentRel);
    const rel = join2(parentRel, posix.basename(clean));
    const abs = this.#abs(rel);
    const existing = await lstat(abs).catch(() => undefined);
    switch (header.type) {
      case 'directory': {
        if (existing && !existing.isDirectory()) await rm(abs, { recursive: true, force: true });
        if (!existing?.isDirectory()) await mkdir(abs);
        await chown(abs, header.uid, header.gid);
        await chmod(abs, header.mode & MODE_MASK);
        this.#dirTimes.push({ path: abs, mtime: header.mtime });
        break;
      }
      case 'file':
      case 'contiguous-file': {
        await removeExisting(abs, existing);
        const fh = await open(abs, 'wx', 0o600);
        try {
          for await (const chunk of stream) await fh.write(chunk);
          await fh.chown(header.uid, header.gid);
          await fh.chmod(header.mode & MODE_MASK);
          await fh.utimes(header.mtime, header.mtime);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'symlink': {
        await removeExisting(abs, existing);
        await symlink(header.linkname, abs);
        await lchown(abs, header.uid, header.gid);
        await lutimes(abs, header.mtime, header.mtime).catch(() => {});
        break;
      }
      case 'link': {
        const targetClean = cleanEntryName(header.linkname);
        const targetParent = await this.#resolve(
          posix.dirname(targetClean) === '.' ? '' : posix.dirname(targetClean),
        );
        const targetAbs = this.#abs(join2(targetParent, posix.basename(targetClean)));
        await removeExisting(abs, existing);
        await link(targetAbs, abs);
        break;
      }
      default:
        // character-device, block-device, fifo: not representable without mknod; runc provides /dev.
        this.stats.skipped.push(clean);
        return;
    }
    this.#created.add(rel);
  }

  #abs(rel: string): string {
    return rel ? join(this.#root, rel) : this.#root;
  }

  /** mkdir -p inside the root for an already-resolved relative directory. */
  async #ensureDir(rel: string): Promise<void> {
    if (!rel) return;
    const st = await lstat(this.#abs(rel)).catch(() => undefined);
    if (st?.isDirectory()) return;
    let cur = '';
    for (const part of rel.split('/')) {
      cur = join2(cur, part);
      const abs = this.#abs(cur);
      const s = await lstat(abs).catch(() => undefined);
      if (s?.isDirectory()) continue;
      if (s) await rm(abs, { force: true });
      await mkdir(abs, { mode: 0o755 });
    }
  }

  /**
   * Resolves a root-relative directory path, following symlinks in it as if the root were `/`.
   * Components that do not exist yet are kept as they are (they will be created as directories).
   */
  async #resolve(rel: string): Promise<string> {
    let pending = rel ? rel.split('/') : [];
    let done = '';
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      const next = join2(done, part);
      const st: Stats | undefined = await lstat(this.#abs(next)).catch(() => undefined);
      if (!st?.isSymbolicLink()) {
        done = next;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) throw new ImageError('Invalid', `too many symlinks resolving ${rel}`);
      const target = resolveLinkTarget(done, await readlink(this.#abs(next)));
      pending = [...(target ? target.split('/') : []), ...pending];
      done = '';
    }
    return done;
  }
}

function join2(a: string, b: string): string {
  return a ? `${a}/${b}` : b;
}

async function removeExisting(abs: string, existing: Stats | undefined): Promise<void> {
  if (existing) await rm(abs, { recursive: true, force: true });
}
