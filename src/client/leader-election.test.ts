// Two candidates for one Lease on a real in-process API server, with short durations so the
// takeover paths run in about a second each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KObject } from '../api/object.ts';
import { LeaderElector } from './leader-election.ts';
import { LEASES } from './resource.ts';
import type { RestClient } from './rest.ts';
import { startTestCluster, type TestCluster } from './testing/test-cluster.ts';

const TIMING = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

let cluster: TestCluster;
let client: RestClient;

before(async () => {
  cluster = await startTestCluster(['default', 'kube-system']);
  client = cluster.loopback();
});

after(async () => {
  await cluster.stop();
});

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Candidate {
  elector: LeaderElector;
  log: string[];
  leading: AbortSignal | undefined;
  done: Promise<void>;
}

function candidate(lease: string, identity: string, extra: { releaseOnCancel?: boolean } = {}): Candidate {
  const c: Candidate = { log: [], leading: undefined } as unknown as Candidate;
  c.elector = new LeaderElector(client, {
    namespace: 'kube-system',
    name: lease,
    identity,
    ...TIMING,
    ...extra,
    onStartedLeading: (signal) => {
      c.leading = signal;
      c.log.push('started');
    },
    onStoppedLeading: () => c.log.push('stopped'),
    onNewLeader: (id) => c.log.push(`leader ${id}`),
  });
  c.done = c.elector.run();
  return c;
}

const getLease = (name: string): Promise<KObject> => client.resource(LEASES, 'kube-system').get(name);

describe('LeaderElector', () => {
  test('one of two candidates leads; when it stops without releasing, the other takes over after expiry', async () => {
    const a = candidate('skiff-crash', 'a', { releaseOnCancel: false });
    await until(() => a.elector.isLeader(), 'a to lead');
    const b = candidate('skiff-crash', 'b', { releaseOnCancel: false });
    await until(() => b.elector.leader === 'a', 'b to observe a');
    // b must not take a lease that a keeps renewing.
    await new Promise((r) => setTimeout(r, TIMING.leaseDurationMs * 1.5));
    assert.equal(b.elector.isLeader(), false);
    assert.equal(a.elector.isLeader(), true);
    const held = (await getLease('skiff-crash')).spec;
    assert.equal(held.holderIdentity, 'a');
    assert.equal(held.leaseDurationSeconds, 1);
    assert.equal(held.leaseTransitions, 0);
    assert.match(held.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');

    const stoppedAt = Date.now();
    await a.elector.stop(); // a "crashes": the Lease still names it
    assert.equal(a.leading?.aborted, true, "a's leadership signal aborts");
    assert.deepEqual(a.log, ['leader a', 'started', 'stopped']);
    assert.equal((await getLease('skiff-crash')).spec.holderIdentity, 'a');

    await until(() => b.elector.isLeader(), 'b to take over', 5000);
    const waited = Date.now() - stoppedAt;
    assert.ok(waited >= TIMING.leaseDurationMs * 0.5, `b waited for the lease to expire (${waited} ms)`);
    const taken = (await getLease('skiff-crash')).spec;
    assert.equal(taken.holderIdentity, 'b');
    assert.equal(taken.leaseTransitions, 1);
    assert.deepEqual(b.log, ['leader a', 'leader b', 'started']);
    await b.elector.stop();
    await Promise.all([a.done, b.done]);
  });

  test('a candidate that releases on stop hands over at once', async () => {
    const a = candidate('skiff-release', 'a');
    await until(() => a.elector.isLeader(), 'a to lead');
    const b = candidate('skiff-release', 'b');
    await until(() => b.elector.leader === 'a', 'b to observe a');
    await a.elector.stop();
    const released = (await getLease('skiff-release')).spec;
    assert.equal(released.holderIdentity, undefined);
    const t0 = Date.now();
    await until(() => b.elector.isLeader(), 'b to take over');
    assert.ok(Date.now() - t0 < TIMING.leaseDurationMs, 'no waiting for expiry after a release');
    assert.equal((await getLease('skiff-release')).spec.leaseTransitions, 1);
    await b.elector.stop();
  });

  test('a leader whose Lease is taken away stops leading within the renew deadline', async () => {
    const a = candidate('skiff-stolen', 'a');
    await until(() => a.elector.isLeader(), 'a to lead');
    const leases = client.resource(LEASES, 'kube-system');
    // An intruder keeps rewriting the Lease with its own identity.
    let stealing = true;
    const thief = (async () => {
      while (stealing) {
        const l = await leases.get('skiff-stolen');
        const now = new Date().toISOString();
        await leases
          .update({ ...l, spec: { ...l.spec, holderIdentity: 'intruder', renewTime: now } })
          .catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await until(() => !a.elector.isLeader(), 'a to step down', 3000);
    stealing = false;
    await thief;
    await a.done;
    assert.deepEqual(a.log.slice(-1), ['stopped']);
    assert.equal(a.leading?.aborted, true);
    await a.elector.stop();
  });

  test('rejects timings that cannot work', () => {
    const base = { namespace: 'kube-system', name: 'x', identity: 'a', onStartedLeading: () => {} };
    assert.throws(() => new LeaderElector(client, { ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 }));
    assert.throws(
      () =>
        new LeaderElector(client, {
          ...base,
          renewDeadlineMs: 1000,
          retryPeriodMs: 900,
          leaseDurationMs: 2000,
        }),
    );
    assert.throws(() => new LeaderElector(client, { ...base, identity: '' }));
  });
});
