// Audit policy (audit.k8s.io/v1 Policy): the first rule matching a request decides its level —
// None, Metadata, Request or RequestResponse — from users, userGroups, verbs, resources (group,
// resources incl. `pods/log`, `*`, `pods/*`, `*/status`, resourceNames), namespaces and
// nonResourceURLs (exact or `prefix*`). No matching rule: None. omitStages of the policy and the
// rule are combined.
import { readFileSync } from 'node:fs';
import { lazyRequire, yaml } from '../../util/lazy-require.ts';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const POLICY_API_VERSIONS = ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: string[];
}

/** What the policy looks at in a request. */
export interface AuditRequest {
  user: { username: string; groups: string[] };
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

export interface PolicyDecision {
  level: AuditLevel;
  omitStages: string[];
}

/** Everything at Metadata: what the server logs when given a log path but no policy. */
export const METADATA_POLICY: AuditPolicy = { rules: [{ level: 'Metadata' }] };

export function parsePolicy(text: string): AuditPolicy {
  const doc = yaml().parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new Error('audit policy: empty document');
  if (doc.kind !== 'Policy' || !POLICY_API_VERSIONS.includes(String(doc.apiVersion)))
    throw new Error(`audit policy: expected kind Policy in ${POLICY_API_VERSIONS.join(' or ')}`);
  const rules = Array.isArray(doc.rules) ? (doc.rules as PolicyRule[]) : [];
  rules.forEach((r, i) => {
    if (!AUDIT_LEVELS.includes(r.level))
      throw new Error(`audit policy: rules[${i}].level: Unsupported value: ${JSON.stringify(r.level)}`);
    if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length))
      throw new Error(
        `audit policy: rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`,
      );
  });
  return { rules, omitStages: Array.isArray(doc.omitStages) ? (doc.omitStages as string[]) : [] };
}

export const loadPolicy = (path: string): AuditPolicy => parsePolicy(readFileSync(path, 'utf8'));

export function evaluatePolicy(policy: AuditPolicy, r: AuditRequest): PolicyDecision {
  for (const rule of policy.rules) {
    if (ruleMatches(rule, r)) {
      return { level: rule.level, omitStages: [...(policy.omitStages ?? []), ...(rule.omitStages ?? [])] };
    }
  }
  return { level: 'None', omitStages: policy.omitStages ?? [] };
}

function ruleMatches(rule: PolicyRule, r: AuditRequest): boolean {
  if (rule.users?.length && !rule.users.includes(r.user.username)) return false;
  if (rule.userGroups?.length && !r.user.groups.some((g) => rule.userGroups!.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(r.verb)) return false;
  const resourceScoped = !!(rule.resources?.length || rule.namespaces?.length);
  if (resourceScoped) {
    if (!r.resourceRequest) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(r.namespace)) return false;
    if (rule.resources?.length && !rule.resources.some((gr) => groupResourceMatches(gr, r))) return false;
    return true;
  }
  if (rule.nonResourceURLs?.length) {
    if (r.resourceRequest) return false;
    return rule.nonResourceURLs.some(
      (u) => u === r.path || (u.endsWith('*') && r.path.startsWith(u.slice(0, -1))),
    );
  }
  return true;
}

function groupResourceMatches(gr: GroupResources, r: AuditRequest): boolean {
  if ((gr.group ?? '') !== r.apiGroup) return false;
  if (!gr.resources?.length) return true;
  if (gr.resourceNames?.length && !gr.resourceNames.includes(r.name)) return false;
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return gr.resources.some(
    (res) =>
      res === combined ||
      res === '*' ||
      (res === `${r.resource}/*` && r.subresource !== '') ||
      (r.subresource !== '' && res === `*/${r.subresource}`),
  );
}
