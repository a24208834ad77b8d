// Objects as the YAML the editor shows and diffs: server bookkeeping (managedFields,
// resourceVersion, generation, status) is left out and the top-level keys come in one order, so
// a diff shows only what the user would change.
import { stringify } from 'yaml';
import type { KObj } from './api.ts';

const NOISY_METADATA = ['managedFields', 'resourceVersion', 'generation'] as const;
const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'status'];

export function toEditableYaml(
  o: KObj | undefined,
  opts: { keepStatus?: boolean; typeOf?: KObj } = {},
): string {
  if (!o) return '';
  const copy = structuredClone(o);
  for (const f of NOISY_METADATA) delete copy.metadata[f];
  if (!opts.keepStatus) delete copy.status;
  // A GET may omit apiVersion/kind where an apply result has them; take them from the other side.
  copy.apiVersion ??= opts.typeOf?.apiVersion;
  copy.kind ??= opts.typeOf?.kind;
  const rank = (k: string) => (TOP_ORDER.includes(k) ? TOP_ORDER.indexOf(k) : TOP_ORDER.length);
  const ordered = Object.fromEntries(
    Object.entries(copy)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => rank(a) - rank(b)),
  );
  // YAML 1.1 quoting keeps `yes`/`on` strings strings for every reader.
  return stringify(ordered, { version: '1.1' });
}
