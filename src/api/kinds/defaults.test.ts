// Defaulting per kind: a before → after fixture each, with upstream's values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../object.ts';
import { findKind } from './index.ts';

const POD_SPEC_DEFAULTS = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};
const containerDefaults = (image: string, pull = 'IfNotPresent'): KObject => ({
  name: 'c',
  image,
  imagePullPolicy: pull,
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
});
const TEMPLATE_IN = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
};
const TEMPLATE_OUT = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [containerDefaults('nginx:1.25')], ...POD_SPEC_DEFAULTS },
};
const NOT_READY = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};
const UNREACHABLE = {
  key: 'node.kubernetes.io/unreachable',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};

interface Case {
  group: string;
  plural: string;
  name: string;
  before: KObject;
  after: KObject;
}

const CASES: Case[] = [
  {
    group: '',
    plural: 'pods',
    name: 'a minimal pod gets spec, container, admission and status defaults',
    before: {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] },
      status: { phase: 'Pending' },
    },
    after: {
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        containers: [
          { ...containerDefaults('busybox', 'Always'), ports: [{ containerPort: 80, protocol: 'TCP' }] },
        ],
        ...POD_SPEC_DEFAULTS,
        enableServiceLinks: true,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        tolerations: [NOT_READY, UNREACHABLE],
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    },
  },
  {
    group: '',
    plural: 'pods',
    name: 'limits become requests, quantities canonical; probes, volumes, env and tolerations',
    before: {
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'c',
            image: 'registry.local:5000/app@sha256:abc',
            resources: { limits: { cpu: '0.5', memory: '1.5Gi' } },
            livenessProbe: { httpGet: { port: 8080 } },
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'scratch' },
          { name: 'host', hostPath: { path: '/var/log' } },
        ],
      },
      status: { phase: 'Pending' },
    },
    after: {
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            ...containerDefaults('registry.local:5000/app@sha256:abc'),
            resources: {
              limits: { cpu: '500m', memory: '1536Mi' },
              requests: { cpu: '500m', memory: '1536Mi' },
            },
            livenessProbe: {
              httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
          { name: 'scratch', emptyDir: {} },
          { name: 'host', hostPath: { path: '/var/log', type: '' } },
        ],
        ...POD_SPEC_DEFAULTS,
        enableServiceLinks: true,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        priority: 2000001000,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      status: { phase: 'Pending', qosClass: 'Guaranteed' },
    },
  },
  {
    group: '',
    plural: 'services',
    name: 'node port service',
    before: {
      metadata: { name: 's' },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
      },
    },
    after: {
      metadata: { name: 's' },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 80 },
          { port: 53, protocol: 'UDP', targetPort: 'dns' },
        ],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    },
  },
  {
    group: '',
    plural: 'services',
    name: 'headless service without selector, ClientIP affinity',
    before: { metadata: { name: 's' }, spec: { clusterIP: 'None', sessionAffinity: 'ClientIP' } },
    after: {
      metadata: { name: 's' },
      spec: {
        clusterIP: 'None',
        sessionAffinity: 'ClientIP',
        type: 'ClusterIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4'],
      },
    },
  },
  {
    group: '',
    plural: 'services',
    name: 'load balancer',
    before: {
      metadata: { name: 's' },
      spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 8443 }] },
    },
    after: {
      metadata: { name: 's' },
      spec: {
        type: 'LoadBalancer',
        ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: true,
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    },
  },
  {
    group: '',
    plural: 'namespaces',
    name: 'namespace',
    before: { metadata: { name: 'shop' }, status: { phase: 'Active' } },
    after: {
      metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
  },
  {
    group: '',
    plural: 'namespaces',
    name: 'a finalized namespace keeps its empty finalizer list',
    before: {
      metadata: { name: 'old', labels: { team: 'a' } },
      spec: { finalizers: [] },
      status: { phase: 'Terminating' },
    },
    after: {
      metadata: { name: 'old', labels: { team: 'a', 'kubernetes.io/metadata.name': 'old' } },
      spec: { finalizers: [] },
      status: { phase: 'Terminating' },
    },
  },
  {
    group: '',
    plural: 'secrets',
    name: 'secret: type Opaque, stringData folded into data',
    before: { metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hunter2', a: 'y' } },
    after: { metadata: { name: 's' }, data: { a: 'eQ==', b: 'aHVudGVyMg==' }, type: 'Opaque' },
  },
  {
    group: '',
    plural: 'persistentvolumeclaims',
    name: 'claim',
    before: {
      metadata: { name: 'c' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1000Mi' } } },
    },
    after: {
      metadata: { name: 'c' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1000Mi' } },
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Pending' },
    },
  },
  {
    group: '',
    plural: 'persistentvolumes',
    name: 'volume',
    before: {
      metadata: { name: 'v' },
      spec: { capacity: { storage: '1024Mi' }, hostPath: { path: '/data' } },
    },
    after: {
      metadata: { name: 'v' },
      spec: {
        capacity: { storage: '1Gi' },
        hostPath: { path: '/data' },
        persistentVolumeReclaimPolicy: 'Retain',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Pending' },
    },
  },
  {
    group: '',
    plural: 'endpoints',
    name: 'endpoints',
    before: {
      metadata: { name: 'e' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
    },
    after: {
      metadata: { name: 'e' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    },
  },
  {
    group: '',
    plural: 'nodes',
    name: 'node: allocatable defaults to capacity',
    before: { metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8192Mi', pods: '110' } } },
    after: {
      metadata: { name: 'n' },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      },
    },
  },
  {
    group: '',
    plural: 'limitranges',
    name: 'container limit range: default from max, defaultRequest from default',
    before: {
      metadata: { name: 'l' },
      spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] },
    },
    after: {
      metadata: { name: 'l' },
      spec: {
        limits: [
          {
            type: 'Container',
            max: { cpu: '2' },
            min: { memory: '64Mi' },
            default: { cpu: '2' },
            defaultRequest: { cpu: '2', memory: '64Mi' },
          },
        ],
      },
    },
  },
  {
    group: '',
    plural: 'replicationcontrollers',
    name: 'replication controller: selector and labels from the template',
    before: { metadata: { name: 'rc' }, spec: { template: TEMPLATE_IN } },
    after: {
      metadata: { name: 'rc', labels: { app: 'web' } },
      spec: { template: TEMPLATE_OUT, selector: { app: 'web' }, replicas: 1 },
    },
  },
  {
    group: '',
    plural: 'podtemplates',
    name: 'pod template',
    before: { metadata: { name: 'pt' }, template: TEMPLATE_IN },
    after: { metadata: { name: 'pt' }, template: TEMPLATE_OUT },
  },
  {
    group: 'apps',
    plural: 'deployments',
    name: 'deployment',
    before: {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE_IN },
    },
    after: {
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: TEMPLATE_OUT,
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    },
  },
  {
    group: 'apps',
    plural: 'deployments',
    name: 'recreate deployment gets no rollingUpdate',
    before: {
      metadata: { name: 'd' },
      spec: { replicas: 0, strategy: { type: 'Recreate' }, template: TEMPLATE_IN },
    },
    after: {
      metadata: { name: 'd' },
      spec: {
        replicas: 0,
        strategy: { type: 'Recreate' },
        template: TEMPLATE_OUT,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    },
  },
  {
    group: 'apps',
    plural: 'replicasets',
    name: 'replica set',
    before: { metadata: { name: 'r' }, spec: { template: TEMPLATE_IN } },
    after: { metadata: { name: 'r' }, spec: { template: TEMPLATE_OUT, replicas: 1 } },
  },
  {
    group: 'apps',
    plural: 'statefulsets',
    name: 'stateful set',
    before: { metadata: { name: 's' }, spec: { template: TEMPLATE_IN } },
    after: {
      metadata: { name: 's' },
      spec: {
        template: TEMPLATE_OUT,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 1,
        revisionHistoryLimit: 10,
      },
    },
  },
  {
    group: 'apps',
    plural: 'daemonsets',
    name: 'daemon set',
    before: { metadata: { name: 'ds' }, spec: { template: TEMPLATE_IN } },
    after: {
      metadata: { name: 'ds' },
      spec: {
        template: TEMPLATE_OUT,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
    },
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'job: counts, policies, and the generated selector and labels',
    before: {
      metadata: { name: 'pi', uid: 'u-1' },
      spec: {
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl:5.34' }] } },
      },
    },
    after: {
      metadata: {
        name: 'pi',
        uid: 'u-1',
        labels: {
          'job-name': 'pi',
          'batch.kubernetes.io/job-name': 'pi',
          'controller-uid': 'u-1',
          'batch.kubernetes.io/controller-uid': 'u-1',
        },
      },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } },
        template: {
          metadata: {
            labels: {
              'job-name': 'pi',
              'batch.kubernetes.io/job-name': 'pi',
              'controller-uid': 'u-1',
              'batch.kubernetes.io/controller-uid': 'u-1',
            },
          },
          spec: {
            ...POD_SPEC_DEFAULTS,
            restartPolicy: 'Never',
            containers: [containerDefaults('perl:5.34')],
          },
        },
      },
    },
  },
  {
    group: 'batch',
    plural: 'jobs',
    name: 'job with a manual selector and only parallelism',
    before: {
      metadata: { name: 'w', uid: 'u-2', labels: { team: 'a' } },
      spec: {
        manualSelector: true,
        parallelism: 4,
        selector: { matchLabels: { x: 'y' } },
        template: {
          metadata: { labels: { x: 'y' } },
          spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'w:1' }] },
        },
      },
    },
    after: {
      metadata: { name: 'w', uid: 'u-2', labels: { team: 'a' } },
      spec: {
        manualSelector: true,
        parallelism: 4,
        selector: { matchLabels: { x: 'y' } },
        template: {
          metadata: { labels: { x: 'y' } },
          spec: { ...POD_SPEC_DEFAULTS, restartPolicy: 'OnFailure', containers: [containerDefaults('w:1')] },
        },
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
      },
    },
  },
  {
    group: 'batch',
    plural: 'cronjobs',
    name: 'cron job: its job template gets pod defaults only',
    before: {
      metadata: { name: 'c' },
      spec: {
        schedule: '@hourly',
        jobTemplate: {
          spec: {
            template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'b:1' }] } },
          },
        },
      },
    },
    after: {
      metadata: { name: 'c' },
      spec: {
        schedule: '@hourly',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                ...POD_SPEC_DEFAULTS,
                restartPolicy: 'OnFailure',
                containers: [containerDefaults('b:1')],
              },
            },
          },
        },
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      },
    },
  },
  {
    group: 'autoscaling',
    plural: 'horizontalpodautoscalers',
    name: 'hpa: cpu 80% and the behavior defaults',
    before: {
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 5,
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    },
    after: {
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 5,
        minReplicas: 1,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 60,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
          },
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Pods', value: 4, periodSeconds: 15 },
              { type: 'Percent', value: 100, periodSeconds: 15 },
            ],
          },
        },
      },
    },
  },
  {
    group: 'networking.k8s.io',
    plural: 'networkpolicies',
    name: 'network policy: policy types from its rules, port protocols',
    before: { metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
    after: {
      metadata: { name: 'n' },
      spec: {
        podSelector: {},
        egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }],
        policyTypes: ['Ingress', 'Egress'],
      },
    },
  },
  {
    group: 'networking.k8s.io',
    plural: 'ingressclasses',
    name: 'ingress class parameters default to cluster scope',
    before: {
      metadata: { name: 'i' },
      spec: { controller: 'example.com/c', parameters: { kind: 'P', name: 'p' } },
    },
    after: {
      metadata: { name: 'i' },
      spec: { controller: 'example.com/c', parameters: { kind: 'P', name: 'p', scope: 'Cluster' } },
    },
  },
  {
    group: 'discovery.k8s.io',
    plural: 'endpointslices',
    name: 'endpoint slice ports',
    before: { metadata: { name: 'e' }, addressType: 'IPv4', ports: [{ port: 80 }] },
    after: { metadata: { name: 'e' }, addressType: 'IPv4', ports: [{ port: 80, name: '', protocol: 'TCP' }] },
  },
  {
    group: 'scheduling.k8s.io',
    plural: 'priorityclasses',
    name: 'priority class',
    before: { metadata: { name: 'high' }, value: 1000 },
    after: { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'PreemptLowerPriority' },
  },
  {
    group: 'storage.k8s.io',
    plural: 'storageclasses',
    name: 'storage class',
    before: { metadata: { name: 'sc' }, provisioner: 'example.com/p' },
    after: {
      metadata: { name: 'sc' },
      provisioner: 'example.com/p',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    },
  },
  {
    group: 'rbac.authorization.k8s.io',
    plural: 'rolebindings',
    name: 'role binding subjects and roleRef get their API groups',
    before: {
      metadata: { name: 'rb' },
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'ns' },
        { kind: 'Group', name: 'g' },
      ],
    },
    after: {
      metadata: { name: 'rb' },
      roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [
        { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'ns', apiGroup: '' },
        { kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' },
      ],
    },
  },
  {
    group: '',
    plural: 'configmaps',
    name: 'config map: nothing to default',
    before: { metadata: { name: 'c' }, data: { a: 'b' } },
    after: { metadata: { name: 'c' }, data: { a: 'b' } },
  },
];

