// The conformance suite against real etcd (Debian's etcd-server): a single member, and a
// 3-member cluster whose leader is SIGKILLed half-way through the suite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EtcdCluster, startEtcd } from '../../../test/support/etcd.ts';
import { storageConformance } from '../testsuite/conformance.ts';
import { eventually, readUntil } from '../testsuite/helpers.ts';
import { isStorageError, type StorageBackend } from '../types.ts';
import { EtcdBackend } from './etcd-backend.ts';

/** etcd rounds short leases up to its minimum TTL (~2 s with default election settings). */
const ETCD_TTL_TIMEOUT_MS = 8_000;
const WRITES_PER_STEP = 5;

function suiteOn(clusterOf: () => EtcdCluster) {
  return async () => {
    const endpoints = clusterOf().endpoints;
    let backend: StorageBackend = new EtcdBackend(endpoints);
    return {
      backend,
      // etcd keeps the data; "reopening" is a new client.
      reopen: async () => {
        await backend.close();
        backend = new EtcdBackend(endpoints);
        return backend;
      },
      cleanup: () => backend.close(),
    };
  };
}

describe('etcd, single member', () => {
  let cluster: EtcdCluster;
  before(async () => {
    cluster = await startEtcd({ members: 1 });
  });
  after(() => cluster?.stop());
  storageConformance(
    'etcd (1 member)',
    suiteOn(() => cluster),
    { persistent: true, ttlTimeoutMs: ETCD_TTL_TIMEOUT_MS },
  );

  it('scheduled compaction: two servers on one etcd take turns, history older than an interval goes', async () => {
    const errors: unknown[] = [];
    const opts = { compactIntervalMs: 200, onError: (_op: string, err: unknown) => errors.push(err) };
    const a = new EtcdBackend(cluster.endpoints, opts);
    const b = new EtcdBackend(cluster.endpoints, opts);
    try {
      const key = '/registry/compactor/k';
      const first = await a.create(key, '0');
      let cur = first;
      for (let i = 1; i <= 5; i++) cur = await b.update(key, String(i), cur.modRevision);
      await eventually(
        async () => {
          try {
            await a.get(key, { revision: first.modRevision });
            return false;
          } catch (err) {
            return isStorageError(err, 'Compacted');
          }
        },
        10_000,
        'the first revision was compacted',
      );
      assert.equal((await b.get(key)).kv?.value, '5');
      assert.deepEqual(errors, []);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('etcd, 3-member cluster losing its leader mid-suite', () => {
  let cluster: EtcdCluster;
  let killed: { name: string; pid: number } | undefined;
  before(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  after(() => cluster?.stop());
  storageConformance(
    'etcd (3 members)',
    suiteOn(() => cluster),
    {
      persistent: true,
      ttlTimeoutMs: ETCD_TTL_TIMEOUT_MS,
      disrupt: async () => {
        const leader = await cluster.leader();
        killed = { name: leader.name, pid: leader.pid! };
        await leader.kill('SIGKILL');
      },
    },
  );
  it('the leader really was killed, and the remaining members elected a new one', async () => {
    assert.ok(killed, 'the disruption ran');
    const dead = cluster.members.find((m) => m.name === killed!.name)!;
    assert.equal(dead.running, false);
    assert.throws(() => process.kill(killed!.pid, 0), 'the killed PID is gone');
    const leader = await cluster.leader();
    assert.notEqual(leader.name, killed.name);
  });

  it('one watch keeps delivering every write, once and in order, while each member in turn is killed', async () => {
    const dead = cluster.members.find((m) => !m.running);
    if (dead) await dead.restart();
    const backend = new EtcdBackend(cluster.endpoints);
    const prefix = '/registry/failover/';
    try {
      const start = await backend.currentRevision();
      const w = backend.watch(prefix, start);
      const revs: number[] = [];
      const write = async (tag: string) => {
        for (let i = 0; i < WRITES_PER_STEP; i++)
          revs.push((await backend.create(`${prefix}${tag}-${i}`, tag)).modRevision);
      };
      try {
        await write('before');
        for (const m of cluster.members) {
          await m.kill('SIGKILL');
          await write(`without-${m.name}`);
          await m.restart();
        }
        await write('after');
        const events = await readUntil(w, (evs) => evs.length >= revs.length, 30_000);
        assert.deepEqual(
          events.map((e) => e.revision),
          revs,
        );
      } finally {
        w.close();
      }
    } finally {
      await backend.close();
    }
  });
});
