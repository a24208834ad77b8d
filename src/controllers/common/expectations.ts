// client-go's ControllerExpectations and UIDTrackingControllerExpectations
// (pkg/controller/controller_utils.go): after a controller asks for N creations or deletions it
// waits until its informer has *seen* them before syncing that owner again, so a stale cache never
// makes it create the same pods twice. Deletions are tracked by pod UID, because a pod is seen
// "deleted" twice (deletionTimestamp set, then gone) and must be counted once. Expectations expire
// after a TTL so a lost watch event cannot wedge an owner forever.
import type { Clock } from '../../util/clock.ts';

/** Upstream ExpectationsTimeout: how long unmet expectations block a sync. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  deleting: Set<string>;
  at: number;
}

export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #items = new Map<string, Expectation>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** True when the owner may sync: nothing pending, everything observed, or expired. */
  satisfied(key: string): boolean {
    const e = this.#items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.deleting.size === 0) return true;
    return this.#clock.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, n: number): void {
    this.#items.set(key, { add: n, deleting: new Set(), at: this.#clock.now() });
  }

  /** Expects these pods (by UID) to be seen deleted. */
  expectDeletions(key: string, uids: Iterable<string>): void {
    this.#items.set(key, { add: 0, deleting: new Set(uids), at: this.#clock.now() });
  }

  /** One expected creation was observed (or will never happen because the create failed). */
  creationObserved(key: string): void {
    const e = this.#items.get(key);
    if (e) e.add--;
  }

  /** The pod with this UID was seen terminating or gone; counted once per UID. */
  deletionObserved(key: string, uid: string): void {
    this.#items.get(key)?.deleting.delete(uid);
  }

  /** Pending counts, for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.#items.get(key);
    return e ? { add: e.add, del: e.deleting.size } : undefined;
  }

  delete(key: string): void {
    this.#items.delete(key);
  }
}
