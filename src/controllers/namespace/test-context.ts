// Test-only: a ControllerContext over an in-process test cluster (src/client/testing), with a quiet
// logger and a fresh informer factory, so each controller test runs the controller as the
// manager would and stops everything it started.
import { EventRecorder, NAMESPACES, type RestClient, SharedInformerFactory } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import type { Clock } from '../../util/clock.ts';
import { realClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  type ControllerOptions,
  DEFAULT_CONTROLLER_OPTIONS,
} from '../types.ts';

export interface TestHarness {
  cluster: TestCluster;
  client: RestClient;
  ctx: ControllerContext;
  controller: Controller;
  /** Polls until fn returns a truthy value (or throws the last failure after the timeout). */
  eventually<T>(
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

const POLL_MS = 25;
const DEFAULT_WAIT_MS = 10_000;

export async function startHarness(
  factory: ControllerFactory,
  opts: {
    namespaces?: string[];
    options?: Partial<ControllerOptions>;
    clock?: Clock;
    /** Start the controller's run loop (default true). */
    run?: boolean;
  } = {},
): Promise<TestHarness> {
  const cluster = await startTestCluster(opts.namespaces ?? ['default']);
  const client = cluster.http();
  const informers = new SharedInformerFactory(client);
  const recorders: EventRecorder[] = [];
  const clock = opts.clock ?? realClock;
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder(client, { component, clock: realClock });
      recorders.push(r);
      return r;
    },
    clock,
    // SKIFF_TEST_LOG=info shows what the controller does while a test runs.
    log: createLogger({ level: (process.env.SKIFF_TEST_LOG as 'debug') ?? 'error' }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS, workers: 2, ...opts.options },
  };
  const controller = factory(ctx);
  const abort = new AbortController();
  informers.start();
  const running = opts.run === false ? Promise.resolve() : controller.run(abort.signal);
  const eventually = async <T>(
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
        last = undefined;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw last ?? new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  return {
    cluster,
    client,
    ctx,
    controller,
    eventually,
    stop: async () => {
      abort.abort();
      await running;
      await Promise.all(recorders.map((r) => r.dispose()));
      await informers.dispose();
      await cluster.stop();
    },
  };
}

export const createNamespace = (client: RestClient, name: string) =>
  client.resource(NAMESPACES).create({ metadata: { name } });
