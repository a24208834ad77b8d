// NetworkPolicy enforcement as a component: informers on NetworkPolicies, Pods and Namespaces;
// any change schedules one debounced full sync (model → render → iptables-restore → jump check).
//
// Why IP matching and not `-m physdev`: br_netfilter is built into this kernel with
// bridge-nf-call-iptables=1 (in every network namespace), so bridged pod-to-pod packets reach
// FORWARD with their pod addresses; physdev would need the same module and, in addition, the veth
// name of every pod, which only the agent knows. Matching on pod IPs also covers routed
// (cross-node, host-gw) traffic with the same rules.
import { readFile } from 'node:fs/promises';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.d.ts';
import { findKind } from '../api/kinds/index.ts';
import type { KObject } from '../api/object.ts';
import { NAMESPACES, PODS, type RestClient, refOf, SharedInformerFactory } from '../client/index.ts';
import type { Disposable } from '../util/disposable.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { NetpolIptables } from './iptables.ts';
import { computePodPolicies } from './policy-model.ts';
import { renderNetpol } from './render.ts';

export const NETWORK_POLICIES = refOf(findKind('networking.k8s.io', 'networkpolicies')!);
/** Batches a burst of pod/policy events into one rewrite. */
export const DEFAULT_MIN_SYNC_PERIOD_MS = 200;
/** A periodic rewrite repairs rules changed behind our back (and re-tops the FORWARD jump). */
export const DEFAULT_FULL_SYNC_PERIOD_MS = 30_000;
const BR_NF_CALL = '/proc/sys/net/bridge/bridge-nf-call-iptables';

export interface NetworkPolicyOptions {
  client: RestClient;
  nodeName: string;
  /** Default: iptables on this host. */
  iptables?: NetpolIptables;
  informers?: SharedInformerFactory;
  minSyncPeriodMs?: number;
  fullSyncPeriodMs?: number;
  log?: Logger;
}

export interface NetworkPolicyEnforcer {
  /** Resolves once the informers listed and the first ruleset is in the kernel. */
  synced: Promise<void>;
  /** Syncs now (after any sync in flight). */
  syncNow(): Promise<void>;
  readonly metrics: { syncs: number; failedSyncs: number };
  stop(): Promise<void>;
  /** Removes every SKIFF-NP-* chain and the FORWARD jump; call after stop(). */
  cleanup(): Promise<void>;
}

export function startNetworkPolicy(opts: NetworkPolicyOptions): NetworkPolicyEnforcer {
  const log = opts.log ?? createLogger({ component: 'netpol' });
  const ipt = opts.iptables ?? new NetpolIptables();
  const ownFactory = !opts.informers;
  const factory = opts.informers ?? new SharedInformerFactory(opts.client, { log });
  const policies = factory.informerFor<NetworkPolicy & KObject>(NETWORK_POLICIES);
  const pods = factory.informerFor<Pod & KObject>(PODS);
  const namespaces = factory.informerFor<Namespace & KObject>(NAMESPACES);
  const informers = [policies, pods, namespaces];
  const minPeriod = opts.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS;
  const metrics = { syncs: 0, failedSyncs: 0 };
  let known: string[] | undefined;
  let ready = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let dirty = false;
  let lastStart = -Infinity;

  const sync = async (): Promise<void> => {
    lastStart = performance.now();
    dirty = false;
    try {
      known ??= await ipt.listChains();
      const model = computePodPolicies({
        policies: policies.lister.list(),
        pods: pods.lister.list(),
        namespaces: namespaces.lister.list(),
        nodeName: opts.nodeName,
      });
      const rules = renderNetpol(model, known);
      await ipt.apply(rules.text);
      known = [...rules.chains];
      await ipt.ensureJump();
      metrics.syncs++;
      log.debug('netpol sync', { pods: rules.stats.pods, rules: rules.stats.rules });
    } catch (err) {
      metrics.failedSyncs++;
      known = undefined; // re-read what the kernel holds next time
      dirty = true;
      log.error('netpol sync failed', { error: String(err) });
    }
  };
  const run = (): Promise<void> => {
    running = sync().finally(() => {
      running = undefined;
      if (dirty) schedule();
    });
    return running;
  };
  function schedule(): void {
    if (stopped || !ready || timer || running) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void run();
      },
      Math.max(0, lastStart + minPeriod - performance.now()),
    );
  }
  const changed = (): void => {
    dirty = true;
    schedule();
  };
  const regs: Disposable[] = informers.map((i) =>
    (i as typeof pods).addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed }),
  );
  const full = opts.fullSyncPeriodMs ?? DEFAULT_FULL_SYNC_PERIOD_MS;
  const fullTimer = full > 0 ? setInterval(changed, full) : undefined;
  fullTimer?.unref();
  if (ownFactory) factory.start();
  else for (const i of informers) i.start();

  const syncNow = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    while (running) await running;
    await run();
  };
  const abort = new AbortController();
  const synced = (async () => {
    for (const i of informers)
      if (!(await i.waitForSync(abort.signal)))
        throw new Error('network policy stopped before its informers synced');
    await checkBridgeNetfilter(log);
    ready = true;
    await syncNow();
    while (metrics.syncs === 0) {
      if (stopped) throw new Error('network policy stopped before its first sync');
      await new Promise((r) => setTimeout(r, minPeriod));
      if (!running && !timer) await syncNow();
    }
  })();
  synced.catch(() => {});

  let stopping: Promise<void> | undefined;
  return {
    synced,
    syncNow,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        clearTimeout(timer);
        clearInterval(fullTimer);
        for (const r of regs) await r.dispose();
        if (ownFactory) await factory.dispose();
        while (running) await running;
      })();
      return stopping;
    },
    cleanup: () => ipt.cleanup(),
  };
}

/** Same-node pod traffic bypasses iptables without br_netfilter: say so loudly, once. */
async function checkBridgeNetfilter(log: Logger): Promise<void> {
  const v = (await readFile(BR_NF_CALL, 'utf8').catch(() => '')).trim();
  if (v !== '1')
    log.warn('bridge-nf-call-iptables is not 1: policies will not apply between pods on the same bridge', {
      path: BR_NF_CALL,
      value: v || 'missing',
    });
}
