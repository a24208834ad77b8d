// Create-only review resources, answered without storage: `kubectl auth whoami`
// (SelfSubjectReview), `kubectl auth can-i` (SelfSubjectAccessReview), `can-i --list`
// (SelfSubjectRulesReview), SubjectAccessReview / LocalSubjectAccessReview (asking about another
// user) and TokenReview (is this token valid, and whose is it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import type { AuthorizationChain } from '../authz/index.ts';
import type { AuthzAttributes, PolicyRule } from '../authz/types.ts';
import type { ExtraResource } from '../discovery.ts';
import { decodeObjectBody, expectObject, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import type { RequestContext, UserInfo } from '../registry/context.ts';
import type { WriteDeps } from './write.ts';

const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';
const review = (group: string, name: string, kind: string, namespaced = false): ExtraResource => ({
  group,
  version: 'v1',
  name,
  kind,
  namespaced,
  verbs: ['create'],
});

export const REVIEW_RESOURCES: ExtraResource[] = [
  review(AUTHN, 'selfsubjectreviews', 'SelfSubjectReview'),
  review(AUTHN, 'tokenreviews', 'TokenReview'),
  review(AUTHZ, 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review(AUTHZ, 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review(AUTHZ, 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review(AUTHZ, 'subjectaccessreviews', 'SubjectAccessReview'),
];

export interface TokenReviewResult {
  user?: UserInfo;
  audiences: string[];
  error?: string;
}

export interface ReviewDeps {
  /** Absent: every authenticated user may do everything (authorization disabled). */
  authorizer?: AuthorizationChain;
  reviewToken?: (token: string, audiences: string[] | undefined) => Promise<TokenReviewResult>;
}

export async function handleReview(
  deps: WriteDeps,
  rd: ReviewDeps,
  r: ExtraResource,
  namespace: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  const spec: KObject = body.spec ?? {};
  const out: KObject = {
    kind: r.kind,
    apiVersion: `${r.group}/${r.version}`,
    metadata: { creationTimestamp: null, ...(namespace ? { namespace } : {}) },
    spec,
  };
  switch (r.name) {
    case 'selfsubjectreviews':
      delete out.spec;
      out.status = { userInfo: userInfo(ctx.user) };
      break;
    case 'tokenreviews':
      out.status = await tokenStatus(rd, spec);
      break;
    case 'selfsubjectaccessreviews':
      out.status = accessStatus(rd, ctx.user, spec);
      break;
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      if (r.name === 'localsubjectaccessreviews') {
        const ns = spec.resourceAttributes?.namespace;
        if (spec.nonResourceAttributes) throw badRequest('disallowed on this kind of request');
        if (ns !== namespace)
          throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      }
      if (!spec.user && !(Array.isArray(spec.groups) && spec.groups.length))
        throw badRequest('at least one of user or group must be specified');
      const subject: UserInfo = {
        username: String(spec.user ?? ''),
        groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
        ...(spec.uid ? { uid: String(spec.uid) } : {}),
      };
      out.status = accessStatus(rd, subject, spec);
      break;
    }
    case 'selfsubjectrulesreviews':
      out.status = rulesStatus(rd, ctx.user, String(spec.namespace ?? ''));
      break;
  }
  sendJson(res, 201, out);
}

const userInfo = (u: UserInfo): KObject => ({
  username: u.username,
  ...(u.uid ? { uid: u.uid } : {}),
  groups: u.groups,
  ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
});

async function tokenStatus(rd: ReviewDeps, spec: KObject): Promise<KObject> {
  const token = String(spec.token ?? '');
  if (!token || !rd.reviewToken) return { authenticated: false, user: {} };
  const audiences =
    Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : undefined;
  const r = await rd.reviewToken(token, audiences);
  if (!r.user) return { user: {}, ...(r.error ? { error: r.error } : {}) };
  return { authenticated: true, user: userInfo(r.user), audiences: r.audiences };
}

function accessStatus(rd: ReviewDeps, user: UserInfo, spec: KObject): KObject {
  if (!rd.authorizer) return { allowed: true };
  const ra = spec.resourceAttributes;
  const na = spec.nonResourceAttributes;
  const a: AuthzAttributes = ra
    ? {
        user,
        verb: String(ra.verb ?? ''),
        resourceRequest: true,
        apiGroup: String(ra.group ?? ''),
        resource: String(ra.resource ?? ''),
        subresource: String(ra.subresource ?? ''),
        namespace: String(ra.namespace ?? ''),
        name: String(ra.name ?? ''),
        path: '',
      }
    : {
        user,
        verb: String(na?.verb ?? ''),
        resourceRequest: false,
        apiGroup: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
        path: String(na?.path ?? ''),
      };
  const d = rd.authorizer.authorize(a);
  if (d.decision === 'allow') return { allowed: true, ...(d.reason ? { reason: d.reason } : {}) };
  return { allowed: false, ...(d.reason ? { reason: d.reason } : {}) };
}

const ALL_RULES = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

function rulesStatus(rd: ReviewDeps, user: UserInfo, namespace: string): KObject {
  if (!rd.authorizer) return ALL_RULES;
  const { rules, errors } = rd.authorizer.rulesFor(user, namespace);
  const resourceRules: KObject[] = [];
  const nonResourceRules: KObject[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    else resourceRules.push(resourceRule(r));
  }
  return {
    resourceRules,
    nonResourceRules,
    incomplete: errors.length > 0,
    ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
  };
}

const resourceRule = (r: PolicyRule): KObject => ({
  verbs: r.verbs,
  ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
  ...(r.resources ? { resources: r.resources } : {}),
  ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
});
