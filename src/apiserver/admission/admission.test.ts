import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import { auditAnnotationsOf } from '../audit/annotations.ts';
import { StaticSource } from '../authz/static-source.ts';
import type { AdmissionAttributes, Operation } from '../registry/admission.ts';
import type { RequestContext, UserInfo } from '../registry/context.ts';
import { LimitRanger } from './limit-ranger.ts';
import { NamespaceLifecycle } from './namespace-lifecycle.ts';
import { NodeRestriction } from './node-restriction.ts';
import { PodSecurityAdmission } from './pod-security.ts';
import { PriorityAdmission } from './priority.ts';
import { ResourceQuotaAdmission } from './resource-quota.ts';
import { ServiceAccountAdmission, TOKEN_MOUNT_PATH } from './service-account.ts';

const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters'] };
const ctxFor = (user = ADMIN): RequestContext => ({ user, dryRun: false, warnings: [] });

function attrs(
  plural: string,
  obj: KObject | undefined,
  o: {
    op?: Operation;
    group?: string;
    ns?: string;
    name?: string;
    sub?: string;
    old?: KObject;
    ctx?: RequestContext;
  } = {},
): AdmissionAttributes {
  const kind = findKind(o.group ?? '', plural)!;
  return {
    operation: o.op ?? 'CREATE',
    kind,
    subresource: o.sub ?? '',
    namespace: kind.namespaced ? (o.ns ?? 'default') : '',
    name: o.name ?? obj?.metadata?.name ?? 'x',
    obj,
    old: o.old,
    ctx: o.ctx ?? ctxFor(),
  };
}

const pod = (spec: KObject, name = 'p'): KObject => ({ metadata: { name, namespace: 'default' }, spec });
const container = (extra: KObject = {}): KObject => ({ name: 'c', image: 'busybox', ...extra });
const forbiddenWith = (msg: string) => (err: unknown) => {
  assert.equal((err as { code?: number }).code, 403);
  assert.equal((err as Error).message, msg);
  return true;
};

test('NamespaceLifecycle: system namespaces cannot be deleted', () => {
  const p = new NamespaceLifecycle();
  assert.throws(
    () => p.validate(attrs('namespaces', undefined, { op: 'DELETE', name: 'kube-system' })),
    forbiddenWith('namespaces "kube-system" is forbidden: this namespace may not be deleted'),
  );
  p.validate(attrs('namespaces', undefined, { op: 'DELETE', name: 'team-a' }));
});

test('ServiceAccount: default account and the projected token volume in every container', () => {
  const sas = new StaticSource([
    { metadata: { namespace: 'default', name: 'quiet' }, automountServiceAccountToken: false },
  ]);
  const p = new ServiceAccountAdmission(sas);
  const obj = pod({
    containers: [container(), { ...container(), name: 'd' }],
    initContainers: [{ ...container(), name: 'i' }],
  });
  p.admit(attrs('pods', obj));
  assert.equal(obj.spec.serviceAccountName, 'default');
  const vol = obj.spec.volumes[0];
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(
    vol.projected.sources.map((s: KObject) => Object.keys(s)[0]),
    ['serviceAccountToken', 'configMap', 'downwardAPI'],
  );
  for (const c of [...obj.spec.containers, ...obj.spec.initContainers])
    assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
  const quiet = pod({ serviceAccountName: 'quiet', containers: [container()] });
  p.admit(attrs('pods', quiet));
  assert.equal(quiet.spec.volumes, undefined, 'the service account opted out');
  const optOut = pod({ automountServiceAccountToken: false, containers: [container()] });
  p.admit(attrs('pods', optOut));
  assert.equal(optOut.spec.volumes, undefined, 'the pod opted out');
});

test("ServiceAccount: a pod without pull secrets takes its service account's; its own win", () => {
  const sas = new StaticSource([
    {
      metadata: { namespace: 'default', name: 'puller' },
      imagePullSecrets: [{ name: 'regcred' }, { name: 'mirror' }],
      automountServiceAccountToken: false,
    },
  ]);
  const p = new ServiceAccountAdmission(sas);
  const inherits = pod({ serviceAccountName: 'puller', containers: [container()] });
  p.admit(attrs('pods', inherits));
  assert.deepEqual(inherits.spec.imagePullSecrets, [{ name: 'regcred' }, { name: 'mirror' }]);
  const own = pod({
    serviceAccountName: 'puller',
    imagePullSecrets: [{ name: 'mine' }],
    containers: [container()],
  });
  p.admit(attrs('pods', own));
  assert.deepEqual(own.spec.imagePullSecrets, [{ name: 'mine' }]);
  const plain = pod({ containers: [container()] });
  p.admit(attrs('pods', plain));
  assert.equal(plain.spec.imagePullSecrets, undefined, 'the default account has none');
});

