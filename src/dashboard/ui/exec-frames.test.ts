import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bearerProtocol,
  CHANNEL,
  execPath,
  exitMessage,
  frame,
  parseFrame,
  resizeFrame,
  stdinEof,
} from './exec-frames.ts';

test('exec path carries kubectl’s parameters (no stderr with a TTY)', () => {
  assert.equal(
    execPath('default', 'web-1', { container: 'web', command: ['/bin/sh', '-c', 'echo hi'], tty: true }),
    '/api/v1/namespaces/default/pods/web-1/exec?command=%2Fbin%2Fsh&command=-c&command=echo+hi&container=web&stdin=true&stdout=true&tty=true',
  );
  assert.match(execPath('ns', 'p', { command: ['ls'], tty: false }), /stderr=true/);
});

test('frames are one channel byte plus payload', () => {
  assert.deepEqual([...frame(CHANNEL.stdin, 'ls\r')], [0, 0x6c, 0x73, 0x0d]);
  assert.equal(new TextDecoder().decode(resizeFrame(80, 24).subarray(1)), '{"Width":80,"Height":24}');
  assert.equal(resizeFrame(80, 24)[0], 4);
  assert.deepEqual([...stdinEof()], [255, 0]);
  const { channel, payload } = parseFrame(new Uint8Array([1, 104, 105]).buffer);
  assert.equal(channel, 1);
  assert.equal(new TextDecoder().decode(payload), 'hi');
});

test('the bearer subprotocol is base64url without padding', () => {
  const p = bearerProtocol('abc.def?~');
  assert.ok(p.startsWith('base64url.bearer.authorization.k8s.io.'));
  const b64 = p.slice('base64url.bearer.authorization.k8s.io.'.length);
  assert.match(b64, /^[A-Za-z0-9_-]+$/);
  assert.equal(Buffer.from(b64, 'base64url').toString(), 'abc.def?~');
});

test('exit status as kubectl prints it', () => {
  assert.deepEqual(exitMessage(''), { ok: true, message: 'session ended' });
  assert.deepEqual(exitMessage('{"metadata":{},"status":"Success"}'), { ok: true, message: 'session ended' });
  assert.deepEqual(
    exitMessage(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    ),
    { ok: false, message: 'command terminated with exit code 3' },
  );
  assert.deepEqual(exitMessage('{"status":"Failure","message":"container not found"}'), {
    ok: false,
    message: 'container not found',
  });
});
