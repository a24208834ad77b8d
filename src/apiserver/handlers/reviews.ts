// Create-only review resources answered from the request's own identity: `kubectl auth can-i`
// (SelfSubjectAccessReview, SelfSubjectRulesReview) and `kubectl auth whoami` (SelfSubjectReview).
// Until RBAC lands every authenticated user is allowed everything, and the answers say so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../../api/object.ts';
import type { ExtraResource } from '../discovery.ts';
import { decodeObjectBody, expectObject, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import type { RequestContext } from '../registry/context.ts';
import type { WriteDeps } from './write.ts';

export const REVIEW_RESOURCES: ExtraResource[] = [
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    name: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    name: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    name: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
  },
];

export async function handleReview(
  deps: WriteDeps,
  r: ExtraResource,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  const out: KObject = {
    kind: r.kind,
    apiVersion: `${r.group}/${r.version}`,
    metadata: { creationTimestamp: null },
    spec: body.spec ?? {},
  };
  switch (r.name) {
    case 'selfsubjectreviews':
      delete out.spec;
      out.status = {
        userInfo: {
          username: ctx.user.username,
          ...(ctx.user.uid ? { uid: ctx.user.uid } : {}),
          groups: ctx.user.groups,
        },
      };
      break;
    case 'selfsubjectaccessreviews':
      out.status = { allowed: true, reason: 'no authorizer restricts authenticated users yet' };
      break;
    case 'selfsubjectrulesreviews':
      out.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      break;
  }
  sendJson(res, 201, out);
}
