import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyManifest,
  type Descriptor,
  layerCompression,
  MANIFEST_ACCEPT,
  ManifestError,
  MediaType,
  parseManifest,
  selectPlatform,
  sniffCompression,
} from './manifest.ts';

const d = (n: number, platform?: Descriptor['platform']): Descriptor => ({
  mediaType: MediaType.OciManifest,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 10,
  ...(platform ? { platform } : {}),
});

describe('manifests', () => {
  it('accepts all four manifest media types (distribution 404s OCI without them)', () => {
    for (const t of [
      MediaType.OciIndex,
      MediaType.OciManifest,
      MediaType.DockerManifest,
      MediaType.DockerManifestList,
    ]) {
      assert.ok(MANIFEST_ACCEPT.includes(t), t);
    }
  });

  it('picks linux/amd64 from an index, skipping attestations and other arches', () => {
    const index = {
      schemaVersion: 2 as const,
      manifests: [
        d(1, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        d(2, { os: 'unknown', architecture: 'unknown' }),
        d(3, { os: 'linux', architecture: 'amd64' }),
        d(4, { os: 'windows', architecture: 'amd64' }),
      ],
    };
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, d(3).digest);
    assert.equal(
      selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest,
      d(1).digest,
    );
    assert.throws(
      () => selectPlatform(index, { os: 'linux', architecture: 's390x' }),
      /no manifest for platform linux\/s390x/,
    );
  });

  it('prefers an exact variant, then no variant', () => {
    const index = {
      schemaVersion: 2 as const,
      manifests: [
        d(5, { os: 'linux', architecture: 'arm', variant: 'v6' }),
        d(6, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      ],
    };
    assert.equal(
      selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest,
      d(6).digest,
    );
  });

  it('classifies by content type, then by fields', () => {
    assert.equal(classifyManifest({}, `${MediaType.DockerManifestList}; charset=utf-8`), 'index');
    assert.equal(classifyManifest({ manifests: [] }), 'index');
    assert.equal(classifyManifest({ config: {}, layers: [] }), 'manifest');
    assert.throws(() => classifyManifest({ schemaVersion: 1 }), ManifestError);
  });

  it('maps layer media types to compression and sniffs magic bytes', () => {
    assert.equal(layerCompression(MediaType.DockerLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.OciLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.OciLayer), 'none');
    assert.equal(layerCompression(MediaType.OciLayerZstd), 'zstd');
    assert.throws(() => layerCompression('application/x-unknown'), ManifestError);
    assert.equal(sniffCompression(Uint8Array.from([0x1f, 0x8b, 8])), 'gzip');
    assert.equal(sniffCompression(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
    assert.equal(sniffCompression(Buffer.from('bin/')), 'none');
  });

  it('refuses descriptors without sha256 digests or sizes', () => {
    assert.throws(() => parseManifest({ config: { digest: 'md5:x', size: 1 }, layers: [] }), ManifestError);
    assert.throws(
      () => parseManifest({ config: d(1), layers: [{ ...d(2), size: undefined }] }),
      ManifestError,
    );
  });
});
