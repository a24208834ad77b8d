// `skiff image import`: images from an OCI image layout (directory or tarball: `oci-layout`,
// `index.json`, `blobs/sha256/…`) or a `docker save` tarball (`manifest.json` with Config,
// RepoTags and uncompressed Layers) into the content store. Every blob is re-hashed on the way in.
// Names come from the archive (`io.containerd.image.name`, `org.opencontainers.image.ref.name`,
// RepoTags) or from the caller's `reference`.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, realpath, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isoMillis } from '../../../util/time-format.ts';
import type { ContentStore } from './content-store.ts';
import { ImageError } from './errors.ts';
import type { ImageRecord } from './image-records.ts';
import { cleanEntryName } from './layer-paths.ts';
import {
  classifyManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  MediaType,
  type Platform,
  parseImageConfig,
  parseIndex,
  parseManifest,
  selectPlatform,
  sniffCompression,
} from './manifest.ts';
import { formatReference, type ImageReference, parseReference } from './reference.ts';

/** Annotation containerd and nerdctl put on index entries with the full image name. */
const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';
/** OCI's name annotation: a full reference, or only a tag. */
const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface ImportDeps {
  store: ContentStore;
  platform: Platform;
  /** Scratch space for unpacking archives (same filesystem as the store). */
  tmpDir: string;
}

export interface ImportOptions {
  /** Name to give an image the archive does not name (or the only image, overriding a bare tag). */
  reference?: string;
}

export async function importImages(
  deps: ImportDeps,
  path: string,
  opts: ImportOptions = {},
): Promise<ImageRecord[]> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new ImageError('NotFound', `no such archive ${path}`);
  if (st.isDirectory()) return importDir(deps, path, opts);
  await mkdir(deps.tmpDir, { recursive: true });
  const dir = join(deps.tmpDir, `import-${process.pid}-${Date.now()}`);
  await mkdir(dir);
  try {
    await extractArchive(path, dir);
    return await importDir(deps, dir, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importDir(deps: ImportDeps, dir: string, opts: ImportOptions): Promise<ImageRecord[]> {
  if (await exists(join(dir, 'index.json'))) return importOciLayout(deps, dir, opts);
  if (await exists(join(dir, 'manifest.json'))) return importDockerSave(deps, dir, opts);
  throw new ImageError(
    'Invalid',
    `${dir} is neither an OCI layout (index.json) nor a docker save (manifest.json)`,
  );
}

async function importOciLayout(deps: ImportDeps, dir: string, opts: ImportOptions): Promise<ImageRecord[]> {
  const index = parseIndex(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')));
  const out: ImageRecord[] = [];
  for (const entry of index.manifests) {
    const reference = nameFromAnnotations(entry, opts, index.manifests.length);
    const targetDigest = entry.digest;
    const manifestDesc = await resolvePlatformManifest(deps, dir, entry);
    const manifest = parseManifest(JSON.parse((await copyBlob(deps, dir, manifestDesc)).toString('utf8')));
    const record = await storeImage(manifest, manifestDesc.digest, targetDigest, reference, (d) =>
      copyBlob(deps, dir, d),
    );
    out.push(record);
  }
  return out;
}

async function resolvePlatformManifest(
  deps: ImportDeps,
  dir: string,
  entry: Descriptor,
): Promise<Descriptor> {
  let desc = entry;
  for (let depth = 0; depth < 4; depth++) {
    const body = await copyBlob(deps, dir, desc);
    const doc = JSON.parse(body.toString('utf8')) as unknown;
    if (classifyManifest(doc, desc.mediaType) === 'manifest') return desc;
    desc = selectPlatform(parseIndex(doc) as ImageIndex, deps.platform);
  }
  throw new ImageError('Invalid', 'image indexes nested too deeply');
}

function nameFromAnnotations(entry: Descriptor, opts: ImportOptions, count: number): ImageReference {
  const full = entry.annotations?.[CONTAINERD_NAME_ANNOTATION];
  const refName = entry.annotations?.[OCI_REF_NAME_ANNOTATION];
  if (opts.reference && count === 1) return parseReference(opts.reference);
  if (full) return parseReference(full);
  if (refName && /[/:@]/.test(refName)) return parseReference(refName);
  if (refName && opts.reference) return parseReference(`${opts.reference.replace(/[:@].*$/, '')}:${refName}`);
  if (opts.reference) return parseReference(opts.reference);
  throw new ImageError('Invalid', `image ${entry.digest} in the layout has no name; pass a reference`);
}

async function importDockerSave(deps: ImportDeps, dir: string, opts: ImportOptions): Promise<ImageRecord[]> {
  const entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    Config: string;
    RepoTags?: string[] | null;
    Layers: string[];
  }[];
  const out: ImageRecord[] = [];
  for (const entry of entries) {
    const configBody = await readInside(dir, entry.Config);
    const configDigest = await deps.store.put(configBody);
    const layers: Descriptor[] = [];
    for (const layerPath of entry.Layers) {
      const file = await insidePath(dir, layerPath);
      const head = await readHead(file);
      const compression = sniffCompression(head);
      const mediaType =
        compression === 'gzip'
          ? MediaType.OciLayerGzip
          : compression === 'zstd'
            ? MediaType.OciLayerZstd
            : MediaType.OciLayer;
      const digest = await hashFile(file);
      const size = (await stat(file)).size;
      await deps.store.ingest(digest, size, async () => ({ body: createReadStream(file), resumed: false }));
      layers.push({ mediaType, digest, size });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configDigest, size: configBody.length },
      layers,
    };
    const manifestBody = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = await deps.store.put(manifestBody);
    const names = entry.RepoTags?.length ? entry.RepoTags : opts.reference ? [opts.reference] : [];
    if (names.length === 0)
      throw new ImageError('Invalid', `image ${configDigest} has no RepoTags; pass a reference`);
    for (const name of names) {
      out.push(
        await storeImage(manifest, manifestDigest, manifestDigest, parseReference(name), async (d) =>
          deps.store.read(d.digest),
        ),
      );
    }
  }
  return out;
}

async function storeImage(
  manifest: ImageManifest,
  manifestDigest: string,
  targetDigest: string,
  ref: ImageReference,
  fetchBlob: (d: Descriptor) => Promise<Buffer>,
): Promise<ImageRecord> {
  const config = parseImageConfig(JSON.parse((await fetchBlob(manifest.config)).toString('utf8')));
  for (const layer of manifest.layers) await fetchBlob(layer);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError('Invalid', 'image config diff_ids do not match the manifest layers');
  }
  return {
    reference: formatReference(ref),
    id: manifest.config.digest,
    manifestDigest,
    targetDigest,
    repoDigest: `${ref.domain}/${ref.path}@${targetDigest}`,
    layers: manifest.layers,
    config,
    size: manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0),
    storedAt: isoMillis(Date.now()),
  };
}

