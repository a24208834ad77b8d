// The exec terminal and the log view in real Chromium, against a stand-in API server that speaks
// v5.channel.k8s.io on the exec WebSocket (kubectl-wire.md §8.1) and streams a log. The real
// server side of exec lands separately; this pins down the browser client's half of the protocol.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { serveDashboard } from '../serve.ts';
import { BEARER_PROTOCOL_PREFIX, EXEC_PROTOCOL } from './exec-frames.ts';

const DIST = join(import.meta.dirname, '../../../dist/dashboard');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-gpu',
];
const TOKEN = 'skiff-terminal-test-token';
const POD_PATH = '/api/v1/namespaces/default/pods';
const EXIT_STATUS = {
  metadata: {},
  status: 'Failure',
  message: 'command terminated with non-zero exit code: exit status 3',
  reason: 'NonZeroExitCode',
  details: { causes: [{ reason: 'ExitCode', message: '3' }] },
};

let server: Server;
let wss: WebSocketServer;
let browser: Browser;
let base: string;
const held: ServerResponse[] = [];
const seen = { query: '', token: '', protocol: '', resize: '', stdin: '' };

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'sh-1',
    namespace: 'default',
    resourceVersion: '5',
    creationTimestamp: new Date().toISOString(),
  },
  spec: { nodeName: 'skiff-node', containers: [{ name: 'main', image: 'busybox' }] },
  // As an agent reports it: the view follows logs of, and opens shells into, a running attempt.
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'main',
        containerID: 'runc://sh-1-main',
        ready: true,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      },
    ],
  },
};

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function api(req: IncomingMessage, res: ServerResponse): unknown {
  const url = new URL(req.url!, 'http://x');
  if (url.pathname.startsWith('/dashboard')) return serveDashboard(req, res, DIST);
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401).end(JSON.stringify({ kind: 'Status', message: 'Unauthorized', code: 401 }));
    return;
  }
  if (url.pathname.endsWith('/selfsubjectreviews'))
    return json(res, { status: { userInfo: { username: 'skiff-tester' } } });
  if (url.pathname.endsWith('/selfsubjectaccessreviews')) return json(res, { status: { allowed: true } });
  if (url.pathname === POD_PATH && url.searchParams.get('watch')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    held.push(res); // a watch with nothing to say
    return;
  }
  if (url.pathname === POD_PATH) return json(res, { metadata: { resourceVersion: '5' }, items: [POD] });
  if (url.pathname === `${POD_PATH}/sh-1/log`) {
    assert.equal(url.searchParams.get('follow'), 'true');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('hello from the log\n');
    held.push(res);
    setTimeout(() => res.write('a second line, later\n'), 300);
    return;
  }
  res.writeHead(404).end('{}');
}

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium`);
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('dist/dashboard missing: run node scripts/build.ts');
  server = createServer(api);
  wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(EXEC_PROTOCOL) ? EXEC_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url!, 'http://x');
    seen.query = url.search;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
    seen.token = bearer
      ? Buffer.from(bearer.slice(BEARER_PROTOCOL_PREFIX.length), 'base64url').toString()
      : '';
    if (url.pathname !== `${POD_PATH}/sh-1/exec` || seen.token !== TOKEN) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      seen.protocol = ws.protocol;
      ws.send(Buffer.from([1, ...Buffer.from('$ ')]));
      ws.on('message', (data: Buffer) => {
        const channel = data[0];
        const payload = data.subarray(1).toString();
        if (channel === 4) seen.resize = payload;
        if (channel !== 0) return;
        seen.stdin += payload;
        // A tiny shell: echo what is typed; "exit" ends with exit code 3, as a Status on channel 3.
        ws.send(Buffer.from([1, ...Buffer.from(payload.replace(/\r/g, '\r\n'))]));
        if (seen.stdin.endsWith('exit\r')) {
          ws.send(Buffer.from([3, ...Buffer.from(JSON.stringify(EXIT_STATUS))]));
          ws.close(1000);
        } else if (payload.includes('\r')) ws.send(Buffer.from([1, ...Buffer.from('skiff-echo-ok\r\n$ ')]));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const r of held) r.destroy();
  wss?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

test('logs follow live; the terminal runs a shell over v5.channel.k8s.io and reports the exit code', async () => {
  const page = await browser.newPage();
  const offHost: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offHost.push(r.url());
  });
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('Token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`${base}/dashboard/#/pod/default/sh-1`);
  const logs = page.getByTestId('logs');
  await logs.getByText('hello from the log').waitFor();
  await logs.getByText('a second line, later').waitFor();

  await page.getByRole('button', { name: 'Open shell' }).click();
  // xterm.js draws rows of spans; read their text rather than ask for a visible text node.
  const screenHas = (text: string) =>
    page.waitForFunction(
      // Runs in the page; this Node program has no DOM types.
      (t) =>
        (
          globalThis as unknown as {
            document: { querySelector(s: string): { textContent: string | null } | null };
          }
        ).document
          .querySelector('.xterm-rows')
          ?.textContent?.includes(t),
      text,
    );
  await screenHas('$');
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('echo hi');
  await page.keyboard.press('Enter');
  await screenHas('skiff-echo-ok');
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await page.getByText('command terminated with exit code 3').waitFor();

  assert.equal(seen.protocol, EXEC_PROTOCOL);
  assert.equal(seen.token, TOKEN);
  const q = new URLSearchParams(seen.query);
  assert.deepEqual(q.getAll('command'), ['/bin/sh']);
  assert.equal(q.get('container'), 'main');
  assert.equal(q.get('tty'), 'true');
  assert.equal(q.get('stdin'), 'true');
  assert.equal(q.get('stderr'), null, 'no stderr channel with a TTY');
  const size = JSON.parse(seen.resize) as { Width: number; Height: number };
  assert.ok(size.Width > 10 && size.Height > 5, seen.resize);
  assert.equal(seen.stdin, 'echo hi\rexit\r');
  assert.deepEqual(offHost, []);
  await page.close();
});
