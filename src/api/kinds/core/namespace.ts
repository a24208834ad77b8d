// core/v1 Namespace.
import { type FieldError, fieldInvalid } from '../../errors.ts';
import { asArray, isQualifiedName } from '../../validation/index.ts';
import { defineKind, statusSubresource, subresource, VERBS_NO_DELETECOLLECTION } from '../define.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** The namespace controller's finalizer: content is deleted before the namespace goes. */
export const FINALIZER_KUBERNETES = 'kubernetes';
/** Every namespace is labelled with its own name, so selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set([FINALIZER_KUBERNETES, 'orphan', 'foregroundDeletion']);

function validateSpecFinalizers(finalizers: unknown): FieldError[] {
  const field = 'spec.finalizers';
  const errs: FieldError[] = [];
  for (const f of asArray<string>(finalizers)) {
    const name = String(f);
    errs.push(...isQualifiedName(name).map((m) => fieldInvalid(field, name, m)));
    if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(
        fieldInvalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  }
  return errs;
}

export const NAMESPACE = defineKind({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  nameRule: 'label',
  verbs: VERBS_NO_DELETECOLLECTION,
  subresources: [subresource('finalize', 'Namespace', ['update']), statusSubresource('', 'v1', 'Namespace')],
  fieldSelectors: { 'status.phase': (o) => str(o.status?.phase) },
  defaults(ns) {
    ns.metadata ??= {};
    const meta = ns.metadata;
    if (meta.name) meta.labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name };
    ns.spec ??= {};
    // Only a namespace that never had finalizers gets the default: the namespace controller
    // empties the list through /finalize and it must stay empty.
    ns.spec.finalizers ??= [FINALIZER_KUBERNETES];
    if (ns.status && typeof ns.status === 'object') ns.status.phase ||= 'Active';
  },
  validate: (ns) => validateSpecFinalizers(ns.spec?.finalizers),
  table: {
    columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn()],
    cells: (ns, now) => [nameOf(ns), str(ns.status?.phase), ageOf(ns, now)],
  },
});
