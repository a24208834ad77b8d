// RBAC awareness: ask the API server (SelfSubjectAccessReview) whether the user may do an action,
// so the UI hides what would be refused. The server still decides every real request.
import type { Api } from './api.ts';

export interface ResourceAction {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

export async function canI(api: Api, a: ResourceAction): Promise<boolean> {
  const review = await api.request<{ status?: { allowed?: boolean } }>(ACCESS_REVIEW_PATH, {
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: a },
    }),
  });
  return review.status?.allowed === true;
}
