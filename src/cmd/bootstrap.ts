// Objects every cluster has from its first start, created through the API server's own store
// (so they are validated and defaulted like any other write): the system namespaces and the
// `kubernetes` Service at the first address of the service range.
import type { KObject } from '../api/object.ts';
import { intToIp } from '../apiserver/admission/ip-range.ts';
import { systemContext } from '../apiserver/registry/context.ts';
import type { ApiServer } from '../apiserver/server.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapCluster(api: ApiServer, opts: { securePort: number }): Promise<void> {
  const ctx = systemContext();
  const ns = api.store('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(
      () => ns.getStored('', name),
      () => ns.create('', { metadata: { name } }, ctx),
    );
  }
  const services = api.store('', 'v1', 'services')!;
  const range = api.allocator.range;
  const kubernetesSvc: KObject = {
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: intToIp(range.base + 1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.securePort }],
      sessionAffinity: 'None',
    },
  };
  await ensure(
    () => services.getStored('default', 'kubernetes'),
    () => services.create('default', kubernetesSvc, ctx),
  );
  const all = await services.cache();
  await api.allocator.repair([...all.items.values()].map((e) => e.obj));
}

/** Create unless present; a concurrent creator (another server on the same etcd) is fine too. */
async function ensure(get: () => Promise<unknown>, create: () => Promise<unknown>): Promise<void> {
  try {
    await get();
    return;
  } catch (err) {
    if ((err as { reason?: string }).reason !== 'NotFound') throw err;
  }
  try {
    await create();
  } catch (err) {
    if ((err as { reason?: string }).reason !== 'AlreadyExists') throw err;
  }
}
