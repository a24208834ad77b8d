// The controller manager (kube-controller-manager's role): one shared informer factory for every
// controller, each registered factory called once, informers started, controllers run until
// stop(). With leader election, all of that happens only while this process holds the Lease; on
// losing it everything stops and the elector campaigns again.
//
//   startControllerManager ─► (leader election?) ─► build context ─► factories (register handlers)
//        ─► informers.start() ─► controller.run(signal) each ─► stop(): abort, await runs,
//           dispose recorders and informers
import { randomBytes } from 'node:crypto';
import { EventRecorder, LeaderElector, type RestClient, SharedInformerFactory } from '../client/index.ts';
import { type Clock, realClock } from '../util/clock.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { CONTROLLERS } from './registry.ts';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  type ControllerOptions,
  DEFAULT_CONTROLLER_OPTIONS,
} from './types.ts';

export const DEFAULT_LEADER_ELECTION_NAMESPACE = 'kube-system';
export const DEFAULT_LEADER_ELECTION_NAME = 'kube-controller-manager';

export interface LeaderElectionConfig {
  identity: string;
  namespace?: string;
  name?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerManagerOptions {
  client: RestClient;
  /** Which controllers to run (registry names; default all). Unknown names throw. */
  names?: string[];
  options?: Partial<ControllerOptions>;
  /** Cluster facts some controllers need (root CA, signing pair, cluster CIDR). */
  cluster?: Pick<ControllerContext, 'rootCaPem' | 'clusterSigning' | 'clusterCidr' | 'nodeCidrMaskSize'>;
  clock?: Clock;
  log?: Logger;
  leaderElection?: LeaderElectionConfig;
  /** Extra or replacement factories (tests); merged over the registry. */
  factories?: Record<string, ControllerFactory>;
}

export interface ControllerManager {
  /** Names of the controllers this manager runs. */
  readonly names: readonly string[];
  /** Whether this process is running the controllers now (always, without leader election). */
  isLeading(): boolean;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/** One leadership term: the context and running controllers, torn down together. */
async function runTerm(
  o: ControllerManagerOptions,
  factories: [string, ControllerFactory][],
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const clock = o.clock ?? realClock;
  const informers = new SharedInformerFactory(o.client, { clock, log: log.child('informers') });
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client: o.client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder(o.client, { component, clock });
      recorders.push(r);
      return r;
    },
    clock,
    log,
    options: { ...DEFAULT_CONTROLLER_OPTIONS, ...o.options },
    ...o.cluster,
  };
  const controllers: Controller[] = [];
  for (const [name, factory] of factories) {
    controllers.push(factory({ ...ctx, log: log.child(name) }));
  }
  informers.start();
  log.info('controllers starting', { controllers: factories.map(([n]) => n) });
  await Promise.all(
    controllers.map(async (c) => {
      try {
        await c.run(signal);
      } catch (err) {
        log.error('controller stopped with an error', { controller: c.name, error: (err as Error).message });
      }
    }),
  );
  await Promise.all(recorders.map((r) => r.dispose()));
  await informers.dispose();
}

export function startControllerManager(o: ControllerManagerOptions): ControllerManager {
  const registry = { ...CONTROLLERS, ...o.factories };
  const names = o.names ?? Object.keys(registry);
  for (const n of names) {
    if (!registry[n]) throw new RangeError(`unknown controller ${JSON.stringify(n)}`);
  }
  const factories = names.map((n): [string, ControllerFactory] => [n, registry[n]]);
  const log = o.log ?? createLogger({ component: 'controller-manager' });
  const stopAll = new AbortController();
  let leading = false;
  let done: Promise<void>;
  let elector: LeaderElector | undefined;

  if (o.leaderElection) {
    const le = o.leaderElection;
    const identity = le.identity || `skiff-${randomBytes(4).toString('hex')}`;
    let term: Promise<void> = Promise.resolve();
    const newElector = (): LeaderElector =>
      new LeaderElector(o.client, {
        namespace: le.namespace ?? DEFAULT_LEADER_ELECTION_NAMESPACE,
        name: le.name ?? DEFAULT_LEADER_ELECTION_NAME,
        identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        clock: o.clock,
        log,
        onStartedLeading: (signal) => {
          leading = true;
          term = runTerm(o, factories, log, signal).finally(() => {
            leading = false;
          });
        },
      });
    done = (async () => {
      // A lost term ends run(): wait for the controllers to stop, then campaign again.
      while (!stopAll.signal.aborted) {
        elector = newElector();
        await elector.run();
        await term;
      }
    })();
  } else {
    leading = true;
    done = runTerm(o, factories, log, stopAll.signal).finally(() => {
      leading = false;
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopAll.abort();
      await elector?.stop();
      await done;
    })();
    return stopping;
  };
  return { names, isLeading: () => leading, stop, dispose: stop };
}
