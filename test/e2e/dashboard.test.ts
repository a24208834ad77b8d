// The dashboard in a real browser: a real `skiff server` (the bundled CLI, whose build also
// produces the UI), pods made Running by a hollow node, and Debian's Chromium driven by
// playwright-core. Each step saves a screenshot under test/e2e/artifacts/ and the test prints the
// bundle size and the overview's first paint.

import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type HollowNode, startHollowNode } from '../../src/agent/sim/hollow-node.ts';
import { clientFromKubeconfig, type RestClient } from '../../src/client/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadDashboard, signIn } from '../support/dashboard-browser.ts';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const DIST = join(ROOT, 'dist/dashboard');
const ADMIN_TOKEN = 'skiff-dashboard-admin-token';
const VIEWER_TOKEN = 'skiff-dashboard-viewer-token';
const NODE_NAME = 'skiff-dash-node';
const WAIT_MS = 30_000;
const IMAGE_V1 = 'registry.local/skiff/web:1';
const IMAGE_V2 = 'registry.local/skiff/web:2';
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${IMAGE_V1}
`;

let s: Skiff;
let client: RestClient;
let node: HollowNode;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let tmp: string;
const offHost: string[] = [];

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function shot(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const until = <T>(what: string, fn: () => Promise<T | undefined>) =>
  waitUntil(what, fn, { timeoutMs: WAIT_MS, pollMs: 200, detail: () => s.logs().slice(-2000) });

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} missing: apt-get install chromium (scripts/lib.sh TEST_DEBS)`);
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('dist/dashboard missing: run node scripts/build.ts');
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'skiff-dashboard-'));
  const tokens = join(tmp, 'tokens.csv');
  writeFileSync(
    tokens,
    `${ADMIN_TOKEN},skiff-admin,skiff-admin-uid,"system:masters"\n${VIEWER_TOKEN},skiff-viewer,skiff-viewer-uid\n`,
  );
  s = await startSkiff({ args: ['--token-auth-file', tokens] });
  client = await clientFromKubeconfig(s.kubeconfig);
  node = await startHollowNode({ client, name: NODE_NAME, heartbeatMs: 2000 });
  await kubectl([
    'create',
    'rolebinding',
    'skiff-viewer-view',
    '--clusterrole=view',
    '--user=skiff-viewer',
    '-n',
    'default',
  ]);
  // Playwright gives the browser a fresh temporary --user-data-dir and removes it on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  ctx = await newContext();
  page = await ctx.newPage();
});

/** A browser context (cookies, cache and connection pool) that records off-host requests. */
async function newContext(): Promise<BrowserContext> {
  const c = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
  // Every request the page makes must stay on the server under test.
  c.on('request', (r) => {
    if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) offHost.push(r.url());
  });
  return c;
}

after(async () => {
  await browser?.close();
  await node?.stop();
  await s?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the bundle is built with a gzip twin of every asset', () => {
  const files = readdirSync(join(DIST, 'assets')).filter((f) => !f.endsWith('.gz'));
  let bytes = 0;
  let gz = 0;
  for (const f of files) {
    bytes += statSync(join(DIST, 'assets', f)).size;
    if (existsSync(join(DIST, 'assets', `${f}.gz`))) gz += statSync(join(DIST, 'assets', `${f}.gz`)).size;
  }
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const entry = /src="assets\/([^"]+\.js)"/.exec(html)?.[1];
  assert.ok(entry, 'index.html names its entry module');
  const entryBytes = statSync(join(DIST, 'assets', entry)).size;
  const entryGz = statSync(join(DIST, 'assets', `${entry}.gz`)).size;
  console.log(
    `dashboard bundle: ${files.length} files, ${bytes} bytes, ${gz} bytes gzip; entry module ${entryBytes} bytes, ${entryGz} gzip`,
  );
  assert.ok(bytes > 0 && gz > 0 && gz < bytes);
});

