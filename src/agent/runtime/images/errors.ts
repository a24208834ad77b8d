// A closed set of image failures with predicates, so the pod worker can turn them into
// ErrImagePull / ImagePullBackOff messages without parsing strings.

export type ImageErrorKind =
  /** The registry has no such repository, tag or digest. */
  | 'NotFound'
  /** The registry refused our credentials (or we had none). */
  | 'Unauthorized'
  /** Content did not hash to its digest, or had the wrong size. */
  | 'DigestMismatch'
  /** The image has nothing for this node's platform, or uses an unsupported format. */
  | 'Unsupported'
  /** The registry could not be reached or answered with a server error. */
  | 'Unavailable'
  /** A layer could not be unpacked (bad tar, path escaping the root, …). */
  | 'Invalid';

export class ImageError extends Error {
  readonly kind: ImageErrorKind;

  constructor(kind: ImageErrorKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ImageError';
    this.kind = kind;
  }
}

export const isImageError = (err: unknown, kind?: ImageErrorKind): err is ImageError =>
  err instanceof ImageError && (kind === undefined || err.kind === kind);
