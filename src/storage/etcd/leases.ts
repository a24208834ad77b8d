// Leases for keys written with a TTL (Events). Like the apiserver's lease manager, one lease is
// shared by all writes with the same TTL for a short window, so a burst of Events does not grant
// thousands of leases; the lease is granted for TTL + window so no key lives less than its TTL.
//
// Example: ttl 3600 s → window min(60, 5% of 3600) = 60 s → grant 3660 s, reused for 60 s.
import type { Etcd3 } from 'etcd3';

/** Longest a lease is reused, in seconds (the apiserver's default). */
const REUSE_MAX_SECONDS = 60;
/** Reuse window as a fraction of the TTL, so short TTLs stay close to exact. */
const REUSE_FRACTION = 0.05;
const MS_PER_SECOND = 1_000;

export class LeaseManager {
  readonly #client: Etcd3;
  readonly #byTtl = new Map<number, { id: string; until: number }>();

  constructor(client: Etcd3) {
    this.#client = client;
  }

  /** A lease id that keeps a key alive at least ttlSeconds. */
  async leaseFor(ttlSeconds: number): Promise<string> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    const now = Date.now();
    const cached = this.#byTtl.get(ttl);
    if (cached && now < cached.until) return cached.id;
    const reuse = Math.floor(Math.min(REUSE_MAX_SECONDS, ttl * REUSE_FRACTION));
    const res = await this.#client.leaseClient.leaseGrant({ TTL: ttl + reuse });
    if (reuse > 0) this.#byTtl.set(ttl, { id: res.ID, until: now + reuse * MS_PER_SECOND });
    return res.ID;
  }

  /** Forget a lease etcd no longer knows (expired or revoked). */
  forget(id: string): void {
    for (const [ttl, l] of this.#byTtl) if (l.id === id) this.#byTtl.delete(ttl);
  }
}
