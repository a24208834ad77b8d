// The core ("") group, v1: resources in upstream's discovery order (alphabetical).
import type { KindDef } from '../types.ts';
import { CONFIG_MAP } from './configmap.ts';
import { ENDPOINTS } from './endpoints.ts';
import { EVENT } from './event.ts';
import { LIMIT_RANGE } from './limitrange.ts';
import { NAMESPACE } from './namespace.ts';
import { NODE } from './node.ts';
import { PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM } from './persistentvolume.ts';
import { POD } from './pod.ts';
import { POD_TEMPLATE } from './podtemplate.ts';
import { REPLICATION_CONTROLLER } from './replicationcontroller.ts';
import { RESOURCE_QUOTA } from './resourcequota.ts';
import { SECRET } from './secret.ts';
import { SERVICE } from './service.ts';
import { SERVICE_ACCOUNT } from './serviceaccount.ts';

export const CORE_KINDS: readonly KindDef[] = [
  CONFIG_MAP,
  ENDPOINTS,
  EVENT,
  LIMIT_RANGE,
  NAMESPACE,
  NODE,
  PERSISTENT_VOLUME_CLAIM,
  PERSISTENT_VOLUME,
  POD,
  POD_TEMPLATE,
  REPLICATION_CONTROLLER,
  RESOURCE_QUOTA,
  SECRET,
  SERVICE_ACCOUNT,
  SERVICE,
];
