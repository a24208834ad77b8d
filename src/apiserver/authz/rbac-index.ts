// RBAC policy indexed for per-request evaluation: role rules by name and bindings by subject, built
// from the four RBAC watch caches and rebuilt only after one of them changed. A request then looks
// up its user and groups (a handful of map reads) instead of scanning every binding.
//
//   ClusterRoleBinding ─► bySubject['u:alice'] ─► ClusterRole rules (every namespace + cluster)
//   RoleBinding (ns)   ─► byNamespace[ns]['g:dev'] ─► Role ns/name or ClusterRole rules (ns only)
import type { KObject } from '../../api/object.ts';
import type { UserInfo } from '../registry/context.ts';
import type { PolicyRule } from './types.ts';
import type { ObjectSource } from './watched-resource.ts';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export interface RbacSources {
  roles: ObjectSource;
  clusterRoles: ObjectSource;
  roleBindings: ObjectSource;
  clusterRoleBindings: ObjectSource;
}

interface RoleRef {
  kind: string;
  name: string;
  /** The binding's namespace ('' for a ClusterRoleBinding): where a Role is looked up. */
  namespace: string;
}

/** What a visitor sees per binding: the rules, or an error naming a missing role. */
export type RuleVisitor = (rules: readonly PolicyRule[] | undefined, missing: string | undefined) => boolean;

const userKey = (name: string): string => `u:${name}`;
const groupKey = (name: string): string => `g:${name}`;
const NO_RULES: readonly PolicyRule[] = [];

export class RbacIndex {
  readonly #src: RbacSources;
  #builtAt = -1;
  #clusterRoles = new Map<string, readonly PolicyRule[]>();
  #roles = new Map<string, readonly PolicyRule[]>();
  #cluster = new Map<string, RoleRef[]>();
  #namespaced = new Map<string, Map<string, RoleRef[]>>();

  constructor(src: RbacSources) {
    this.#src = src;
  }

  #version(): number {
    const s = this.#src;
    return s.roles.version + s.clusterRoles.version + s.roleBindings.version + s.clusterRoleBindings.version;
  }

  #refresh(): void {
    const v = this.#version();
    if (v === this.#builtAt) return;
    this.#builtAt = v;
    const clusterRoles = new Map<string, readonly PolicyRule[]>();
    for (const e of this.#src.clusterRoles.items()) clusterRoles.set(e.name, rulesOf(e.obj));
    const roles = new Map<string, readonly PolicyRule[]>();
    for (const e of this.#src.roles.items()) roles.set(`${e.namespace}/${e.name}`, rulesOf(e.obj));
    const cluster = new Map<string, RoleRef[]>();
    for (const e of this.#src.clusterRoleBindings.items()) indexBinding(cluster, e.obj, '');
    const namespaced = new Map<string, Map<string, RoleRef[]>>();
    for (const e of this.#src.roleBindings.items()) {
      let m = namespaced.get(e.namespace);
      if (!m) {
        m = new Map();
        namespaced.set(e.namespace, m);
      }
      indexBinding(m, e.obj, e.namespace);
    }
    this.#clusterRoles = clusterRoles;
    this.#roles = roles;
    this.#cluster = cluster;
    this.#namespaced = namespaced;
  }

  /**
   * Visit the rules granted to a user in a namespace ('' = cluster-wide bindings only), stopping
   * when the visitor returns true. Returns whether it was stopped.
   */
  visit(user: UserInfo, namespace: string, visitor: RuleVisitor): boolean {
    this.#refresh();
    if (this.#visitMap(this.#cluster, user, visitor)) return true;
    if (!namespace) return false;
    const m = this.#namespaced.get(namespace);
    return m !== undefined && this.#visitMap(m, user, visitor);
  }

  #visitMap(m: Map<string, RoleRef[]>, user: UserInfo, visitor: RuleVisitor): boolean {
    if (this.#visitRefs(m.get(userKey(user.username)), visitor)) return true;
    for (const g of user.groups) if (this.#visitRefs(m.get(groupKey(g)), visitor)) return true;
    return false;
  }

  #visitRefs(refs: RoleRef[] | undefined, visitor: RuleVisitor): boolean {
    if (!refs) return false;
    for (const r of refs) {
      const rules =
        r.kind === 'ClusterRole'
          ? this.#clusterRoles.get(r.name)
          : this.#roles.get(`${r.namespace}/${r.name}`);
      const missing = rules
        ? undefined
        : r.kind === 'ClusterRole'
          ? `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(r.name)} not found`
          : `role.rbac.authorization.k8s.io ${JSON.stringify(r.name)} not found`;
      if (visitor(rules, missing)) return true;
    }
    return false;
  }

  /** Rules of a role a binding would reference (escalation checks). */
  roleRules(kind: string, namespace: string, name: string): readonly PolicyRule[] | undefined {
    this.#refresh();
    return kind === 'ClusterRole' ? this.#clusterRoles.get(name) : this.#roles.get(`${namespace}/${name}`);
  }
}

function rulesOf(role: KObject): readonly PolicyRule[] {
  return Array.isArray(role.rules) ? (role.rules as PolicyRule[]) : NO_RULES;
}

function indexBinding(m: Map<string, RoleRef[]>, binding: KObject, namespace: string): void {
  const ref: RoleRef = { kind: binding.roleRef?.kind ?? '', name: binding.roleRef?.name ?? '', namespace };
  for (const s of Array.isArray(binding.subjects) ? binding.subjects : []) {
    const key = subjectKey(s, namespace);
    if (!key) continue;
    let list = m.get(key);
    if (!list) {
      list = [];
      m.set(key, list);
    }
    list.push(ref);
  }
}

/** A subject's index key; a ServiceAccount is the user `system:serviceaccount:<ns>:<name>`. */
export function subjectKey(s: KObject, bindingNamespace: string): string | undefined {
  switch (s?.kind) {
    case 'User':
      return userKey(String(s.name));
    case 'Group':
      return groupKey(String(s.name));
    case 'ServiceAccount': {
      // A RoleBinding may leave the namespace out: the binding's own namespace is meant.
      const ns = s.namespace || bindingNamespace;
      return ns ? userKey(`${SERVICE_ACCOUNT_USER_PREFIX}${ns}:${s.name}`) : undefined;
    }
    default:
      return undefined;
  }
}
