// The kind registry as discovery shows it: names, scopes, short names, categories, verbs and
// subresources as upstream 1.32 serves them, in upstream's group order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_KINDS, findKind } from './index.ts';
import type { KindDef } from './types.ts';

/** Resource id; a view version (served from another version's storage) also names its version. */
const id = (k: KindDef): string =>
  k.group ? `${k.plural}.${k.viewOf ? `${k.version}.` : ''}${k.group}` : k.plural;
const STANDARD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** resource → [namespaced, shortNames, categories, subresources] */
const EXPECTED: Record<string, [boolean, string[], string[], string[]]> = {
  configmaps: [true, ['cm'], [], []],
  endpoints: [true, ['ep'], [], []],
  events: [true, ['ev'], [], []],
  limitranges: [true, ['limits'], [], []],
  namespaces: [false, ['ns'], [], ['finalize', 'status']],
  nodes: [false, ['no'], [], ['proxy', 'status']],
  persistentvolumeclaims: [true, ['pvc'], [], ['status']],
  persistentvolumes: [false, ['pv'], [], ['status']],
  pods: [
    true,
    ['po'],
    ['all'],
    ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status'],
  ],
  podtemplates: [true, [], [], []],
  replicationcontrollers: [true, ['rc'], ['all'], ['scale', 'status']],
  resourcequotas: [true, ['quota'], [], ['status']],
  secrets: [true, [], [], []],
  serviceaccounts: [true, ['sa'], [], ['token']],
  services: [true, ['svc'], ['all'], ['proxy', 'status']],
  'controllerrevisions.apps': [true, [], [], []],
  'daemonsets.apps': [true, ['ds'], ['all'], ['status']],
  'deployments.apps': [true, ['deploy'], ['all'], ['scale', 'status']],
  'replicasets.apps': [true, ['rs'], ['all'], ['scale', 'status']],
  'statefulsets.apps': [true, ['sts'], ['all'], ['scale', 'status']],
  'events.events.k8s.io': [true, ['ev'], [], []],
  'horizontalpodautoscalers.autoscaling': [true, ['hpa'], ['all'], ['status']],
  'horizontalpodautoscalers.v1.autoscaling': [true, ['hpa'], ['all'], ['status']],
  'cronjobs.batch': [true, ['cj'], ['all'], ['status']],
  'jobs.batch': [true, [], ['all'], ['status']],
  'certificatesigningrequests.certificates.k8s.io': [false, ['csr'], [], ['approval', 'status']],
  'ingressclasses.networking.k8s.io': [false, [], [], []],
  'ingresses.networking.k8s.io': [true, ['ing'], [], ['status']],
  'networkpolicies.networking.k8s.io': [true, ['netpol'], [], []],
  'poddisruptionbudgets.policy': [true, ['pdb'], [], ['status']],
  'clusterrolebindings.rbac.authorization.k8s.io': [false, [], [], []],
  'clusterroles.rbac.authorization.k8s.io': [false, [], [], []],
  'rolebindings.rbac.authorization.k8s.io': [true, [], [], []],
  'roles.rbac.authorization.k8s.io': [true, [], [], []],
  'storageclasses.storage.k8s.io': [false, ['sc'], [], []],
  'priorityclasses.scheduling.k8s.io': [false, ['pc'], [], []],
  'leases.coordination.k8s.io': [true, [], [], []],
  'runtimeclasses.node.k8s.io': [false, [], [], []],
  'endpointslices.discovery.k8s.io': [true, [], [], []],
};

