import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthzAttributes } from '../authz/types.ts';
import { hasImpersonation, impersonate } from './impersonation.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const allowAll = () => ({ decision: 'allow' as const, reason: '' });

test('a user alone gets system:authenticated; requested groups, uid and extras are carried', () => {
  assert.deepEqual(impersonate({ 'impersonate-user': 'jane' }, admin, allowAll), {
    username: 'jane',
    groups: ['system:authenticated'],
  });
  const u = impersonate(
    {
      'impersonate-user': 'jane',
      'impersonate-group': ['devs', 'ops'],
      'impersonate-uid': '42',
      'impersonate-extra-scopes%2Fx': ['a', 'b'],
    },
    admin,
    allowAll,
  );
  assert.deepEqual(u, {
    username: 'jane',
    groups: ['devs', 'ops', 'system:authenticated'],
    uid: '42',
    extra: { 'scopes/x': ['a', 'b'] },
  });
});

test('a service account gets its groups; anonymous stays unauthenticated', () => {
  assert.deepEqual(
    impersonate({ 'impersonate-user': 'system:serviceaccount:ns1:bot' }, admin, allowAll).groups,
    ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  );
  assert.deepEqual(impersonate({ 'impersonate-user': 'system:anonymous' }, admin, allowAll).groups, [
    'system:unauthenticated',
  ]);
});

test('every attribute is authorized with verb impersonate; a refusal is 403 naming it', () => {
  const seen: AuthzAttributes[] = [];
  impersonate(
    { 'impersonate-user': 'system:serviceaccount:ns1:bot', 'impersonate-group': 'g', 'impersonate-uid': 'u' },
    admin,
    (a) => {
      seen.push(a);
      return { decision: 'allow', reason: '' };
    },
  );
  assert.deepEqual(
    seen.map((a) => [a.verb, a.apiGroup, a.resource, a.namespace, a.name]),
    [
      ['impersonate', '', 'serviceaccounts', 'ns1', 'bot'],
      ['impersonate', '', 'groups', '', 'g'],
      ['impersonate', 'authentication.k8s.io', 'uids', '', 'u'],
    ],
  );
  assert.throws(
    () =>
      impersonate(
        { 'impersonate-user': 'root', 'impersonate-group': 'system:masters' },
        { username: 'eve', groups: [] },
        (a) =>
          a.resource === 'groups' ? { decision: 'noOpinion', reason: '' } : { decision: 'allow', reason: '' },
      ),
    (e: Error & { code?: number }) =>
      e.code === 403 &&
      /groups "system:masters" is forbidden: User "eve" cannot impersonate resource "groups"/.test(e.message),
  );
});

test('groups without a user is a 400', () => {
  assert.throws(
    () => impersonate({ 'impersonate-group': 'devs' }, admin, allowAll),
    (e: Error & { code?: number }) => e.code === 400 && /without impersonating a user/.test(e.message),
  );
  assert.equal(hasImpersonation({ 'impersonate-user': 'x' }), true);
  assert.equal(hasImpersonation({ authorization: 'Bearer x' }), false);
});
