import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { StaticSource } from '../authz/static-source.ts';
import { bootstrapUser, parseBootstrapToken } from './bootstrap-token.ts';
import { EXTRA_POD_NAME, ServiceAccountTokens } from './service-account-token.ts';
import { csvFields, parseTokenCsv } from './token-file.ts';

const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

function setup() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const serviceAccounts = new StaticSource([{ metadata: { namespace: 'ns', name: 'robot', uid: 'sa-uid' } }]);
  const pods = new StaticSource([{ metadata: { namespace: 'ns', name: 'p', uid: 'pod-uid' } }]);
  const nodes = new StaticSource([]);
  const tokens = new ServiceAccountTokens({
    privateKeyPem: keyPem,
    lookups: { serviceAccounts, pods, nodes },
    now: () => now,
  });
  return { tokens, pods, serviceAccounts, advance: (ms: number) => (now += ms) };
}

const request = (extra: Partial<Parameters<ServiceAccountTokens['issue']>[0]> = {}) => ({
  namespace: 'ns',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
  audiences: ['https://kubernetes.default.svc.cluster.local'],
  expirationSeconds: 600,
  ...extra,
});

test('service-account JWT: claims as upstream, authenticates as the service account', async () => {
  const { tokens } = setup();
  const { token, claims } = await tokens.issue(request());
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(payload.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(payload.sub, 'system:serviceaccount:ns:robot');
  assert.deepEqual(payload.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(payload.exp - payload.iat, 600);
  assert.equal(payload.nbf, payload.iat);
  assert.deepEqual(payload['kubernetes.io'], {
    namespace: 'ns',
    serviceaccount: { name: 'robot', uid: 'sa-uid' },
  });
  assert.equal(payload.jti, claims.jti);
  const user = await tokens.authenticate(token);
  assert.equal(user?.username, 'system:serviceaccount:ns:robot');
  assert.equal(user?.uid, 'sa-uid');
  assert.deepEqual(user?.groups, [
    'system:serviceaccounts',
    'system:serviceaccounts:ns',
    'system:authenticated',
  ]);
});

test('service-account JWT: expiry, audience, tampering and a re-created account are refused', async () => {
  const { tokens, serviceAccounts, advance } = setup();
  const { token } = await tokens.issue(request());
  assert.equal(await tokens.authenticate(token, ['other-audience']), undefined);
  const [h, p, s] = token.split('.');
  const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
  forged.sub = 'system:serviceaccount:kube-system:admin';
  assert.equal(
    await tokens.authenticate(`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`),
    undefined,
  );
  serviceAccounts.set([{ metadata: { namespace: 'ns', name: 'robot', uid: 'new-uid' } }]);
  assert.equal(await tokens.authenticate(token), undefined, 'same name, different uid');
  serviceAccounts.set([{ metadata: { namespace: 'ns', name: 'robot', uid: 'sa-uid' } }]);
  assert.ok(await tokens.authenticate(token));
  advance(601_000);
  assert.equal(await tokens.authenticate(token), undefined, 'expired');
});

test('service-account JWT: a pod-bound token dies with its pod', async () => {
  const { tokens, pods } = setup();
  const { token } = await tokens.issue(request({ pod: { name: 'p', uid: 'pod-uid' } }));
  assert.deepEqual((await tokens.authenticate(token))?.extra?.[EXTRA_POD_NAME], ['p']);
  pods.set([{ metadata: { namespace: 'ns', name: 'p', uid: 'another-uid' } }]);
  assert.equal(await tokens.authenticate(token), undefined, 'pod re-created');
  pods.set([]);
  assert.equal(await tokens.authenticate(token), undefined, 'pod deleted');
});

test('service-account JWT: tokens from another issuer are not even verified', async () => {
  const { tokens } = setup();
  assert.equal(await tokens.authenticate('abcdef.0123456789abcdef'), undefined);
  assert.equal(await tokens.authenticate('not-a-jwt'), undefined);
});

const bootstrapSecret = (data: Record<string, string>, type = 'bootstrap.kubernetes.io/token'): KObject => ({
  metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

test('bootstrap tokens: format, secret match, usage, expiry and extra groups', () => {
  assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), {
    id: 'abcdef',
    secret: '0123456789abcdef',
  });
  for (const bad of [
    'abcde.0123456789abcdef',
    'ABCDEF.0123456789abcdef',
    'abcdef.0123456789abcde',
    'abcdef0123456789abcdef',
  ])
    assert.equal(parseBootstrapToken(bad), undefined, bad);
  const t = parseBootstrapToken('abcdef.0123456789abcdef')!;
  const now = Date.parse('2026-01-01T00:00:00Z');
  const good = {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-authentication': 'true',
    expiration: '2026-01-02T00:00:00Z',
    'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
  };
  assert.deepEqual(bootstrapUser(t, bootstrapSecret(good), now), {
    username: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'],
  });
  assert.equal(
    bootstrapUser(t, bootstrapSecret({ ...good, 'token-secret': 'ffffffffffffffff' }), now),
    undefined,
  );
  assert.equal(
    bootstrapUser(t, bootstrapSecret({ ...good, expiration: '2025-12-31T00:00:00Z' }), now),
    undefined,
  );
  assert.equal(
    bootstrapUser(t, bootstrapSecret({ ...good, 'usage-bootstrap-authentication': 'false' }), now),
    undefined,
  );
  assert.equal(
    bootstrapUser(t, bootstrapSecret({ ...good, 'auth-extra-groups': 'system:masters' }), now),
    undefined,
  );
  assert.equal(bootstrapUser(t, bootstrapSecret(good, 'Opaque'), now), undefined);
  assert.equal(bootstrapUser(t, undefined, now), undefined);
});

test('static token file: CSV with quoted groups, errors name the line', () => {
  assert.deepEqual(csvFields('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.deepEqual(csvFields('"x""y",z'), ['x"y', 'z']);
  const table = parseTokenCsv('t1,alice,u1,"dev,ops"\n\nt2,bob,u2\n');
  assert.deepEqual(table.get('t1'), { username: 'alice', uid: 'u1', groups: ['dev', 'ops'] });
  assert.deepEqual(table.get('t2'), { username: 'bob', uid: 'u2', groups: [] });
  assert.throws(
    () => parseTokenCsv('t1,alice\n'),
    /line 1: token file is expected to have at least 3 columns/,
  );
});

test('a WebSocket token subprotocol authenticates and is removed before the upgrade goes on', async () => {
  const { bearerToken } = await import('./bearer-token.ts');
  const token = Buffer.from('abc.def').toString('base64url');
  const req = {
    headers: {
      'sec-websocket-protocol': `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${token}`,
    },
  } as unknown as import('node:http').IncomingMessage;
  assert.equal(bearerToken(req), 'abc.def');
  assert.equal(req.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  const plain = {
    headers: { authorization: 'Bearer xyz' },
  } as unknown as import('node:http').IncomingMessage;
  assert.equal(bearerToken(plain), 'xyz');
});
