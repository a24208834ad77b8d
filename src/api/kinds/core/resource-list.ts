// ResourceLists (requests, limits, capacity, quota) are stored canonically: upstream rounds each
// quantity up to milli precision (SetDefaults_ResourceList) and re-prints it (`0.5` → `500m`).
import { formatQuantity, roundUpToMilli, tryParseQuantity } from '../../quantity.ts';

export function canonicalizeResourceList(list: unknown): unknown {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return list;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(list as Record<string, unknown>)) {
    const q = typeof v === 'string' || typeof v === 'number' ? tryParseQuantity(String(v)) : undefined;
    // Invalid values are left for validation to report.
    out[k] = q ? formatQuantity(roundUpToMilli(q)) : v;
  }
  return out;
}
