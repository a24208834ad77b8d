// Test images built offline from Debian's busybox-static, as OCI images in memory that tests write
// as OCI layouts or `docker save` tarballs, or push to a test registry.
//
// The standard image has two layers:
//   1. a busybox rootfs (applets installed as symlinks by `busybox --install -s` run INSIDE a chroot,
//      so links point at /bin/busybox and not at the host), /etc/passwd and /etc/group, a web root,
//      /etc/opq/{a,b}, /etc/motd and a hardlink;
//   2. `bin/.wh.vi` (whiteout: /bin/vi disappears), `etc/opq/.wh..wh..opq` + `etc/opq/c` (opaque
//      dir: only c remains), and a new /etc/motd.
// Everything is deterministic (fixed mtimes, uid 0, sorted entries), so digests are stable.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

const execFileP = promisify(execFile);

export const BUSYBOX = '/bin/busybox';
/** Fixed mtime for every entry: reproducible digests. */
const EPOCH = new Date('2024-01-01T00:00:00Z');
export const WEB_PAGE = 'hello from a skiff pod\n';

export const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  data: Buffer;
}

export interface Layer extends Blob {
  diffId: string;
}

export interface OciImage {
  manifest: Blob;
  config: Blob;
  layers: Layer[];
}

export interface OciIndex {
  index: Blob;
  images: OciImage[];
}

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function blob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256(data), size: data.length, data };
}

