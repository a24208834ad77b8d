// The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): allow when any rule reachable
// through the user's bindings covers the request, otherwise no opinion — with the missing roles
// the bindings named as the reason, as upstream reports them.
import type { UserInfo } from '../registry/context.ts';
import type { RbacIndex } from './rbac-index.ts';
import { ruleAllows } from './rule-match.ts';
import type { Authorizer, AuthzAttributes, AuthzResult, PolicyRule } from './types.ts';

export class RbacAuthorizer implements Authorizer {
  readonly index: RbacIndex;

  constructor(index: RbacIndex) {
    this.index = index;
  }

  authorize(a: AuthzAttributes): AuthzResult {
    let missing: string[] | undefined;
    const allowed = this.index.visit(a.user, a.namespace, (rules, err) => {
      if (err) {
        missing ??= [];
        missing.push(err);
      }
      if (!rules) return false;
      for (const r of rules) if (ruleAllows(a, r)) return true;
      return false;
    });
    if (allowed) return { decision: 'allow', reason: '' };
    return { decision: 'noOpinion', reason: missing ? `RBAC: [${missing.join(', ')}]` : '' };
  }

  /** Every rule the user holds in a namespace (SelfSubjectRulesReview, escalation checks). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.index.visit(user, namespace, (rs, err) => {
      if (err) errors.push(err);
      if (rs) rules.push(...rs);
      return false;
    });
    return { rules, errors };
  }
}
