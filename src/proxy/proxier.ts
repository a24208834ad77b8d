// The proxy loop: state updates mark it dirty; a sync (at most once per minSyncPeriod) renders,
// applies atomically, repairs the built-in jumps, clears stale UDP flows and records how long a
// change took to reach the kernel. State arrives as plain snapshots so the wiring can feed it from
// informers (or anything else) without this module knowing about the API client.
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { type ConntrackCleaner, staleUdpFlows } from './conntrack.ts';
import type { IptablesBackend } from './iptables-backend.ts';
import { type NodeConfig, RuleRenderer, type Ruleset, type UdpTarget } from './render.ts';

/** kube-proxy's default --iptables-min-sync-period: batches bursts of endpoint churn. */
export const DEFAULT_MIN_SYNC_PERIOD_MS = 1_000;
/** kube-proxy's default --iptables-sync-period: a full rewrite repairs anything changed behind our back. */
export const DEFAULT_FULL_SYNC_PERIOD_MS = 30_000;

export interface ProxierOptions extends NodeConfig {
  backend: IptablesBackend;
  conntrack?: ConntrackCleaner;
  minSyncPeriodMs?: number;
  fullSyncPeriodMs?: number;
  logger?: Logger;
}

export interface ProxyStateUpdate {
  services?: readonly Service[];
  endpointSlices?: readonly EndpointSlice[];
}

export interface ProxierMetrics {
  syncs: number;
  failedSyncs: number;
  fullSyncs: number;
  /** Render + apply time of the last sync. */
  lastSyncMs: number;
  /** Programming latency: first state change after a sync → rules in the kernel. */
  lastProgrammingLatencyMs: number;
  maxProgrammingLatencyMs: number;
  sumProgrammingLatencyMs: number;
  lastRerendered: number;
}

export class Proxier {
  readonly #opts: ProxierOptions;
  readonly #renderer = new RuleRenderer();
  readonly #log: Logger;
  #services: readonly Service[] = [];
  #slices: readonly EndpointSlice[] = [];
  /** Chains the kernel may hold: last applied plus anything a failed sync may have left. */
  #knownChains: Set<string> | undefined;
  #lastApplied: Ruleset | undefined;
  #udp: ReadonlyMap<string, UdpTarget> = new Map();
  #needFull = true;
  #localnetDone = false;
  #dirtySince: number | undefined;
  #lastSyncStart = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #fullTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #disposed = false;
  readonly metrics: ProxierMetrics = {
    syncs: 0,
    failedSyncs: 0,
    fullSyncs: 0,
    lastSyncMs: 0,
    lastProgrammingLatencyMs: 0,
    maxProgrammingLatencyMs: 0,
    sumProgrammingLatencyMs: 0,
    lastRerendered: 0,
  };

  constructor(opts: ProxierOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? createLogger({ component: 'proxy' });
    const full = opts.fullSyncPeriodMs ?? DEFAULT_FULL_SYNC_PERIOD_MS;
    if (full > 0) {
      this.#fullTimer = setInterval(() => {
        this.#needFull = true;
        this.#markDirty();
      }, full);
      this.#fullTimer.unref();
    }
  }

  /** Replaces the given parts of the state and schedules a sync. */
  update(state: ProxyStateUpdate): void {
    if (state.services) this.#services = state.services;
    if (state.endpointSlices) this.#slices = state.endpointSlices;
    this.#markDirty();
  }

  /** Syncs now (after any sync in flight) regardless of the min sync period. */
  async syncNow(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#running) await this.#running;
    this.#dirtySince ??= performance.now();
    await this.#runSync();
  }

  /** The last ruleset the kernel accepted. */
  get applied(): Ruleset | undefined {
    return this.#lastApplied;
  }

  #markDirty(): void {
    if (this.#disposed) return;
    this.#dirtySince ??= performance.now();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#running || this.#disposed) return;
    const min = this.#opts.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS;
    const delay = Math.max(0, this.#lastSyncStart + min - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#runSync();
    }, delay);
  }

  #runSync(): Promise<void> {
    const p = this.#sync().finally(() => {
      this.#running = undefined;
      if (this.#dirtySince !== undefined) this.#schedule();
    });
    this.#running = p;
    return p;
  }

  async #sync(): Promise<void> {
    const started = performance.now();
    this.#lastSyncStart = started;
    const dirtySince = this.#dirtySince ?? started;
    this.#dirtySince = undefined;
    const full = this.#needFull;
    const { backend, conntrack } = this.#opts;
    try {
      if (!this.#knownChains) {
        // Chains a previous skiff left behind get deleted by the first full sync.
        this.#knownChains = new Set((await backend.listChains()).nat);
      }
      const ruleset = this.#renderer.render(
        { ...this.#opts, services: this.#services, endpointSlices: this.#slices },
        { previous: { natChains: this.#knownChains }, partial: !full && !!this.#lastApplied },
      );
      for (const c of ruleset.natChains) this.#knownChains.add(c);
      await backend.apply(ruleset.text);
      if (full) {
        if (!this.#localnetDone && (this.#opts.options?.localhostNodePorts ?? true)) {
          await backend.enableRouteLocalnet();
          this.#localnetDone = true;
        }
        await backend.ensureJumps();
      }
      this.#lastApplied = ruleset;
      this.#knownChains = new Set(ruleset.natChains);
      this.#needFull = false;
      const latency = performance.now() - dirtySince;
      const m = this.metrics;
      m.syncs++;
      if (full) m.fullSyncs++;
      m.lastSyncMs = performance.now() - started;
      m.lastProgrammingLatencyMs = latency;
      m.maxProgrammingLatencyMs = Math.max(m.maxProgrammingLatencyMs, latency);
      m.sumProgrammingLatencyMs += latency;
      m.lastRerendered = ruleset.stats.rerendered;
      this.#log.debug('proxy sync', { full, ms: m.lastSyncMs, rerendered: ruleset.stats.rerendered });
      const stale = staleUdpFlows(this.#udp, ruleset.udp);
      this.#udp = ruleset.udp;
      if (stale.length > 0 && conntrack) {
        await conntrack
          .delete(stale)
          .catch((err: unknown) => this.#log.warn('conntrack cleanup failed', { error: String(err) }));
      }
    } catch (err) {
      this.metrics.failedSyncs++;
      // The kernel may hold any mix of old and new chains now: rewrite everything next time.
      this.#needFull = true;
      this.#dirtySince ??= dirtySince;
      this.#log.error('proxy sync failed', { error: String(err) });
    }
  }

  /** Stops syncing. Rules stay in place (removing them is `IptablesBackend.cleanup`). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#fullTimer);
    this.#timer = undefined;
    this.#dirtySince = undefined;
    while (this.#running) await this.#running;
  }
}