describe('kind registry', () => {
  test('serves exactly the expected resources, core first, groups in upstream /apis order', () => {
    assert.deepEqual(ALL_KINDS.map(id), Object.keys(EXPECTED));
    const groups = [...new Set(ALL_KINDS.map((k) => k.group))];
    assert.deepEqual(groups, [
      '',
      'apps',
      'events.k8s.io',
      'autoscaling',
      'batch',
      'certificates.k8s.io',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'storage.k8s.io',
      'scheduling.k8s.io',
      'coordination.k8s.io',
      'node.k8s.io',
      'discovery.k8s.io',
    ]);
  });

  for (const kind of ALL_KINDS) {
    test(`${id(kind)}: scope, short names, categories, subresources, verbs`, () => {
      const [namespaced, shortNames, categories, subresources] = EXPECTED[id(kind)];
      assert.equal(kind.namespaced, namespaced);
      assert.deepEqual(kind.shortNames, shortNames);
      assert.deepEqual(kind.categories, categories);
      assert.deepEqual(
        kind.subresources.map((s) => s.name),
        subresources,
      );
      assert.equal(kind.listKind, `${kind.kind}List`);
      assert.equal(kind.singular, kind.kind.toLowerCase());
      const noDeleteCollection = kind.plural === 'namespaces' || kind.plural === 'services';
      assert.deepEqual(
        kind.verbs,
        noDeleteCollection ? STANDARD.filter((v) => v !== 'deletecollection') : STANDARD,
      );
      assert.equal(kind.hasStatus, subresources.includes('status'));
      assert.equal(!!kind.scale, subresources.includes('scale'));
    });
  }

  test('subresource kinds as upstream discovery reports them', () => {
    const pods = findKind('', 'pods')!;
    const byName = Object.fromEntries(pods.subresources.map((s) => [s.name, s]));
    assert.deepEqual(byName.eviction.kind, { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.deepEqual(byName.exec.verbs, ['create', 'get']);
    assert.deepEqual(byName.log.verbs, ['get']);
    assert.deepEqual(byName.binding.kind.kind, 'Binding');
    const scale = findKind('apps', 'deployments')!.subresources.find((s) => s.name === 'scale')!;
    assert.deepEqual(scale.kind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.deepEqual(scale.verbs, ['get', 'patch', 'update']);
    const token = findKind('', 'serviceaccounts')!.subresources[0];
    assert.deepEqual(token.kind, { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' });
  });

  test('name rules: namespaces DNS labels, services DNS-1035 labels, RBAC path segments', () => {
    assert.equal(findKind('', 'namespaces')!.nameRule, 'label');
    assert.equal(findKind('', 'services')!.nameRule, 'dns1035');
    for (const k of ALL_KINDS.filter((k) => k.group === 'rbac.authorization.k8s.io'))
      assert.equal(k.nameRule, 'path-segment');
    assert.equal(findKind('', 'pods')!.nameRule, undefined);
  });

  test('generation is tracked where a controller observes the spec', () => {
    const tracked = ALL_KINDS.filter((k) => k.bumpsGeneration).map(id);
    assert.deepEqual(tracked, [
      'podtemplates',
      'replicationcontrollers',
      'daemonsets.apps',
      'deployments.apps',
      'replicasets.apps',
      'statefulsets.apps',
      'cronjobs.batch',
      'jobs.batch',
      'ingressclasses.networking.k8s.io',
      'ingresses.networking.k8s.io',
      'networkpolicies.networking.k8s.io',
      'poddisruptionbudgets.policy',
      'endpointslices.discovery.k8s.io',
    ]);
  });
});

describe('field selectors (GetAttrs)', () => {
  const cases: [string, string, string, object, string][] = [
    ['', 'pods', 'spec.nodeName', { spec: { nodeName: 'n1' } }, 'n1'],
    ['', 'pods', 'spec.hostNetwork', { spec: {} }, 'false'],
    ['', 'pods', 'status.phase', { status: { phase: 'Running' } }, 'Running'],
    ['', 'pods', 'status.podIP', { status: { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.2' }] } }, '10.0.0.2'],
    ['', 'pods', 'status.nominatedNodeName', {}, ''],
    ['', 'events', 'involvedObject.name', { involvedObject: { name: 'p1' } }, 'p1'],
    ['', 'events', 'source', { reportingComponent: 'kubelet' }, 'kubelet'],
    ['', 'secrets', 'type', { type: 'Opaque' }, 'Opaque'],
    ['', 'nodes', 'spec.unschedulable', { spec: { unschedulable: true } }, 'true'],
    ['', 'namespaces', 'status.phase', { status: { phase: 'Active' } }, 'Active'],
    ['', 'replicationcontrollers', 'status.replicas', {}, '0'],
    ['', 'services', 'spec.type', { spec: { type: 'NodePort' } }, 'NodePort'],
    ['apps', 'replicasets', 'status.replicas', { status: { replicas: 3 } }, '3'],
    ['batch', 'jobs', 'status.successful', { status: { succeeded: 2 } }, '2'],
    ['events.k8s.io', 'events', 'regarding.kind', { regarding: { kind: 'Pod' } }, 'Pod'],
  ];
  for (const [group, plural, field, obj, want] of cases) {
    test(`${plural}${group ? `.${group}` : ''} ${field}`, () => {
      const f = findKind(group, plural)!.fieldSelectors[field];
      assert.ok(f, `${field} is selectable`);
      assert.equal(f(obj), want);
    });
  }
  test('pods select on exactly upstream’s fields', () => {
    assert.deepEqual(Object.keys(findKind('', 'pods')!.fieldSelectors).sort(), [
      'spec.hostNetwork',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.nominatedNodeName',
      'status.phase',
      'status.podIP',
    ]);
  });
});

describe('scale subresource', () => {
  test('deployments report their selector as a string', () => {
    const d = findKind('apps', 'deployments')!;
    const obj = {
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }],
        },
      },
    };
    assert.equal(d.scale!.selector(obj), 'app=web,tier in (a,b)');
    assert.deepEqual(d.scale!.specReplicasPath, ['spec', 'replicas']);
  });
  test('replication controllers use their map selector', () => {
    assert.equal(
      findKind('', 'replicationcontrollers')!.scale!.selector({ spec: { selector: { b: '2', a: '1' } } }),
      'a=1,b=2',
    );
  });
});
