// skiff-test: whole-host — runs `skiff up` with the agent, whose service rules and ClusterIPs are
// host-wide, so scripts/test.sh runs these files one at a time after the rest.
// The dashboard on real containers (issue #11's acceptance): `skiff up` runs the node agent, pods
// run under runc/conmon from images served by a test registry on 127.0.0.1, and Debian's Chromium
// (playwright-core) logs in, applies a Deployment from the YAML editor, watches its pods run,
// scales, rolls back, follows a pod's logs, types into the exec terminal and draws usage charts
// from metrics.k8s.io. A view-only user gets no Scale button and a readable Forbidden. Every view
// is saved as a screenshot under test/e2e/artifacts/containers-*.png; the test prints the bundle
// size and the overview's first paint. Needs root; leaves no host object behind.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ENV_AGENT_PORT, ENV_HOST_SCOPE, ENV_POD_CIDR } from '../../src/cmd/node.ts';
import { buildDashboard } from '../../src/dashboard/build.ts';
import { DASHBOARD_DIR_ENV } from '../../src/dashboard/serve.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadDashboard, signIn } from '../support/dashboard-browser.ts';
import { busyboxImage } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { type Skiff, startSkiff } from './harness.ts';

const ADMIN_TOKEN = 'skiff-dashboard-admin-token';
const VIEWER_TOKEN = 'skiff-dashboard-viewer-token';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const scope = newRuntimeScope();
/** Not the first node's 10.42.0.0/24, nor another e2e file's, so runs side by side do not collide. */
const POD_CIDR = '10.42.247.0/24';
const NODE = hostname().toLowerCase();
const WAIT_MS = 30_000;
const POLL_MS = 200;
/**
 * Prints a numbered line every second (so the log view has something to follow) and exits at
 * once on SIGTERM, so scaling down does not wait out a grace period.
 */
const TICKER = 'trap "exit 0" TERM; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done';

/** The late pod's init container sleeps this long: the page opens before the main one exists. */
const INIT_HOLD_S = 3;
const LATE_LINE = 'skiff-late-first-line';

let registry: TestRegistry;
let s: Skiff;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let tmp: string;
let imageV1: string;
let imageV2: string;
const offHost: string[] = [];
const failedRequests: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function manifest(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ticker
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: ticker}
  template:
    metadata:
      labels: {app: ticker}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: ticker
        image: ${image}
        command: [sh, -c, '${TICKER}']