/** Packs entries into an uncompressed tar, in the given order. */
export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c) => chunks.push(c as Buffer));
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) {
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    const header = {
      name: e.name,
      type: e.type,
      mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: EPOCH,
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.type === 'file' ? { size: content?.length ?? 0 } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') p.entry(header, content ?? Buffer.alloc(0), cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A gzip layer from a tar; `gzip: false` keeps it uncompressed. */
export function makeLayer(tar: Buffer, opts: { gzip?: boolean; mediaType?: string } = {}): Layer {
  const gzip = opts.gzip ?? true;
  const data = gzip ? gzipSync(tar) : tar;
  return { ...blob(opts.mediaType ?? (gzip ? MT.layerGzip : MT.layerTar), data), diffId: sha256(tar) };
}

/** Walks a directory into sorted tar entries (hardlinks by inode become `link` entries). */
export async function dirToEntries(root: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const seen = new Map<string, string>();
  const walk = async (rel: string) => {
    const names = (await readdir(join(root, rel))).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const abs = join(root, r);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out.push({ name: r, type: 'symlink', linkname: await readlink(abs) });
      else if (st.isDirectory()) {
        out.push({ name: `${r}/`, type: 'directory', mode });
        await walk(r);
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(key) : undefined;
        if (first) out.push({ name: r, type: 'link', linkname: first });
        else {
          if (st.nlink > 1) seen.set(key, r);
          out.push({ name: r, type: 'file', mode, content: await readFile(abs) });
        }
      }
    }
  };
  await walk('');
  return out;
}

let rootfsLayer: Promise<Layer> | undefined;

/**
 * Layer 1: the busybox rootfs. Built once per process in a temp dir (removed afterwards); the
 * applet symlinks come from `chroot <dir> /bin/busybox --install -s`.
 */
export function busyboxRootfsLayer(): Promise<Layer> {
  rootfsLayer ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-img-'));
    try {
      for (const d of [
        'bin',
        'sbin',
        'usr/bin',
        'usr/sbin',
        'etc/opq',
        'www',
        'root',
        'tmp',
        'proc',
        'sys',
        'dev',
      ]) {
        await mkdir(join(dir, d), { recursive: true });
      }
      await copyFile(BUSYBOX, join(dir, 'bin/busybox'));
      await execFileP('chroot', [dir, '/bin/busybox', '--install', '-s']);
      await writeFile(
        join(dir, 'etc/passwd'),
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\napp:x:1000:1000:app:/tmp:/bin/sh\n',
      );
      await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nextra:x:2000:app\n');
      await writeFile(join(dir, 'etc/motd'), 'layer1\n');
      await writeFile(join(dir, 'etc/opq/a'), 'a\n');
      await writeFile(join(dir, 'etc/opq/b'), 'b\n');
      await writeFile(join(dir, 'www/index.html'), WEB_PAGE);
      await link(join(dir, 'etc/motd'), join(dir, 'etc/motd.hardlink'));
      await link(join(dir, 'www/index.html'), join(dir, 'www/index.htm'));
      const entries = await dirToEntries(dir);
      for (const e of entries) if (e.name === 'tmp/') e.mode = 0o1777;
      return makeLayer(await packTar(entries));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return rootfsLayer;
}

/** Layer 2: whiteout of /bin/vi, opaque /etc/opq with a new file, a new /etc/motd. */
export async function whiteoutLayer(): Promise<Layer> {
  return makeLayer(
    await packTar([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/.wh.vi', type: 'file', content: '' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/motd', type: 'file', content: 'layer2\n' },
      { name: 'etc/opq/', type: 'directory' },
      { name: 'etc/opq/.wh..wh..opq', type: 'file', content: '' },
      { name: 'etc/opq/c', type: 'file', content: 'c\n' },
    ]),
  );
}

export interface ImageOptions {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  architecture?: string;
  /** Docker v2 schema 2 media types instead of OCI's. */
  docker?: boolean;
  labels?: Record<string, string>;
}

export function buildImage(layers: Layer[], opts: ImageOptions = {}): OciImage {
  const docker = opts.docker ?? false;
  const config = {
    architecture: opts.architecture ?? 'amd64',
    os: 'linux',
    created: EPOCH.toISOString(),
    config: {
      Env: opts.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: opts.cmd ?? ['sh'],
      ...(opts.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
      WorkingDir: opts.workingDir ?? '/',
      ...(opts.user ? { User: opts.user } : {}),
      ...(opts.labels ? { Labels: opts.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  const configBlob = blob(docker ? MT.dockerConfig : MT.config, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MT.dockerManifest : MT.manifest,
    config: { mediaType: configBlob.mediaType, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l) => ({
      mediaType: docker && l.mediaType === MT.layerGzip ? MT.dockerLayer : l.mediaType,
      digest: l.digest,
      size: l.size,
    })),
  };
  return {
    manifest: blob(manifest.mediaType, Buffer.from(JSON.stringify(manifest))),
    config: configBlob,
    layers,
  };
}

export function buildIndex(images: { image: OciImage; architecture: string }[]): OciIndex {
  const index = {
    schemaVersion: 2,
    mediaType: MT.index,
    manifests: images.map(({ image, architecture }) => ({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      platform: { os: 'linux', architecture },
    })),
  };
  return { index: blob(MT.index, Buffer.from(JSON.stringify(index))), images: images.map((i) => i.image) };
}

/** The standard two-layer test image. */
export async function busyboxImage(opts: ImageOptions = {}): Promise<OciImage> {
  return buildImage([await busyboxRootfsLayer(), await whiteoutLayer()], opts);
}

function allBlobs(image: OciImage): Blob[] {
  return [image.manifest, image.config, ...image.layers];
}

/** Writes an OCI layout directory; `name` is stored as `org.opencontainers.image.ref.name`. */
export async function writeOciLayout(dir: string, entries: { image: OciImage | OciIndex; name?: string }[]) {
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = [];
  for (const { image, name } of entries) {
    const top = 'index' in image ? image.index : image.manifest;
    const blobs = 'index' in image ? [image.index, ...image.images.flatMap(allBlobs)] : allBlobs(image);
    for (const b of blobs) await writeFile(join(dir, 'blobs/sha256', b.digest.slice(7)), b.data);
    manifests.push({
      mediaType: top.mediaType,
      digest: top.digest,
      size: top.size,
      ...(name ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}),
    });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** Writes a `docker save`-style tarball: manifest.json, <config>.json, <n>/layer.tar (uncompressed). */
export async function writeDockerSave(path: string, image: OciImage, repoTags: string[]): Promise<void> {
  const entries: TarEntry[] = [];
  const layerPaths: string[] = [];
  image.layers.forEach((l, i) => {
    const tar = l.mediaType.endsWith('gzip') ? gunzipSync(l.data) : l.data;
    entries.push(
      { name: `${i}/`, type: 'directory' },
      { name: `${i}/layer.tar`, type: 'file', content: tar },
    );
    layerPaths.push(`${i}/layer.tar`);
  });
  const configName = `${image.config.digest.slice(7)}.json`;
  entries.push({ name: configName, type: 'file', content: image.config.data });
  entries.push({
    name: 'manifest.json',
    type: 'file',
    content: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerPaths }]),
  });
  await writeFile(path, await packTar(entries));
}

/** Tars a directory (used to turn an OCI layout into an archive). */
export async function tarDirectory(dir: string, out: string): Promise<void> {
  await writeFile(out, await packTar(await dirToEntries(dir)));
}