test('LimitRanger: defaults, then min/max/ratio with upstream messages', () => {
  const lr = new StaticSource([
    {
      metadata: { namespace: 'default', name: 'limits' },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '500m' },
            defaultRequest: { cpu: '250m' },
            max: { cpu: '1' },
            min: { cpu: '100m' },
            maxLimitRequestRatio: { cpu: '4' },
          },
          { type: 'Pod', max: { memory: '1Gi' } },
        ],
      },
    },
  ]);
  const p = new LimitRanger((ns) => [...lr.items()].filter((i) => i.namespace === ns).map((i) => i.obj));
  const obj = pod({ containers: [container({ resources: { limits: { memory: '512Mi' } } })] });
  const a = attrs('pods', obj);
  p.admit(a);
  assert.deepEqual(obj.spec.containers[0].resources, {
    limits: { memory: '512Mi', cpu: '500m' },
    requests: { cpu: '250m' },
  });
  assert.equal(
    obj.metadata?.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container c; cpu limit for container c',
  );
  p.validate(a);
  const big = pod({
    containers: [
      container({
        resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '50m', memory: '2Gi' } },
      }),
    ],
  });
  assert.throws(
    () => p.validate(attrs('pods', big)),
    forbiddenWith(
      'pods "p" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 4, but provided ratio is 40.000000, maximum memory usage per Pod is 1Gi, but limit is 2Gi, maximum memory usage per Pod is 1Gi, but request is 2Gi]',
    ),
  );
  // Other namespaces are untouched.
  const elsewhere: KObject = {
    ...pod({ containers: [container()] }),
    metadata: { name: 'q', namespace: 'other' },
  };
  p.admit(attrs('pods', elsewhere, { ns: 'other' }));
  assert.deepEqual(elsewhere.spec.containers[0].resources, undefined);
});

