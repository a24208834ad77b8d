// `volumes:` entries of a service in both forms: short `[SOURCE:]TARGET[:MODE]` and long
// `{type, source, target, read_only, …}`. A source that is a path is a bind mount; a name is a named
// volume; no source is an anonymous volume.
import type { Json, JsonMap } from './types.ts';

export interface Mount {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Named volume, host path (as written) or image; absent for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size as written (bytes or `64m`). */
  size?: Json;
  subpath?: string;
  /** Long-form keys the converter cannot honour (consistency, bind.propagation, …). */
  unmapped: string[];
}

const PATH_SOURCE = /^(\.{1,2}([/\\]|$)|~|\/|[A-Za-z]:[/\\])/;
/** Short-form modes and what they mean; SELinux and consistency flags have no Kubernetes analogue. */
const MODES = new Set(['ro', 'rw', 'z', 'Z', 'cached', 'delegated', 'consistent', 'nocopy']);

export const isPathSource = (source: string): boolean => PATH_SOURCE.test(source);

export function parseMount(entry: Json): Mount {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    // A trailing part that is a list of modes (`ro,z`) is the mode.
    let modes: string[] = [];
    if (parts.length > 1 && parts[parts.length - 1].split(',').every((m) => MODES.has(m))) {
      modes = parts.pop()!.split(',');
    }
    if (parts.length > 2) throw new RangeError(`invalid volume ${JSON.stringify(entry)}`);
    const [source, target] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (!target) throw new RangeError(`invalid volume ${JSON.stringify(entry)}`);
    const unmapped = modes.filter((m) => m !== 'ro' && m !== 'rw').map((m) => `mode ${m}`);
    return {
      type: source === undefined ? 'volume' : isPathSource(source) ? 'bind' : 'volume',
      ...(source !== undefined ? { source } : {}),
      target,
      readOnly: modes.includes('ro'),
      unmapped,
    };
  }
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const m = entry as JsonMap;
    const type = String(m.type ?? 'volume') as Mount['type'];
    if (!['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image'].includes(type)) {
      throw new RangeError(`invalid volume type ${JSON.stringify(m.type)}`);
    }
    if (typeof m.target !== 'string' || !m.target) throw new RangeError('volume target is required');
    const unmapped: string[] = [];
    if (m.consistency !== undefined) unmapped.push('consistency');
    const bind = (m.bind ?? {}) as JsonMap;
    for (const k of Object.keys(bind)) if (k !== 'create_host_path') unmapped.push(`bind.${k}`);
    const vol = (m.volume ?? {}) as JsonMap;
    for (const k of Object.keys(vol)) if (k !== 'subpath') unmapped.push(`volume.${k}`);
    const tmpfs = (m.tmpfs ?? {}) as JsonMap;
    if (tmpfs.mode !== undefined) unmapped.push('tmpfs.mode');
    const image = (m.image ?? {}) as JsonMap;
    return {
      type,
      ...(typeof m.source === 'string' && m.source ? { source: m.source } : {}),
      target: m.target,
      readOnly: m.read_only === true || m.read_only === 'true',
      ...(tmpfs.size !== undefined ? { size: tmpfs.size } : {}),
      ...(typeof vol.subpath === 'string' ? { subpath: vol.subpath } : {}),
      ...(typeof image.subpath === 'string' ? { subpath: image.subpath } : {}),
      unmapped,
    };
  }
  throw new RangeError(`invalid volume ${JSON.stringify(entry)}`);
}

/** Merge identity of a volumes entry across files: its target path. */
export function mountKey(entry: Json): string {
  try {
    return parseMount(entry).target;
  } catch {
    return JSON.stringify(entry);
  }
}