`;
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function shot(name: string, p: Page = page): Promise<void> {
  // From the top: a full-page capture of a scrolled page draws the sticky header mid-page.
  await p.evaluate('window.scrollTo(0, 0)');
  await p.screenshot({ path: join(ARTIFACTS, `containers-${name}.png`), fullPage: true });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      await shot(`FAILED-${what.replace(/\W+/g, '-')}`).catch(() => undefined);
      throw new Error(
        `timed out waiting for ${what}\nfailed requests: ${failedRequests.join('\n')}\n${s.logs().slice(-3000)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** xterm.js draws rows of spans: wait until their text holds `text`. */
async function screenHas(text: string): Promise<void> {
  await until(`${JSON.stringify(text)} on the terminal`, async () =>
    (await page.locator('.xterm-rows').textContent())?.includes(text) ? true : undefined,
  );
}

interface Paint {
  fcp?: number;
  /** From navigation start until `ready` resolved. */
  readyMs: number;
  /** Bytes on the wire for the page and its assets (gzip). */
  encoded: number;
}

/** Reloads the page (the token stays in sessionStorage) and reads its paint timing. */
async function firstPaint(p: Page, ready: () => Promise<void>): Promise<Paint> {
  await loadDashboard(p, () => p.reload());
  await ready();
  // Runs in the page (DOM types are not in this Node program's view, hence a string).
  return (await p.evaluate(`(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const assets = performance.getEntriesByType('resource').filter((r) => r.name.includes('/dashboard/'));
    return {
      fcp: paint && paint.startTime,
      readyMs: performance.now(),
      encoded: assets.reduce((n, r) => n + r.encodedBodySize, 0) + nav.encodedBodySize,
    };
  })()`)) as Paint;
}

before(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('the dashboard container e2e needs root (runc, mounts, cgroups, netns)');
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'skiff-dashboard-ctr-'));
  const tokens = join(tmp, 'tokens.csv');
  writeFileSync(
    tokens,
    `${ADMIN_TOKEN},skiff-admin,skiff-admin-uid,"system:masters"\n${VIEWER_TOKEN},skiff-viewer,skiff-viewer-uid\n`,
  );
  // The UI built from these sources into a private folder: no dependence on a stale dist/.
  const dashboardDir = join(tmp, 'dashboard');
  const [built, reg, image] = await Promise.all([
    buildDashboard(dashboardDir),
    startRegistry(),
    busyboxImage({ cmd: ['sh'] }),
  ]);
  registry = reg;
  const assets = built.files.filter((f) => f.path.startsWith('assets/'));
  console.log(
    `dashboard bundle: ${assets.length} files, ${assets.reduce((n, f) => n + f.bytes, 0)} bytes, ` +
      `${assets.reduce((n, f) => n + f.gzipBytes, 0)} bytes gzip`,
  );
  await pushImage(registry.url, 'skiff/ticker', '1', image);
  await pushImage(registry.url, 'skiff/ticker', '2', image);
  imageV1 = `${registry.host}/skiff/ticker:1`;
  imageV2 = `${registry.host}/skiff/ticker:2`;
  [s, browser] = await Promise.all([
    startSkiff({
      command: 'up',
      fromSource: true,
      dataDir: scope.stateDir,
      args: ['--token-auth-file', tokens],
      env: {
        [ENV_HOST_SCOPE]: scope.tag,
        [ENV_POD_CIDR]: POD_CIDR,
        [ENV_AGENT_PORT]: '0',
        [DASHBOARD_DIR_ENV]: dashboardDir,
      },
    }),
    // Playwright gives the browser a fresh temporary --user-data-dir and removes it on close.
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }),
  ]);
  // The viewer may read the namespace; pods mount kube-root-ca.crt, published by a controller.
  await until('the RBAC API', async () =>
    (
      await s.kubectl([
        'create',
        'rolebinding',
        'skiff-viewer-view',
        '--clusterrole=view',
        '--user=skiff-viewer',
        '-n',
        'default',
      ])
    ).code === 0
      ? true
      : undefined,
  );
  ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
  ctx.on('request', (r) => {
    if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) offHost.push(r.url());
  });
  page = await ctx.newPage();
  // Requests the browser gave up on (not those the UI aborted itself): printed when a step fails.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (why !== 'net::ERR_ABORTED') failedRequests.push(`${r.method()} ${r.url()}: ${why}`);
  });
});

