import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import type { StorageBackend } from '../../storage/types.ts';
import type { ApiServer } from '../server.ts';
import { memoryApiServer } from '../testing/memory-api-server.ts';
import { systemContext } from './context.ts';
import { APPROVAL_TYPES, keepConditions } from './csr-conditions.ts';

test('keepConditions swaps in the previous conditions of the kept types', () => {
  const next = [{ type: 'Approved' }, { type: 'Failed', reason: 'new' }];
  const prev = [
    { type: 'Denied', reason: 'old' },
    { type: 'Failed', reason: 'old' },
  ];
  assert.deepEqual(keepConditions(next, prev, APPROVAL_TYPES), [
    { type: 'Failed', reason: 'new' },
    { type: 'Denied', reason: 'old' },
  ]);
  assert.deepEqual(keepConditions(undefined, undefined, APPROVAL_TYPES), []);
});

let backend: StorageBackend;
let api: ApiServer;
before(() => {
  ({ api, backend } = memoryApiServer());
});
after(async () => {
  await api.close();
  await backend.close();
});

const csr = (name: string): KObject => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name },
  spec: {
    request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n').toString(
      'base64',
    ),
    signerName: 'example.com/signer',
    usages: ['client auth'],
  },
});
const types = (o: KObject): string[] =>
  ((o.status?.conditions as { type: string }[] | undefined) ?? []).map((c) => c.type);
const cond = (type: string) => ({
  type,
  status: 'True',
  reason: 'Test',
  message: type,
  lastUpdateTime: '2026-01-01T00:00:00Z',
});

test('/status cannot approve a request; /approval cannot clear a signer Failed condition', async () => {
  const store = api.store('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
  const ctx = systemContext();
  const created = await store.create('', csr('skiff-csr-split'), ctx);
  // A signer writing /status with an Approved condition: the condition does not stick.
  const viaStatus = await store.update(
    '',
    'skiff-csr-split',
    { ...created, status: { conditions: [cond('Approved'), cond('Failed')] } },
    ctx,
    'status',
  );
  assert.deepEqual(types(viaStatus), ['Failed']);
  // An approver writing /approval: Approved sticks, the signer's Failed stays even if omitted.
  const viaApproval = await store.update(
    '',
    'skiff-csr-split',
    { ...viaStatus, status: { conditions: [cond('Approved')] } },
    ctx,
    'approval',
  );
  assert.deepEqual(types(viaApproval).sort(), ['Approved', 'Failed']);
  // And /status leaves that approval in place when it rewrites its own conditions.
  const again = await store.update(
    '',
    'skiff-csr-split',
    { ...viaApproval, status: { conditions: [] } },
    ctx,
    'status',
  );
  assert.deepEqual(types(again), ['Approved']);
});
