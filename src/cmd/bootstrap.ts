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

// --- join ---
// What `skiff agent` joins through, as kubeadm sets it up: the public `cluster-info` ConfigMap in
// kube-public (the server URL and CA, no credentials) readable by anyone, and auto-approval of
// node client certificates — new ones for bootstrap tokens, renewals for the nodes themselves.
// Call bootstrapJoin(api, { caCertPem, server }) after bootstrapCluster.

export const CLUSTER_INFO_CONFIGMAP = 'cluster-info';
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const CLUSTER_INFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';
const ANONYMOUS_USER = 'system:anonymous';
const NODECLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
const SELFNODECLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';
/** kubeadm's binding names, so tooling that knows kubeadm finds them. */
const AUTOAPPROVE_BINDINGS: [string, string, string][] = [
  ['kubeadm:node-autoapprove-bootstrap', NODECLIENT_ROLE, 'system:bootstrappers'],
  ['kubeadm:node-autoapprove-certificate-rotation', SELFNODECLIENT_ROLE, 'system:nodes'],
];

export interface JoinBootstrapOptions {
  caCertPem: string;
  /** The URL agents should use, e.g. https://10.0.0.1:6443. */
  server: string;
}

/** kubeadm's cluster-info kubeconfig: one unnamed cluster, no users or contexts. */
export function clusterInfoKubeconfig(o: JoinBootstrapOptions): string {
  const q = JSON.stringify;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${q(Buffer.from(o.caCertPem).toString('base64'))}`,
    `    server: ${q(o.server)}`,
    '  name: ""',
    'contexts: null',
    'current-context: ""',
    'kind: Config',
    'preferences: {}',
    'users: null',
    '',
  ].join('\n');
}

export async function bootstrapJoin(api: ApiServer, o: JoinBootstrapOptions): Promise<void> {
  const ctx = systemContext();
  const roles = api.store(RBAC_GROUP, 'v1', 'clusterroles')!;
  const bindings = api.store(RBAC_GROUP, 'v1', 'clusterrolebindings')!;
  for (const [name, sub] of [
    [NODECLIENT_ROLE, 'nodeclient'],
    [SELFNODECLIENT_ROLE, 'selfnodeclient'],
  ]) {
    const role: KObject = {
      metadata: { name },
      rules: [
        {
          apiGroups: ['certificates.k8s.io'],
          resources: [`certificatesigningrequests/${sub}`],
          verbs: ['create'],
        },
      ],
    };
    await ensure(
      () => roles.getStored('', name),
      () => roles.create('', role, ctx),
    );
  }
  for (const [name, role, group] of AUTOAPPROVE_BINDINGS) {
    const binding: KObject = {
      metadata: { name },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
      subjects: [{ apiGroup: RBAC_GROUP, kind: 'Group', name: group }],
    };
    await ensure(
      () => bindings.getStored('', name),
      () => bindings.create('', binding, ctx),
    );
  }
  const nsRoles = api.store(RBAC_GROUP, 'v1', 'roles')!;
  const nsBindings = api.store(RBAC_GROUP, 'v1', 'rolebindings')!;
  await ensure(
    () => nsRoles.getStored(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_ROLE),
    () =>
      nsRoles.create(
        CLUSTER_INFO_NAMESPACE,
        {
          metadata: { name: CLUSTER_INFO_ROLE, namespace: CLUSTER_INFO_NAMESPACE },
          rules: [
            {
              apiGroups: [''],
              resources: ['configmaps'],
              resourceNames: [CLUSTER_INFO_CONFIGMAP],
              verbs: ['get'],
            },
          ],
        },
        ctx,
      ),
  );
  await ensure(
    () => nsBindings.getStored(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_ROLE),
    () =>
      nsBindings.create(
        CLUSTER_INFO_NAMESPACE,
        {
          metadata: { name: CLUSTER_INFO_ROLE, namespace: CLUSTER_INFO_NAMESPACE },
          roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: CLUSTER_INFO_ROLE },
          subjects: [{ apiGroup: RBAC_GROUP, kind: 'User', name: ANONYMOUS_USER }],
        },
        ctx,
      ),
  );
  // cluster-info follows the CA and the advertised URL across restarts.
  const configMaps = api.store('', 'v1', 'configmaps')!;
  const kubeconfig = clusterInfoKubeconfig(o);
  let current: KObject | undefined;
  try {
    current = (await configMaps.getStored(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_CONFIGMAP)).obj;
  } catch (err) {
    if ((err as { reason?: string }).reason !== 'NotFound') throw err;
  }
  if (!current) {
    const cm: KObject = {
      metadata: { name: CLUSTER_INFO_CONFIGMAP, namespace: CLUSTER_INFO_NAMESPACE },
      data: { kubeconfig },
    };
    try {
      await configMaps.create(CLUSTER_INFO_NAMESPACE, cm, ctx);
    } catch (err) {
      // Another server on the same store wrote it first.
      if ((err as { reason?: string }).reason !== 'AlreadyExists') throw err;
    }
  } else if (current.data?.kubeconfig !== kubeconfig) {
    await configMaps.update(
      CLUSTER_INFO_NAMESPACE,
      CLUSTER_INFO_CONFIGMAP,
      { ...current, data: { ...(current.data ?? {}), kubeconfig } },
      ctx,
    );
  }
}
// --- end join ---
