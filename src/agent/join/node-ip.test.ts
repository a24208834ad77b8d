import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstIPv4 } from '../agent.ts';
import { nodeIpToward, parseRouteSource } from './node-ip.ts';

test('parseRouteSource reads the source address of `ip route get`', () => {
  assert.equal(parseRouteSource('10.210.0.1 dev eth0 src 10.210.0.2 uid 0 \n    cache \n'), '10.210.0.2');
  assert.equal(parseRouteSource('192.0.2.1 via 10.0.0.1 dev ens3 src 10.0.0.5 uid 1000\n'), '10.0.0.5');
  assert.equal(parseRouteSource('unreachable 192.0.2.1\n'), undefined);
});

test('toward a loopback server the node falls back to its first interface address', async () => {
  // 127.0.0.1 would be the route's source, which no other node can reach.
  assert.equal(await nodeIpToward('127.0.0.1'), firstIPv4());
});
