// Server-side Table output (meta.k8s.io/v1 Table), the columns kubectl `get` prints.
import type { KindDef } from '../../api/kinds/types.ts';
import type { KObject } from '../../api/object.ts';
import type { Entry } from '../cache/entry.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  version: 'v1' | 'v1beta1';
  /** Omit columnDefinitions (every watch event after the first). */
  noHeaders?: boolean;
  now?: number;
}

export function tableRow(kind: KindDef, e: Entry, opts: TableOptions): Record<string, unknown> {
  let cells: unknown[];
  try {
    cells = kind.table.cells(e.obj, opts.now ?? Date.now());
  } catch {
    // A printer must never fail a list: fall back to the name and blanks.
    cells = [e.name, ...kind.table.columns.slice(1).map(() => '')];
  }
  const row: Record<string, unknown> = { cells };
  if (opts.includeObject === 'Object') row.object = e.obj;
  else if (opts.includeObject === 'Metadata') {
    row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: e.obj.metadata };
  }
  return row;
}

export function toTable(
  kind: KindDef,
  entries: Entry[],
  listMeta: Record<string, unknown>,
  opts: TableOptions,
): KObject {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? [] : kind.table.columns.map((c) => ({ format: '', ...c })),
    rows: entries.map((e) => tableRow(kind, e, opts)),
  };
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
