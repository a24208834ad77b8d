// The one conformance suite every StorageBackend runs (memory, sqlite, etcd single member and a
// 3-member cluster that loses its leader half-way). Each test pins one promise of the contract in
// types.ts and would fail if a backend broke it. Tests use their own key prefix, so a shared
// server (etcd) needs no wiping between tests; revisions are always compared relative to what the
// test itself observed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isStorageError,
  type KeyValue,
  type StorageBackend,
  StorageError,
  type WatchEvent,
} from '../types.ts';
import { eventually, formatEvents, readEvents, readUntil, watchError } from './helpers.ts';

export interface SuiteBackend {
  backend: StorageBackend;
  /** Closes `backend` and opens the same store again (persistent backends only). */
  reopen?: () => Promise<StorageBackend>;
  /** Releases everything the factory made, including the latest backend. */
  cleanup: () => Promise<void>;
}

export interface ConformanceOptions {
  /** The store survives close/reopen (the factory provides `reopen`). */
  persistent?: boolean;
  /** Runs between the two halves of the suite, e.g. SIGKILL the etcd leader. */
  disrupt?: () => Promise<void>;
  /** Longest wait for a TTL key to vanish (etcd rounds short leases up to its minimum TTL). */
  ttlTimeoutMs?: number;
}

/** Watch deliveries are in-process or loopback: a few seconds is generous, even on a busy CI box. */
const WATCH_TIMEOUT_MS = 10_000;
const RACERS = 10;
const WRITERS = 4;
const WRITES_PER_WRITER = 25;
/** More than two replay pages of history (log backends read 500 rows per step). */
const LONG_HISTORY = 1_200;
const LIVE_DURING_REPLAY = 200;
const PARALLEL_WRITES = 50;

async function rejectsWith(p: Promise<unknown>, kind: StorageError['kind']): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StorageError, `expected StorageError ${kind}, got ${String(err)}`);
    assert.equal(err.kind, kind, `expected ${kind}, got ${err.kind}: ${err.message}`);
    return err;
  }
  assert.fail(`expected StorageError ${kind}, but the call succeeded`);
}

