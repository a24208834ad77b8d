import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import { httpTransport } from '../../client/https-transport.ts';
import { NODES, type ResourceRef, type RestClient, type Transport } from '../../client/index.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { csrApprovingControllerFactory, REASON_AUTO_APPROVED } from './approver.ts';
import {
  CONDITION_APPROVED,
  CONDITION_DENIED,
  CONDITION_FAILED,
  CSRS,
  SIGNER_KUBELET_SERVING,
  USAGE_DIGITAL_SIGNATURE,
  USAGE_SERVER_AUTH,
} from './csr.ts';
import { REASON_AUTO_DENIED, SERVING_APPROVED_MESSAGE } from './serving-approval.ts';
import type { SigningCa } from './sign.ts';
import { csrSigningControllerFactory, REASON_SIGNER_VALIDATION_FAILURE } from './signer.ts';
import { nodeClientCsr, testCa, testRequest } from './test-fixtures.ts';

const RBAC = 'rbac.authorization.k8s.io';
const ref = (resource: string, kind: string): ResourceRef => ({
  group: RBAC,
  version: 'v1',
  resource,
  namespaced: false,
  kind,
});
const CLUSTER_ROLES = ref('clusterroles', 'ClusterRole');
const CLUSTER_ROLE_BINDINGS = ref('clusterrolebindings', 'ClusterRoleBinding');
const NODECLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
const BOOTSTRAPPERS = ['system:bootstrappers', 'system:authenticated'];

/** A client acting as another user (the API server records the requester from the request). */
function as(h: WorkloadHarness, user: string, group?: string): RestClient {
  const base = httpTransport({ server: h.cluster.server, token: h.cluster.token });
  const transport: Transport = {
    close: () => base.close(),
    request: (req) =>
      base.request({
        ...req,
        headers: {
          ...req.headers,
          'Impersonate-User': user,
          ...(group ? { 'Impersonate-Group': group } : {}),
        },
      }),
  };
  return h.cluster.client(transport);
}

const condition = (csr: KObject, type: string) =>
  (csr.status?.conditions as { type: string; reason?: string; message?: string }[] | undefined)?.find(
    (c) => c.type === type,
  );

