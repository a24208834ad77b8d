// The list/watch filter: namespace, label selector and field selector, as one predicate.
import type { KindDef } from '../../api/kinds/types.ts';
import type { KObject } from '../../api/object.ts';
import {
  type FieldSelector,
  type LabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  validateFieldSelector,
} from '../../api/selectors/index.ts';

export interface ObjectFilter {
  namespace: string;
  label: LabelSelector | undefined;
  field: FieldSelector | undefined;
  matches(obj: KObject): boolean;
}

export function fieldGetter(kind: KindDef, obj: KObject): (key: string) => string | undefined {
  return (key) => {
    if (key === 'metadata.name') return obj.metadata?.name ?? '';
    if (key === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const f = kind.fieldSelectors[key];
    return f ? (f(obj) ?? '') : undefined;
  };
}

export function buildFilter(kind: KindDef, namespace: string, query: URLSearchParams): ObjectFilter {
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  const label = ls ? parseLabelSelector(ls) : undefined;
  let field: FieldSelector | undefined;
  if (fs) {
    field = parseFieldSelector(fs);
    const allowed = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(kind.fieldSelectors)]);
    validateFieldSelector(field, allowed);
  }
  const ns = kind.namespaced ? namespace : '';
  return {
    namespace: ns,
    label,
    field,
    matches(obj) {
      if (ns && obj.metadata?.namespace !== ns) return false;
      if (label && !matchesLabels(label, obj.metadata?.labels ?? {})) return false;
      if (field && !matchesFields(field, fieldGetter(kind, obj))) return false;
      return true;
    },
  };
}
