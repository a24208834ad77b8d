// The resources the scheduler watches besides pods, nodes and namespaces (client/ exports those).
import type { KObject } from '../../api/object.ts';
import type { ResourceRef } from '../../client/index.ts';
import type { Node, Pod, PodDisruptionBudget } from '../types.ts';

/** The scheduler's types as the client's object type (kubernetes-types carry no index signature). */
export type PodObject = Pod & KObject;
export type NodeObject = Node & KObject;
export type PdbObject = PodDisruptionBudget & KObject;

export const PDBS: ResourceRef = {
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  namespaced: true,
  kind: 'PodDisruptionBudget',
};
export const SERVICES: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'services',
  namespaced: true,
  kind: 'Service',
};
export const REPLICATION_CONTROLLERS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'replicationcontrollers',
  namespaced: true,
  kind: 'ReplicationController',
};
export const REPLICA_SETS: ResourceRef = {
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  namespaced: true,
  kind: 'ReplicaSet',
};
export const STATEFUL_SETS: ResourceRef = {
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  namespaced: true,
  kind: 'StatefulSet',
};
export const PERSISTENT_VOLUME_CLAIMS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  namespaced: true,
  kind: 'PersistentVolumeClaim',
};
export const PERSISTENT_VOLUMES: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  namespaced: false,
  kind: 'PersistentVolume',
};
export const STORAGE_CLASSES: ResourceRef = {
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  namespaced: false,
  kind: 'StorageClass',
};
