import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitStatus, parseResizes, pickProtocol } from './channels.ts';

test('resize messages, several per chunk, bad ones skipped', () => {
  assert.deepEqual(
    parseResizes(Buffer.from('{"Width":80,"Height":24}\n{"Width":"x"}{"Width":100,"Height":30}')),
    [
      { width: 80, height: 24 },
      { width: 100, height: 30 },
    ],
  );
});

test('exit status as kubectl parses it', () => {
  assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
  const s = exitStatus(3);
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.equal(s.message, 'command terminated with non-zero exit code: exit status 3');
  assert.deepEqual(s.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('protocol negotiation takes the client order', () => {
  assert.equal(
    pickProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], ['v4.channel.k8s.io', 'v5.channel.k8s.io']),
    'v5.channel.k8s.io',
  );
  assert.equal(pickProtocol(['channel.k8s.io'], ['v4.channel.k8s.io']), undefined);
});
