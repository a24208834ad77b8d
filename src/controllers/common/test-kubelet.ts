// Test-only: plays the kubelet for every pod in a workload test — marks new pods Running and
// Ready (or Running and not Ready when the pod says `sim.skiff.dev/ready: "false"`, as the hollow
// node does) after a per-pod delay, and finishes graceful deletions at once.
import type { KObject } from '../../api/object.ts';
import { isNotFound, PODS, type RestClient, SharedInformer } from '../../client/index.ts';
import { markPod } from './test-harness.ts';

export const ANN_SIM_READY = 'sim.skiff.dev/ready';

export interface TestKubelet {
  stop(): Promise<void>;
}

export async function startTestKubelet(
  client: RestClient,
  delayMs: (pod: KObject) => number = () => 0,
): Promise<TestKubelet> {
  const inf = new SharedInformer(client.resource(PODS));
  const started = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const swallow = (err: unknown) => {
    if (!stopped && !isNotFound(err)) console.error('test kubelet:', err);
  };
  const handle = (pod: KObject) => {
    const { name, namespace, uid } = pod.metadata ?? {};
    if (!name || !namespace || !uid || stopped) return;
    if (pod.metadata?.deletionTimestamp) {
      client
        .resource(PODS, namespace)
        .delete(name, { gracePeriodSeconds: 0, preconditions: { uid } })
        .catch(swallow);
      return;
    }
    if (started.has(uid)) return;
    started.add(uid);
    const t = setTimeout(() => {
      timers.delete(t);
      if (stopped) return;
      const ready = pod.metadata?.annotations?.[ANN_SIM_READY] !== 'false';
      markPod(client, pod, { ready }).catch(swallow);
    }, delayMs(pod));
    timers.add(t);
  };
  inf.addEventHandler({ onAdd: handle, onUpdate: (_o, p) => handle(p) });
  inf.start();
  await inf.waitForSync();
  return {
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await inf.dispose();
    },
  };
}
