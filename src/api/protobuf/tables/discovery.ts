// k8s.io/api/discovery/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const discovery: MessageTable = {
  EndpointSlice: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [4, 'addressType', 'string', 'keep'],
    [2, 'endpoints', 'Endpoint', 'rep'],
    [3, 'ports', 'EndpointPort', 'rep'],
  ],
  Endpoint: [
    [1, 'addresses', 'string', 'rep'],
    [2, 'conditions', 'EndpointConditions'],
    [3, 'hostname', 'string', 'keep'],
    [4, 'targetRef', 'core.ObjectReference'],
    [5, 'deprecatedTopology', 'string', 'map'],
    [6, 'nodeName', 'string', 'keep'],
    [7, 'zone', 'string', 'keep'],
    [8, 'hints', 'EndpointHints'],
  ],
  EndpointConditions: [
    [1, 'ready', 'bool', 'keep'],
    [2, 'serving', 'bool', 'keep'],
    [3, 'terminating', 'bool', 'keep'],
  ],
  EndpointHints: [
    [1, 'forZones', 'ForZone', 'rep'],
    [2, 'forNodes', 'ForNode', 'rep'],
  ],
  ForZone: [[1, 'name', 'string', 'keep']],
  ForNode: [[1, 'name', 'string', 'keep']],
  EndpointPort: [
    [1, 'name', 'string', 'keep'],
    [2, 'protocol', 'string', 'keep'],
    [3, 'port', 'int32', 'keep'],
    [4, 'appProtocol', 'string', 'keep'],
  ],
};
