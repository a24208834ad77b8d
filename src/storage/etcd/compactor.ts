// Scheduled compaction of etcd, coordinated between servers the way the kube-apiserver does it,
// so each interval one server compacts and history covers at least one interval.
//
// The key `compact_rev_key` holds the last compacted revision; its *version* is a logical clock.
// Every interval each server runs one transaction:
//   if version(compact_rev_key) == my clock  then put(compact_rev_key, R) and compact(R)
//                                             else read the key: adopt its version as my clock
// where R is the revision this server saw at its previous tick (so one interval of history is
// kept). The winner advances the clock; the others lose the CAS and try again next interval, and
// take over if the winner stops compacting.
import type { Etcd3 } from 'etcd3';

export const COMPACT_REV_KEY = 'compact_rev_key';

export class EtcdCompactor {
  readonly #client: Etcd3;
  readonly #onCompacted: (revision: number) => void;
  readonly #onError: (err: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  #clock = 0;
  /** The revision seen at the previous tick: what the next successful tick compacts to. */
  #seen = 0;
  #running: Promise<void> | undefined;

  constructor(
    client: Etcd3,
    intervalMs: number,
    hooks: { onCompacted: (revision: number) => void; onError: (err: unknown) => void },
  ) {
    this.#client = client;
    this.#onCompacted = hooks.onCompacted;
    this.#onError = hooks.onError;
    this.#timer = setInterval(() => {
      this.#running ??= this.tick()
        .catch((err) => this.#onError(err))
        .finally(() => {
          this.#running = undefined;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  /** One round of the protocol (exposed for tests). */
  async tick(): Promise<void> {
    const key = Buffer.from(COMPACT_REV_KEY);
    const res = await this.#client.kv.txn({
      compare: [{ key, target: 'Version', result: 'Equal', version: this.#clock }],
      success: [{ request_put: { key, value: Buffer.from(String(this.#seen)) } }],
      failure: [{ request_range: { key } }],
    });
    const target = this.#seen;
    this.#seen = Number(res.header.revision);
    if (!res.succeeded) {
      const kv = res.responses[0]?.response_range?.kvs[0];
      this.#clock = kv ? Number(kv.version) : 0;
      const compacted = kv ? Number(kv.value.toString()) : 0;
      if (compacted > 0) this.#onCompacted(compacted);
      return;
    }
    this.#clock++;
    if (target === 0) return; // nothing seen yet: the first tick only starts the clock
    await this.#client.kv.compact({ revision: target, physical: true });
    this.#onCompacted(target);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