test('login, then the overview shows the node Ready', async () => {
  await loadDashboard(page, () => page.goto(`${s.url}/dashboard/`));
  await shot('01-login');
  // A wrong token is refused with the server's message.
  await page.getByLabel('Token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /Unauthorized/i })
    .waitFor();
  await signIn(page, s.url, ADMIN_TOKEN);
  const nodeRow = page.locator('tr', { hasText: NODE_NAME });
  await nodeRow.getByText('Ready', { exact: true }).waitFor();
  await page.getByText('skiff-admin').waitFor();
  // First paint of the overview on a fresh load (the token is in sessionStorage).
  await loadDashboard(page, () => page.reload());
  await nodeRow.getByText('Ready', { exact: true }).waitFor();
  // Runs in the page (DOM types are not in this Node program's view, hence a string).
  const perf = (await page.evaluate(`(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const assets = performance.getEntriesByType('resource').filter((r) => r.name.includes('/dashboard/'));
    return {
      fcp: paint && paint.startTime,
      domContentLoaded: nav.domContentLoadedEventEnd,
      encoded: assets.reduce((n, r) => n + r.encodedBodySize, 0) + nav.encodedBodySize,
      decoded: assets.reduce((n, r) => n + r.decodedBodySize, 0) + nav.decodedBodySize,
    };
  })()`)) as { fcp?: number; domContentLoaded: number; encoded: number; decoded: number };
  console.log(
    `overview: first contentful paint ${perf.fcp?.toFixed(0)} ms, DOMContentLoaded ${perf.domContentLoaded.toFixed(0)} ms, ` +
      `initial assets ${perf.encoded} bytes gzip (${perf.decoded} decoded)`,
  );
  assert.ok(perf.fcp !== undefined && perf.fcp > 0, 'the overview painted');
  assert.ok(perf.encoded < perf.decoded / 2, 'assets were served gzip-compressed');
  await shot('02-overview');
});

test('apply a Deployment from the YAML editor: diff first, then pods Running live', async () => {
  await page.goto(`${s.url}/dashboard/#/yaml`);
  const editor = page.getByLabel('manifest');
  await editor.fill(MANIFEST);
  assert.equal(await page.getByRole('button', { name: 'Apply' }).count(), 0, 'no Apply before the diff');
  await page.getByRole('button', { name: 'Review changes' }).click();
  const diff = page.getByTestId('diff');
  await diff.getByText(`+ kind: Deployment`).waitFor();
  await diff.getByText(`image: ${IMAGE_V1}`).waitFor();
  await shot('03-yaml-diff');
  // The dry run saved nothing.
  assert.equal((await s.kubectl(['get', 'deployment', 'web'])).code, 1);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/deployment\/default\/web$/);
  const running = page.locator('section', { hasText: 'Pods (' }).locator('.badge', { hasText: 'Running' });
  await until('2 pods Running in the page', async () => ((await running.count()) === 2 ? true : undefined));
  await shot('04-deployment');
});

test('scale to 3 and back to 2 with the +/− buttons', async () => {
  const running = page.locator('section', { hasText: 'Pods (' }).locator('.badge', { hasText: 'Running' });
  await page.getByRole('button', { name: 'scale up' }).click();
  await page.getByTestId('replicas').getByText('3').waitFor();
  await until('3 pods Running', async () => ((await running.count()) === 3 ? true : undefined));
  assert.equal((await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).trim(), '3');
  await shot('05-scaled-3');
  await page.getByRole('button', { name: 'scale down' }).click();
  await page.getByTestId('replicas').getByText('2').waitFor();
  await until('2 pods Running', async () => ((await running.count()) === 2 ? true : undefined));
  assert.equal((await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).trim(), '2');
});

test('roll back to revision 1 after kubectl set image', async () => {
  await kubectl(['set', 'image', 'deployment/web', `web=${IMAGE_V2}`]);
  const history = page.locator('section', { hasText: 'Rollout history' });
  await history.getByText(IMAGE_V2).waitFor({ timeout: WAIT_MS });
  await history.getByText('2 (current)').waitFor({ timeout: WAIT_MS });
  await shot('06-history');
  await history.locator('button[data-revision="1"]').click();
  await page.getByRole('status').filter({ hasText: 'rolled back deployment web to revision 1' }).waitFor();
  const image = await until('the template back at v1', async () => {
    const v = (
      await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])
    ).trim();
    return v === IMAGE_V1 ? v : undefined;
  });
  assert.equal(image, IMAGE_V1);
  // As with kubectl rollout undo, the controller moves revision 1's ReplicaSet to revision 3.
  await history.getByText('3 (current)').waitFor({ timeout: WAIT_MS });
  const labels = JSON.parse(
    await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.metadata.labels}']),
  );
  assert.deepEqual(labels, { app: 'web' }, 'pod-template-hash is not copied into the Deployment');
  await shot('07-rolled-back');
});

