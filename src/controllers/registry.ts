// Every controller the manager can run, keyed by upstream's controller name (the names
// `kube-controller-manager --controllers` accepts). Helpers add one line per controller.
import { csrApprovingControllerFactory } from './certificates/approver.ts';
import { csrSigningControllerFactory } from './certificates/signer.ts';
import { cronJobControllerFactory } from './cronjob/controller.ts';
import { daemonSetControllerFactory } from './daemonset/controller.ts';
import { deploymentControllerFactory } from './deployment/controller.ts';
import { disruptionControllerFactory } from './disruption/controller.ts';
import { endpointsControllerFactory } from './endpoints/controller.ts';
import { endpointSliceControllerFactory } from './endpointslice/controller.ts';
import { garbageCollectorFactory } from './garbagecollector/controller.ts';
import { jobControllerFactory } from './job/controller.ts';
import { namespaceControllerFactory } from './namespace/controller.ts';
import { nodeIpamControllerFactory } from './nodeipam/controller.ts';
import { nodeLifecycleControllerFactory } from './nodelifecycle/controller.ts';
import { podGcControllerFactory } from './podgc/controller.ts';
import { replicaSetControllerFactory, replicationControllerFactory } from './replicaset/controller.ts';
import { resourceQuotaControllerFactory } from './resourcequota/controller.ts';
import { rootCaCertPublisherFactory } from './rootcacertpublisher/controller.ts';
import { serviceAccountControllerFactory } from './serviceaccount/controller.ts';
import { statefulSetControllerFactory } from './statefulset/controller.ts';
import type { ControllerFactory } from './types.ts';
import { volumeControllerFactory } from './volume/controller.ts';

export const CONTROLLERS: Record<string, ControllerFactory> = {
  namespace: namespaceControllerFactory,
  garbagecollector: garbageCollectorFactory,
  serviceaccount: serviceAccountControllerFactory,
  endpoint: endpointsControllerFactory,
  endpointslice: endpointSliceControllerFactory,
  podgc: podGcControllerFactory,
  nodelifecycle: nodeLifecycleControllerFactory,
  job: jobControllerFactory,
  cronjob: cronJobControllerFactory,
  statefulset: statefulSetControllerFactory,
  daemonset: daemonSetControllerFactory,
  disruption: disruptionControllerFactory,
  resourcequota: resourceQuotaControllerFactory,
  replicaset: replicaSetControllerFactory,
  deployment: deploymentControllerFactory,
  replicationcontroller: replicationControllerFactory,
  'root-ca-cert-publisher': rootCaCertPublisherFactory,
  nodeipam: nodeIpamControllerFactory,
  'persistentvolume-binder': volumeControllerFactory,
  csrapproving: csrApprovingControllerFactory,
  csrsigning: csrSigningControllerFactory,
};
