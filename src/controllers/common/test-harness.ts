// Test-only: runs controllers as the manager would — one shared informer factory over a real
// in-process API server (src/client/testing) — and stops everything it started.
import type { KObject } from '../../api/object.ts';
import { EventRecorder, PODS, type RestClient, SharedInformerFactory } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { type Clock, realClock } from '../../util/clock.ts';
import { createLogger, type LogLevel } from '../../util/log.ts';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  type ControllerOptions,
  DEFAULT_CONTROLLER_OPTIONS,
} from '../types.ts';
import { toTimestamp } from './time.ts';

export interface WorkloadHarness {
  cluster: TestCluster;
  client: RestClient;
  ctx: ControllerContext;
  controllers: Controller[];
  /** Polls until fn returns a truthy value; throws the last failure after the timeout. */
  eventually<T>(
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

const POLL_MS = 20;
const DEFAULT_WAIT_MS = 10_000;

export async function startWorkloadHarness(
  factories: ControllerFactory[],
  opts: { namespaces?: string[]; options?: Partial<ControllerOptions>; clock?: Clock } = {},
): Promise<WorkloadHarness> {
  const cluster = await startTestCluster(opts.namespaces ?? ['default']);
  const client = cluster.http();
  const informers = new SharedInformerFactory(client);
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder(client, { component, clock: realClock });
      recorders.push(r);
      return r;
    },
    clock: opts.clock ?? realClock,
    log: createLogger({ level: (process.env.SKIFF_TEST_LOG as LogLevel | undefined) ?? 'error' }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS, workers: 2, ...opts.options },
  };
  const controllers = factories.map((f) => f(ctx));
  const abort = new AbortController();
  informers.start();
  const running = Promise.all(controllers.map((c) => c.run(abort.signal)));
  return {
    cluster,
    client,
    ctx,
    controllers,
    eventually: (fn, timeoutMs) => eventually(fn, timeoutMs),
    stop: async () => {
      abort.abort();
      await running;
      await Promise.all(recorders.map((r) => r.dispose()));
      await informers.dispose();
      await cluster.stop();
    },
  };
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
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
}

/** Plays the kubelet for a pod: Running and Ready (or not) as of `atMs`. */
export async function markPod(
  client: RestClient,
  pod: KObject,
  opts: { ready?: boolean; phase?: string; atMs?: number } = {},
): Promise<KObject> {
  const at = toTimestamp(opts.atMs ?? Date.now());
  const ready = opts.ready ?? true;
  const fresh = await client.resource(PODS, pod.metadata!.namespace!).get(pod.metadata!.name!);
  return client.resource(PODS, pod.metadata!.namespace!).updateStatus({
    ...fresh,
    status: {
      ...(fresh.status ?? {}),
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at }],
    },
  });
}
