// A prefix watch on etcd over its own gRPC watch stream, with resumption we control.
//
// Kubernetes' "events after R" is etcd's start_revision R+1. The stream asks for prev_kv (so
// updates and deletes carry the previous value) and progress notifications. After every response
// `next` is the first revision not yet delivered; if the stream breaks (member killed, leader
// change), a new stream — on whichever member the client picks — resumes at `next`, so a failover
// neither loses nor repeats events. A start below etcd's compaction ends the watch with Compacted,
// carrying etcd's compact_revision as the watermark.
//
// etcd3's own Watcher is not used: it resumes from the response header's revision, which during a
// catch-up can be ahead of the events actually delivered, and it drops compact_revision.
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { compacted, unavailable } from '../errors.ts';
import { prefixEnd } from '../keys.ts';
import type { WatchEvent, WatchOptions } from '../types.ts';
import { WatchQueue } from '../watch/watch-queue.ts';

/** Give up re-establishing a broken watch after this long (then the consumer re-watches or re-lists). */
const RESUME_TIMEOUT_MS = 30_000;
const RESUME_INITIAL_DELAY_MS = 50;
const RESUME_MAX_DELAY_MS = 1_000;
/** etcd's range_end for "every key ≥ key". */
const ALL_KEYS_END = Buffer.from([0]);

type DuplexStream = IDuplexStream<IWatchRequest, IWatchResponse>;

export function toWatchEvent(ev: IEvent): WatchEvent {
  const kv = ev.kv;
  const prev = ev.prev_kv;
  const key = kv.key.toString();
  const revision = Number(kv.mod_revision);
  if (String(ev.type).toLowerCase() === 'delete') {
    const value = prev ? prev.value.toString() : '';
    const out: WatchEvent = {
      type: 'delete',
      key,
      value,
      revision,
      createRevision: prev ? Number(prev.create_revision) : 0,
    };
    if (prev) {
      out.prevValue = value;
      out.prevRevision = Number(prev.mod_revision);
    }
    return out;
  }
  const created = kv.create_revision === kv.mod_revision;
  const out: WatchEvent = {
    type: created ? 'create' : 'update',
    key,
    value: kv.value.toString(),
    revision,
    createRevision: Number(kv.create_revision),
  };
  if (!created && prev) {
    out.prevValue = prev.value.toString();
    out.prevRevision = Number(prev.mod_revision);
  }
  return out;
}

/**
 * Events with revision > fromRevision on keys under prefix. `head` gives the current revision for
 * a watch "from now" (fromRevision 0), so that it means "after the revision current at the call".
 */
export function etcdWatch(
  client: Etcd3,
  prefix: string,
  fromRevision: number,
  opts: WatchOptions & { head: () => Promise<number>; onCompacted?: (watermark: number) => void },
): WatchQueue {
  const queue = new WatchQueue(opts);
  const end = prefixEnd(prefix);
  let next = fromRevision > 0 ? fromRevision + 1 : 0;
  let stream: DuplexStream | undefined;
  let brokenSince: number | undefined;
  let delay = RESUME_INITIAL_DELAY_MS;

  queue.onClose(() => {
    const s = stream;
    stream = undefined;
    s?.cancel();
  });

  const onResponse = (s: DuplexStream, res: IWatchResponse) => {
    if (s !== stream || queue.closed) return;
    brokenSince = undefined;
    delay = RESUME_INITIAL_DELAY_MS;
    const compactRevision = Number(res.compact_revision ?? 0);
    if (compactRevision > 0) {
      opts.onCompacted?.(compactRevision);
      queue.fail(compacted(next - 1, compactRevision));
      return;
    }
    if (res.canceled) {
      queue.fail(
        unavailable(`etcd cancelled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`),
      );
      return;
    }
    if (res.events.length > 0) {
      const events = res.events.map(toWatchEvent);
      queue.push(events);
      next = events[events.length - 1].revision + 1;
    } else if (!res.created) {
      // A progress notification: etcd sends them only once this watcher has caught up.
      next = Math.max(next, Number(res.header.revision) + 1);
    }
  };

  const onBroken = (s: DuplexStream, err: unknown) => {
    if (s !== stream || queue.closed) return;
    stream = undefined;
    s.cancel();
    retry(err);
  };

  const retry = (err: unknown) => {
    if (queue.closed) return;
    brokenSince ??= Date.now();
    if (Date.now() - brokenSince > RESUME_TIMEOUT_MS) {
      queue.fail(
        unavailable(`etcd watch on ${prefix} lost for ${RESUME_TIMEOUT_MS} ms: ${String(err)}`, err),
      );
      return;
    }
    setTimeout(() => void connect(), delay).unref();
    delay = Math.min(delay * 2, RESUME_MAX_DELAY_MS);
  };

  const connect = async () => {
    if (queue.closed) return;
    let s: DuplexStream;
    try {
      if (next === 0) next = (await opts.head()) + 1;
      s = await client.watchClient.watch();
    } catch (err) {
      retry(err);
      return;
    }
    if (queue.closed) {
      s.cancel();
      return;
    }
    stream = s;
    s.on('data', (res) => onResponse(s, res));
    s.on('error', (err) => onBroken(s, err));
    s.on('end', () => onBroken(s, new Error('etcd closed the watch stream')));
    s.write({
      create_request: {
        key: Buffer.from(prefix),
        range_end: end === undefined ? ALL_KEYS_END : Buffer.from(end),
        start_revision: next,
        prev_kv: true,
        progress_notify: true,
      },
    });
  };

  void connect();
  return queue;
}
