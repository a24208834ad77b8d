// The node's image service: pull / import / list / remove / GC over one root directory.
//
//   <root>/blobs/sha256/<hex>   verified blobs (index, manifests, configs, compressed layers)
//   <root>/ingest/              partial downloads (resumed by the next pull)
//   <root>/images/<sha>.json    one ImageRecord per canonical reference
//   <root>/rootfs/<id-hex>/     each image flattened once: the containers' overlay lowerdir
//   <root>/tmp/                 scratch for imports
//
// GC keeps what any record or a caller-declared in-use image ID reaches and deletes the rest; it
// excludes concurrent pulls and imports (which write blobs before their record exists).

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from './content-store.ts';
import { ImageError } from './errors.ts';
import { type ImageRecord, ImageRecords } from './image-records.ts';
import { type ImportOptions, importImages } from './importer.ts';
import { hostPlatform, type ImageConfig, type Platform } from './manifest.ts';
import type { PullSecretKeyring } from './pull-secrets.ts';
import { pullImage } from './puller.ts';
import { formatReference, parseReference } from './reference.ts';
import { credentialsFor, type RegistriesConfig } from './registries-config.ts';
import { RegistryClient } from './registry-client.ts';
import type { RegistryHttp } from './registry-http.ts';
import { Unpacker } from './unpacker.ts';

/** containerd pulls three layers at once by default; more mostly adds contention on 2 cores. */
const DEFAULT_LAYER_CONCURRENCY = 3;

export interface ImageServiceOptions {
  root: string;
  registries?: RegistriesConfig;
  platform?: Platform;
  layerConcurrency?: number;
  /** The registry HTTP layer (default: registry-http.ts on node:https). */
  http?: RegistryHttp;
}

/** What the runtime needs to run a container from an image. */
export interface UnpackedImage {
  id: string;
  reference: string;
  repoDigest: string;
  /** Flattened, read-only root filesystem (overlay lowerdir). */
  rootfs: string;
  config: ImageConfig;
}

export interface GcResult {
  removedBlobs: number;
  removedRootfs: number;
}

export class ImageService {
  readonly root: string;
  readonly #store: ContentStore;
  readonly #records: ImageRecords;
  readonly #unpacker: Unpacker;
  readonly #client: RegistryClient;
  readonly #registries: RegistriesConfig;
  readonly #platform: Platform;
  readonly #concurrency: number;
  readonly #http: RegistryHttp | undefined;
  readonly #pulls = new Map<string, Promise<ImageRecord>>();
  /** Writers (pull/import) in flight, and the GC that excludes them. */
  #writers = new Set<Promise<unknown>>();
  #gc: Promise<GcResult> | undefined;

