// The authorization chain, as kube-apiserver's `--authorization-mode=Node,RBAC`: system:masters is
// always allowed (upstream's privileged-group authorizer), then the Node authorizer, then RBAC; the
// first "allow" wins, otherwise the request is forbidden with the reasons gathered on the way.
import type { CacheManager } from '../cache/cache-manager.ts';
import type { UserInfo } from '../registry/context.ts';
import { MASTERS_GROUP, NODE_RULES } from './default-policy.ts';
import { NodeAuthorizer, nodeNameOf } from './node-authorizer.ts';
import { RbacAuthorizer } from './rbac-authorizer.ts';
import { RbacIndex, type RbacSources } from './rbac-index.ts';
import type { Authorizer, AuthzAttributes, AuthzResult, PolicyRule } from './types.ts';
import { WatchedResource } from './watched-resource.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export class AuthorizationChain implements Authorizer {
  readonly sources: { [K in keyof RbacSources | 'pods']: WatchedResource };
  readonly rbac: RbacAuthorizer;
  readonly node: NodeAuthorizer;

  /** `watched` shares one WatchedResource per resource with the other cache readers. */
  constructor(
    watched: (group: string, resource: string) => WatchedResource = (g, r) => new WatchedResource(g, r),
  ) {
    this.sources = {
      roles: watched(RBAC_GROUP, 'roles'),
      clusterRoles: watched(RBAC_GROUP, 'clusterroles'),
      roleBindings: watched(RBAC_GROUP, 'rolebindings'),
      clusterRoleBindings: watched(RBAC_GROUP, 'clusterrolebindings'),
      pods: watched('', 'pods'),
    };
    this.rbac = new RbacAuthorizer(new RbacIndex(this.sources));
    this.node = new NodeAuthorizer(this.sources.pods);
  }

  /** Load the watch caches the authorizers read (RBAC objects and pods). */
  async start(caches: CacheManager): Promise<void> {
    await Promise.all(Object.values(this.sources).map((s) => s.start(caches)));
  }

  authorize(a: AuthzAttributes): AuthzResult {
    if (a.user.groups.includes(MASTERS_GROUP)) return { decision: 'allow', reason: '' };
    const n = this.node.authorize(a);
    if (n.decision !== 'noOpinion') return n;
    const r = this.rbac.authorize(a);
    if (r.decision !== 'noOpinion') return r;
    const reason = [n.reason, r.reason].filter(Boolean).join(', ');
    return { decision: 'deny', reason };
  }

  /** Every rule a user holds in a namespace (SelfSubjectRulesReview), the Node authorizer's included. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const r = this.rbac.rulesFor(user, namespace);
    if (nodeNameOf(user)) r.rules.push(...NODE_RULES);
    return r;
  }
}

export { forbiddenError } from './forbidden.ts';
export type { Authorizer, AuthzAttributes, AuthzResult, PolicyRule } from './types.ts';