export function storageConformance(
  name: string,
  open: () => Promise<SuiteBackend>,
  opts: ConformanceOptions = {},
): void {
  let n = 0;
  /** Runs one test on a fresh backend (and fresh key prefix), always cleaning up. */
  const withBackend =
    (fn: (b: StorageBackend, prefix: string, h: SuiteBackend) => Promise<void>) => async () => {
      const h = await open();
      const prefix = `/registry/conformance/${++n}-${randomUUID().slice(0, 8)}/`;
      try {
        await fn(h.backend, prefix, h);
      } finally {
        await h.cleanup();
      }
    };

  describe(`${name} storage conformance`, () => {
    describe('reads and writes', () => {
      it(
        'create and get carry revisions; currentRevision is exact',
        withBackend(async (b, p) => {
          const before = await b.currentRevision();
          const kv = await b.create(`${p}a`, 'v1');
          assert.equal(kv.key, `${p}a`);
          assert.equal(kv.value, 'v1');
          assert.ok(kv.modRevision > before, 'a write gets a revision above the current one');
          assert.equal(kv.createRevision, kv.modRevision);
          assert.equal(await b.currentRevision(), kv.modRevision);
          const got = await b.get(`${p}a`);
          assert.deepEqual(
            { value: got.kv?.value, c: got.kv?.createRevision, m: got.kv?.modRevision },
            { value: 'v1', c: kv.modRevision, m: kv.modRevision },
          );
          assert.equal(got.revision, kv.modRevision);
          const missing = await b.get(`${p}missing`);
          assert.equal(missing.kv, undefined);
          assert.equal(missing.revision, kv.modRevision);
          const upd = await b.update(`${p}a`, 'v2', kv.modRevision);
          assert.equal(upd.createRevision, kv.modRevision);
          assert.ok(upd.modRevision > kv.modRevision);
          assert.equal(await b.currentRevision(), upd.modRevision);
        }),
      );

      it(
        'list and count: bytewise key order, exact prefix boundaries, limit and more',
        withBackend(async (b, p) => {
          // UTF-8 byte order puts U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80); UTF-16 would not.
          const inside = [`${p}a`, `${p}ab`, `${p}b/c`, `${p}\u00e9`, `${p}\ufffd`, `${p}\u{1f600}`];
          const outside = [
            p.slice(0, -1),
            `${p.slice(0, -1)}0`,
            `${p.slice(0, -1)}0/x`,
            `${p.slice(0, -1)}.x`,
          ];
          for (const k of [...inside].reverse()) await b.create(k, `v:${k}`);
          for (const k of outside) await b.create(k, 'outside');
          const all = await b.list(p);
          assert.deepEqual(
            all.kvs.map((kv) => kv.key),
            inside,
          );
          assert.deepEqual(
            all.kvs.map((kv) => kv.value),
            inside.map((k) => `v:${k}`),
          );
          assert.equal(all.more, false);
          assert.equal(all.revision, await b.currentRevision());
          const { count, revision } = await b.count(p);
          assert.equal(count, inside.length);
          assert.equal(revision, all.revision);
          const page = await b.list(p, { limit: 2 });
          assert.deepEqual(
            page.kvs.map((kv) => kv.key),
            inside.slice(0, 2),
          );
          assert.equal(page.more, true);
          const exact = await b.list(p, { limit: inside.length });
          assert.equal(exact.more, false, 'more is false when the page ends exactly at the last key');
          const rest = await b.list(p, { startKey: `${p}ab`, limit: 100 });
          assert.deepEqual(
            rest.kvs.map((kv) => kv.key),
            inside.slice(1),
          );
          assert.deepEqual((await b.list(`${p}nothing/`)).kvs, []);
          assert.equal((await b.count(`${p}nothing/`)).count, 0);
        }),
      );

      it(
        'get and list at an older revision see that snapshot',
        withBackend(async (b, p) => {
          const a1 = await b.create(`${p}a`, 'a1');
          const a2 = await b.update(`${p}a`, 'a2', a1.modRevision);
          const b1 = await b.create(`${p}b`, 'b1');
          const del = await b.delete(`${p}a`);
          assert.equal((await b.get(`${p}a`, { revision: a1.modRevision })).kv?.value, 'a1');
          assert.equal((await b.get(`${p}a`, { revision: a2.modRevision })).kv?.value, 'a2');
          assert.equal((await b.get(`${p}a`, { revision: del.revision })).kv, undefined);
          const atB = await b.list(p, { revision: b1.modRevision });
          assert.equal(atB.revision, b1.modRevision);
          assert.deepEqual(
            atB.kvs.map((kv) => [kv.key, kv.value, kv.modRevision]),
            [
              [`${p}a`, 'a2', a2.modRevision],
              [`${p}b`, 'b1', b1.modRevision],
            ],
          );
          const atA1 = await b.list(p, { revision: a1.modRevision });
          assert.deepEqual(
            atA1.kvs.map((kv) => kv.value),
            ['a1'],
          );
          const now = await b.list(p);
          assert.deepEqual(
            now.kvs.map((kv) => kv.value),
            ['b1'],
          );
        }),
      );

      it(
        'pagination at a fixed revision stays consistent while writes continue',
        withBackend(async (b, p) => {
          const keys = Array.from({ length: 10 }, (_, i) => `${p}k${String(i).padStart(2, '0')}`);
          const kvs = new Map<string, KeyValue>();
          for (const k of keys) kvs.set(k, await b.create(k, `orig:${k}`));
          const first = await b.list(p, { limit: 3 });
          const rev = first.revision;
          assert.equal(first.more, true);
          const seen = [...first.kvs];
          let last = first.kvs[first.kvs.length - 1].key;
          let round = 0;
          for (;;) {
            // Writes between pages: update, delete and add keys, including ones not read yet.
            const victim = keys[Math.min(3 + round * 2, keys.length - 1)];
            const cur = (await b.get(victim)).kv;
            if (cur) await b.update(victim, `changed:${round}`, cur.modRevision);
            const gone = keys[Math.min(4 + round * 2, keys.length - 1)];
            await b.delete(gone).catch((err) => {
              if (!isStorageError(err, 'NotFound')) throw err;
            });
            await b.create(`${p}k05x${round}`, 'new');
            const page = await b.list(p, { revision: rev, startKey: `${last}\u0000`, limit: 3 });
            assert.equal(page.revision, rev, 'a continued list is served at the first page revision');
            seen.push(...page.kvs);
            if (!page.more) break;
            last = page.kvs[page.kvs.length - 1].key;
            round++;
          }
          assert.deepEqual(
            seen.map((kv) => [kv.key, kv.value, kv.modRevision]),
            keys.map((k) => [k, `orig:${k}`, kvs.get(k)!.modRevision]),
          );
        }),
      );

      it(
        'racing creates of one key: exactly one wins, the others get KeyExists',
        withBackend(async (b, p) => {
          const results = await Promise.allSettled(
            Array.from({ length: RACERS }, (_, i) => b.create(`${p}race`, `writer-${i}`)),
          );
          const won = results.filter((r) => r.status === 'fulfilled');
          assert.equal(won.length, 1, 'exactly one create succeeds');
          for (const r of results) {
            if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'KeyExists'), String(r.reason));
          }
          const winner = (won[0] as PromiseFulfilledResult<KeyValue>).value;
          assert.equal((await b.get(`${p}race`)).kv?.value, winner.value);
        }),
      );

      it(
        'racing updates with the same expected revision: one wins, losers get Conflict with the current value',
        withBackend(async (b, p) => {
          const base = await b.create(`${p}x`, 'base');
          const results = await Promise.allSettled(
            Array.from({ length: RACERS }, (_, i) => b.update(`${p}x`, `writer-${i}`, base.modRevision)),
          );
          const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<KeyValue>[];
          assert.equal(won.length, 1, 'exactly one update succeeds');
          const winner = won[0].value;
          for (const r of results) {
            if (r.status === 'fulfilled') continue;
            assert.ok(isStorageError(r.reason, 'Conflict'), String(r.reason));
            const current = (r.reason as StorageError).current;
            assert.ok(current, 'a Conflict carries the current value');
            // A loser may have read the winner's row: current is the winner (nothing else wrote).
            assert.equal(current.modRevision, winner.modRevision);
            assert.equal(current.value, winner.value);
          }
        }),
      );

      it(
        'update of a missing or deleted key is NotFound; a stale update is a Conflict',
        withBackend(async (b, p) => {
          await rejectsWith(b.update(`${p}none`, 'v', 1), 'NotFound');
          const kv = await b.create(`${p}a`, 'v1');
          const v2 = await b.update(`${p}a`, 'v2', kv.modRevision);
          const stale = await rejectsWith(b.update(`${p}a`, 'v3', kv.modRevision), 'Conflict');
          assert.equal(stale.current?.value, 'v2');
          assert.equal(stale.current?.modRevision, v2.modRevision);
          await b.delete(`${p}a`);
          await rejectsWith(b.update(`${p}a`, 'v4', v2.modRevision), 'NotFound');
        }),
      );

      it(
        'delete: returns the previous value, a second delete is NotFound, CAS delete checks the revision',
        withBackend(async (b, p) => {
          const kv = await b.create(`${p}a`, 'v1');
          const res = await b.delete(`${p}a`);
          assert.equal(res.prev.value, 'v1');
          assert.equal(res.prev.modRevision, kv.modRevision);
          assert.ok(res.revision > kv.modRevision);
          assert.equal(await b.currentRevision(), res.revision);
          await rejectsWith(b.delete(`${p}a`), 'NotFound');
          const again = await b.create(`${p}a`, 'v2');
          assert.ok(again.createRevision > res.revision, 'a re-created key starts a new incarnation');
          const upd = await b.update(`${p}a`, 'v3', again.modRevision);
          const stale = await rejectsWith(
            b.delete(`${p}a`, { expectedRevision: again.modRevision }),
            'Conflict',
          );
          assert.equal(stale.current?.modRevision, upd.modRevision);
          assert.equal((await b.get(`${p}a`)).kv?.value, 'v3', 'a failed CAS delete leaves the key');
          const ok = await b.delete(`${p}a`, { expectedRevision: upd.modRevision });
          assert.equal(ok.prev.value, 'v3');
          await rejectsWith(b.delete(`${p}a`, { expectedRevision: upd.modRevision }), 'NotFound');
        }),
      );
    });

    describe('watch, compaction, TTL', () => {
      if (opts.disrupt) before(opts.disrupt);

      it(
        'watch from R delivers exactly the events after R, with types and previous values',
        withBackend(async (b, p) => {
          const a1 = await b.create(`${p}a`, 'a1');
          const a2 = await b.update(`${p}a`, 'a2', a1.modRevision);
          await b.create(`${p.slice(0, -1)}-other/x`, 'not watched');
          const b1 = await b.create(`${p}b`, 'b1');
          const del = await b.delete(`${p}a`);
          const w = b.watch(p, a2.modRevision);
          try {
            const replayed = await readEvents(w, 2, WATCH_TIMEOUT_MS);
            assert.deepEqual(replayed, [
              {
                type: 'create',
                key: `${p}b`,
                value: 'b1',
                revision: b1.modRevision,
                createRevision: b1.modRevision,
              },
              {
                type: 'delete',
                key: `${p}a`,
                value: 'a2',
                revision: del.revision,
                createRevision: a1.modRevision,
                prevValue: 'a2',
                prevRevision: a2.modRevision,
              },
            ]);
            // Live events continue the replay.
            const b2 = await b.update(`${p}b`, 'b2', b1.modRevision);
            const live = await readEvents(w, 1, WATCH_TIMEOUT_MS);
            assert.deepEqual(live, [
              {
                type: 'update',
                key: `${p}b`,
                value: 'b2',
                revision: b2.modRevision,
                createRevision: b1.modRevision,
                prevValue: 'b1',
                prevRevision: b1.modRevision,
              },
            ]);
          } finally {
            w.close();
          }
          const from1 = b.watch(p, a1.modRevision);
          try {
            const evs = await readEvents(from1, 4, WATCH_TIMEOUT_MS);
            assert.deepEqual(
              evs.map((e) => [e.type, e.revision, e.prevValue]),
              [
                ['update', a2.modRevision, 'a1'],
                ['create', b1.modRevision, undefined],
                ['delete', del.revision, 'a2'],
                ['update', evs[3].revision, 'b1'],
              ],
            );
          } finally {
            from1.close();
          }
        }),
      );

      it(
        'watch from 0 delivers only writes made after it started',
        withBackend(async (b, p) => {
          await b.create(`${p}old`, 'old');
          const w = b.watch(p, 0);
          try {
            // etcd registers a watch asynchronously: give it a moment before writing.
            await sleep(200);
            const kv = await b.create(`${p}new`, 'new');
            const evs = await readEvents(w, 1, WATCH_TIMEOUT_MS);
            assert.deepEqual(
              evs.map((e) => [e.type, e.key, e.revision]),
              [['create', `${p}new`, kv.modRevision]],
            );
          } finally {
            w.close();
          }
        }),
      );

      it(
        'list-then-watch loses nothing under concurrent writers',
        withBackend(async (b, p) => {
          const keys = Array.from({ length: 8 }, (_, i) => `${p}k${i}`);
          let lastRev = 0;
          let writes = 0;
          const note = (rev: number) => {
            lastRev = Math.max(lastRev, rev);
            writes++;
          };
          const writer = async (w: number) => {
            for (let i = 0; i < WRITES_PER_WRITER; i++) {
              const key = keys[(w * 3 + i) % keys.length];
              try {
                const cur = (await b.get(key)).kv;
                if (!cur) note((await b.create(key, `w${w}-${i}`)).modRevision);
                else if (i % 4 === 3)
                  note((await b.delete(key, { expectedRevision: cur.modRevision })).revision);
                else note((await b.update(key, `w${w}-${i}`, cur.modRevision)).modRevision);
              } catch (err) {
                if (!(err instanceof StorageError) || err.kind === 'Unavailable' || err.kind === 'Compacted')
                  throw err;
              }
            }
          };
          const running = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
          await eventually(async () => writes >= 10, WATCH_TIMEOUT_MS, 'writers made progress');
          const snap = await b.list(p);
          const state = new Map(snap.kvs.map((kv) => [kv.key, kv.value]));
          const w = b.watch(p, snap.revision);
          try {
            await running;
            const final = await b.list(p);
            const events = await readUntil(
              w,
              (evs) =>
                lastRev <= snap.revision || (evs.length > 0 && evs[evs.length - 1].revision >= lastRev),
              WATCH_TIMEOUT_MS,
            );
            let prev = snap.revision;
            for (const ev of events) {
              assert.ok(
                ev.revision > prev,
                `events strictly after the list, in order: ${formatEvents(events)}`,
              );
              prev = ev.revision;
              if (ev.type === 'delete') state.delete(ev.key);
              else state.set(ev.key, ev.value);
            }
            assert.deepEqual(
              [...state].sort(),
              final.kvs.map((kv) => [kv.key, kv.value]),
            );
          } finally {
            w.close();
          }
        }),
      );

      it(
        'a watch replaying a long history while writes continue delivers every event once, in order',
        withBackend(async (b, p) => {
          const start = await b.currentRevision();
          const write = async (from: number, n: number) => {
            const revs: number[] = [];
            for (let i = from; i < from + n; i += PARALLEL_WRITES) {
              const batch = Array.from({ length: Math.min(PARALLEL_WRITES, from + n - i) }, (_, j) =>
                b.create(`${p}k${i + j}`, String(i + j)),
              );
              for (const kv of await Promise.all(batch)) revs.push(kv.modRevision);
            }
            return revs;
          };
          const history = await write(0, LONG_HISTORY);
          const w = b.watch(p, start);
          try {
            // These land while the watch is still replaying the history above.
            const liveRevs = await write(LONG_HISTORY, LIVE_DURING_REPLAY);
            const expected = [...history, ...liveRevs].sort((x, y) => x - y);
            const events = await readUntil(w, (evs) => evs.length >= expected.length, WATCH_TIMEOUT_MS * 3);
            assert.deepEqual(
              events.map((e) => e.revision),
              expected,
            );
            assert.equal(new Set(events.map((e) => e.key)).size, expected.length);
          } finally {
            w.close();
          }
        }),
      );

      it(
        'compaction: reads and watches below the watermark fail with Compacted',
        withBackend(async (b, p) => {
          const r1 = await b.create(`${p}a`, '1');
          const r2 = await b.update(`${p}a`, '2', r1.modRevision);
          const r3 = await b.update(`${p}a`, '3', r2.modRevision);
          const kb = await b.create(`${p}b`, 'b');
          const { watermark } = await b.compact(r3.modRevision);
          assert.equal(watermark, r3.modRevision);
          const below = await watchError(b.watch(p, r1.modRevision), WATCH_TIMEOUT_MS);
          assert.ok(isStorageError(below, 'Compacted'), `watch below the watermark: ${String(below)}`);
          assert.equal((below as StorageError).watermark, r3.modRevision);
          await rejectsWith(b.get(`${p}a`, { revision: r2.modRevision }), 'Compacted');
          const listErr = await rejectsWith(b.list(p, { revision: r2.modRevision }), 'Compacted');
          assert.ok(listErr.message.length > 0);
          // At the watermark everything is still readable, and a watch from watermark-1 still works.
          const at = await b.list(p, { revision: r3.modRevision });
          assert.deepEqual(
            at.kvs.map((kv) => kv.value),
            ['3'],
          );
          const w = b.watch(p, r2.modRevision);
          try {
            const evs = await readEvents(w, 2, WATCH_TIMEOUT_MS);
            assert.deepEqual(
              evs.map((e) => [e.type, e.revision, e.value]),
              [
                ['update', r3.modRevision, '3'],
                ['create', kb.modRevision, 'b'],
              ],
            );
          } finally {
            w.close();
          }
          // Compacting again to an older revision is harmless.
          const again = await b.compact(r2.modRevision);
          assert.ok(again.watermark >= r3.modRevision);
          assert.equal((await b.get(`${p}a`)).kv?.value, '3');
          assert.equal((await b.get(`${p}b`)).kv?.value, 'b');
        }),
      );

      it(
        opts.persistent
          ? 'revisions never go backwards across close/reopen and compaction'
          : 'revisions never go backwards across compaction',
        withBackend(async (b, p, h) => {
          const a = await b.create(`${p}a`, 'a');
          const x = await b.create(`${p}x`, 'x');
          const d = await b.delete(`${p}x`); // the newest row is a tombstone
          await b.compact(d.revision);
          const y = await b.create(`${p}y`, 'y');
          const dy = await b.delete(`${p}y`);
          assert.equal(dy.prev.modRevision, y.modRevision);
          await b.compact(dy.revision); // compaction removes the tombstone of x and the row of y
          const head = await b.currentRevision();
          assert.equal(head, dy.revision);
          if (!opts.persistent) return;
          assert.ok(h.reopen, 'the factory of a persistent backend provides reopen');
          const b2 = await h.reopen();
          assert.ok((await b2.currentRevision()) >= head, 'the head survives reopening');
          const next = await b2.create(`${p}z`, 'z');
          assert.ok(next.modRevision > head, 'new revisions continue above every earlier one');
          assert.equal((await b2.get(`${p}a`)).kv?.modRevision, a.modRevision);
          await rejectsWith(b2.get(`${p}a`, { revision: x.modRevision }), 'Compacted');
          const b3 = await h.reopen();
          const again = await b3.create(`${p}w`, 'w');
          assert.ok(again.modRevision > next.modRevision);
        }),
      );

      it(
        'TTL: a key written with a TTL expires (watchers see the delete); rewriting it without one keeps it',
        withBackend(async (b, p) => {
          const kv = await b.create(`${p}event`, 'e', { ttlSeconds: 1 });
          const kept = await b.create(`${p}kept`, 'k', { ttlSeconds: 1 });
          await b.update(`${p}kept`, 'k2', kept.modRevision);
          assert.equal((await b.get(`${p}event`)).kv?.value, 'e', 'not expired right away');
          const w = b.watch(p, kv.modRevision);
          try {
            const timeout = opts.ttlTimeoutMs ?? 5_000;
            await eventually(
              async () => (await b.get(`${p}event`)).kv === undefined,
              timeout,
              'TTL key expired',
            );
            const evs = await readUntil(w, (e) => e.some((x) => x.type === 'delete'), WATCH_TIMEOUT_MS);
            const del = evs.find((e) => e.type === 'delete')!;
            assert.equal(del.key, `${p}event`);
            assert.equal(del.prevValue, 'e');
            assert.equal((await b.get(`${p}kept`)).kv?.value, 'k2', 'a rewrite without TTL drops the TTL');
          } finally {
            w.close();
          }
        }),
      );

      it(
        'a slow watcher is closed; other watchers and writers are unaffected',
        withBackend(async (b, p) => {
          const writesN = 100;
          const slow = b.watch(p, 0, { maxBufferedEvents: 20 });
          const fast = b.watch(p, 0);
          try {
            await sleep(200); // let remote watches register
            const fastRead = readEvents(fast, writesN, WATCH_TIMEOUT_MS * 3);
            const started = Date.now();
            for (let i = 0; i < writesN; i++) await b.create(`${p}k${i}`, String(i));
            assert.ok(Date.now() - started < WATCH_TIMEOUT_MS * 3, 'writers were not held up');
            const evs = await fastRead;
            assert.equal(evs.length, writesN);
            assert.deepEqual(
              evs.map((e) => e.value),
              Array.from({ length: writesN }, (_, i) => String(i)),
            );
            const err = await watchError(slow, WATCH_TIMEOUT_MS);
            assert.ok(isStorageError(err), `the slow watcher ends with a StorageError: ${String(err)}`);
            assert.match((err as StorageError).message, /fell behind/);
          } finally {
            slow.close();
            fast.close();
          }
        }),
      );

      it(
        'close() and abort end a watch normally',
        withBackend(async (b, p) => {
          const w = b.watch(p, 0);
          const ended = (async () => {
            const got: WatchEvent[] = [];
            for await (const batch of w) got.push(...batch);
            return got;
          })();
          await sleep(50);
          w.close();
          assert.deepEqual(await ended, []);
          const ac = new AbortController();
          const w2 = b.watch(p, 0, { signal: ac.signal });
          const ended2 = (async () => {
            for await (const _ of w2) {
              // no events expected
            }
            return 'ended';
          })();
          ac.abort();
          assert.equal(await ended2, 'ended');
        }),
      );
    });
  });
}