describe('defaulting: before → after', () => {
  for (const tc of CASES) {
    test(`${tc.plural}${tc.group ? `.${tc.group}` : ''}: ${tc.name}`, () => {
      const kind = findKind(tc.group, tc.plural);
      assert.ok(kind);
      const obj = structuredClone(tc.before);
      kind.defaults(obj);
      assert.deepEqual(obj, tc.after);
      // Defaulting is idempotent: updates run it again on stored objects.
      kind.defaults(obj);
      assert.deepEqual(obj, tc.after);
    });
  }
});

describe('image pull policy', () => {
  const pod = findKind('', 'pods')!;
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['docker.io/library/nginx', 'Always'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v2', 'IfNotPresent'],
    ['app@sha256:0123456789abcdef', 'IfNotPresent'],
    ['app:latest@sha256:0123456789abcdef', 'Always'],
    ['', 'IfNotPresent'],
    ['Bad/Image', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    test(`${JSON.stringify(image)} → ${want}`, () => {
      const p: KObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } };
      pod.defaults(p);
      assert.equal(p.spec.containers[0].imagePullPolicy, want);
    });
  }
  test('an explicit policy is kept', () => {
    const p: KObject = {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }] },
    };
    pod.defaults(p);
    assert.equal(p.spec.containers[0].imagePullPolicy, 'Never');
  });
});

describe('pod QoS class', () => {
  const pod = findKind('', 'pods')!;
  const qos = (resources: KObject[]): string => {
    const p: KObject = {
      metadata: { name: 'p' },
      spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) },
      status: { phase: 'Pending' },
    };
    pod.defaults(p);
    return p.status.qosClass;
  };
  test('Guaranteed when limits (hence requests) cover cpu and memory in every container', () => {
    assert.equal(
      qos([{ limits: { cpu: '1', memory: '1Gi' } }, { limits: { cpu: '100m', memory: '64Mi' } }]),
      'Guaranteed',
    );
  });
  test('Burstable when a request is below its limit or a container lacks limits', () => {
    assert.equal(qos([{ requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } }]), 'Burstable');
    assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' } }, {}]), 'Burstable');
  });
  test('BestEffort without any requests or limits', () => {
    assert.equal(qos([{}, { requests: { 'example.com/gpu': '1' } }]), 'BestEffort');
  });
});
