// The agent API over plain HTTP against a fake runtime (sandboxes/containers in memory, a CRI log
// file written by the test, host processes for exec, a local TCP server for port-forward): the
// protocol layers end to end without containers. Real containers: test/e2e/streaming.test.ts.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CHANNEL_CLOSE,
  CHANNEL_ERROR,
  CHANNEL_RESIZE,
  CHANNEL_STDIN,
  CHANNEL_STDOUT,
} from '../../util/stream-protocols/channels.ts';
import { SpdySession } from '../../util/stream-protocols/spdy.ts';
import { WebSocketConnection } from '../../util/stream-protocols/websocket.ts';
import type { ContainerRuntime, ContainerStatus, SandboxStatus } from '../runtime/types.ts';
import { type AgentServer, hostExecLauncher, startAgentServer } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-agent-server-'));
const logCur = join(dir, 'cur.log');
const logPrev = join(dir, 'prev.log');
const sandbox: SandboxStatus = {
  id: 'sb1',
  podUid: 'uid-1',
  name: 'web',
  namespace: 'default',
  hostname: 'web',
  state: 'ready',
  createdAt: new Date(),
  labels: {},
  annotations: {},
};
const ctr = (
  id: string,
  attempt: number,
  state: ContainerStatus['state'],
  logPath: string,
): ContainerStatus => ({
  id,
  sandboxId: 'sb1',
  name: 'main',
  attempt,
  imageId: 'i',
  imageRef: 'r',
  state,
  createdAt: new Date(Date.now() - (2 - attempt) * 1000),
  logPath,
  labels: {},
  annotations: {},
});
const containers = [ctr('c0', 0, 'exited', logPrev), ctr('c1', 1, 'running', logCur)];
const runtime = {
  listSandboxes: async () => [sandbox],
  sandboxStatus: async (id: string) => (id === 'sb1' ? sandbox : undefined),
  listContainers: async (f?: { sandboxId?: string }) =>
    containers.filter((c) => !f?.sandboxId || c.sandboxId === f.sandboxId),
  containerStatus: async (id: string) => containers.find((c) => c.id === id),
} as unknown as ContainerRuntime;

let echo: Server;
let echoPort = 0;
let agent: AgentServer;

