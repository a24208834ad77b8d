import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKubernetesProtobuf,
  encodeKubernetesProtobuf,
  isKubernetesProtobuf,
  protobufKinds,
} from './index.ts';
import { messageForKind } from './kinds.ts';
import { generate } from './testing/generate.ts';
import { ROUND_TRIP_OBJECTS } from './testing/objects.ts';

describe('round trip of realistic objects (encode → decode → same JSON)', () => {
  for (const [name, obj] of ROUND_TRIP_OBJECTS) {
    it(name, () => {
      const bytes = encodeKubernetesProtobuf(obj);
      assert.ok(isKubernetesProtobuf(bytes));
      const back = decodeKubernetesProtobuf(bytes);
      assert.deepStrictEqual(back, obj);
      // Deterministic: re-encoding the decoded object gives the same bytes.
      assert.deepStrictEqual(encodeKubernetesProtobuf(back as Record<string, unknown>), bytes);
    });
  }

  it('covers every top-level kind the brief lists', () => {
    const covered = new Set(ROUND_TRIP_OBJECTS.map(([, o]) => `${o.apiVersion}/${o.kind}`));
    const required = [
      'v1/Namespace',
      'v1/Pod',
      'v1/Service',
      'v1/Endpoints',
      'v1/ConfigMap',
      'v1/Secret',
      'v1/ServiceAccount',
      'v1/Node',
      'v1/Event',
      'v1/LimitRange',
      'v1/ResourceQuota',
      'v1/PersistentVolume',
      'v1/PersistentVolumeClaim',
      'v1/ReplicationController',
      'v1/PodTemplate',
      'v1/Binding',
      'apps/v1/Deployment',
      'apps/v1/ReplicaSet',
      'apps/v1/StatefulSet',
      'apps/v1/DaemonSet',
      'apps/v1/ControllerRevision',
      'batch/v1/Job',
      'batch/v1/CronJob',
      'autoscaling/v1/HorizontalPodAutoscaler',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'autoscaling/v1/Scale',
      'coordination.k8s.io/v1/Lease',
      'discovery.k8s.io/v1/EndpointSlice',
      'events.k8s.io/v1/Event',
      'networking.k8s.io/v1/NetworkPolicy',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/IngressClass',
      'policy/v1/PodDisruptionBudget',
      'policy/v1/Eviction',
      'scheduling.k8s.io/v1/PriorityClass',
      'node.k8s.io/v1/RuntimeClass',
      'storage.k8s.io/v1/StorageClass',
      'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding',
      'rbac.authorization.k8s.io/v1/ClusterRole',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'authorization.k8s.io/v1/SelfSubjectAccessReview',
      'authorization.k8s.io/v1/SelfSubjectRulesReview',
      'authentication.k8s.io/v1/SelfSubjectReview',
      'authentication.k8s.io/v1/TokenRequest',
      'v1/DeleteOptions',
      'meta.k8s.io/v1/DeleteOptions',
    ];
    for (const key of required) assert.ok(covered.has(key), `no round-trip object for ${key}`);
  });
});

describe('round trip of every table field (generated objects)', () => {
  for (const [apiVersion, kind] of protobufKinds()) {
    it(`${apiVersion} ${kind}`, () => {
      const msg = messageForKind(apiVersion, kind);
      assert.ok(msg);
      const obj = { apiVersion, kind, ...generate(msg) };
      const back = decodeKubernetesProtobuf(encodeKubernetesProtobuf(obj));
      assert.deepStrictEqual(back, obj);
    });
  }
});
