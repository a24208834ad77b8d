import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { findDashboardDir, isDashboardPath, serveDashboard } from './serve.ts';

let dir: string;
let server: Server;
let base: string;
const APP_JS = 'console.log("skiff dashboard");'.repeat(20);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-dashboard-serve-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>skiff</title>');
  writeFileSync(join(dir, 'assets', 'main-AB12.js'), APP_JS);
  writeFileSync(join(dir, 'assets', 'main-AB12.js.gz'), gzipSync(APP_JS));
  writeFileSync(join(dir, 'assets', '.hidden.js'), 'secret');
  writeFileSync(join(dir, 'notes.txt'), 'no type for this');
  writeFileSync(join(tmpdir(), 'skiff-outside.js'), 'outside');
  server = createServer((req, res) => serveDashboard(req, res, dir));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'skiff-outside.js'), { force: true });
});

function request(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = get(`${base}${path}`, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
  });
}

test('/dashboard redirects to /dashboard/ and / serves index.html, revalidated', async () => {
  const r = await request('/dashboard?x=1');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/dashboard/?x=1');
  const index = await request('/dashboard/');
  assert.equal(index.status, 200);
  assert.match(index.headers['content-type']!, /text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(String(index.headers['content-security-policy']), /connect-src 'self'/);
  assert.match(index.body.toString(), /<title>skiff/);
});

test('hashed assets are immutable and sent gzipped when accepted', async () => {
  const plain = await request('/dashboard/assets/main-AB12.js');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), APP_JS);
  assert.match(plain.headers['cache-control']!, /immutable/);
  const gz = await request('/dashboard/assets/main-AB12.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < APP_JS.length);
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  const head = await request('/dashboard/assets/main-AB12.js', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('nothing outside the folder, no dotfiles, no unknown types, no .gz by name', async () => {
  for (const p of [
    '/dashboard/../skiff-outside.js',
    '/dashboard/%2e%2e/skiff-outside.js',
    '/dashboard/assets%2f..%2f..%2fskiff-outside.js',
    '/dashboard/assets/.hidden.js',
    '/dashboard/notes.txt',
    '/dashboard/assets/main-AB12.js.gz',
    '/dashboard/assets/missing.js',
  ]) {
    assert.equal((await request(p)).status, 404, p);
  }
  assert.equal((await request('/dashboard/', {}, 'POST')).status, 405);
});

test('isDashboardPath and findDashboardDir', () => {
  assert.ok(isDashboardPath('/dashboard'));
  assert.ok(isDashboardPath('/dashboard/assets/x.js'));
  assert.ok(!isDashboardPath('/dashboards'));
  assert.ok(!isDashboardPath('/api/v1/dashboard'));
  assert.equal(findDashboardDir({ SKIFF_DASHBOARD_DIR: dir }, '/nonexistent'), dir);
  assert.equal(findDashboardDir({}, '/nonexistent/a/b'), undefined);
});
