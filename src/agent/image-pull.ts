// Image pulling per imagePullPolicy with the kubelet's reasons: a failed pull is ErrImagePull,
// and while its back-off (same 10 s → 5 min curve as crashes) runs the container waits in
// ImagePullBackOff.
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import type { ImageService, UnpackedImage } from './runtime/images/image-service.ts';
import type { PullSecretKeyring } from './runtime/images/pull-secrets.ts';

export const REASON_ERR_IMAGE_PULL = 'ErrImagePull';
export const REASON_IMAGE_PULL_BACKOFF = 'ImagePullBackOff';

/** The policy the API server defaults: Always for `:latest` or untagged, else IfNotPresent. */
export function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export type PullOutcome =
  | { kind: 'ready'; image: UnpackedImage; pulled: boolean; ms: number }
  | { kind: 'failed'; reason: string; message: string };

/** Makes the container's image available; `present` images skip the registry unless Always. */
export async function ensureImage(
  images: ImageService,
  c: Container,
  onPulling: () => void,
  keyring?: PullSecretKeyring,
): Promise<PullOutcome> {
  const ref = c.image ?? '';
  const policy = pullPolicy(c);
  const present = await images.get(ref).catch(() => undefined);
  if (present && policy !== 'Always') {
    return { kind: 'ready', image: await images.unpack(ref), pulled: false, ms: 0 };
  }
  if (policy === 'Never') {
    return {
      kind: 'failed',
      reason: 'ErrImageNeverPull',
      message: `Container image "${ref}" is not present with pull policy of Never`,
    };
  }
  onPulling();
  const t0 = Date.now();
  try {
    await images.pull(ref, keyring ? { keyring } : {});
    return { kind: 'ready', image: await images.unpack(ref), pulled: true, ms: Date.now() - t0 };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return {
      kind: 'failed',
      reason: REASON_ERR_IMAGE_PULL,
      message: `failed to pull image "${ref}": ${msg}`,
    };
  }
}
