// Apply conflicts: 409 Conflict with one cause per field and manager, worded as upstream:
//   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
import { ApiError, type StatusCause } from '../../api/errors.ts';
import type { FieldSet } from './field-set.ts';
import { parseIdentifier, UPDATE } from './managed-fields.ts';
import { type Path, pathString } from './path-element.ts';

export const FIELD_MANAGER_CONFLICT = 'FieldManagerConflict';

export interface Conflict {
  /** Manager identifier (managed-fields.ts). */
  manager: string;
  path: Path;
}

/** Thrown by the updater; the field manager turns it into the 409 (or forces, for CSA upgrades). */
export class ConflictsError extends Error {
  readonly conflicts: Conflict[];

  constructor(conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
    this.name = 'ConflictsError';
    this.conflicts = conflicts;
  }
}

/** One conflict per owned path, managers in identifier order, paths in set order. */
export function conflictsFromManagers(sets: Map<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const manager of [...sets.keys()].sort())
    sets.get(manager)!.iterate((path) => out.push({ manager, path }));
  return out;
}

export function conflictError(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: FIELD_MANAGER_CONFLICT,
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  return new ApiError(409, 'Conflict', conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const [c] = conflicts;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(m)}:`);
    for (const p of byManager.get(m)!) lines.push(`- ${pathString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** `"kubectl"`, or `"kubectl-edit" using apps/v1` for updaters, with the subresource if any. */
export function printManager(id: string): string {
  const e = parseIdentifier(id);
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === UPDATE) s += ` using ${e.apiVersion ?? ''}`;
  return s;
}
