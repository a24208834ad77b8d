import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensurePki, type Pki } from '../pki/pki.ts';
import type { UserInfo } from '../registry/context.ts';
import { createAuthenticator } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-authn-'));
let pki: Pki;
let other: Pki;
let port = 0;
let server: ReturnType<typeof createServer>;
const seen: (UserInfo | undefined)[] = [];

before(async () => {
  pki = await ensurePki(join(dir, 'a'), { hosts: [], ips: [] });
  other = await ensurePki(join(dir, 'b'), { hosts: [], ips: [] }); // a foreign CA
  const authn = createAuthenticator({
    tokens: new Map([['s3cret', { username: 'alice', groups: ['dev'] }]]),
  });
  server = createServer(
    {
      cert: pki.serverCertPem,
      key: pki.serverKeyPem,
      ca: pki.caCertPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    async (req, res) => {
      seen.push(await authn.authenticate(req));
      res.end('ok');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function get(opts: { cert?: string; key?: string; token?: string }): Promise<UserInfo | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: pki.caCertPem,
        cert: opts.cert,
        key: opts.key,
        agent: false,
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(seen.at(-1)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a client certificate signed by the cluster CA authenticates as CN with O groups', async () => {
  const u = await get({ cert: pki.adminCertPem, key: pki.adminKeyPem });
  assert.equal(u?.username, 'system:admin');
  assert.deepEqual(u?.groups, ['system:masters', 'system:authenticated']);
});

test('a certificate from another CA is not trusted', async () => {
  assert.equal(await get({ cert: other.adminCertPem, key: other.adminKeyPem }), undefined);
});

test('a known bearer token authenticates; an unknown one does not', async () => {
  assert.deepEqual(await get({ token: 's3cret' }), {
    username: 'alice',
    groups: ['dev', 'system:authenticated'],
  });
  assert.equal(await get({ token: 'nope' }), undefined);
  assert.equal(await get({}), undefined);
});
