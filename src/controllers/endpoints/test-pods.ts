// Test-only: pods as a node would report them (running, with an IP, ready or not), for the
// Endpoints and EndpointSlice controller tests.
import type { KObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';

/** Creates a pod and reports it running with an IP and the given readiness (what the node does). */
export async function runningPod(
  pods: ResourceClient,
  name: string,
  ip: string,
  ready: boolean,
): Promise<KObject> {
  const p = await pods.create({
    metadata: { name, labels: { app: 'web' } },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
  });
  return setReady(pods, p, ip, ready);
}

export async function setReady(
  pods: ResourceClient,
  p: KObject,
  ip: string,
  ready: boolean,
): Promise<KObject> {
  const cur = await pods.get(p.metadata!.name!);
  return pods.updateStatus({
    ...cur,
    status: {
      ...cur.status,
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  });
}
