// Bodies captured from the real kubectl 1.32 (testing/kubectl-1.32.fixture.json, refreshed by
// testing/capture.ts) must decode to what the Go server would hold. A second test re-captures them
// live from the installed kubectl, so a fixture can never drift from what kubectl actually sends.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF_CONTENT_TYPE } from './index.ts';
import { CAPTURE_COMMANDS, type CapturedWrite, captureKubectlWrites } from './testing/kubectl-capture.ts';

const FIXTURE: CapturedWrite[] = JSON.parse(
  readFileSync(new URL('./testing/kubectl-1.32.fixture.json', import.meta.url), 'utf8'),
);

/** What each command's protobuf body must decode to (path, then the decoded object). */
const EXPECTED: Record<string, [path: string, obj: Record<string, unknown>]> = {
  namespace: [
    '/api/v1/namespaces',
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'skiff-ns' }, spec: {}, status: {} },
  ],
  configmap: [
    '/api/v1/namespaces/default/configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'skiff-cm', namespace: 'default' },
      data: { a: 'b', empty: '' },
    },
  ],
  secret: [
    '/api/v1/namespaces/default/secrets',
    // "s3cr3t" in base64: bytes fields print as base64 like Go's encoding/json.
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'skiff-secret', namespace: 'default' },
      data: { password: 'czNjcjN0' },
    },
  ],
  deployment: [
    '/apis/apps/v1/namespaces/default/deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'skiff-web', namespace: 'default', labels: { app: 'skiff-web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'skiff-web' } },
        template: {
          metadata: { labels: { app: 'skiff-web' } },
          spec: {
            containers: [
              { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    },
  ],
  job: [
    '/apis/batch/v1/namespaces/default/jobs',
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'skiff-job', namespace: 'default' },
      spec: {
        template: {
          metadata: {},
          spec: {
            containers: [{ name: 'skiff-job', image: 'busybox', command: ['echo', 'hi'], resources: {} }],
            restartPolicy: 'Never',
          },
        },
      },
      status: {},
    },
  ],
  cronjob: [
    '/apis/batch/v1/namespaces/default/cronjobs',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'skiff-cron', namespace: 'default' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          metadata: { name: 'skiff-cron' },
          spec: {
            template: {
              metadata: {},
              spec: {
                containers: [{ name: 'skiff-cron', image: 'busybox', command: ['date'], resources: {} }],
                restartPolicy: 'OnFailure',
              },
            },
          },
        },
      },
      status: {},
    },
  ],
  service: [
    '/api/v1/namespaces/default/services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'skiff-svc', namespace: 'default', labels: { app: 'skiff-svc' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'skiff-svc' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    },
  ],
  serviceaccount: [
    '/api/v1/namespaces/default/serviceaccounts',
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'skiff-sa', namespace: 'default' } },
  ],
  role: [
    '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'skiff-role', namespace: 'default' },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
    },
  ],
  rolebinding: [
    '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'skiff-rb', namespace: 'default' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'skiff-sa', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'skiff-role' },
    },
  ],
  clusterrole: [
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'skiff-cr' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }],
    },
  ],
  clusterrolebinding: [
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'skiff-crb' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'skiff-cr' },
    },
  ],
  quota: [
    '/api/v1/namespaces/default/resourcequotas',
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'skiff-quota', namespace: 'default' },
      spec: { hard: { cpu: '1', memory: '1Gi', pods: '10' } },
      status: {},
    },
  ],
  priorityclass: [
    '/apis/scheduling.k8s.io/v1/priorityclasses',
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'skiff-pc' },
      value: 1000,
      description: 'test',
      preemptionPolicy: 'Never',
    },
  ],
  poddisruptionbudget: [
    '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'skiff-pdb', namespace: 'default' },
      // minAvailable is a pointer: the explicit 0 survives.
      spec: { minAvailable: 0, selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  ],
  ingress: [
    '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'skiff-ing', namespace: 'default' },
      spec: {
        rules: [
          {
            host: 'foo.example.com',
            http: {
              paths: [
                {
                  path: '/bar',
                  pathType: 'Prefix',
                  backend: { service: { name: 'svc1', port: { number: 8080 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    },
  ],
  token: [
    '/api/v1/namespaces/default/serviceaccounts/skiff-sa/token',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { expirationSeconds: 600 },
      status: { token: '' },
    },
  ],
  'can-i': [
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    },
  ],
  'can-i-list': [
    '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: {},
      spec: { namespace: 'default' },
      status: { incomplete: false },
    },
  ],
  whoami: [
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
      status: { userInfo: {} },
    },
  ],
  drain: [
    '/api/v1/namespaces/default/pods/skiff-pod',
    // drain's fallback DELETE when the server has no pods/eviction.
    { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 7 },
  ],
};

function checkWrites(writes: CapturedWrite[]): void {
  const protobuf = writes.filter((w) => w.contentType === KUBERNETES_PROTOBUF_CONTENT_TYPE);
  assert.deepStrictEqual(
    protobuf.map((w) => w.command).sort(),
    Object.keys(EXPECTED).sort(),
    'every command sent exactly one protobuf body',
  );
  for (const w of protobuf) {
    const [path, obj] = EXPECTED[w.command];
    assert.equal(w.path, path, `${w.command}: request path`);
    assert.deepStrictEqual(
      decodeKubernetesProtobuf(Buffer.from(w.bodyBase64, 'base64')),
      obj,
      `${w.command}: decoded body`,
    );
  }
}

describe('kubectl 1.32 protobuf bodies', () => {
  it('decodes every captured fixture to the Go server object', () => {
    assert.deepStrictEqual(
      new Set(FIXTURE.map((w) => w.command)),
      new Set(CAPTURE_COMMANDS.map(([name]) => name)),
    );
    checkWrites(FIXTURE);
  });

  it('decodes what the installed kubectl 1.32 sends right now', { timeout: 240_000 }, async () => {
    checkWrites(await captureKubectlWrites());
  });
});
