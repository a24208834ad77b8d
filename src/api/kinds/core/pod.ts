// core/v1 Pod.
import type { KObject } from '../../object.ts';
import {
  defineKind,
  proxySubresource,
  readWriteSubresource,
  statusSubresource,
  subresource,
} from '../define.ts';
import { NONE, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { asList, defaultPod } from './pod-defaults.ts';
import { podQosClass } from './pod-qos.ts';
import { summarizePod } from './pod-status.ts';
import { validatePodUpdate } from './pod-update.ts';
import { validatePodSpec } from './pod-validation.ts';

const CREATE_GET = ['create', 'get'];

/** The first pod IP (status.podIPs[0], falling back to the legacy status.podIP). */
export const podIP = (pod: KObject): string => str(pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP);

function readinessGates(pod: KObject): string {
  const gates = asList(pod.spec?.readinessGates);
  if (gates.length === 0) return NONE;
  const conditions = asList(pod.status?.conditions);
  const met = gates.filter(
    (g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True',
  ).length;
  return `${met}/${gates.length}`;
}

export const POD = defineKind({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: [
    subresource('attach', 'PodAttachOptions', CREATE_GET),
    subresource('binding', 'Binding', ['create']),
    readWriteSubresource('ephemeralcontainers', 'Pod'),
    subresource('eviction', 'Eviction', ['create'], 'policy', 'v1'),
    subresource('exec', 'PodExecOptions', CREATE_GET),
    subresource('log', 'Pod', ['get']),
    subresource('portforward', 'PodPortForwardOptions', CREATE_GET),
    proxySubresource('PodProxyOptions'),
    statusSubresource('', 'v1', 'Pod'),
  ],
  fieldSelectors: {
    'spec.nodeName': (o) => str(o.spec?.nodeName),
    'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
    'spec.schedulerName': (o) => str(o.spec?.schedulerName),
    'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => str(o.status?.phase),
    'status.podIP': podIP,
    'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
  },
  defaults(pod) {
    defaultPod(pod);
    if (pod.status && typeof pod.status === 'object' && !pod.status.qosClass) {
      pod.status.qosClass = podQosClass(pod.spec);
    }
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  validateUpdate: validatePodUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column(
        'Restarts',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      ageColumn(),
      column('IP', 'IP address allocated to the pod. Routable at least within the cluster.', { wide: true }),
      column('Node', 'The node this pod is scheduled to.', { wide: true }),
      column(
        'Nominated Node',
        'The node this pod preempted other pods on, while it waits to be scheduled there.',
        {
          wide: true,
        },
      ),
      column('Readiness Gates', 'Readiness gates met out of those the pod declares.', { wide: true }),
    ],
    cells(pod, now) {
      const s = summarizePod(pod, now);
      return [
        nameOf(pod),
        s.ready,
        s.status,
        s.restarts,
        ageOf(pod, now),
        podIP(pod) || NONE,
        str(pod.spec?.nodeName) || NONE,
        str(pod.status?.nominatedNodeName) || NONE,
        readinessGates(pod),
      ];
    },
  },
});
