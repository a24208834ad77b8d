// RBAC escalation prevention (upstream's pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased): writing a Role or ClusterRole needs the `escalate` verb on it or
// every permission it grants; writing a binding needs `bind` on the referenced role or every
// permission of that role. system:masters may do anything.
import { forbidden, qualifiedResource } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import type { UserInfo } from '../registry/context.ts';
import { MASTERS_GROUP } from './default-policy.ts';
import type { RbacAuthorizer } from './rbac-authorizer.ts';
import type { Authorizer, PolicyRule } from './types.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

export class EscalationCheck implements AdmissionPlugin {
  readonly name = 'RBACEscalation';
  readonly #authz: Authorizer;
  readonly #rbac: RbacAuthorizer;

  constructor(authz: Authorizer, rbac: RbacAuthorizer) {
    this.#authz = authz;
    this.#rbac = rbac;
  }

  validate(a: AdmissionAttributes): void {
    if (a.kind.group !== RBAC_GROUP || !a.obj || a.operation === 'DELETE') return;
    const user = a.ctx.user;
    if (user.groups.includes(MASTERS_GROUP)) return;
    let granted: readonly PolicyRule[];
    if (ROLE_KINDS.has(a.kind.kind)) {
      if (this.#can(user, 'escalate', a.kind.plural, a.namespace, a.name)) return;
      granted = Array.isArray(a.obj.rules) ? a.obj.rules : [];
    } else if (BINDING_KINDS.has(a.kind.kind)) {
      const ref: KObject = a.obj.roleRef ?? {};
      const refPlural = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
      const refNs = ref.kind === 'ClusterRole' ? '' : a.namespace;
      if (this.#can(user, 'bind', refPlural, refNs, String(ref.name ?? ''))) return;
      const rules = this.#rbac.index.roleRules(String(ref.kind), a.namespace, String(ref.name ?? ''));
      if (!rules) {
        throw forbidden(
          `${qualifiedResource(a.kind.plural, RBAC_GROUP)} ${JSON.stringify(a.name)} is forbidden: ${refPlural.slice(0, -1)}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`,
          { name: a.name, group: RBAC_GROUP, kind: a.kind.plural },
        );
      }
      granted = rules;
    } else return;
    // A ClusterRole (or ClusterRoleBinding) grants cluster-wide: only cluster-wide rules cover it.
    const { rules: held, errors } = this.#rbac.rulesFor(user, a.kind.namespaced ? a.namespace : '');
    const missing = uncovered(held, granted);
    if (missing.length === 0) return;
    let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${compact(missing).map(compactString).join('\n')}`;
    if (errors.length) msg += `; resolution errors: [${errors.join(' ')}]`;
    throw forbidden(
      `${qualifiedResource(a.kind.plural, RBAC_GROUP)} ${JSON.stringify(a.name)} is forbidden: ${msg}`,
      {
        name: a.name,
        group: RBAC_GROUP,
        kind: a.kind.plural,
      },
    );
  }

  #can(user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
    return (
      this.#authz.authorize({
        user,
        verb,
        resourceRequest: true,
        apiGroup: RBAC_GROUP,
        resource,
        subresource: '',
        namespace,
        name,
        path: '',
      }).decision === 'allow'
    );
  }
}

/** Atomic rules (one verb, group, resource, name or URL) of `want` that no rule of `held` covers. */
export function uncovered(held: readonly PolicyRule[], want: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const atom of want.flatMap(atomize)) if (!held.some((h) => covers(h, atom))) out.push(atom);
  return out;
}

function atomize(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of r.verbs ?? []) {
    for (const url of r.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of r.apiGroups ?? []) {
      for (const resource of r.resources ?? []) {
        const names = r.resourceNames?.length ? r.resourceNames : [undefined];
        for (const n of names) {
          out.push(
            n === undefined
              ? { verbs: [verb], apiGroups: [group], resources: [resource] }
              : { verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [n] },
          );
        }
      }
    }
  }
  return out;
}

const hasOrStar = (list: readonly string[] | undefined, v: string): boolean =>
  !!list && (list.includes('*') || list.includes(v));

function covers(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!hasOrStar(owner.verbs, atom.verbs[0])) return false;
  if (atom.nonResourceURLs) {
    const url = atom.nonResourceURLs[0];
    return (owner.nonResourceURLs ?? []).some(
      (u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1))),
    );
  }
  if (!hasOrStar(owner.apiGroups, atom.apiGroups![0])) return false;
  const res = atom.resources![0];
  const slash = res.indexOf('/');
  const resourceOk = (owner.resources ?? []).some(
    (r) => r === '*' || r === res || (slash > 0 && r === `*${res.slice(slash)}`),
  );
  if (!resourceOk) return false;
  if (!owner.resourceNames?.length) return true;
  return !!atom.resourceNames && owner.resourceNames.includes(atom.resourceNames[0]);
}

/** Merge atomic rules that differ only in their verb, as upstream's CompactRules. */
function compact(atoms: PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  for (const a of atoms) {
    const key = JSON.stringify({ ...a, verbs: [] });
    const have = byKey.get(key);
    if (have) {
      if (!have.verbs.includes(a.verbs[0])) have.verbs.push(a.verbs[0]);
    } else byKey.set(key, { ...a, verbs: [...a.verbs] });
  }
  return [...byKey.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
const goQuoteList = (l: readonly string[]): string => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

/** upstream's rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
