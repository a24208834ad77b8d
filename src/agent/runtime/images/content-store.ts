// Content-addressed blobs under a root directory:
//
//   <root>/blobs/sha256/<hex>     verified content (manifests, configs, compressed layers)
//   <root>/ingest/<hex>           a download in progress; kept on failure so a retry resumes
//
// A blob becomes visible only by an atomic rename after its sha256 and size were checked, so a
// reader never sees partial or wrong content.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImageError } from './errors.ts';

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestHex(digest: string): string {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new ImageError('Unsupported', `unsupported digest ${digest} (only sha256 is)`);
  return m[1];
}

/** What a download source returns: a body and whether it starts at the requested offset. */
export interface BlobSource {
  body: AsyncIterable<Uint8Array>;
  /** True when the body continues from `offset` (HTTP 206); false when it restarts at 0. */
  resumed: boolean;
}

export class ContentStore {
  readonly root: string;
  readonly #blobs: string;
  readonly #ingest: string;

  constructor(root: string) {
    this.root = root;
    this.#blobs = join(root, 'blobs', 'sha256');
    this.#ingest = join(root, 'ingest');
  }

  async init(): Promise<void> {
    await mkdir(this.#blobs, { recursive: true });
    await mkdir(this.#ingest, { recursive: true });
  }

  blobPath(digest: string): string {
    return join(this.#blobs, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    return stat(this.blobPath(digest)).then(
      () => true,
      () => false,
    );
  }

  async read(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  /** Stores an in-memory blob; verifies it against `expected` when given. */
  async put(data: Buffer, expected?: string): Promise<string> {
    const digest = sha256Digest(data);
    if (expected !== undefined && expected !== digest) {
      throw new ImageError('DigestMismatch', `content digest ${digest} does not match expected ${expected}`);
    }
    const path = this.blobPath(digest);
    if (await this.has(digest)) return digest;
    const tmp = join(this.#ingest, `${digestHex(digest)}.${process.pid}.${Date.now()}.tmp`);
    await writeFile(tmp, data);
    await rename(tmp, path);
    return digest;
  }

  /**
   * Streams a blob into the store, verifying size and digest. A partial file from an earlier
   * attempt is resumed when `open(offset)` can continue it; otherwise the download restarts.
   */
  async ingest(digest: string, size: number, open: (offset: number) => Promise<BlobSource>): Promise<void> {
    if (await this.has(digest)) return;
    const hex = digestHex(digest);
    const partial = join(this.#ingest, hex);
    let offset = await stat(partial).then(
      (s) => s.size,
      () => 0,
    );
    if (offset >= size) {
      await rm(partial, { force: true });
      offset = 0;
    }
    const source = await open(offset);
    if (!source.resumed) offset = 0;
    const hash = createHash('sha256');
    if (offset > 0) {
      await pipeline(
        createReadStream(partial, { end: offset - 1 }),
        async (chunks: AsyncIterable<Buffer>) => {
          for await (const c of chunks) hash.update(c);
        },
      );
    }
    let written = offset;
    const out = createWriteStream(partial, offset > 0 ? { flags: 'r+', start: offset } : { flags: 'w' });
    await pipeline(
      source.body,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const c of chunks) {
          written += c.length;
          if (written > size)
            throw new ImageError('DigestMismatch', `blob ${digest} is larger than ${size} bytes`);
          hash.update(c);
          yield c;
        }
      },
      out,
    );
    const got = `sha256:${hash.digest('hex')}`;
    if (written !== size || got !== digest) {
      await rm(partial, { force: true });
      throw new ImageError(
        'DigestMismatch',
        `blob ${digest}: got ${written} bytes with digest ${got}, expected ${size} bytes`,
      );
    }
    await rename(partial, this.blobPath(digest));
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.#blobs).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Removes leftovers of interrupted downloads (called by GC). */
  async clearIngest(): Promise<void> {
    await rm(this.#ingest, { recursive: true, force: true });
    await mkdir(this.#ingest, { recursive: true });
  }
}
