// Flattens an image's layers, in order, into `<root>/rootfs/<image-id-hex>`: one read-only
// directory per image used as the single overlay lowerdir (short mount options, no xattrs). The
// tree is built in a temporary directory and renamed into place, so a present directory is
// always complete; concurrent unpacks of one image share one promise.

import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyLayer } from './apply-layer.ts';
import type { ContentStore } from './content-store.ts';
import { digestHex } from './content-store.ts';
import type { ImageRecord } from './image-records.ts';
import { layerCompression } from './manifest.ts';

const TMP_PREFIX = '.tmp-';

export class Unpacker {
  readonly #dir: string;
  readonly #store: ContentStore;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(root: string, store: ContentStore) {
    this.#dir = join(root, 'rootfs');
    this.#store = store;
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    // Leftovers of unpacks interrupted by a crash are incomplete by construction.
    for (const n of await readdir(this.#dir)) {
      if (n.startsWith(TMP_PREFIX)) await rm(join(this.#dir, n), { recursive: true, force: true });
    }
  }

  rootfsPath(imageId: string): string {
    return join(this.#dir, digestHex(imageId));
  }

  async isUnpacked(imageId: string): Promise<boolean> {
    return stat(this.rootfsPath(imageId)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  /** Returns the flattened rootfs directory, unpacking it first when needed. */
  unpack(record: ImageRecord): Promise<string> {
    const existing = this.#inflight.get(record.id);
    if (existing) return existing;
    const p = this.#unpack(record).finally(() => this.#inflight.delete(record.id));
    this.#inflight.set(record.id, p);
    return p;
  }

  async #unpack(record: ImageRecord): Promise<string> {
    const final = this.rootfsPath(record.id);
    if (await this.isUnpacked(record.id)) return final;
    const tmp = join(
      this.#dir,
      `${TMP_PREFIX}${digestHex(record.id).slice(0, 16)}-${process.pid}-${Date.now()}`,
    );
    await mkdir(tmp, { mode: 0o755 });
    try {
      for (const [i, layer] of record.layers.entries()) {
        let compression: ReturnType<typeof layerCompression> | 'auto';
        try {
          compression = layerCompression(layer.mediaType);
        } catch {
          compression = 'auto';
        }
        await applyLayer(tmp, createReadStream(this.#store.blobPath(layer.digest)), {
          compression,
          expectedDiffId: record.config.rootfs.diff_ids[i],
        });
      }
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Another process may have finished the same image first: its result is as good as ours.
      if (await this.isUnpacked(record.id)) return final;
      throw err;
    }
    return final;
  }

  /** Image IDs that have an unpacked rootfs. */
  async list(): Promise<string[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(imageId: string): Promise<void> {
    await rm(this.rootfsPath(imageId), { recursive: true, force: true });
  }
}