  constructor(opts: ImageServiceOptions) {
    this.root = opts.root;
    this.#store = new ContentStore(opts.root);
    this.#records = new ImageRecords(opts.root);
    this.#unpacker = new Unpacker(opts.root, this.#store);
    this.#registries = opts.registries ?? {};
    this.#platform = opts.platform ?? hostPlatform();
    this.#concurrency = opts.layerConcurrency ?? DEFAULT_LAYER_CONCURRENCY;
    this.#http = opts.http;
    this.#client = new RegistryClient({
      credentials: (host) => credentialsFor(host, this.#registries),
      ...(opts.http ? { http: opts.http } : {}),
    });
  }

  async init(): Promise<void> {
    await this.#store.init();
    await this.#records.init();
    await this.#unpacker.init();
  }

  /**
   * Pulls (or re-pulls) a reference; concurrent pulls of one reference with the same credentials
   * share one download. `keyring` (a pod's imagePullSecrets) is consulted before the node's
   * registries config; such a pull gets its own client so its tokens are never reused by a pull
   * without those secrets.
   */
  pull(
    reference: string,
    opts: { signal?: AbortSignal; keyring?: PullSecretKeyring } = {},
  ): Promise<ImageRecord> {
    const ref = parseReference(reference);
    const keyring = opts.keyring?.size ? opts.keyring : undefined;
    const key = `${formatReference(ref)}${keyring ? ` ${keyring.fingerprint}` : ''}`;
    const inflight = this.#pulls.get(key);
    if (inflight) return inflight;
    const client = keyring
      ? new RegistryClient({
          credentials: (host) => keyring.lookup(host, ref.path) ?? credentialsFor(host, this.#registries),
          ...(this.#http ? { http: this.#http } : {}),
        })
      : this.#client;
    const p = this.#write(async () => {
      const record = await pullImage(
        {
          client,
          store: this.#store,
          registries: this.#registries,
          platform: this.#platform,
          concurrency: this.#concurrency,
        },
        ref,
        opts.signal,
      );
      await this.#records.put(record);
      return record;
    }).finally(() => this.#pulls.delete(key));
    this.#pulls.set(key, p);
    return p;
  }

  /** Imports an OCI layout (dir or tar) or a `docker save` tarball. */
  import(path: string, opts: ImportOptions = {}): Promise<ImageRecord[]> {
    return this.#write(async () => {
      const records = await importImages(
        { store: this.#store, platform: this.#platform, tmpDir: join(this.root, 'tmp') },
        path,
        opts,
      );
      for (const r of records) await this.#records.put(r);
      return records;
    });
  }

  /** A stored image by reference (any spelling) or by image ID (`sha256:...`). */
  async get(referenceOrId: string): Promise<ImageRecord | undefined> {
    if (/^sha256:[a-f0-9]{64}$/.test(referenceOrId)) {
      return (await this.#records.list()).find((r) => r.id === referenceOrId);
    }
    let key: string;
    try {
      key = formatReference(parseReference(referenceOrId));
    } catch {
      return undefined;
    }
    return this.#records.get(key);
  }

  list(): Promise<ImageRecord[]> {
    return this.#records.list();
  }

  /** Removes a reference, or every reference of an image ID; blobs go at the next GC. */
  async remove(referenceOrId: string): Promise<boolean> {
    if (/^sha256:[a-f0-9]{64}$/.test(referenceOrId)) {
      let any = false;
      for (const r of await this.#records.list()) {
        if (r.id === referenceOrId) any = (await this.#records.delete(r.reference)) || any;
      }
      return any;
    }
    return this.#records.delete(formatReference(parseReference(referenceOrId)));
  }

  /** The image's flattened rootfs, unpacking it once. */
  async unpack(referenceOrId: string): Promise<UnpackedImage> {
    const record = await this.get(referenceOrId);
    if (!record) throw new ImageError('NotFound', `image ${referenceOrId} is not present on this node`);
    const rootfs = await this.#unpacker.unpack(record);
    return {
      id: record.id,
      reference: record.reference,
      repoDigest: record.repoDigest,
      rootfs,
      config: record.config,
    };
  }

  /**
   * Deletes blobs and unpacked trees that no record references. `keep` names image IDs still used
   * by containers (an image removed while a container runs keeps its rootfs until the next GC).
   */
  gc(opts: { keep?: Iterable<string> } = {}): Promise<GcResult> {
    if (this.#gc) return this.#gc;
    const run = async (): Promise<GcResult> => {
      while (this.#writers.size > 0) await Promise.allSettled([...this.#writers]);
      const records = await this.#records.list();
      const keepIds = new Set<string>([...(opts.keep ?? []), ...records.map((r) => r.id)]);
      const liveBlobs = new Set<string>();
      for (const r of records) {
        liveBlobs.add(r.id);
        liveBlobs.add(r.manifestDigest);
        liveBlobs.add(r.targetDigest);
        for (const l of r.layers) liveBlobs.add(l.digest);
      }
      let removedBlobs = 0;
      for (const d of await this.#store.list()) {
        if (liveBlobs.has(d)) continue;
        await this.#store.delete(d);
        removedBlobs++;
      }
      let removedRootfs = 0;
      for (const id of await this.#unpacker.list()) {
        if (keepIds.has(id)) continue;
        await this.#unpacker.remove(id);
        removedRootfs++;
      }
      await this.#store.clearIngest();
      await rm(join(this.root, 'tmp'), { recursive: true, force: true });
      return { removedBlobs, removedRootfs };
    };
    this.#gc = run().finally(() => {
      this.#gc = undefined;
    });
    return this.#gc;
  }

  async #write<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#gc) await this.#gc.catch(() => {});
    const p = fn();
    this.#writers.add(p);
    try {
      return await p;
    } finally {
      this.#writers.delete(p);
    }
  }
}

export type { ImageRecord };
