// Node selector matching (nodeSelector, required and preferred node affinity terms), as upstream's
// component-helpers nodeaffinity: terms are ORed, requirements within a term ANDed, an empty
// term matches nothing, and an invalid requirement makes its term match nothing.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../types.ts';

/** The only field a matchFields requirement may name. */
export const NODE_NAME_FIELD = 'metadata.name';

const INT = /^[+-]?\d+$/;

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean | undefined {
  const has = value !== undefined;
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return vals.length === 0 ? undefined : has && vals.includes(value);
    case 'NotIn':
      return vals.length === 0 ? undefined : !has || !vals.includes(value);
    case 'Exists':
      return vals.length !== 0 ? undefined : has;
    case 'DoesNotExist':
      return vals.length !== 0 ? undefined : !has;
    case 'Gt':
    case 'Lt': {
      if (vals.length !== 1 || !INT.test(vals[0])) return undefined;
      if (!has || !INT.test(value)) return false;
      const v = BigInt(value);
      const want = BigInt(vals[0]);
      return r.operator === 'Gt' ? v > want : v < want;
    }
    default:
      return undefined;
  }
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) {
    if (requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined) !== true)
      return false;
  }
  for (const r of fields) {
    if (r.key !== NODE_NAME_FIELD || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
    // A field requirement takes exactly one value (upstream's field-selector conversion).
    if ((r.values?.length ?? 0) !== 1) return false;
    if (requirementMatches(r, node.metadata?.name) !== true) return false;
  }
  return true;
}

export const anyTermMatches = (terms: readonly NodeSelectorTerm[], node: Node): boolean =>
  terms.some((t) => termMatches(t, node));

/** nodeSelector AND required node affinity: upstream's GetRequiredNodeAffinity(pod).Match(node). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return anyTermMatches(required.nodeSelectorTerms ?? [], node);
  return true;
}
