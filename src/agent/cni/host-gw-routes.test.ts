import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { runCommand } from '../runtime/command.ts';
import {
  currentRoutes,
  desiredRoutes,
  type RouteRunner,
  removeRoutes,
  syncRoutes,
} from './host-gw-routes.ts';

const node = (name: string, podCIDR?: string, ip?: string): Node => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR } : {},
  status: ip ? { addresses: [{ type: 'InternalIP', address: ip }] } : {},
});

describe('desiredRoutes', () => {
  it('routes every other node with a pod CIDR and an IPv4 InternalIP', () => {
    const nodes = [
      node('b', '10.42.2.0/24', '172.31.9.3'),
      node('a', '10.42.1.0/24', '172.31.9.2'),
      node('self', '10.42.0.0/24', '172.31.9.1'),
      node('no-cidr', undefined, '172.31.9.4'),
      node('no-ip', '10.42.5.0/24'),
      node('v6', '10.42.6.0/24', 'fd00::6'),
    ];
    assert.deepEqual(desiredRoutes(nodes, 'self'), [
      { dst: '10.42.1.0/24', via: '172.31.9.2' },
      { dst: '10.42.2.0/24', via: '172.31.9.3' },
    ]);
  });
});

describe('syncRoutes in a private network namespace (root)', () => {
  const ns = `skiff-rt-${randomBytes(3).toString('hex')}`;
  const run: RouteRunner = (argv) =>
    runCommand('ip', ['netns', 'exec', ns, 'ip', ...argv], { allowFailure: true });
  before(() => {
    if (process.getuid?.() !== 0) throw new Error('needs root (ip netns)');
    execFileSync('ip', ['netns', 'add', ns]);
    // A bridge on 172.31.9.0/24 makes the gateways reachable, as a node's LAN would.
    for (const cmd of [
      ['link', 'add', 'skiffd0', 'type', 'bridge'],
      ['addr', 'add', '172.31.9.1/24', 'dev', 'skiffd0'],
      ['link', 'set', 'skiffd0', 'up'],
    ])
      execFileSync('ip', ['netns', 'exec', ns, 'ip', ...cmd]);
  });
  after(() => execFileSync('ip', ['netns', 'delete', ns]));

  it('adds, moves and removes only its own routes', async () => {
    await run(['route', 'add', '10.99.0.0/24', 'via', '172.31.9.50']); // someone else's
    await syncRoutes(
      [
        { dst: '10.42.1.0/24', via: '172.31.9.2' },
        { dst: '10.42.2.0/24', via: '172.31.9.3' },
      ],
      run,
    );
    assert.deepEqual(await currentRoutes(run), [
      { dst: '10.42.1.0/24', via: '172.31.9.2' },
      { dst: '10.42.2.0/24', via: '172.31.9.3' },
    ]);
    // A node moved to a new address and the other left.
    await syncRoutes([{ dst: '10.42.1.0/24', via: '172.31.9.7' }], run);
    assert.deepEqual(await currentRoutes(run), [{ dst: '10.42.1.0/24', via: '172.31.9.7' }]);
    await removeRoutes(run);
    assert.deepEqual(await currentRoutes(run), []);
    const all = await run(['-4', 'route', 'show']);
    assert.match(all.stdout, /^10\.99\.0\.0\/24 via 172\.31\.9\.50/m, 'foreign route untouched');
  });
});
