// Image references as Kubernetes users write them, normalised the way docker/distribution does:
//   busybox                      → docker.io/library/busybox:latest
//   user/app:1                   → docker.io/user/app:1
//   127.0.0.1:5000/app@sha256:…  → 127.0.0.1:5000/app@sha256:…   (first segment with '.', ':' or
//                                   'localhost' is a registry host)
// A reference with both tag and digest keeps both; the digest is what gets pulled.

export const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's single-name images live under this namespace. */
const OFFICIAL_NAMESPACE = 'library';
/** Legacy spelling of Docker Hub that normalises to DEFAULT_DOMAIN. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const DEFAULT_TAG = 'latest';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
/** distribution's limit on the repository name length. */
const MAX_NAME_LENGTH = 255;

export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export class InvalidReferenceError extends Error {
  constructor(reference: string, why: string) {
    super(`invalid image reference "${reference}": ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

/** Parses and normalises a reference; a reference without tag or digest gets `:latest`. */
export function parseReference(input: string): ImageReference {
  const ref = input.trim();
  if (ref === '') throw new InvalidReferenceError(input, 'empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(input, 'malformed digest');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, 'malformed tag');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (!DOMAIN.test(domain)) throw new InvalidReferenceError(input, 'malformed registry host');
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `${OFFICIAL_NAMESPACE}/${path}`;
  if (path.length === 0 || path.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError(input, 'repository name length');
  }
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw new InvalidReferenceError(
        input,
        `repository name must be lowercase alphanumerics (got "${component}")`,
      );
    }
  }
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `domain/path[:tag][@digest]`: the canonical spelling, used as the store's key for a reference. */
export function formatReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Canonical form of any user-written reference (`busybox` → `docker.io/library/busybox:latest`). */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/** What to ask the registry's manifest endpoint for: the digest when pinned, else the tag. */
export function manifestSelector(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}
