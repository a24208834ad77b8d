// The 403 for a denied request, worded as upstream's responsewriters.ForbiddenStatusError so kubectl
// prints the familiar `pods is forbidden: User "alice" cannot list resource "pods" in API group ""
// in the namespace "default"`.
import { type ApiError, forbidden, qualifiedResource } from '../../api/errors.ts';
import type { AuthzAttributes } from './types.ts';

export function forbiddenMessage(a: AuthzAttributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = JSON.stringify(a.subresource ? `${a.resource}/${a.subresource}` : a.resource);
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${resource} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

export function forbiddenError(a: AuthzAttributes, reason: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return forbidden(`forbidden: ${msg}`);
  const qr = qualifiedResource(a.resource, a.apiGroup);
  const subject = a.name ? `${qr} ${JSON.stringify(a.name)}` : qr;
  return forbidden(`${subject} is forbidden: ${msg}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