/** Copies a layout blob into the store (verified) and returns small blobs' content. */
async function copyBlob(deps: ImportDeps, dir: string, d: Descriptor): Promise<Buffer> {
  const file = await insidePath(dir, `blobs/sha256/${d.digest.replace(/^sha256:/, '')}`);
  await deps.store.ingest(d.digest, d.size, async () => ({ body: createReadStream(file), resumed: false }));
  // Layers can be large; only manifests and configs are read back by callers that use the result.
  return d.size <= 4 * 1024 * 1024 ? deps.store.read(d.digest) : Buffer.alloc(0);
}

async function insidePath(dir: string, rel: string): Promise<string> {
  const root = await realpath(dir);
  const full = await realpath(join(root, cleanEntryName(rel))).catch(() => {
    throw new ImageError('Invalid', `archive lacks ${rel}`);
  });
  if (!full.startsWith(`${root}/`))
    throw new ImageError('Invalid', `archive path ${rel} escapes the archive`);
  return full;
}

async function readInside(dir: string, rel: string): Promise<Buffer> {
  return readFile(await insidePath(dir, rel));
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Unpacks an archive's regular files, directories and in-archive symlinks into `dir`. */
async function extractArchive(path: string, dir: string): Promise<void> {
  // Loaded on use (as in apply-layer.ts): the agent imports this module at start-up.
  const [{ extract: tarExtract }, { createGunzip }] = await Promise.all([
    import('tar-stream'),
    import('node:zlib'),
  ]);
  const extract = tarExtract();
  const done = (async () => {
    for await (const entry of extract) {
      const name = cleanEntryName(entry.header.name);
      const target = join(dir, name);
      if (name === '') {
        entry.resume();
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      if (entry.header.type === 'directory') {
        await mkdir(target, { recursive: true });
      } else if (entry.header.type === 'file') {
        const fh = await open(target, 'w');
        try {
          for await (const chunk of entry) await fh.write(chunk as Uint8Array);
        } finally {
          await fh.close();
        }
        continue;
      } else if (entry.header.type === 'symlink') {
        await symlink(entry.header.linkname, target);
      }
      entry.resume();
    }
  })();
  // `docker save | gzip` and `.tar.gz` layouts are common: sniff instead of trusting the name.
  const input =
    sniffCompression(await readHead(path)) === 'gzip'
      ? createReadStream(path).pipe(createGunzip())
      : createReadStream(path);
  input.pipe(extract as unknown as NodeJS.WritableStream);
  input.on('error', (err: Error) => extract.destroy(err));
  await done;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
