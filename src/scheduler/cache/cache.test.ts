import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { makeNode, makePod } from '../testing/objects.ts';
import { SchedulerCache } from './cache.ts';

const bound = (name: string, node: string, extra: Parameters<typeof makePod>[0] = { name }) =>
  makePod({ ...extra, name, node });

describe('SchedulerCache', () => {
  test('node aggregates follow pods incrementally', () => {
    const cache = new SchedulerCache({ clock: new FakeClock() });
    cache.addNode(makeNode({ name: 'n1' }));
    cache.addPod(bound('a', 'n1', { name: 'a', cpu: '500m', memory: '1Gi', hostPorts: [80] }));
    cache.addPod(bound('b', 'n1', { name: 'b' }));
    const ni = cache.get('n1')!;
    assert.equal(ni.requested.milliCPU, 500);
    assert.equal(ni.nonZeroRequested.milliCPU, 600, 'b counts 100m when scoring');
    assert.equal(ni.portConflicts({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }), true);
    cache.removePod(bound('a', 'n1'));
    assert.equal(ni.requested.milliCPU, 0);
    assert.equal(ni.requested.memory, 0);
    assert.equal(ni.portConflicts({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }), false);
    assert.equal(ni.pods.length, 1);
  });

  test('assumed pods hold resources until forgotten, confirmed or expired', () => {
    const clock = new FakeClock();
    const cache = new SchedulerCache({ clock, assumedPodTtlMs: 30_000 });
    cache.addNode(makeNode({ name: 'n1' }));
    const p = bound('p', 'n1', { name: 'p', cpu: '1' });
    cache.assumePod(p);
    assert.equal(cache.get('n1')!.requested.milliCPU, 1000);
    assert.throws(() => cache.assumePod(p), /already in the cache/);
    cache.forgetPod(p);
    assert.equal(cache.get('n1')!.requested.milliCPU, 0);

    cache.assumePod(p);
    cache.finishBinding(p);
    clock.advance(29_999);
    assert.deepEqual(cache.cleanupExpired(), []);
    clock.advance(1);
    assert.equal(cache.cleanupExpired().length, 1);
    assert.equal(cache.get('n1')!.requested.milliCPU, 0);

    cache.assumePod(p);
    cache.finishBinding(p);
    cache.addPod(p);
    assert.equal(cache.isAssumed(p), false, 'the informer confirmed it');
    clock.advance(60_000);
    assert.deepEqual(cache.cleanupExpired(), []);
    assert.equal(cache.get('n1')!.requested.milliCPU, 1000, 'counted once');
  });

  test('derived node lists are rebuilt only when they change', () => {
    const cache = new SchedulerCache({ clock: new FakeClock() });
    cache.addNode(makeNode({ name: 'n1' }));
    cache.addNode(makeNode({ name: 'n2' }));
    const first = cache.list();
    cache.addPod(bound('x', 'n1'));
    assert.equal(cache.list(), first, 'same array: no rescan per pod');
    const anti = makePod({
      name: 'anti',
      node: 'n2',
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: {} },
            ],
          },
        },
      },
    });
    cache.addPod(anti);
    assert.deepEqual(
      cache.havePodsWithRequiredAntiAffinity().map((n) => n.name),
      ['n2'],
    );
    cache.removeNode('n2');
    assert.deepEqual(
      cache.list().map((n) => n.name),
      ['n1'],
    );
    assert.equal(cache.get('n2'), undefined, 'a node with pods left is kept only as a placeholder');
  });

  test('image spread counts nodes per image', () => {
    const cache = new SchedulerCache({ clock: new FakeClock() });
    const img = [{ names: ['nginx:1'], sizeBytes: 10 }];
    cache.addNode(makeNode({ name: 'n1', images: img }));
    cache.addNode(makeNode({ name: 'n2', images: img }));
    assert.equal(cache.imageNumNodes('nginx:1'), 2);
    cache.updateNode(makeNode({ name: 'n2' }));
    assert.equal(cache.imageNumNodes('nginx:1'), 1);
  });
});