describe('csrapproving + csrsigning', () => {
  let h: WorkloadHarness;
  let ca: SigningCa;
  before(async () => {
    // Needs the API server side (kind, /approval, requester fields): fail loudly without it.
    assert.ok(
      findKind('certificates.k8s.io', 'certificatesigningrequests'),
      'certificates.k8s.io/v1 CertificateSigningRequest is not served (see the H21 report: kind, /approval, requester admission)',
    );
    ca = await testCa();
    h = await startWorkloadHarness([
      csrApprovingControllerFactory,
      (ctx) => csrSigningControllerFactory({ ...ctx, clusterSigning: ca }),
    ]);
    await h.client.resource(CLUSTER_ROLES).create({
      metadata: { name: NODECLIENT_ROLE },
      rules: [
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests/nodeclient'],
          verbs: ['create'],
        },
      ],
    });
    // What the default policy's system:node-bootstrapper grants: creating CSRs at all.
    await h.client.resource(CLUSTER_ROLES).create({
      metadata: { name: 'skiff-csr-creator' },
      rules: [
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests'],
          verbs: ['create', 'get'],
        },
      ],
    });
    await h.client.resource(CLUSTER_ROLE_BINDINGS).create({
      metadata: { name: 'skiff-csr-creators' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'skiff-csr-creator' },
      subjects: [
        { apiGroup: RBAC, kind: 'Group', name: 'system:bootstrappers' },
        { apiGroup: RBAC, kind: 'User', name: 'mallory' },
      ],
    });
    await h.client.resource(CLUSTER_ROLE_BINDINGS).create({
      metadata: { name: 'skiff-node-autoapprove-bootstrap' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: NODECLIENT_ROLE },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:bootstrappers' }],
    });
  });
  after(() => h.stop());

  const csrs = () => h.client.resource(CSRS);

  it('approves a bootstrapper’s node client CSR after a SubjectAccessReview and signs it', async () => {
    const csr = await nodeClientCsr('skiff-node-csr', 'skiff-n1', 'system:bootstrap:abcdef', BOOTSTRAPPERS);
    csr.spec!.expirationSeconds = 7200;
    await as(h, 'system:bootstrap:abcdef', 'system:bootstrappers').resource(CSRS).create(csr);
    const done = await h.eventually(async () => {
      const c = await csrs().get('skiff-node-csr');
      return c.status?.certificate ? c : undefined;
    });
    const approved = condition(done, CONDITION_APPROVED);
    assert.equal(approved?.reason, REASON_AUTO_APPROVED);
    assert.equal(approved?.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
    const cert = new X509Certificate(Buffer.from(done.status!.certificate, 'base64').toString('utf8'));
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.match(cert.subject, /CN=system:node:skiff-n1/);
    const lifetime = Date.parse(cert.validTo) - Date.parse(done.metadata!.creationTimestamp!);
    assert.ok(lifetime > 7100_000 && lifetime < 7300_000, `lifetime ${lifetime} ms`);
  });

  it('leaves a CSR pending when the requester lacks nodeclient permission', async () => {
    await as(h, 'mallory', 'skiff-strangers')
      .resource(CSRS)
      .create(await nodeClientCsr('skiff-stranger-csr', 'skiff-n2', 'mallory', ['system:authenticated']));
    await new Promise((r) => setTimeout(r, 500));
    const c = await csrs().get('skiff-stranger-csr');
    assert.equal(c.spec?.username, 'mallory');
    assert.equal(condition(c, CONDITION_APPROVED), undefined);
    assert.equal(c.status?.certificate, undefined);
  });

  it('marks an approved CSR whose usages do not fit its signer Failed instead of signing it', async () => {
    const csr = await nodeClientCsr('skiff-bad-usage', 'skiff-n3', 'admin', ['system:masters']);
    csr.spec!.usages = [USAGE_SERVER_AUTH];
    const created = await csrs().create(csr);
    // A human approves it (kubectl certificate approve writes the approval subresource).
    created.status = {
      conditions: [{ type: CONDITION_APPROVED, status: 'True', reason: 'KubectlApprove', message: 'ok' }],
    };
    await csrs().updateSubresource('skiff-bad-usage', 'approval', created);
    const failed = await h.eventually(async () =>
      condition(await csrs().get('skiff-bad-usage'), CONDITION_FAILED),
    );
    assert.equal(failed.reason, REASON_SIGNER_VALIDATION_FAILURE);
    assert.equal(failed.message, 'usages did not match [client auth digital signature key encipherment]');
    assert.equal((await csrs().get('skiff-bad-usage')).status?.certificate, undefined);
  });

  const servingCsr = async (name: string, node: string, ips: string[]): Promise<KObject> => ({
    metadata: { name },
    spec: {
      request: await testRequest(`CN=system:node:${node}, O=system:nodes`, { dns: [node], ips }),
      signerName: SIGNER_KUBELET_SERVING,
      usages: [USAGE_DIGITAL_SIGNATURE, USAGE_SERVER_AUTH],
    },
  });

  it('approves a node’s serving CSR once its Node reports the address, and signs it', async () => {
    const node = as(h, 'system:node:skiff-n5', 'system:nodes');
    await node.resource(CSRS).create(await servingCsr('skiff-serving-n5', 'skiff-n5', ['192.0.2.55']));
    // No Node yet: pending until it appears with that address.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await csrs().get('skiff-serving-n5')).status?.conditions, undefined);
    const nodes = h.client.resource(NODES);
    const created = await nodes.create({ metadata: { name: 'skiff-n5' } });
    await nodes.updateStatus({
      ...created,
      status: { addresses: [{ type: 'InternalIP', address: '192.0.2.55' }] },
    });
    const done = await h.eventually(async () => {
      const c = await csrs().get('skiff-serving-n5');
      return c.status?.certificate ? c : undefined;
    });
    assert.equal(condition(done, CONDITION_APPROVED)?.message, SERVING_APPROVED_MESSAGE);
    const cert = new X509Certificate(Buffer.from(done.status!.certificate, 'base64').toString('utf8'));
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.equal(cert.checkIP('192.0.2.55'), '192.0.2.55');
    assert.equal(cert.checkHost('skiff-n5'), 'skiff-n5');
  });

  it('denies a node’s serving CSR for another node', async () => {
    await as(h, 'system:node:skiff-n6', 'system:nodes')
      .resource(CSRS)
      .create(await servingCsr('skiff-serving-n6', 'skiff-n5', ['192.0.2.55']));
    const denied = await h.eventually(async () =>
      condition(await csrs().get('skiff-serving-n6'), CONDITION_DENIED),
    );
    assert.equal(denied.reason, REASON_AUTO_DENIED);
    assert.equal((await csrs().get('skiff-serving-n6')).status?.certificate, undefined);
  });
});
