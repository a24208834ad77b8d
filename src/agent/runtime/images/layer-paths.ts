// Path rules for applying layer tarballs, pure so they are easy to test:
//  - entry names are relative to the image root; a leading `/` or `./` is dropped (umoci's first
//    layer has a `/` entry), and any `..` component is refused rather than clamped;
//  - `.wh.NAME` deletes NAME from lower layers; `.wh..wh..opq` empties its directory of
//    lower-layer content (OCI image-spec "whiteouts"); other `.wh..wh.` names are AUFS
//    bookkeeping and are ignored.

import { posix } from 'node:path';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** AUFS metadata entries (`.wh..wh.plnk`, `.wh..wh.aufs`) that carry no content. */
const AUFS_META_PREFIX = '.wh..wh.';

export class UnsafePathError extends Error {
  constructor(name: string) {
    super(`layer entry "${name}" escapes the image root`);
    this.name = 'UnsafePathError';
  }
}

/** Normalises an entry name to `a/b/c` (no leading slash); '' is the root itself. */
export function cleanEntryName(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new UnsafePathError(name);
    parts.push(part);
  }
  return parts.join('/');
}

export type WhiteoutKind =
  | { kind: 'none' }
  | { kind: 'opaque'; dir: string }
  | { kind: 'whiteout'; target: string }
  | { kind: 'meta' };

/** Classifies a cleaned entry name as a regular entry, a whiteout or an opaque marker. */
export function classifyWhiteout(clean: string): WhiteoutKind {
  const base = posix.basename(clean);
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const dir = posix.dirname(clean);
  const parent = dir === '.' ? '' : dir;
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir: parent };
  if (base.startsWith(AUFS_META_PREFIX)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'meta' };
  return { kind: 'whiteout', target: parent ? `${parent}/${name}` : name };
}

/**
 * Resolves a symlink target found at `linkDir/…` to a root-relative path, clamped to the root the
 * way a chroot would resolve it: absolute targets start at the image root, `..` stops at it.
 */
export function resolveLinkTarget(linkDir: string, target: string): string {
  const joined = target.startsWith('/') ? target : `/${linkDir}/${target}`;
  return posix.normalize(joined).replace(/^\/+/, '').replace(/\/+$/, '');
}
