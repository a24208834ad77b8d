// Every kind's Table printer: a fixture object → the exact cells upstream's printers give.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../object.ts';
import { ALL_KINDS, findKind } from './index.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const CREATED = '2024-05-01T11:57:00Z'; // 3m old
const meta = (name: string, extra: KObject = {}): KObject => ({
  name,
  namespace: 'ns',
  creationTimestamp: CREATED,
  ...extra,
});
const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'a', image: 'img:1' },
      { name: 'b', image: 'img:2' },
    ],
  },
};

interface Case {
  group: string;
  plural: string;
  name: string;
  obj: KObject;
  cells: unknown[];
}

const CASES: Case[] = [
  {
    group: '',
    plural: 'pods',
    name: 'scheduled running pod',
    obj: {
      metadata: meta('web-1'),
      spec: { containers: [{ name: 'a' }], nodeName: 'node1', readinessGates: [{ conditionType: 'x/ok' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.42.0.7' }],
        conditions: [{ type: 'x/ok', status: 'True' }],
        containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
      },
    },
    cells: ['web-1', '1/1', 'Running', '0', '3m', '10.42.0.7', 'node1', '<none>', '1/1'],
  },
  {
    group: '',
    plural: 'pods',
    name: 'pending pod',
    obj: { metadata: meta('p'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } },
    cells: ['p', '0/1', 'Pending', '0', '3m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    group: '',
    plural: 'services',
    name: 'node port service',
    obj: {
      metadata: meta('web'),
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.43.0.12'],
        selector: { app: 'web', tier: 'a' },
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    },
    cells: ['web', 'NodePort', '10.43.0.12', '<none>', '80:30080/TCP,53/UDP', '3m', 'app=web,tier=a'],
  },
  {
    group: '',
    plural: 'services',
    name: 'pending load balancer without selector',
    obj: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.9'], ports: [] } },
    cells: ['lb', 'LoadBalancer', '10.43.0.9', '<pending>', '<none>', '3m', '<none>'],
  },
  {
    group: '',
    plural: 'services',
    name: 'load balancer with ingress addresses',
    obj: {
      metadata: meta('lb'),
      spec: {
        type: 'LoadBalancer',
        clusterIPs: ['10.43.0.9'],
        ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.168.100.200' }, { hostname: 'lb.example.com' }] } },
    },
    cells: ['lb', 'LoadBalancer', '10.43.0.9', '192.168.100.2...', '443:31443/TCP', '3m', '<none>'],
  },
  {
    group: '',
    plural: 'services',
    name: 'external name',
    obj: { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    cells: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '3m', '<none>'],
  },
  {
    group: '',
    plural: 'nodes',
    name: 'ready control-plane node',
    obj: {
      metadata: {
        name: 'n1',
        creationTimestamp: CREATED,
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
        nodeInfo: {
          kubeletVersion: 'v1.32.0+skiff',
          osImage: 'Debian GNU/Linux 12',
          kernelVersion: '6.1.0',
          containerRuntimeVersion: 'runc://1.1',
        },
      },
    },
    cells: [
      'n1',
      'Ready,SchedulingDisabled',
      'control-plane,master',
      '3m',
      'v1.32.0+skiff',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'runc://1.1',
    ],
  },
  {
    group: '',
    plural: 'nodes',
    name: 'node without status',
    obj: { metadata: { name: 'n2', creationTimestamp: CREATED } },
    cells: ['n2', 'Unknown', '<none>', '3m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    group: '',
    plural: 'namespaces',
    name: 'namespace',
    obj: { metadata: { name: 'shop', creationTimestamp: CREATED }, status: { phase: 'Active' } },
    cells: ['shop', 'Active', '3m'],
  },
  {
    group: '',
    plural: 'events',
    name: 'legacy event',
    obj: {
      metadata: meta('e1'),
      involvedObject: { kind: 'Pod', name: 'p1', namespace: 'ns', fieldPath: 'spec.containers{a}' },
      reason: 'Pulled',
      message: 'pulled  \n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-05-01T11:00:00Z',
      lastTimestamp: '2024-05-01T11:59:00Z',
      count: 4,
    },
    cells: [
      '60s',
      'Normal',
      'Pulled',
      'pod/p1',
      'spec.containers{a}',
      'kubelet, n1',
      'pulled',
      '60m',
      4,
      'e1',
    ],
  },
  {
    group: '',
    plural: 'events',
    name: 'event without timestamps',
    obj: {
      metadata: meta('e2'),
      involvedObject: { kind: 'Node' },
      reason: 'X',
      type: 'Warning',
      message: 'm',
    },
    cells: ['<unknown>', 'Warning', 'X', 'node', '', '', 'm', '<unknown>', 1, 'e2'],
  },
  {
    group: 'events.k8s.io',
    plural: 'events',
    name: 'new-API event with a series',
    obj: {
      metadata: meta('e3'),
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'scaled up',
      type: 'Normal',
      eventTime: '2024-05-01T11:50:00.000000Z',
      series: { count: 3, lastObservedTime: '2024-05-01T11:59:30.000000Z' },
      reportingController: 'deployment-controller',
      reportingInstance: 'skiff',
    },
    cells: [
      '30s',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller, skiff',
      'scaled up',
      '10m',
      3,
      'e3',
    ],
  },
  {
    group: '',
    plural: 'configmaps',
    name: 'configmap counts data and binaryData',
    obj: { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
    cells: ['cm', 3, '3m'],
  },
  {
    group: '',
    plural: 'secrets',
    name: 'secret',
    obj: { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==', 'tls.key': 'AA==' } },
    cells: ['s', 'kubernetes.io/tls', 2, '3m'],
  },
  {
    group: '',
    plural: 'serviceaccounts',
    name: 'service account',
    obj: { metadata: meta('default') },
    cells: ['default', 0, '3m'],
  },
  {
    group: '',
    plural: 'endpoints',
    name: 'endpoints with more than three',
    obj: {
      metadata: meta('web'),
      subsets: [
        { addresses: [{ ip: '10.42.0.1' }, { ip: '10.42.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
      ],
    },
    cells: ['web', '10.42.0.1:80,10.42.0.2:80,10.42.0.1:443 + 1 more...', '3m'],
  },
  {
    group: '',
    plural: 'endpoints',
    name: 'endpoints without subsets',
    obj: { metadata: meta('none') },
    cells: ['none', '<none>', '3m'],
  },
  {
    group: '',
    plural: 'persistentvolumes',
    name: 'bound volume',
    obj: {
      metadata: { name: 'pv1', creationTimestamp: CREATED },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'ns', name: 'data' },
        storageClassName: 'local',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    },
    cells: [
      'pv1',
      '1Gi',
      'RWO,RWX',
      'Retain',
      'Bound',
      'ns/data',
      'local',
      '<unset>',
      '',
      '3m',
      'Filesystem',
    ],
  },
  {
    group: '',
    plural: 'persistentvolumeclaims',
    name: 'bound claim',
    obj: {
      metadata: meta('data'),
      spec: { volumeName: 'pv1', storageClassName: 'local', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    },
    cells: ['data', 'Bound', 'pv1', '1Gi', 'RWO', 'local', '<unset>', '3m', 'Filesystem'],
  },
  {
    group: '',
    plural: 'persistentvolumeclaims',
    name: 'pending claim being deleted',
    obj: { metadata: meta('data', { deletionTimestamp: CREATED }), spec: {}, status: { phase: 'Pending' } },
    cells: ['data', 'Terminating', '', '', '', '', '<unset>', '3m', '<unset>'],
  },
  {
    group: '',
    plural: 'replicationcontrollers',
    name: 'replication controller',
    obj: {
      metadata: meta('rc'),
      spec: { replicas: 3, selector: { app: 'web' }, template },
      status: { replicas: 2, readyReplicas: 1 },
    },
    cells: ['rc', 3, 2, 1, '3m', 'a,b', 'img:1,img:2', 'app=web'],
  },
  {
    group: '',
    plural: 'podtemplates',
    name: 'pod template',
    obj: { metadata: meta('pt'), template },
    cells: ['pt', 'a,b', 'img:1,img:2', 'app=web'],
  },
  {
    group: '',
    plural: 'resourcequotas',
    name: 'quota',
    obj: {
      metadata: meta('q'),
      status: {
        hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi' },
        used: { pods: '3', 'requests.cpu': '500m' },
      },
    },
    cells: ['q', 'pods: 3/10, requests.cpu: 500m/2', 'limits.memory: 0/2Gi', '3m'],
  },
  {
    group: '',
    plural: 'limitranges',
    name: 'limit range (default table)',
    obj: { metadata: meta('lr') },
    cells: ['lr', CREATED],
  },
  {
    group: 'apps',
    plural: 'deployments',
    name: 'deployment',
    obj: {
      metadata: meta('web'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    },
    cells: ['web', '1/2', 2, 1, '3m', 'a,b', 'img:1,img:2', 'app=web'],
  },
  {
    group: 'apps',
    plural: 'deployments',
    name: 'deployment with an invalid selector',
    obj: {
      metadata: meta('web'),
      spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] }, template },
    },
    cells: ['web', '0/1', 0, 0, '3m', 'a,b', 'img:1,img:2', '<invalid>'],
  },
  {
    group: 'apps',
    plural: 'replicasets',
    name: 'replica set',
    obj: {
      metadata: meta('web-abc'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template },
      status: { replicas: 2, readyReplicas: 2 },
    },
    cells: ['web-abc', 2, 2, 2, '3m', 'a,b', 'img:1,img:2', 'app=web,pod-template-hash=abc'],
  },
  {
    group: 'apps',
    plural: 'statefulsets',
    name: 'stateful set',
    obj: {
      metadata: meta('db'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2 },
    },
    cells: ['db', '2/3', '3m', 'a,b', 'img:1,img:2'],
  },
  {
    group: 'apps',
    plural: 'daemonsets',
    name: 'daemon set',
    obj: {
      metadata: meta('agent'),
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    },
    cells: ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '3m', 'a,b', 'img:1,img:2', 'app=web'],
  },
  {
    group: 'apps',
    plural: 'controllerrevisions',
    name: 'controller revision',
    obj: {
      metadata: meta('db-7d4b', {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true },
        ],
      }),
      revision: 2,
    },
    cells: ['db-7d4b', 'statefulset.apps/db', 2, '3m'],
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'complete job',
    obj: {
      metadata: meta('pi'),
      spec: {
        completions: 1,
        parallelism: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
        template,
      },
      status: {
        succeeded: 1,
        startTime: '2024-05-01T11:57:00Z',
        completionTime: '2024-05-01T11:57:42Z',
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    },
    cells: [
      'pi',
      'Complete',
      '1/1',
      '42s',
      '3m',
      'a,b',
      'img:1,img:2',
      'batch.kubernetes.io/controller-uid=u1',
    ],
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'running work-queue job',
    obj: {
      metadata: meta('q'),
      spec: { parallelism: 3, template },
      status: { startTime: '2024-05-01T11:59:00Z' },
    },
    cells: ['q', 'Running', '0/1 of 3', '60s', '3m', 'a,b', 'img:1,img:2', '<none>'],
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'suspended job',
    obj: {
      metadata: meta('s'),
      spec: { completions: 5, template },
      status: { conditions: [{ type: 'Suspended', status: 'True' }] },
    },
    cells: ['s', 'Suspended', '0/5', '', '3m', 'a,b', 'img:1,img:2', '<none>'],
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'failed job',
    obj: {
      metadata: meta('f'),
      spec: { completions: 1, template },
      status: { failed: 7, conditions: [{ type: 'Failed', status: 'True' }] },
    },
    cells: ['f', 'Failed', '0/1', '', '3m', 'a,b', 'img:1,img:2', '<none>'],
  },
  {
    group: 'batch',
    plural: 'cronjobs',
    name: 'cron job',
    obj: {
      metadata: meta('hello'),
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-05-01T11:55:00Z' },
    },
    cells: ['hello', '*/5 * * * *', '<none>', 'False', 1, '5m', '3m', 'a,b', 'img:1,img:2', '<none>'],
  },
  {
    group: 'autoscaling',
    plural: 'horizontalpodautoscalers',
    name: 'hpa with three metrics',
    obj: {
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
        ],
      },
      status: {
        currentReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } },
        ],
      },
    },
    cells: ['web', 'Deployment/web', 'cpu: 45%/80%, memory: <unknown>/100Mi + 1 more...', '1', 10, 3, '3m'],
  },
  {
    group: 'coordination.k8s.io',
    plural: 'leases',
    name: 'lease',
    obj: { metadata: meta('skiff-scheduler'), spec: { holderIdentity: 'node1_abc' } },
    cells: ['skiff-scheduler', 'node1_abc', '3m'],
  },
  {
    group: 'discovery.k8s.io',
    plural: 'endpointslices',
    name: 'endpoint slice',
    obj: {
      metadata: meta('web-x1'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80 }, { name: 'named' }],
      endpoints: [
        { addresses: ['10.42.0.1'] },
        { addresses: ['10.42.0.2'] },
        { addresses: ['10.42.0.3'] },
        { addresses: ['10.42.0.4'] },
      ],
    },
    cells: ['web-x1', 'IPv4', '80,named', '10.42.0.1,10.42.0.2,10.42.0.3 + 1 more...', '3m'],
  },
  {
    group: 'discovery.k8s.io',
    plural: 'endpointslices',
    name: 'empty endpoint slice',
    obj: { metadata: meta('web-x2'), addressType: 'IPv4' },
    cells: ['web-x2', 'IPv4', '<unset>', '<unset>', '3m'],
  },
  {
    group: 'networking.k8s.io',
    plural: 'ingresses',
    name: 'ingress',
    obj: {
      metadata: meta('web'),
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
        tls: [{ hosts: ['a.example.com'] }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }] } },
    },
    cells: ['web', 'nginx', 'a.example.com,b.example.com', '192.168.1.10', '80, 443', '3m'],
  },
  {
    group: 'networking.k8s.io',
    plural: 'ingressclasses',
    name: 'ingress class',
    obj: {
      metadata: { name: 'nginx', creationTimestamp: CREATED },
      spec: {
        controller: 'k8s.io/ingress-nginx',
        parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external' },
      },
    },
    cells: ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external', '3m'],
  },
  {
    group: 'networking.k8s.io',
    plural: 'networkpolicies',
    name: 'network policy selecting every pod',
    obj: { metadata: meta('deny-all'), spec: { podSelector: {} } },
    cells: ['deny-all', '<none>', '3m'],
  },
  {
    group: 'policy',
    plural: 'poddisruptionbudgets',
    name: 'pdb',
    obj: { metadata: meta('web'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } },
    cells: ['web', '50%', 'N/A', 1, '3m'],
  },
  {
    group: 'certificates.k8s.io',
    plural: 'certificatesigningrequests',
    name: 'approved and issued node client CSR',
    obj: {
      metadata: { name: 'csr-x', creationTimestamp: CREATED },
      spec: {
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        username: 'system:bootstrap:abcdef',
        expirationSeconds: 3600,
      },
      status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' },
    },
    cells: [
      'csr-x',
      '3m',
      'kubernetes.io/kube-apiserver-client-kubelet',
      'system:bootstrap:abcdef',
      '60m',
      'Approved,Issued',
    ],
  },
  {
    group: 'scheduling.k8s.io',
    plural: 'priorityclasses',
    name: 'priority class',
    obj: {
      metadata: { name: 'high', creationTimestamp: CREATED },
      value: 1000,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    cells: ['high', 1000, false, '3m', 'PreemptLowerPriority'],
  },
  {
    group: 'node.k8s.io',
    plural: 'runtimeclasses',
    name: 'runtime class',
    obj: { metadata: { name: 'gvisor', creationTimestamp: CREATED }, handler: 'runsc' },
    cells: ['gvisor', 'runsc', '3m'],
  },
  {
    group: 'storage.k8s.io',
    plural: 'storageclasses',
    name: 'default storage class',
    obj: {
      metadata: {
        name: 'local-path',
        creationTimestamp: CREATED,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    cells: ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '3m'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    plural: 'rolebindings',
    name: 'role binding',
    obj: {
      metadata: meta('rb'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', namespace: 'ns', name: 'ci' },
        { kind: 'User', name: 'bob' },
      ],
    },
    cells: ['rb', 'ClusterRole/view', '3m', 'alice, bob', 'devs', 'ns/ci'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    plural: 'clusterroles',
    name: 'cluster role (default table)',
    obj: { metadata: { name: 'view', creationTimestamp: CREATED } },
    cells: ['view', CREATED],
  },
];

describe('Table printers: fixtures → cells', () => {
  for (const tc of CASES) {
    test(`${tc.plural}${tc.group ? `.${tc.group}` : ''}: ${tc.name}`, () => {
      const kind = findKind(tc.group, tc.plural);
      assert.ok(kind, `${tc.group}/${tc.plural} is served`);
      assert.deepEqual(kind.table.cells(tc.obj, NOW), tc.cells);
    });
  }
  test('every served kind has a printer case', () => {
    const covered = new Set(CASES.map((c) => `${c.group}/${c.plural}`));
    const missing = ALL_KINDS.map((k) => `${k.group}/${k.plural}`).filter(
      (id) =>
        !covered.has(id) &&
        !['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterrolebindings'].includes(id),
    );
    assert.deepEqual(missing, []);
  });
});

describe('Table shape', () => {
  for (const kind of ALL_KINDS) {
    test(`${kind.plural}.${kind.group || 'core'}: one cell per column, even for an empty object`, () => {
      const cells = kind.table.cells({ metadata: { name: 'x' } }, NOW);
      assert.equal(cells.length, kind.table.columns.length);
      const nameCols = kind.table.columns.filter((c) => c.format === 'name');
      assert.equal(nameCols.length, 1, 'exactly one name column');
      if (kind.kind !== 'Event') assert.equal(kind.table.columns[0].name, 'Name');
      for (const c of kind.table.columns) assert.ok(c.description.length > 0, `${c.name} has a description`);
    });
  }
});
