import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import {
  parseCsrRequest,
  SIGNER_KUBELET_SERVING,
  USAGE_CLIENT_AUTH,
  USAGE_DIGITAL_SIGNATURE,
  USAGE_KEY_ENCIPHERMENT,
  USAGE_SERVER_AUTH,
} from './csr.ts';
import { decideKubeletServing, requesterNodeName, SERVING_APPROVED_MESSAGE } from './serving-approval.ts';
import { testRequest } from './test-fixtures.ts';

const SERVING_USAGES = [USAGE_DIGITAL_SIGNATURE, USAGE_SERVER_AUTH];
const NODE_GROUPS = ['system:nodes', 'system:authenticated'];

const node = (name: string, addresses: { type: string; address: string }[]): KObject => ({
  metadata: { name },
  status: { addresses },
});
const nodeB = node('skiff-b', [
  { type: 'InternalIP', address: '10.210.0.3' },
  { type: 'Hostname', address: 'skiff-b-host' },
]);

interface Case {
  subject?: string;
  san?: { dns?: string[]; ips?: string[] };
  username?: string;
  groups?: string[];
  usages?: string[];
  node?: KObject | undefined;
}

async function decide(c: Case) {
  const csr: KObject = {
    metadata: { name: 'skiff-serving' },
    spec: {
      request: await testRequest(
        c.subject ?? 'CN=system:node:skiff-b, O=system:nodes',
        c.san ?? {
          dns: ['skiff-b'],
          ips: ['10.210.0.3'],
        },
      ),
      signerName: SIGNER_KUBELET_SERVING,
      usages: c.usages ?? SERVING_USAGES,
      username: c.username ?? 'system:node:skiff-b',
      groups: c.groups ?? NODE_GROUPS,
    },
  };
  const req = await parseCsrRequest(csr.spec!.request);
  return decideKubeletServing(csr, req, 'node' in c ? c.node : nodeB);
}

describe('kubelet-serving auto-approval', () => {
  it('approves a node asking for its own name and status addresses', async () => {
    assert.deepEqual(await decide({}), { kind: 'approve', message: SERVING_APPROVED_MESSAGE });
    // The Hostname address counts as a name; RSA-style usages with key encipherment are valid too.
    assert.equal(
      (
        await decide({
          san: { dns: ['skiff-b-host'], ips: ['10.210.0.3'] },
          usages: [...SERVING_USAGES, USAGE_KEY_ENCIPHERMENT],
        })
      ).kind,
      'approve',
    );
  });

  it('denies a node asking for another node’s certificate', async () => {
    const d = await decide({ subject: 'CN=system:node:skiff-c, O=system:nodes' });
    assert.deepEqual(d, {
      kind: 'deny',
      message: 'node system:node:skiff-b may not request a serving certificate for system:node:skiff-c',
    });
  });

  const pending: [string, Case, string][] = [
    [
      'an IP the node does not have',
      { san: { dns: ['skiff-b'], ips: ['10.210.0.9'] } },
      'IP 10.210.0.9 is not an address of node skiff-b',
    ],
    [
      'a DNS name that is not the node’s',
      { san: { dns: ['kubernetes.default'], ips: ['10.210.0.3'] } },
      'DNS name kubernetes.default is not a name of node skiff-b',
    ],
    ['an unknown Node', { node: undefined }, 'node skiff-b not found'],
    [
      'a Node without addresses yet',
      { node: node('skiff-b', []) },
      'IP 10.210.0.3 is not an address of node skiff-b',
    ],
    [
      'a requester that is not a node',
      { username: 'alice', groups: ['system:authenticated'] },
      'the requester is not a node',
    ],
    ['a node user outside system:nodes', { groups: ['system:authenticated'] }, 'the requester is not a node'],
    [
      'client usages',
      { usages: [USAGE_DIGITAL_SIGNATURE, USAGE_CLIENT_AUTH] },
      'usages did not match [digital signature key encipherment server auth]',
    ],
    ['no SANs at all', { san: {} }, 'DNS or IP subjectAltName is required'],
    [
      'the wrong organization',
      { subject: 'CN=system:node:skiff-b, O=skiff' },
      'subject organization is not system:nodes',
    ],
  ];
  for (const [what, c, why] of pending)
    it(`leaves pending: ${what}`, async () => assert.deepEqual(await decide(c), { kind: 'pending', why }));

  it('names the requesting node only for node identities', () => {
    const spec = (username: string, groups: string[]) => ({ spec: { username, groups } });
    assert.equal(requesterNodeName(spec('system:node:skiff-b', NODE_GROUPS)), 'skiff-b');
    assert.equal(requesterNodeName(spec('system:node:', NODE_GROUPS)), undefined);
    assert.equal(requesterNodeName(spec('system:node:skiff-b', [])), undefined);
  });
});
