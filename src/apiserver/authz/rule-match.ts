// Whether one RBAC policy rule covers a request, as upstream's rbac.RuleAllows: verbs, API groups,
// resources ("pods", "pods/log", "*", "*/scale"), resourceNames and non-resource URLs (exact, "*",
// or a trailing "*" prefix).
import type { AuthzAttributes, PolicyRule } from './types.ts';

const WILDCARD = '*';

const has = (list: readonly string[] | undefined, v: string): boolean => {
  if (!list) return false;
  for (const x of list) if (x === WILDCARD || x === v) return true;
  return false;
};

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === WILDCARD || r === combined) return true;
    // "*/scale" covers the scale subresource of every resource.
    if (subresource && r.length > 2 && r.startsWith('*/') && r.slice(2) === subresource) return true;
  }
  return false;
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === WILDCARD || u === path) return true;
    if (u.endsWith(WILDCARD) && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: AuthzAttributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames;
  return !names || names.length === 0 || names.includes(a.name);
}

export function rulesAllow(a: AuthzAttributes, rules: readonly PolicyRule[]): boolean {
  for (const r of rules) if (ruleAllows(a, r)) return true;
  return false;
}