test('ResourceQuota: counts and compute, upstream message, status from live usage', async () => {
  const quotas = new StaticSource([
    {
      metadata: { namespace: 'default', name: 'q' },
      spec: { hard: { pods: '2', 'requests.cpu': '1', 'count/configmaps': '1' } },
    },
  ]);
  const existing: Record<string, KObject[]> = {
    pods: [pod({ containers: [container({ resources: { requests: { cpu: '600m' } } })] }, 'a')],
    configmaps: [],
  };
  const writes: KObject[] = [];
  const p = new ResourceQuotaAdmission({
    quotas: (ns) => [...quotas.items()].filter((i) => i.namespace === ns).map((i) => i.obj),
    objects: async (_g, plural) => existing[plural] ?? [],
    writeStatus: async (_ns, _name, status) => {
      writes.push(status);
    },
  });
  const req = (cpu: string) => pod({ containers: [container({ resources: { requests: { cpu } } })] }, 'b');
  await p.validate(attrs('pods', req('300m')));
  await assert.rejects(
    p.validate(attrs('pods', req('500m'))),
    forbiddenWith(
      'pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
    ),
  );
  await assert.rejects(
    p.validate(attrs('pods', pod({ containers: [container()] }, 'c'))),
    forbiddenWith('pods "c" is forbidden: failed quota: q: must specify requests.cpu'),
  );
  existing.pods.push(req('100m'));
  await assert.rejects(
    p.validate(attrs('pods', req('100m'))),
    forbiddenWith(
      'pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    ),
  );
  await p.validate(attrs('configmaps', { metadata: { name: 'cm' }, data: {} }));
  await p.refreshStatus('default');
  assert.deepEqual(writes.at(-1), {
    hard: { 'count/configmaps': '1', pods: '2', 'requests.cpu': '1' },
    used: { 'count/configmaps': '0', pods: '2', 'requests.cpu': '700m' },
  });
  p.stop();
});

test('PodSecurity: restricted rejects with upstream message, privileged namespaces allow, warn adds warnings', () => {
  const nsList = new StaticSource([
    { metadata: { name: 'locked', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    { metadata: { name: 'open', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    {
      metadata: {
        name: 'warned',
        labels: {
          'pod-security.kubernetes.io/warn': 'baseline',
          'pod-security.kubernetes.io/audit': 'baseline',
        },
      },
    },
  ]);
  const p = new PodSecurityAdmission((name) => nsList.get('', name)?.obj);
  const bad = () =>
    pod({
      hostNetwork: true,
      hostPID: true,
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
      containers: [
        container({
          securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } },
        }),
      ],
    });
  assert.throws(
    () => p.validate(attrs('pods', bad(), { ns: 'locked' })),
    forbiddenWith(
      'pods "p" is forbidden: violates PodSecurity "restricted:latest": non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "root"), privileged (container "c" must set securityContext.privileged=false), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "NET_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "root" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), runAsUser=0 (container "c" must not set runAsUser=0), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'.replace(
        'must set securityContext.privileged=false',
        'must not set securityContext.privileged=true',
      ),
    ),
  );
  p.validate(attrs('pods', bad(), { ns: 'open' }));
  const good = pod({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      container({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }),
    ],
  });
  p.validate(attrs('pods', good, { ns: 'locked' }));
  const ctx = ctxFor();
  p.validate(attrs('pods', bad(), { ns: 'warned', ctx }));
  assert.equal(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0], /^would violate PodSecurity "baseline:latest": non-default capabilities/);
  assert.match(
    auditAnnotationsOf(ctx)?.['pod-security.kubernetes.io/audit-violations'] ?? '',
    /would violate PodSecurity "baseline:latest"/,
  );
  // Workload templates only warn, even under enforce.
  const wctx = ctxFor();
  const deploy = { metadata: { name: 'd' }, spec: { template: { metadata: {}, spec: bad().spec } } };
  p.validate(attrs('deployments', deploy, { group: 'apps', ns: 'locked', ctx: wctx }));
  assert.match(wctx.warnings[0], /^would violate PodSecurity "restricted:latest"/);
});

test('Priority: class names resolve, globalDefault applies, unknown classes are refused', () => {
  const classes = new StaticSource([
    { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' },
    { metadata: { name: 'normal' }, value: 10, globalDefault: true },
  ]);
  const p = new PriorityAdmission({
    get: (n) => classes.get('', n)?.obj,
    all: () => [...classes.items()].map((i) => i.obj),
  });
  const a = pod({ priorityClassName: 'high', containers: [container()] });
  p.admit(attrs('pods', a));
  assert.equal(a.spec.priority, 1000);
  assert.equal(a.spec.preemptionPolicy, 'Never');
  const b = pod({ containers: [container()] });
  p.admit(attrs('pods', b));
  assert.deepEqual([b.spec.priorityClassName, b.spec.priority], ['normal', 10]);
  const c = pod({ priorityClassName: 'system-node-critical', containers: [container()] });
  p.admit(attrs('pods', c));
  assert.equal(c.spec.priority, 2_000_001_000);
  assert.throws(
    () => p.admit(attrs('pods', pod({ priorityClassName: 'nope', containers: [container()] }))),
    forbiddenWith('pods "p" is forbidden: no PriorityClass with name nope was found'),
  );
});

test('NodeRestriction: a node changes only itself and its own pods', () => {
  const p = new NodeRestriction();
  const n1 = ctxFor({ username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] });
  p.validate(attrs('nodes', { metadata: { name: 'n1' } }, { op: 'UPDATE', name: 'n1', ctx: n1 }));
  assert.throws(
    () => p.validate(attrs('nodes', { metadata: { name: 'n2' } }, { op: 'UPDATE', name: 'n2', ctx: n1 })),
    forbiddenWith('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"'),
  );
  const other = pod({ nodeName: 'n2', containers: [] });
  assert.throws(
    () => p.validate(attrs('pods', other, { op: 'UPDATE', sub: 'status', old: other, ctx: n1 })),
    forbiddenWith(
      'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    ),
  );
  const mine = pod({ nodeName: 'n1', containers: [] });
  p.validate(attrs('pods', mine, { op: 'UPDATE', sub: 'status', old: mine, ctx: n1 }));
  assert.throws(() =>
    p.validate(
      attrs(
        'leases',
        { metadata: { name: 'n2' } },
        { group: 'coordination.k8s.io', ns: 'kube-node-lease', name: 'n2', op: 'UPDATE', ctx: n1 },
      ),
    ),
  );
  p.validate(
    attrs(
      'leases',
      { metadata: { name: 'n1' } },
      { group: 'coordination.k8s.io', ns: 'kube-node-lease', name: 'n1', op: 'UPDATE', ctx: n1 },
    ),
  );
  // Other users are not restricted here.
  p.validate(attrs('nodes', { metadata: { name: 'n2' } }, { op: 'UPDATE', name: 'n2' }));
});