before(async () => {
  writeFileSync(logPrev, '2026-11-22T08:00:00.000000001Z stdout F crashed once\n');
  writeFileSync(
    logCur,
    [
      '2026-11-22T08:00:01.5Z stdout F one',
      '2026-11-22T08:00:02Z stderr P tw',
      '2026-11-22T08:00:02.1Z stderr F o',
      '2026-11-22T08:00:03Z stdout F three',
      '',
    ].join('\n'),
  );
  echo = createServer((s) => s.on('data', (d) => s.write(`echo:${d}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
  agent = await startAgentServer({
    runtime,
    port: 0,
    host: '127.0.0.1',
    exec: hostExecLauncher(),
    dialer: async () => (port) => connect({ host: '127.0.0.1', port: port === 80 ? echoPort : 1 }),
  });
});

after(async () => {
  await agent.stop();
  await new Promise<void>((r) => echo.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, onData?: (chunk: string) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: agent.port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d;
        onData?.(d.toString());
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

test('logs: partial lines joined, tail, timestamps, previous, limitBytes', async () => {
  assert.deepEqual(await get('/containerLogs/default/web/main'), { status: 200, body: 'one\ntwo\nthree\n' });
  assert.equal((await get('/containerLogs/default/web/main?tailLines=1')).body, 'three\n');
  assert.equal(
    (await get('/containerLogs/default/web/main?timestamps=true&tailLines=1')).body,
    '2026-11-22T08:00:03Z three\n',
  );
  assert.equal((await get('/containerLogs/default/web/main?previous=true')).body, 'crashed once\n');
  assert.equal((await get('/containerLogs/default/web/main?limitBytes=5')).body, 'one\nt');
  assert.equal(
    (await get('/containerLogs/default/web/main?sinceTime=2026-11-22T08:00:02.5Z')).body,
    'three\n',
  );
  const missing = await get('/containerLogs/default/nope/main');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).reason, 'NotFound');
  assert.equal((await get('/containerLogs/default/web/main?tailLines=-1')).status, 400);
});

test('logs: follow delivers a line written after the follow began, ends when the container exits', async () => {
  let sawLate!: () => void;
  const late = new Promise<void>((r) => (sawLate = r));
  const done = get('/containerLogs/default/web/main?follow=true&tailLines=0', (c) => {
    if (c.includes('late line')) sawLate();
  });
  await new Promise((r) => setTimeout(r, 300));
  appendFileSync(logCur, '2026-11-22T08:00:04Z stdout F late line\n');
  await late;
  containers[1]!.state = 'exited';
  const res = await done;
  containers[1]!.state = 'running';
  assert.equal(res.body, 'late line\n');
});

/** Opens an upgraded connection; resolves with the socket and the response head. */
function upgrade(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{
  socket: Socket;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  head: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: agent.port,
      path,
      method,
      headers: { Connection: 'Upgrade', ...headers },
    });
    req.on('upgrade', (res, socket, head) =>
      resolve({ socket: socket as Socket, status: 101, headers: res.headers, head }),
    );
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
    });
    req.on('error', reject);
    req.end();
  });
}

test('exec over WebSocket v5: stdout, stderr, stdin with close-channel EOF, exit code Status', async () => {
  const { socket, headers } = await upgrade(
    '/exec/default/web/main?command=sh&command=-c&command=cat;echo%20err%20>%262;exit%203&stdin=true&stdout=true&stderr=true',
    {
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
    },
  );
  assert.equal(headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  const out: Record<number, string> = {};
  const closed = new Promise<void>((resolve) => {
    const ws = new WebSocketConnection(
      socket,
      {
        onMessage: (m) => {
          out[m[0]!] = (out[m[0]!] ?? '') + m.subarray(1).toString();
        },
        onClose: () => resolve(),
      },
      { client: true },
    );
    ws.send(Buffer.concat([Buffer.from([CHANNEL_STDIN]), Buffer.from('hello stdin\n')]));
    ws.send(Buffer.from([CHANNEL_CLOSE, CHANNEL_STDIN]));
  });
  await closed;
  assert.equal(out[CHANNEL_STDOUT], 'hello stdin\n');
  assert.equal(out[2], 'err\n');
  const status = JSON.parse(out[CHANNEL_ERROR] ?? '{}');
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('exec with a TTY over WebSocket: resize reaches the terminal', async () => {
  const { socket } = await upgrade(
    '/exec/default/web/main?command=sh&command=-c&command=sleep%200.5;stty%20size&stdin=true&stdout=true&tty=true',
    {
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
    },
  );
  let stdout = '';
  let status = '';
  await new Promise<void>((resolve) => {
    const ws = new WebSocketConnection(
      socket,
      {
        onMessage: (m) => {
          if (m[0] === CHANNEL_STDOUT) stdout += m.subarray(1).toString();
          if (m[0] === CHANNEL_ERROR) status += m.subarray(1).toString();
        },
        onClose: () => resolve(),
      },
      { client: true },
    );
    ws.send(Buffer.concat([Buffer.from([CHANNEL_RESIZE]), Buffer.from('{"Width":99,"Height":33}')]));
  });
  assert.match(stdout, /33 99/);
  assert.equal(JSON.parse(status).status, 'Success');
});

test('exec over SPDY/3.1 (kubectl 1.29): streams by streamtype, Status on the error stream', async () => {
  const { socket, headers, head } = await upgrade(
    '/exec/default/web/main?command=sh&command=-c&command=read%20x;echo%20got:$x&stdin=true&stdout=true&stderr=true',
    { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io, v3.channel.k8s.io' },
    'POST',
  );
  assert.equal(headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  const session = new SpdySession({ client: true, write: (d) => socket.write(d) });
  socket.on('data', (d: Buffer) => session.push(d));
  if (head.length) session.push(head);
  const got: Record<string, string> = { error: '', stdout: '', stderr: '' };
  const ends: Promise<void>[] = [];
  for (const type of ['error', 'stdin', 'stdout', 'stderr']) {
    const s = session.openStream({ streamtype: type });
    if (type === 'stdin') {
      s.end(Buffer.from('abc\n'));
      continue;
    }
    ends.push(
      new Promise((resolve) => s.on({ onData: (d) => (got[type] += d.toString()), onEnd: () => resolve() })),
    );
  }
  await Promise.all(ends);
  socket.destroy();
  session.close();
  assert.equal(got.stdout, 'got:abc\n');
  assert.equal(JSON.parse(got.error!).status, 'Success');
});

test('port-forward over SPDY and over WebSocket-tunnelled SPDY', async () => {
  for (const ws of [false, true]) {
    const { socket, head } = ws
      ? await upgrade('/portForward/default/web', {
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io',
        })
      : await upgrade(
          '/portForward/default/web',
          { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
          'POST',
        );
    let session!: SpdySession;
    let tunnel: WebSocketConnection | undefined;
    if (ws) {
      tunnel = new WebSocketConnection(socket, { onMessage: (m) => session.push(m) }, { client: true, head });
      session = new SpdySession({ client: true, write: (d) => tunnel!.send(d) });
    } else {
      session = new SpdySession({ client: true, write: (d) => socket.write(d) });
      socket.on('data', (d: Buffer) => session.push(d));
    }
    // request 0 to port 80 (the echo server); request 1 to a port nothing listens on
    for (const [id, port] of [
      ['0', '80'],
      ['1', '81'],
    ] as const) {
      const err = session.openStream({ streamtype: 'error', port, requestid: id });
      err.end();
      let errText = '';
      const errDone = new Promise<void>((r) => err.on({ onData: (d) => (errText += d), onEnd: () => r() }));
      const data = session.openStream({ streamtype: 'data', port, requestid: id });
      let reply = '';
      const got = new Promise<void>((r) =>
        data.on({
          onData: (d) => {
            reply += d;
            if (reply.includes('ping')) r();
          },
          onEnd: () => r(),
        }),
      );
      data.write(Buffer.from('ping'));
      await got;
      if (id === '0') assert.equal(reply, 'echo:ping', `ws=${ws}`);
      else {
        await errDone;
        assert.match(errText, /failed to connect to port 81/);
      }
      data.end();
    }
    tunnel?.close();
    socket.destroy();
    session.close();
  }
});

test('refusals: not running container, plain GET on exec, no command', async () => {
  containers[1]!.state = 'exited';
  await assert.rejects(
    upgrade('/exec/default/web/main?command=ls&stdout=true', {
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
    }),
    /400 .*is not running/,
  );
  containers[1]!.state = 'running';
  assert.equal((await get('/exec/default/web/main?command=ls')).status, 400);
  await assert.rejects(
    upgrade('/exec/default/web/main?stdout=true', {
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
    }),
    /400 .*at least one command/,
  );
});
