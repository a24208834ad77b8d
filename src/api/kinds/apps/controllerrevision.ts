// apps/v1 ControllerRevision.
import type { KObject } from '../../object.ts';
import { validateImmutable, validateNonNegative } from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { NONE } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** `statefulset.apps/web`: the controlling owner as `kind.group/name`, lower case. */
export function controllerOf(obj: KObject): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return NONE;
  const apiVersion = String(ref.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = group ? `${ref.kind}.${group}` : String(ref.kind ?? '');
  return kind ? `${kind.toLowerCase()}/${ref.name}` : String(ref.name);
}

export const CONTROLLER_REVISION = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  namespaced: true,
  validate: (cr) => validateNonNegative(cr.revision, 'revision'),
  validateUpdate: (cr, old) => validateImmutable(cr.data, old.data, 'data'),
  table: {
    columns: [
      nameColumn(),
      column('Controller', 'Controller of the object'),
      column('Revision', 'Revision indicates the revision of the state represented by Data.'),
      ageColumn(),
    ],
    cells: (cr, now) => [
      nameOf(cr),
      controllerOf(cr),
      typeof cr.revision === 'number' ? cr.revision : 0,
      ageOf(cr, now),
    ],
  },
});
