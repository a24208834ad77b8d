// Cell formats shared by the Table printers (upstream's printers.go helpers).
import { formatLabelSelector } from '../label-selector.ts';

export const NONE = '<none>';
export const UNSET = '<unset>';

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  if (!labels || typeof labels !== 'object') return NONE;
  const entries = Object.entries(labels as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(',') : NONE;
}

/** layoutContainerCells: container names and images, comma-joined. */
export function containerCells(containers: unknown): [string, string] {
  const list = Array.isArray(containers) ? (containers as { name?: string; image?: string }[]) : [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** The wide CONTAINERS, IMAGES, SELECTOR cells of a workload with a pod template. */
export function templateCells(template: unknown, selector: unknown): [string, string, string] {
  const spec = (template as { spec?: { containers?: unknown } } | undefined)?.spec;
  const [names, images] = containerCells(spec?.containers);
  return [names, images, formatLabelSelector(selector)];
}

const ACCESS_MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order. */
export function accessModes(modes: unknown): string {
  const set = new Set(Array.isArray(modes) ? (modes as string[]) : []);
  return ACCESS_MODES.filter(([m]) => set.has(m))
    .map(([, short]) => short)
    .join(',');
}

/** `a,b,c + 2 more...` after `max` items (listWithMoreString); `<unset>` when empty. */
export function listWithMore(items: string[], max: number, empty = UNSET): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

export const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
export const len = (v: unknown): number =>
  Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0;
