// Pull: resolve the reference against mirrors then the registry, fetch the manifest (following
// an index to this node's platform), then the config and the layers (concurrently) into the
// content store, verifying every digest and size. Returns the record to store; unpacking is
// separate.
//
//   reference ─► endpoints (mirrors…, registry) ─► manifest/index ─► platform manifest
//             ─► config blob ─► layer blobs (≤ N at once, resumable) ─► ImageRecord

import { isoMillis } from '../../../util/time-format.ts';
import type { ContentStore } from './content-store.ts';
import { sha256Digest } from './content-store.ts';
import { ImageError, isImageError } from './errors.ts';
import type { ImageRecord } from './image-records.ts';
import {
  classifyManifest,
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  ManifestError,
  type Platform,
  parseImageConfig,
  parseIndex,
  parseManifest,
  selectPlatform,
} from './manifest.ts';
import { mapLimit } from './map-limit.ts';
import { formatReference, type ImageReference, manifestSelector } from './reference.ts';
import { type RegistriesConfig, type RegistryEndpoint, resolveEndpoints } from './registries-config.ts';
import type { ManifestResponse, RegistryClient } from './registry-client.ts';

export interface PullDeps {
  client: RegistryClient;
  store: ContentStore;
  registries: RegistriesConfig;
  platform: Platform;
  /** Layers downloaded at once; containerd's default is 3. */
  concurrency: number;
}

export async function pullImage(
  deps: PullDeps,
  ref: ImageReference,
  signal?: AbortSignal,
): Promise<ImageRecord> {
  const endpoints = resolveEndpoints(ref, deps.registries);
  let lastError: unknown;
  for (const ep of endpoints) {
    let top: ManifestResponse;
    try {
      top = await deps.client.getManifest(ep, manifestSelector(ref), signal);
    } catch (err) {
      // A mirror that lacks the image, refuses us or is down falls through to the next endpoint.
      if (isImageError(err) && (ep.isMirror || endpoints.length > 1) && err.kind !== 'DigestMismatch') {
        lastError = err;
        continue;
      }
      throw err;
    }
    return pullFrom(deps, ref, ep, top, signal);
  }
  throw lastError ?? new ImageError('NotFound', `no registry endpoint for ${formatReference(ref)}`);
}

async function pullFrom(
  deps: PullDeps,
  ref: ImageReference,
  ep: RegistryEndpoint,
  top: ManifestResponse,
  signal?: AbortSignal,
): Promise<ImageRecord> {
  const targetDigest = verifyManifest(top, ref.digest);
  let manifestResp = top;
  let manifestDigest = targetDigest;
  try {
    if (classifyManifest(JSON.parse(top.body.toString('utf8')), top.mediaType) === 'index') {
      const index = parseIndex(JSON.parse(top.body.toString('utf8')));
      await deps.store.put(top.body, targetDigest);
      const chosen = selectPlatform(index, deps.platform);
      manifestResp = await deps.client.getManifest(ep, chosen.digest, signal);
      manifestDigest = verifyManifest(manifestResp, chosen.digest);
    }
  } catch (err) {
    if (err instanceof ManifestError) throw new ImageError('Unsupported', err.message, err);
    if (err instanceof SyntaxError)
      throw new ImageError('Invalid', `manifest is not JSON: ${err.message}`, err);
    throw err;
  }
  let manifest: ImageManifest;
  try {
    manifest = parseManifest(JSON.parse(manifestResp.body.toString('utf8')));
  } catch (err) {
    throw new ImageError('Unsupported', (err as Error).message, err);
  }
  await deps.store.put(manifestResp.body, manifestDigest);
  const fetchBlob = (d: Descriptor) =>
    deps.store.ingest(d.digest, d.size, async (offset) => {
      const res = await deps.client.getBlob(ep, d.digest, offset, signal);
      return { body: res.body, resumed: offset > 0 && res.status === 206 };
    });
  await fetchBlob(manifest.config);
  const config = readConfig(await deps.store.read(manifest.config.digest));
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError(
      'Invalid',
      `image config lists ${config.rootfs.diff_ids.length} diff_ids for ${manifest.layers.length} layers`,
    );
  }
  await mapLimit(manifest.layers, deps.concurrency, fetchBlob);
  const reference = formatReference(ref);
  return {
    reference,
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

/** Returns the body's digest after checking it against what was asked for and what was announced. */
function verifyManifest(resp: ManifestResponse, expected?: string): string {
  const digest = sha256Digest(resp.body);
  if (expected !== undefined && expected !== digest) {
    throw new ImageError('DigestMismatch', `manifest digest ${digest} does not match requested ${expected}`);
  }
  if (resp.digest?.startsWith('sha256:') && resp.digest !== digest) {
    throw new ImageError(
      'DigestMismatch',
      `manifest digest ${digest} does not match registry's ${resp.digest}`,
    );
  }
  return digest;
}

function readConfig(body: Buffer): ImageConfig {
  try {
    return parseImageConfig(JSON.parse(body.toString('utf8')));
  } catch (err) {
    throw new ImageError('Invalid', `bad image config: ${(err as Error).message}`, err);
  }
}
