import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatableOf, buildNode, capacityOf, nodeConditions } from './node-object.ts';
import { FACTS } from './test-fixtures.ts';

test('capacity comes from the machine; allocatable subtracts the reservations', () => {
  assert.deepEqual(capacityOf(FACTS), {
    cpu: '2',
    memory: '4194304Ki',
    pods: '110',
    'ephemeral-storage': '104857600Ki',
  });
  assert.deepEqual(allocatableOf(FACTS), {
    cpu: '1900m',
    memory: '4091904Ki',
    pods: '110',
    'ephemeral-storage': String(Math.floor(100 * 1024 ** 3 * 0.9)),
  });
});

test('the Node carries nodeInfo, addresses, podCIDR and labels', () => {
  const n = buildNode('n1', FACTS, '10.42.251.0/24', '2026-01-01T00:00:00Z');
  assert.equal(n.spec?.podCIDR, '10.42.251.0/24');
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0-skiff');
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'runc://1.1.5');
  assert.equal(n.status?.nodeInfo?.bootID, 'boot-1');
  assert.deepEqual(n.status?.addresses, [
    { type: 'InternalIP', address: '192.0.2.10' },
    { type: 'Hostname', address: 'box' },
  ]);
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
});

test('pressure conditions follow the facts; transition times stay while unchanged', () => {
  const c1 = nodeConditions(FACTS, undefined, 't1');
  assert.deepEqual(
    c1.map((c) => [c.type, c.status, c.reason]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ],
  );
  const low = { ...FACTS, memoryAvailableBytes: 10 * 1024 * 1024, diskAvailableBytes: 1024 };
  const c2 = nodeConditions(low, c1, 't2');
  assert.equal(c2[0]?.status, 'True');
  assert.equal(c2[0]?.reason, 'KubeletHasInsufficientMemory');
  assert.equal(c2[0]?.lastTransitionTime, 't2');
  assert.equal(c2[1]?.reason, 'KubeletHasDiskPressure');
  assert.equal(c2[3]?.lastTransitionTime, 't1');
  assert.equal(c2[3]?.lastHeartbeatTime, 't2');
});
