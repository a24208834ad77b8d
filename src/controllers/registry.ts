// Every controller the manager can run, keyed by upstream's controller name (the names
// `kube-controller-manager --controllers` accepts). Helpers add one line per controller.
import { disruptionControllerFactory } from './disruption/controller.ts';
import { endpointsControllerFactory } from './endpoints/controller.ts';
import { endpointSliceControllerFactory } from './endpointslice/controller.ts';
import { garbageCollectorFactory } from './garbagecollector/controller.ts';
import { namespaceControllerFactory } from './namespace/controller.ts';
import { nodeLifecycleControllerFactory } from './nodelifecycle/controller.ts';
import { podGcControllerFactory } from './podgc/controller.ts';
import { resourceQuotaControllerFactory } from './resourcequota/controller.ts';
import { serviceAccountControllerFactory } from './serviceaccount/controller.ts';
import type { ControllerFactory } from './types.ts';

export const CONTROLLERS: Record<string, ControllerFactory> = {
  namespace: namespaceControllerFactory,
  garbagecollector: garbageCollectorFactory,
  serviceaccount: serviceAccountControllerFactory,
  endpoint: endpointsControllerFactory,
  endpointslice: endpointSliceControllerFactory,
  podgc: podGcControllerFactory,
  nodelifecycle: nodeLifecycleControllerFactory,
  disruption: disruptionControllerFactory,
  resourcequota: resourceQuotaControllerFactory,
};
