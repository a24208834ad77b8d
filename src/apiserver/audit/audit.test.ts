import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AuditLog, microTimestamp } from './audit-log.ts';
import { RotatingFile } from './log-file.ts';
import { type AuditRequest, evaluatePolicy, parsePolicy } from './policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const policy = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  users: ["system:kube-proxy"]
- level: None
  nonResourceURLs: ["/healthz*", "/version"]
- level: RequestResponse
  resources:
  - group: ""
    resources: ["secrets"]
    resourceNames: ["watched"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps"]
- level: Request
  verbs: ["create", "update", "patch"]
  namespaces: ["team-a"]
- level: Request
  userGroups: ["auditors"]
  resources:
  - group: apps
    resources: ["*/scale"]
- level: Metadata
  omitStages: [ResponseComplete]
  resources:
  - group: ""
    resources: ["pods/log"]
`);

const req = (o: Partial<AuditRequest>): AuditRequest => ({
  user: { username: 'alice', groups: ['system:authenticated'] },
  verb: 'get',
  resourceRequest: true,
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: '',
  path: '/api/v1/namespaces/default/pods',
  ...o,
});

const cases: [string, Partial<AuditRequest>, string][] = [
  ['a user rule', { user: { username: 'system:kube-proxy', groups: [] } }, 'None'],
  ['a non-resource prefix', { resourceRequest: false, path: '/healthz/ready' }, 'None'],
  ['a named secret', { resource: 'secrets', name: 'watched' }, 'RequestResponse'],
  ['other secrets', { resource: 'secrets', name: 'db' }, 'Metadata'],
  ['a namespace + verb rule', { verb: 'create', namespace: 'team-a' }, 'Request'],
  ['verb not listed', { verb: 'delete', namespace: 'team-a' }, 'None'],
  [
    'a group + */scale rule',
    {
      user: { username: 'x', groups: ['auditors'] },
      apiGroup: 'apps',
      resource: 'deployments',
      subresource: 'scale',
    },
    'Request',
  ],
  [
    '*/scale does not match the resource',
    { user: { username: 'x', groups: ['auditors'] }, apiGroup: 'apps', resource: 'deployments' },
    'None',
  ],
  [
    'resource rules never match non-resource requests',
    { resourceRequest: false, path: '/api', resource: 'secrets' },
    'None',
  ],
];
for (const [name, r, want] of cases) {
  test(`audit policy: ${name}`, () => assert.equal(evaluatePolicy(policy, req(r)).level, want));
}

test('audit policy: omitStages combine policy and rule', () => {
  assert.deepEqual(evaluatePolicy(policy, req({ resource: 'pods', subresource: 'log' })).omitStages, [
    'RequestReceived',
    'ResponseComplete',
  ]);
});

test('audit policy: bad levels are refused', () => {
  assert.throws(
    () => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n'),
    /Unsupported value/,
  );
});

test('audit log: events by level, JSON lines, omitted stages skipped', () => {
  const path = join(dir, 'a.log');
  const log = new AuditLog({ policy, path });
  const base = {
    requestURI: '/api/v1/namespaces/team-a/configmaps',
    verb: 'create',
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['127.0.0.1'],
    responseStatus: { code: 201 },
    requestObject: { kind: 'ConfigMap' },
    responseObject: { kind: 'ConfigMap', metadata: { uid: 'u' } },
    received: Date.parse('2026-01-01T00:00:00Z') + 0.123456,
    completed: Date.parse('2026-01-01T00:00:01Z'),
  };
  log.record({ ...base, auditID: '1', decision: { level: 'Metadata', omitStages: [] } });
  log.record({ ...base, auditID: '2', decision: { level: 'Request', omitStages: [] } });
  log.record({ ...base, auditID: '3', decision: { level: 'RequestResponse', omitStages: [] } });
  log.record({ ...base, auditID: '4', decision: { level: 'Metadata', omitStages: ['ResponseComplete'] } });
  log.record({ ...base, auditID: '5', decision: { level: 'None', omitStages: [] } });
  log.close();
  const events = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    events.map((e) => e.auditID),
    ['1', '2', '3'],
  );
  assert.equal(events[0].apiVersion, 'audit.k8s.io/v1');
  assert.equal(events[0].stage, 'ResponseComplete');
  assert.equal(events[0].requestObject, undefined);
  assert.deepEqual(events[1].requestObject, { kind: 'ConfigMap' });
  assert.equal(events[1].responseObject, undefined);
  assert.deepEqual(events[2].responseObject.metadata, { uid: 'u' });
  assert.equal(events[0].requestReceivedTimestamp, '2026-01-01T00:00:00.000123Z');
  assert.equal(microTimestamp(Date.parse('2026-01-01T00:00:00.5Z')), '2026-01-01T00:00:00.500000Z');
});

test('log file rotation keeps N backups', () => {
  const path = join(dir, 'r.log');
  const f = new RotatingFile(path, { maxBytes: 100, maxBackups: 2 });
  for (let i = 0; i < 10; i++) f.write(`${String(i).repeat(40)}\n`);
  f.close();
  assert.equal(readFileSync(path, 'utf8'), `${'8'.repeat(40)}\n${'9'.repeat(40)}\n`);
  assert.equal(readFileSync(`${path}.1`, 'utf8'), `${'6'.repeat(40)}\n${'7'.repeat(40)}\n`);
  assert.ok(existsSync(`${path}.2`));
  assert.ok(!existsSync(`${path}.3`));
});
