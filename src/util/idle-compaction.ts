// Hands memory back to the OS once the process goes quiet after a busy spell (start-up, a burst
// of pod starts). V8 keeps what the spell grew into: garbage the next GC would find, and freed
// heap pages pooled for reuse; its own memory reducer collects, but keeps the pool and leaves
// ~10 MB of an idle server's resident set behind, more or less of it run to run by GC timing.
// The "last resort" collection (what V8 runs on a low-memory notification) drops both. It
// pauses the event loop for ~40 ms on an idle server, so it runs only after a quiet stretch
// (not in a lull inside a burst), only when the resident set grew enough since the last one to be
// worth it, and not more often than every few seconds.
import type { Disposable } from './disposable.ts';

export interface IdleCompactionOptions {
  /** How often to look (ms): one window. */
  intervalMs?: number;
  /** A window counts as quiet when the process used at most this share of one CPU in it. */
  maxUtilization?: number;
  /** Consecutive quiet windows needed. */
  quietWindows?: number;
  /** Compact only when the resident set grew at least this much since the last compaction. */
  minGrowthBytes?: number;
  /** Windows to let pass after a compaction before the next may run. */
  minGapWindows?: number;
}

export const IDLE_COMPACTION_DEFAULTS: Required<IdleCompactionOptions> = {
  intervalMs: 500,
  maxUtilization: 0.1,
  quietWindows: 3,
  minGrowthBytes: 8 * 1024 * 1024,
  minGapWindows: 20,
};

/** What one look saw: the process's CPU share over the window and the resident set now. */
export interface Sample {
  utilization: number;
  rssBytes: number;
}

/** What the last windows saw. `baseline` is the resident set right after the last compaction. */
export interface CompactionState {
  quiet: number;
  sinceLast: number;
  baseline: number;
}

/** A fresh process: the first quiet stretch after start-up compacts. */
export const initialState = (): CompactionState => ({
  quiet: 0,
  sinceLast: Number.POSITIVE_INFINITY,
  baseline: 0,
});

/** Folds one window into the state; true when this window should compact. */
export function observeWindow(
  state: CompactionState,
  sample: Sample,
  o: Required<IdleCompactionOptions>,
): boolean {
  state.quiet = sample.utilization <= o.maxUtilization ? state.quiet + 1 : 0;
  state.sinceLast++;
  return (
    state.quiet >= o.quietWindows &&
    state.sinceLast > o.minGapWindows &&
    sample.rssBytes - state.baseline >= o.minGrowthBytes
  );
}

/**
 * A compaction just ran; `after` is the first sample taken after it, whose resident set is the new
 * baseline (and whose window, the collection itself, counts for nothing).
 */
export function recordCompaction(state: CompactionState, after: Sample): void {
  state.baseline = after.rssBytes;
  state.sinceLast = 0;
  state.quiet = 0;
}

/** The pieces that touch the process, replaceable in tests. */
export interface CompactionHost {
  sample(): Sample;
  compact(): void;
  every(ms: number, fn: () => void): Disposable;
}

/** Starts looking; dispose() stops. Without V8's gc hook (see lastResortGc) it does nothing. */
export function startIdleCompaction(
  options: IdleCompactionOptions = {},
  host: CompactionHost | undefined = processHost(),
): Disposable {
  if (!host) return { dispose() {} };
  const o = { ...IDLE_COMPACTION_DEFAULTS, ...options };
  const state = initialState();
  host.sample(); // opens the first window
  return host.every(o.intervalMs, () => {
    if (!observeWindow(state, host.sample(), o)) return;
    host.compact();
    recordCompaction(state, host.sample());
  });
}

type GcExtension = (o: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let gcExtension: GcExtension | null | undefined;

/**
 * V8's gc extension: the global `gc` when the process runs with --expose-gc (`skiff agent` does:
 * it loads no third-party code that could find it). Otherwise the flag is set at run time and a
 * fresh context hands the extension over (it is installed only into contexts created after the
 * flag is set), so the global never appears in the server's main context for libraries to find;
 * that route loads node:v8 and node:vm (~0.6 MB), which the agent saves. null when unavailable.
 */
export function lastResortGc(): GcExtension | null {
  if (gcExtension !== undefined) return gcExtension;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') {
    gcExtension = exposed as GcExtension;
    return gcExtension;
  }
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    const fn = process
      .getBuiltinModule('node:vm')
      .runInNewContext('typeof gc === "function" ? gc : null') as GcExtension | null;
    gcExtension = fn;
  } catch {
    gcExtension = null;
  }
  return gcExtension;
}

/**
 * The window's busy share from the process's CPU time (user + system over wall time): the event
 * loop utilisation would serve as well but loads perf_hooks (~0.3 MB) into processes that
 * otherwise never use it.
 */
function processHost(): CompactionHost | undefined {
  const gc = lastResortGc();
  if (!gc) return undefined;
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  return {
    sample() {
      const cpu = process.cpuUsage();
      const now = process.hrtime.bigint();
      const busyUs = cpu.user - lastCpu.user + cpu.system - lastCpu.system;
      const wallUs = Number(now - lastAt) / 1000;
      lastCpu = cpu;
      lastAt = now;
      const utilization = wallUs > 0 ? busyUs / wallUs : 0;
      return { utilization, rssBytes: process.memoryUsage.rss() };
    },
    compact: () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }),
    every(ms, fn) {
      const t = setInterval(fn, ms);
      t.unref();
      return { dispose: () => clearInterval(t) };
    },
  };
}
