// Image metadata by reference: one JSON file per canonical reference under `<root>/images/`
// (file name = sha256 of the reference, since references contain `/` and `:`). Several
// references may name the same image ID (config digest).

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byCodeUnit } from '../../../util/code-unit-order.ts';
import type { Descriptor, ImageConfig } from './manifest.ts';

export interface ImageRecord {
  /** Canonical reference, e.g. `docker.io/library/busybox:1` or `host/app@sha256:…`. */
  reference: string;
  /** Image ID: the config blob's digest. */
  id: string;
  /** The platform manifest's digest. */
  manifestDigest: string;
  /** What the reference resolved to at the registry (an index or the manifest): the repo digest. */
  targetDigest: string;
  /** `domain/path@targetDigest`, what `kubectl describe pod` shows as imageID. */
  repoDigest: string;
  layers: Descriptor[];
  config: ImageConfig;
  /** Bytes of config plus compressed layers. */
  size: number;
  /** When this reference was stored (RFC 3339). */
  storedAt: string;
}

export class ImageRecords {
  readonly #dir: string;

  constructor(root: string) {
    this.#dir = join(root, 'images');
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
  }

  #path(reference: string): string {
    return join(this.#dir, `${createHash('sha256').update(reference).digest('hex')}.json`);
  }

  async get(reference: string): Promise<ImageRecord | undefined> {
    const text = await readFile(this.#path(reference), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ImageRecord);
  }

  async put(record: ImageRecord): Promise<void> {
    const path = this.#path(record.reference);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 2));
    await rename(tmp, path);
  }

  async delete(reference: string): Promise<boolean> {
    const path = this.#path(reference);
    const existed = await readFile(path).then(
      () => true,
      () => false,
    );
    await rm(path, { force: true });
    return existed;
  }

  async list(): Promise<ImageRecord[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    const out: ImageRecord[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const text = await readFile(join(this.#dir, n), 'utf8').catch(() => undefined);
      if (text !== undefined) out.push(JSON.parse(text) as ImageRecord);
    }
    return out.sort((a, b) => byCodeUnit(a.reference, b.reference));
  }
}
