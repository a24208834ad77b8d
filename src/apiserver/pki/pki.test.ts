import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { writeKubeconfig } from './kubeconfig.ts';
import { ensurePki } from './pki.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('first start issues a CA, a serving cert for every name and address, and an admin client cert', async () => {
  const pki = await ensurePki(join(dir, 'tls'), { hosts: ['node-a'], ips: ['10.9.8.7'] });
  const ca = new X509Certificate(pki.caCertPem);
  const server = new X509Certificate(pki.serverCertPem);
  const admin = new X509Certificate(pki.adminCertPem);
  assert.ok(ca.ca, 'CA certificate has basicConstraints CA:true');
  assert.ok(server.verify(ca.publicKey));
  assert.ok(admin.verify(ca.publicKey));
  assert.ok(server.checkIP('127.0.0.1') && server.checkIP('10.9.8.7'));
  assert.ok(server.checkHost('node-a') && server.checkHost('kubernetes.default.svc'));
  assert.equal(server.checkIP('10.9.8.6'), undefined);
  assert.match(admin.subject, /CN=system:admin/);
  assert.match(admin.subject, /O=system:masters/);
  assert.equal(statSync(join(dir, 'tls', 'ca.key')).mode & 0o077, 0, 'keys are private');
});

test('a later start reuses the files; a new address re-issues only the serving cert', async () => {
  const a = await ensurePki(join(dir, 'tls'), { hosts: ['node-a'], ips: ['10.9.8.7'] });
  const b = await ensurePki(join(dir, 'tls'), { hosts: ['node-a'], ips: ['10.9.8.7'] });
  assert.equal(b.serverCertPem, a.serverCertPem);
  const c = await ensurePki(join(dir, 'tls'), { hosts: ['node-a'], ips: ['10.9.8.7', '10.1.1.1'] });
  assert.notEqual(c.serverCertPem, a.serverCertPem);
  assert.equal(c.caCertPem, a.caCertPem);
  assert.equal(c.adminCertPem, a.adminCertPem);
  assert.ok(new X509Certificate(c.serverCertPem).checkIP('10.1.1.1'));
});

test('the kubeconfig embeds server, CA and client credentials', async () => {
  const pki = await ensurePki(join(dir, 'tls'), { hosts: [], ips: [] });
  const path = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(path, {
    server: 'https://127.0.0.1:6443',
    caCertPem: pki.caCertPem,
    clientCertPem: pki.adminCertPem,
    clientKeyPem: pki.adminKeyPem,
  });
  const kc = parse(readFileSync(path, 'utf8'));
  assert.equal(kc['current-context'], 'skiff');
  assert.equal(kc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  assert.equal(ca, pki.caCertPem);
  const key = Buffer.from(kc.users[0].user['client-key-data'], 'base64').toString();
  assert.match(key, /BEGIN PRIVATE KEY/);
});
