// Deployments that fill a simulated cluster with a given number of pods (sizes of `size`, the
// last one the remainder), in their own namespace so one delete removes them. The pods select
// the fleet's nodes, so none lands on a real node that would pull the (never pulled) image.

import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound, NAMESPACES, type RestClient, refOf } from '../../client/index.ts';

export interface Filler {
  deployments: number;
  pods: number;
  remove(): Promise<void>;
}

/** One filler Deployment of `replicas` pause pods; `labels` go on it and on its pods. */
export function fillerDeployment(
  name: string,
  replicas: number,
  o: { nodeSelector: Record<string, string>; image?: string; labels?: Record<string, string> },
): KObject {
  const selector = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { ...o.labels } },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...o.labels, ...selector } },
        spec: {
          // Only hollow nodes: a real node would try to pull the image.
          nodeSelector: o.nodeSelector,
          containers: [
            {
              name: 'pause',
              image: o.image ?? 'registry.k8s.io/pause:3.10',
              resources: { requests: { cpu: '1m', memory: '1Mi' } },
            },
          ],
        },
      },
    },
  };
}

export async function fillerDeployments(
  client: RestClient,
  o: {
    namespace: string;
    pods: number;
    size: number;
    nodeSelector: Record<string, string>;
    image?: string;
    labels?: Record<string, string>;
    /** Deployment names are `<prefix>-<i>` (default `sim`). */
    prefix?: string;
  },
): Promise<Filler> {
  const namespaces = client.resource(NAMESPACES);
  await namespaces.create({ metadata: { name: o.namespace } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
  const deployKind = findKind('apps', 'deployments');
  if (!deployKind) throw new Error('apps/v1 deployments is not served');
  const deployments = client.resource(refOf(deployKind), o.namespace);
  let made = 0;
  for (let left = o.pods, i = 0; left > 0; left -= o.size, i++) {
    const replicas = Math.min(o.size, left);
    await deployments.create(fillerDeployment(`${o.prefix ?? 'sim'}-${i}`, replicas, o));
    made++;
  }
  return {
    deployments: made,
    pods: o.pods,
    async remove() {
      await namespaces.delete(o.namespace).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    },
  };
}
