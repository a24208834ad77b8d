// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package: the
// candidates race to write their identity into the Lease with compare-and-swap (resourceVersion);
// the holder renews it every retryPeriod; the others take over once they have seen the same record
// unchanged for leaseDuration. Expiry is judged by when *this* candidate last saw the record change,
// never by the timestamps in it, so clock skew between machines cannot elect two leaders.
//
//   acquire: every retryPeriod ─ tryAcquireOrRenew ─ok─► onStartedLeading(signal)
//   renew:   every retryPeriod ─ tryAcquireOrRenew; none succeeded within renewDeadline
//            ─► signal aborts, onStoppedLeading(); run() returns
//   stop:    signal aborts, onStoppedLeading(); with releaseOnCancel the Lease is handed back
//            (empty holder), so another candidate takes over without waiting for expiry
import type { KObject } from '../api/object.ts';
import { type Clock, realClock } from '../util/clock.ts';
import type { Disposable } from '../util/disposable.ts';
import type { Logger } from '../util/log.ts';
import { microTime } from '../util/time-format.ts';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import { LEASES } from './resource.ts';
import type { ResourceClient } from './resource-client.ts';
import type { RestClient } from './rest.ts';

/** client-go's recommended defaults for controller managers and schedulers. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** Acquire attempts are spread by up to this fraction of retryPeriod (client-go's JitterFactor). */
const ACQUIRE_JITTER = 1.2;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaderElectionOptions {
  /** The Lease: `kube-system/skiff-controller-manager`, say. */
  namespace: string;
  name: string;
  /** This candidate's unique identity (hostname + a random suffix, typically). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Hand the Lease back on stop so a successor need not wait for expiry (default true). */
  releaseOnCancel?: boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. Not awaited. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once when leadership that was held ends (lost or stopped). */
  onStoppedLeading?: () => void;
  /** Called whenever the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  log?: Logger;
  random?: () => number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */

export class LeaderElector implements Disposable {
  readonly #leases: ResourceClient;
  readonly #o: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  readonly #stop = new AbortController();
  #observed: LeaseSpec | undefined;
  #observedJson = '';
  #observedAt = 0;
  #observedRv: string | undefined;
  #leading: AbortController | undefined;
  #run: Promise<void> | undefined;

  constructor(client: RestClient, opts: LeaderElectionOptions) {
    this.#leases = client.resource(LEASES, opts.namespace);
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#leaseMs = opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewMs = opts.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryMs = opts.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.#leaseMs > this.#renewMs))
      throw new RangeError('leaseDuration must be greater than renewDeadline');
    if (!(this.#renewMs > this.#retryMs * ACQUIRE_JITTER)) {
      throw new RangeError('renewDeadline must be greater than retryPeriod*1.2');
    }
    if (!opts.identity) throw new RangeError('leader election needs an identity');
  }

  isLeader(): boolean {
    return this.#leading !== undefined && !this.#leading.signal.aborted;
  }

  /** The holder this candidate last observed ('' when none). */
  get leader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** Campaigns, leads until leadership is lost or stop() is called, then resolves. */
  run(): Promise<void> {
    this.#run ??= this.#campaign();
    return this.#run;
  }

  /** Stops campaigning or leading (releasing the Lease if configured); idempotent. */
  async dispose(): Promise<void> {
    this.#stop.abort();
    await this.#run;
  }

  stop(): Promise<void> {
    return this.dispose();
  }

  async #campaign(): Promise<void> {
    const stop = this.#stop.signal;
    const random = this.#o.random ?? Math.random;
    // Acquire.
    while (!stop.aborted) {
      if (await this.#tryAcquireOrRenew()) break;
      await this.#clock.sleep(this.#retryMs * (1 + ACQUIRE_JITTER * random()), stop);
    }
    if (stop.aborted) return;
    const leading = new AbortController();
    this.#leading = leading;
    this.#o.log?.info('became leader', {
      lease: `${this.#o.namespace}/${this.#o.name}`,
      identity: this.#o.identity,
    });
    try {
      await this.#o.onStartedLeading(leading.signal);
    } catch (err) {
      this.#o.log?.error('onStartedLeading failed', { err: String(err) });
    }
    // Renew until a renewal round fails for renewDeadline, or we are stopped.
    while (!stop.aborted) {
      await this.#clock.sleep(this.#retryMs, stop);
      if (stop.aborted) break;
      if (!(await this.#renewWithinDeadline())) {
        this.#o.log?.warn('lost leadership', { lease: `${this.#o.namespace}/${this.#o.name}` });
        break;
      }
    }
    leading.abort();
    try {
      this.#o.onStoppedLeading?.();
    } catch (err) {
      this.#o.log?.error('onStoppedLeading failed', { err: String(err) });
    }
    if (stop.aborted && (this.#o.releaseOnCancel ?? true)) await this.#release();
  }

  async #renewWithinDeadline(): Promise<boolean> {
    const deadline = this.#clock.now() + this.#renewMs;
    while (!this.#stop.signal.aborted && this.#clock.now() < deadline) {
      if (await this.#tryAcquireOrRenew(deadline)) return true;
      const left = deadline - this.#clock.now();
      if (left <= 0) break;
      await this.#clock.sleep(Math.min(this.#retryMs, left), this.#stop.signal);
    }
    return false;
  }

  /** One attempt to take or keep the Lease; false when someone else validly holds it or on error. */
  async #tryAcquireOrRenew(deadline?: number): Promise<boolean> {
    const now = this.#clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#leaseMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    // A request must not outlive the renew deadline: a hung call would keep a stale leader leading.
    const timeoutMs = deadline === undefined ? this.#renewMs : Math.max(1, deadline - now);
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      let lease: KObject;
      try {
        lease = await this.#leases.get(this.#o.name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.#leases.create(
          { metadata: { name: this.#o.name, namespace: this.#o.namespace }, spec: mine },
          { signal },
        );
        this.#observe(created, this.#clock.now());
        return true;
      }
      const spec: LeaseSpec = lease.spec ?? {};
      this.#observe(lease, now);
      const holder = spec.holderIdentity ?? '';
      if (holder && holder !== this.#o.identity && this.#observedAt + this.#leaseMs > now) return false;
      if (holder === this.#o.identity) {
        mine.acquireTime = spec.acquireTime ?? mine.acquireTime;
        mine.leaseTransitions = spec.leaseTransitions ?? 0;
      } else {
        mine.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      const updated = await this.#leases.update(
        {
          ...lease,
          metadata: { ...lease.metadata, resourceVersion: lease.metadata?.resourceVersion },
          spec: mine,
        },
        { signal },
      );
      this.#observe(updated, this.#clock.now());
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err) && !this.#stop.signal.aborted) {
        this.#o.log?.warn('lease update failed', {
          lease: `${this.#o.namespace}/${this.#o.name}`,
          err: String(err),
        });
      }
      return false;
    }
  }

  #observe(lease: KObject, at: number): void {
    const spec: LeaseSpec = lease.spec ?? {};
    const json = JSON.stringify(spec);
    this.#observedRv = lease.metadata?.resourceVersion;
    if (json === this.#observedJson) return;
    const before = this.#observed?.holderIdentity ?? '';
    this.#observed = spec;
    this.#observedJson = json;
    this.#observedAt = at;
    const holder = spec.holderIdentity ?? '';
    if (holder !== before && holder) this.#o.onNewLeader?.(holder);
  }

  /** Hands the Lease back: empty holder, 1 s duration, transitions kept (as client-go's release). */
  async #release(): Promise<void> {
    if (this.#observed?.holderIdentity !== this.#o.identity || !this.#observedRv) return;
    const now = microTime(this.#clock.now());
    try {
      await this.#leases.update(
        {
          metadata: { name: this.#o.name, namespace: this.#o.namespace, resourceVersion: this.#observedRv },
          spec: {
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: this.#observed.leaseTransitions ?? 0,
          },
        },
        { signal: AbortSignal.timeout(this.#renewMs) },
      );
    } catch (err) {
      this.#o.log?.warn('lease release failed', { err: String(err) });
    }
  }
}
