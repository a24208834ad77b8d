// Impersonation (`kubectl --as/--as-group/--as-uid`): the Impersonate-* headers switch the
// request's user after authentication, each requested attribute authorized first with the verb
// `impersonate` on users / groups / serviceaccounts / uids / userextras, as upstream's filter
// does. The caller audits the original user and the impersonated one.
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../../api/errors.ts';
import { forbiddenError } from '../authz/forbidden.ts';
import type { AuthzAttributes, AuthzResult } from '../authz/types.ts';
import type { UserInfo } from '../registry/context.ts';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const SA_PREFIX = 'system:serviceaccount:';
const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';
const AUTHN_GROUP = 'authentication.k8s.io';

const values = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function hasImpersonation(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((h) => h.startsWith('impersonate-'));
}

function attrs(user: UserInfo, o: Partial<AuthzAttributes>): AuthzAttributes {
  return {
    user,
    verb: 'impersonate',
    resourceRequest: true,
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path: '',
    ...o,
  };
}

/**
 * The user a request acts as. Throws 400 for impersonation headers without a user, 403 for any
 * attribute the caller may not impersonate.
 */
export function impersonate(
  headers: IncomingHttpHeaders,
  caller: UserInfo,
  authorize: (a: AuthzAttributes) => AuthzResult,
): UserInfo {
  const username = values(headers[USER])[0];
  const groups = values(headers[GROUP]).flatMap((g) =>
    g
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const uid = values(headers[UID])[0];
  const extra: Record<string, string[]> = {};
  for (const [h, v] of Object.entries(headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    extra[decodeURIComponent(h.slice(EXTRA_PREFIX.length)).toLowerCase()] = values(v);
  }
  if (!username) {
    const what = [
      ...groups.map((g) => `groups=${g}`),
      ...(uid ? [`uid=${uid}`] : []),
      ...Object.keys(extra).map((k) => `extra=${k}`),
    ];
    throw badRequest(`requested [${what.join(' ')}] without impersonating a user`);
  }
  const checks: AuthzAttributes[] = [];
  let saNamespace: string | undefined;
  if (username.startsWith(SA_PREFIX)) {
    const [ns, name] = username.slice(SA_PREFIX.length).split(':');
    saNamespace = ns;
    checks.push(attrs(caller, { resource: 'serviceaccounts', namespace: ns, name }));
  } else {
    checks.push(attrs(caller, { resource: 'users', name: username }));
  }
  for (const g of groups) checks.push(attrs(caller, { resource: 'groups', name: g }));
  if (uid) checks.push(attrs(caller, { apiGroup: AUTHN_GROUP, resource: 'uids', name: uid }));
  for (const [k, vs] of Object.entries(extra))
    for (const v of vs)
      checks.push(attrs(caller, { apiGroup: AUTHN_GROUP, resource: 'userextras', subresource: k, name: v }));
  for (const a of checks) {
    const d = authorize(a);
    if (d.decision !== 'allow') throw forbiddenError(a, d.reason);
  }
  const finalGroups = [...groups];
  if (saNamespace !== undefined && groups.length === 0)
    finalGroups.push('system:serviceaccounts', `system:serviceaccounts:${saNamespace}`);
  if (username === ANONYMOUS) {
    if (!finalGroups.includes(UNAUTHENTICATED)) finalGroups.push(UNAUTHENTICATED);
  } else if (!finalGroups.includes(AUTHENTICATED)) finalGroups.push(AUTHENTICATED);
  return {
    username,
    groups: finalGroups,
    ...(uid ? { uid } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
