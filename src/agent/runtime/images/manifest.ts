// OCI / Docker v2 manifest shapes and the pure decisions made on them: which media types we
// accept, which entry of an index matches our platform, and what a layer's compression is.

export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/**
 * Sent on every manifest request. Distribution 2.8 answers 404 MANIFEST_UNKNOWN for an OCI
 * manifest when its type is missing here, so all four are always listed.
 */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime-relevant part of an image config (OCI image-spec `config`). */
export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: ImageRuntimeConfig;
  rootfs: { type: string; diff_ids: string[] };
}

export type Compression = 'none' | 'gzip' | 'zstd';

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciIndex || mediaType === MediaType.DockerManifestList;
}

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest;
}

/**
 * Classifies a manifest body. The Content-Type header wins; bodies without one (OCI layouts)
 * are recognised by their fields, as containerd does.
 */
export function classifyManifest(body: unknown, contentType?: string): 'index' | 'manifest' {
  const type = contentType?.split(';')[0].trim();
  if (type && isIndexMediaType(type)) return 'index';
  if (type && isManifestMediaType(type)) return 'manifest';
  const doc = body as { mediaType?: string; manifests?: unknown; config?: unknown; schemaVersion?: number };
  if (doc?.mediaType && isIndexMediaType(doc.mediaType)) return 'index';
  if (doc?.mediaType && isManifestMediaType(doc.mediaType)) return 'manifest';
  if (Array.isArray(doc?.manifests)) return 'index';
  if (doc?.config && typeof doc.config === 'object') return 'manifest';
  if (doc?.schemaVersion === 1) throw new ManifestError('Docker schema 1 manifests are not supported');
  throw new ManifestError(`unsupported manifest media type ${type ?? '(none)'}`);
}

/** The platform this node runs (Node's arch names mapped to Go's, which images use). */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    s390x: 's390x',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/**
 * Picks the index entry for `want`: same os and architecture; among several, an exact variant
 * match first, then one without a variant. Attestation manifests (platform unknown/unknown) never
 * match.
 */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter(
    (m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture,
  );
  const best =
    candidates.find((m) => want.variant !== undefined && m.platform?.variant === want.variant) ??
    candidates.find((m) => !m.platform?.variant) ??
    candidates[0];
  if (!best) {
    const offered = index.manifests
      .map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'unknown'))
      .join(', ');
    throw new ManifestError(
      `no manifest for platform ${want.os}/${want.architecture} in image index (offers: ${offered || 'none'})`,
    );
  }
  return best;
}

/** Layer compression from its media type (Docker's and OCI's spellings). */
export function layerCompression(mediaType: string): Compression {
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) return 'zstd';
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.gzip') || mediaType === MediaType.DockerLayerGzip) {
    return 'gzip';
  }
  if (mediaType.endsWith('.tar') || mediaType.endsWith('.tar+encrypted')) return 'none';
  throw new ManifestError(`unsupported layer media type ${mediaType}`);
}

/** Sniffs the first bytes: gzip and zstd have magic numbers; anything else is taken as a plain tar. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
    return 'zstd';
  }
  return 'none';
}

export function parseManifest(body: unknown): ImageManifest {
  const m = body as ImageManifest;
  if (!m || typeof m !== 'object' || !m.config || !Array.isArray(m.layers)) {
    throw new ManifestError('image manifest lacks config or layers');
  }
  checkDescriptor(m.config);
  m.layers.forEach(checkDescriptor);
  return m;
}

export function parseIndex(body: unknown): ImageIndex {
  const ix = body as ImageIndex;
  if (!ix || typeof ix !== 'object' || !Array.isArray(ix.manifests)) {
    throw new ManifestError('image index lacks manifests');
  }
  ix.manifests.forEach(checkDescriptor);
  return ix;
}

export function parseImageConfig(body: unknown): ImageConfig {
  const c = body as ImageConfig;
  if (!c || typeof c !== 'object' || !c.rootfs || !Array.isArray(c.rootfs.diff_ids)) {
    throw new ManifestError('image config lacks rootfs.diff_ids');
  }
  return c;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

function checkDescriptor(d: Descriptor): void {
  if (!d || typeof d.digest !== 'string' || !DIGEST_RE.test(d.digest)) {
    throw new ManifestError(`descriptor with unsupported digest ${JSON.stringify(d?.digest)}`);
  }
  if (typeof d.size !== 'number' || d.size < 0)
    throw new ManifestError(`descriptor ${d.digest} lacks a size`);
}