after(async () => {
  const errors: string[] = [];
  await attempt(errors, 'browser', async () => browser?.close());
  // Delete the workload first, so the agent stops its containers while it still runs.
  await attempt(errors, 'delete deployment', async () =>
    s?.kubectl(['delete', 'deployment', 'ticker', '--ignore-not-found', '--wait=false']),
  );
  await attempt(errors, 'pods gone', async () => {
    const end = Date.now() + WAIT_MS;
    while (Date.now() < end) {
      const r = await s.kubectl(['get', 'pods', '-o', 'name']);
      if (r.code === 0 && r.stdout.trim() === '') return;
      await sleep(POLL_MS * 2);
    }
  });
  await attempt(errors, 'skiff stop', async () => s?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { serviceChains: true });
  await attempt(errors, 'data dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

const runningPods = () =>
  page.locator('section', { hasText: 'Pods (' }).locator('.badge', { hasText: 'Running' });

test('login, then the overview shows this machine Ready (first paint measured)', async () => {
  await loadDashboard(page, () => page.goto(`${s.url}/dashboard/`));
  await shot('01-login');
  await signIn(page, s.url, ADMIN_TOKEN);
  const nodeRow = page.locator('tr', { hasText: NODE });
  await nodeRow.getByText('Ready', { exact: true }).waitFor({ timeout: WAIT_MS });
  const perf = await firstPaint(page, async () => {
    await nodeRow.getByText('Ready', { exact: true }).waitFor();
  });
  console.log(
    `overview (real node): first contentful paint ${perf.fcp?.toFixed(0)} ms, ` +
      `node Ready shown after ${perf.readyMs.toFixed(0)} ms, initial assets ${perf.encoded} bytes gzip`,
  );
  assert.ok(perf.fcp !== undefined && perf.fcp > 0, 'the overview painted');
  await shot('02-overview');
});

test('apply a Deployment from the YAML editor: the diff first, then pods Running live', async () => {
  await page.goto(`${s.url}/dashboard/#/yaml`);
  await page.getByLabel('manifest').fill(manifest(imageV1));
  assert.equal(await page.getByRole('button', { name: 'Apply' }).count(), 0, 'no Apply before the diff');
  await page.getByRole('button', { name: 'Review changes' }).click();
  const diff = page.getByTestId('diff');
  await diff.getByText('+ kind: Deployment').waitFor();
  await diff.getByText(`image: ${imageV1}`).waitFor();
  await shot('03-yaml-diff');
  assert.equal((await s.kubectl(['get', 'deployment', 'ticker'])).code, 1, 'the dry run saved nothing');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/deployment\/default\/ticker$/);
  // No reload from here on: the pod list follows its watch as the agent starts the containers.
  await until('2 pods Running in the page', async () =>
    (await runningPods().count()) === 2 ? true : undefined,
  );
  const phases = await kubectl([
    'get',
    'pods',
    '-l',
    'app=ticker',
    '-o',
    'jsonpath={.items[*].status.phase}',
  ]);
  assert.deepEqual(phases.trim().split(' '), ['Running', 'Running']);
  await shot('04-deployment-running');
});

test('scale to 3 and back to 2', async () => {
  const replicasShown = (n: string) =>
    until(`${n} replicas shown`, async () =>
      (await page.getByTestId('replicas').textContent())?.trim() === n ? true : undefined,
    );
  await page.getByRole('button', { name: 'scale up' }).click();
  await replicasShown('3');
  await until('3 pods Running', async () => ((await runningPods().count()) === 3 ? true : undefined));
  assert.equal(
    (await kubectl(['get', 'deployment', 'ticker', '-o', 'jsonpath={.spec.replicas}'])).trim(),
    '3',
  );
  await shot('05-scaled-3');
  await page.getByRole('button', { name: 'scale down' }).click();
  await replicasShown('2');
  await until('2 pods listed, both Running', async () =>
    (await page.locator('section', { hasText: 'Pods (2)' }).count()) === 1 &&
    (await runningPods().count()) === 2
      ? true
      : undefined,
  );
});

test('roll back to revision 1 after kubectl set image', async () => {
  await kubectl(['set', 'image', 'deployment/ticker', `ticker=${imageV2}`]);
  const history = page.locator('section', { hasText: 'Rollout history' });
  await history.getByText('2 (current)').waitFor({ timeout: WAIT_MS });
  await until('the v2 pods Running', async () => {
    const out = await kubectl([
      'get',
      'pods',
      '-l',
      'app=ticker',
      '-o',
      'jsonpath={range .items[*]}{.spec.containers[0].image} {.status.phase}{"\\n"}{end}',
    ]);
    const lines = out.trim().split('\n');
    return lines.length === 2 && lines.every((l) => l === `${imageV2} Running`) ? true : undefined;
  });
  await shot('06-history');
  await history.locator('button[data-revision="1"]').click();
  await page.getByRole('status').filter({ hasText: 'rolled back deployment ticker to revision 1' }).waitFor();
  await history.getByText('3 (current)').waitFor({ timeout: WAIT_MS });
  assert.equal(
    (
      await kubectl([
        'get',
        'deployment',
        'ticker',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ])
    ).trim(),
    imageV1,
  );
  await until('the rolled-back pods Running in the page', async () =>
    (await page.locator('section', { hasText: 'Pods (2)' }).count()) === 1 &&
    (await runningPods().count()) === 2
      ? true
      : undefined,
  );
  await shot('07-rolled-back');
});

test("a pod's logs follow live: lines printed after the page opened appear", async () => {
  await kubectl(['rollout', 'status', 'deployment/ticker', '--timeout=30s']);
  const pod = (
    await kubectl(['get', 'pods', '-l', 'app=ticker', '-o', 'jsonpath={.items[0].metadata.name}'])
  ).trim();
  await page.goto(`${s.url}/dashboard/#/pod/default/${pod}`);
  const logs = page.getByTestId('logs');
  await logs
    .getByText(/tick \d+/)
    .first()
    .waitFor({ timeout: WAIT_MS });
  const firstText = (await logs.textContent()) ?? '';
  const lastTick = (t: string) => Math.max(...[...t.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
  const opened = lastTick(firstText);
  // A line written into the container's stdout from outside, after the view opened.
  const marker = `skiff-marker-${Date.now()}`;
  await kubectl(['exec', pod, '--', 'sh', '-c', `echo ${marker} > /proc/1/fd/1`]);
  await logs.getByText(marker).waitFor({ timeout: WAIT_MS });
  await until('two more ticks', async () =>
    lastTick((await logs.textContent()) ?? '') >= opened + 2 ? true : undefined,
  );
  await shot('08-pod-logs');

  // The exec terminal: a shell in the container; `echo hi` is read back from xterm's screen.
  await page.getByRole('button', { name: 'Open shell' }).click();
  await page.getByText('connected').waitFor({ timeout: WAIT_MS });
  await screenHas('#');
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('echo hi');
  await page.keyboard.press('Enter');
  const rows = await until('hi on its own row', async () => {
    const r = await page.locator('.xterm-rows > div').allTextContents();
    return r.some((l) => l.trim() === 'hi') ? r : undefined;
  });
  assert.ok(
    rows.some((l) => l.includes('echo hi')),
    rows.join('\n'),
  );
  // The terminal fills its panel rather than xterm.js's default 80 columns.
  const [screenW, panelW] = await Promise.all([
    page.locator('.xterm-screen').evaluate((e) => e.clientWidth),
    page.locator('.terminal-host').evaluate((e) => e.clientWidth),
  ]);
  assert.ok(screenW > panelW * 0.9, `terminal ${screenW}px wide in a ${panelW}px panel`);
  await shot('09-terminal');
  await page.keyboard.type('exit 3');
  await page.keyboard.press('Enter');
  await page.getByText('command terminated with exit code 3').waitFor({ timeout: WAIT_MS });
});

test('a pod opened before its container starts shows its log once it does', async () => {
  // An init container holds the main one back, so the page opens on a container not yet created.
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'skiff-late', namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      initContainers: [{ name: 'hold', image: imageV1, command: ['sleep', String(INIT_HOLD_S)] }],
      containers: [{ name: 'main', image: imageV1, command: ['sh', '-c', `echo ${LATE_LINE}; ${TICKER}`] }],
    },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  await page.goto(`${s.url}/dashboard/#/pod/default/skiff-late`);
  const logs = page.getByTestId('logs');
  await logs.getByText('Waiting for the container to start').waitFor({ timeout: WAIT_MS });
  // No shell into a container that does not run yet (nor one left open on the previous pod).
  const openShell = page.getByRole('button', { name: 'Open shell' });
  assert.equal(await openShell.isDisabled(), true);
  assert.equal(await page.locator('.xterm').count(), 0);
  await logs.getByText(LATE_LINE).waitFor({ timeout: WAIT_MS });
  await until('Open shell enabled', async () => ((await openShell.isEnabled()) ? true : undefined));
  await shot('10-late-pod-logs');
  await kubectl(['delete', 'pod', 'skiff-late', '--wait=false']);
});

test('usage charts from metrics.k8s.io (the agent serves /stats/summary)', async () => {
  await page.goto(`${s.url}/dashboard/#/usage`);
  // A node series, and the pods' own rows, from real cgroup counters.
  await until('a node chart', async () =>
    (await page.locator('.u-legend', { hasText: NODE }).count()) > 0 ? true : undefined,
  );
  const rows = await until('both ticker pods in the usage table', async () => {
    const r = await page.getByTestId('pod-usage').locator('tbody tr').allTextContents();
    return r.filter((t) => t.includes('default/ticker-')).length === 2 ? r : undefined;
  });
  for (const r of rows.filter((t) => t.includes('ticker-')))
    assert.match(r, /ticker-\S+\d+m[1-9]\d*(Ki|Mi)$/, 'CPU in millicores, non-zero memory');
  // The charts keep sampling while the view stays open.
  await until('a second sample drawn', async () =>
    Number(await page.getByTestId('usage-chart').first().getAttribute('data-points')) >= 2 ? true : undefined,
  );
  // Sampled 5 s apart, the node's CPU over that interval: a busy test machine is never idle.
  const nodeCpu = JSON.parse(
    (await page.getByTestId('usage-chart').first().getAttribute('data-latest')) ?? '[]',
  ) as number[];
  assert.ok((nodeCpu[0] ?? 0) > 0, `node CPU in the second sample: ${nodeCpu}`);
  await shot('11-usage');
});

test("workloads and events list the real cluster's objects", async () => {
  await page.goto(`${s.url}/dashboard/#/workloads/default`);
  await page
    .locator('section', { hasText: 'Deployments (1)' })
    .getByText('2/2 ready')
    .waitFor({ timeout: WAIT_MS });
  await shot('12-workloads');
  await page.goto(`${s.url}/dashboard/#/events`);
  // The controller's and the node agent's own events.
  await page.locator('td', { hasText: 'ScalingReplicaSet' }).first().waitFor({ timeout: WAIT_MS });
  await page.locator('td', { hasText: 'Started container ticker' }).first().waitFor({ timeout: WAIT_MS });
  await shot('13-events');
});

test('a view-only user sees no Scale button and a readable Forbidden when forcing it', async () => {
  // A second tab (sessionStorage is per tab) sharing the profile's connection pool with the first.
  await page.goto(`${s.url}/dashboard/#/deployment/default/ticker`);
  const viewer = await ctx.newPage();
  try {
    await signIn(viewer, s.url, VIEWER_TOKEN);
    await viewer.goto(`${s.url}/dashboard/#/deployment/default/ticker`);
    await viewer.getByText('read-only: you may not scale').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'scale up' }).count(), 0);
    assert.equal(await viewer.getByRole('button', { name: 'Roll back' }).count(), 0);
    const ok = await viewer.evaluate(`window.skiffDashboard.actions.scale('default', 'ticker', 5)`);
    assert.equal(ok, false);
    const alert = viewer.getByRole('alert').filter({ hasText: 'Forbidden' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /skiff-viewer/);
    assert.match(text, /cannot patch resource "deployments\/scale"/);
    await shot('14-viewer-forbidden', viewer);
    assert.equal(
      (await kubectl(['get', 'deployment', 'ticker', '-o', 'jsonpath={.spec.replicas}'])).trim(),
      '2',
    );
  } finally {
    await viewer.close();
  }
});

test('the page made no request beyond the server under test', () => {
  assert.deepEqual(offHost, []);
});