test('edit the live Deployment as YAML: the diff shows only the change', async () => {
  await page.locator('a', { hasText: 'Edit YAML' }).click();
  const editor = page.getByLabel('manifest');
  await until('the editor filled from the live object', async () =>
    (await editor.inputValue()).includes('replicas: 2') ? true : undefined,
  );
  const yaml = await editor.inputValue();
  assert.ok(!yaml.includes('managedFields') && !yaml.includes('resourceVersion'), yaml);
  await editor.fill(yaml.replace('replicas: 2', 'replicas: 4'));
  await page.getByRole('button', { name: 'Review changes' }).click();
  const diff = page.getByTestId('diff');
  await diff.getByText('+   replicas: 4').waitFor();
  const changed = (await diff.locator('.add, .del').allTextContents()).map((t) => t.trim());
  assert.deepEqual(changed, ['-   replicas: 2', '+   replicas: 4']);
  await shot('08-yaml-edit-diff');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/deployment\/default\/web$/);
  await page.getByTestId('replicas').getByText('4').waitFor();
  // Back to 2 for the scenarios that follow.
  await kubectl(['scale', 'deployment/web', '--replicas=2']);
  await page.getByTestId('replicas').getByText('2').waitFor();
});

test('a view-only user sees no Scale button and a readable Forbidden when forcing it', async () => {
  // A second tab of the same browser (sessionStorage is per tab): with the admin tab still
  // watching, both share the profile's 6 connections, which the watch budget must leave room in.
  const viewer = await ctx.newPage();
  try {
    await signIn(viewer, s.url, VIEWER_TOKEN);
    await viewer.goto(`${s.url}/dashboard/#/deployment/default/web`);
    await viewer.getByText('read-only: you may not scale').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'scale up' }).count(), 0);
    assert.equal(await viewer.getByRole('button', { name: 'Roll back' }).count(), 0);
    // The UI's own action, as its Scale button would run it.
    const ok = await viewer.evaluate(`window.skiffDashboard.actions.scale('default', 'web', 5)`);
    assert.equal(ok, false);
    const alert = viewer.getByRole('alert').filter({ hasText: 'Forbidden' });
    await alert.waitFor().catch(async (e) => {
      await shot('09-viewer-forbidden-FAILED', viewer);
      throw e;
    });
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /skiff-viewer/);
    assert.match(text, /cannot patch resource "deployments\/scale"|cannot patch/);
    await shot('09-viewer-forbidden', viewer);
    assert.equal(
      (await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).trim(),
      '2',
    );
  } finally {
    await viewer.close();
  }
});

test('workloads, events, pod and usage views render', async () => {
  await page.goto(`${s.url}/dashboard/#/workloads/default`);
  await page.locator('section', { hasText: 'Deployments (1)' }).getByText('2/2 ready').waitFor();
  await shot('10-workloads');
  await page.goto(`${s.url}/dashboard/#/events`);
  await page.locator('td', { hasText: 'ScalingReplicaSet' }).first().waitFor({ timeout: WAIT_MS });
  await shot('11-events');
  const pod = (
    await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])
  ).trim();
  await page.goto(`${s.url}/dashboard/#/pod/default/${pod}`);
  await page.getByText(`Pod default/${pod}`).waitFor();
  await page.getByTestId('logs').waitFor();
  await shot('12-pod');
  await page.goto(`${s.url}/dashboard/#/usage`);
  const unavailable = page.getByTestId('metrics-unavailable');
  const empty = page.getByTestId('metrics-empty');
  const chart = page.getByTestId('usage-chart').first();
  await unavailable.or(empty).or(chart).waitFor();
  const shown = (await unavailable.count())
    ? 'metrics unavailable'
    : (await empty.count())
      ? 'metrics API up, no node usage yet'
      : 'charts';
  console.log(`usage view: ${shown}`);
  await shot('13-usage');
});

test('the page made no request beyond the server under test', () => {
  assert.deepEqual(offHost, []);
});
