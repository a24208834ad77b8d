// JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces.
// Small enough to own; strategic merge patch (with Kubernetes' merge keys) lives beside it.
import { jsonClone } from '../../util/json-clone.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const clone = <T>(v: T): T => (typeof v === 'object' && v !== null ? jsonClone(v) : v);
