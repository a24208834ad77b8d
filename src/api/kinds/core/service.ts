// core/v1 Service. ClusterIP and NodePort allocation is admission (apiserver/admission/
// service-allocation.ts), which runs before these defaults and validation.
import {
  type FieldError,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  fieldInvalidGo,
  index,
  isDNS1123Label,
  isDNS1123Subdomain,
  isObject,
  validateEnum,
  validateIP,
  validateLabels,
  validatePortNumber,
  validatePortNumOrName,
  validateProtocol,
} from '../../validation/index.ts';
import { defineKind, proxySubresource, statusSubresource, VERBS_NO_DELETECOLLECTION } from '../define.ts';
import { formatLabels, NONE, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { UNKNOWN } from '../printing/duration.ts';
import { asList } from './pod-defaults.ts';

/** Sorted, as upstream's "supported values" list them. */
export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
/** ClientIP affinity lasts three hours unless configured. */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;
const LOAD_BALANCER_WIDTH = 16;
const CLUSTER_IP_NONE = 'None';
const NODE_PORT_TYPES = new Set(['NodePort', 'LoadBalancer']);

const isHeadless = (svc: KObject): boolean => svc.spec?.clusterIP === CLUSTER_IP_NONE;

function defaultService(svc: KObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT_SECONDS } };
  }
  for (const p of asList(spec.ports)) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (NODE_PORT_TYPES.has(spec.type)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type !== 'ExternalName') {
    // A single-stack (IPv4) cluster; headless services without a selector ask for every family.
    const selectorless = isHeadless(svc) && Object.keys(spec.selector ?? {}).length === 0;
    spec.ipFamilyPolicy ??= selectorless ? 'RequireDualStack' : 'SingleStack';
    spec.ipFamilies ??= ['IPv4'];
  }
}

function validateService(svc: KObject): FieldError[] {
  const spec: KObject = svc.spec ?? {};
  const errs: FieldError[] = [];
  const type = spec.type;
  if (!SERVICE_TYPES.includes(type)) errs.push(fieldNotSupported('spec.type', type ?? '', SERVICE_TYPES));
  const ports = asList(spec.ports);
  if (type === 'ExternalName') {
    if (spec.clusterIP)
      errs.push(fieldForbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (!spec.externalName) errs.push(fieldRequired('spec.externalName'));
    else
      errs.push(
        ...isDNS1123Subdomain(String(spec.externalName)).map((m) =>
          fieldInvalid('spec.externalName', spec.externalName, m),
        ),
      );
  } else if (ports.length === 0 && !isHeadless(svc)) {
    errs.push(fieldRequired('spec.ports'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const at = index('spec.ports', i);
    if (ports.length > 1 && !p.name) errs.push(fieldRequired(child(at, 'name')));
    if (p.name) {
      errs.push(...isDNS1123Label(String(p.name)).map((m) => fieldInvalid(child(at, 'name'), p.name, m)));
      if (names.has(p.name)) errs.push(fieldDuplicate(child(at, 'name'), p.name));
      names.add(p.name);
    }
    errs.push(...validatePortNumber(p.port, child(at, 'port')));
    errs.push(...validateProtocol(p.protocol, child(at, 'protocol')));
    errs.push(...validatePortNumOrName(p.targetPort, child(at, 'targetPort')));
    const id = `${p.port}/${p.protocol}`;
    if (seen.has(id)) errs.push(fieldDuplicate(at, { port: p.port, protocol: p.protocol }));
    seen.add(id);
  });
  errs.push(
    ...validateEnum(spec.sessionAffinity, 'spec.sessionAffinity', SESSION_AFFINITIES, { required: true }),
  );
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
    errs.push(
      fieldInvalid(
        'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
        timeout,
        'must be greater than 0 and less than 86400',
      ),
    );
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.externalTrafficPolicy) {
    if (!NODE_PORT_TYPES.has(type)) {
      errs.push(
        fieldInvalid(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
        ),
      );
    } else
      errs.push(...validateEnum(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy', TRAFFIC_POLICIES));
  }
  errs.push(...validateEnum(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', TRAFFIC_POLICIES));
  errs.push(...validateEnum(spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', IP_FAMILY_POLICIES));
  asArray<string>(spec.ipFamilies).forEach((f, i) => {
    errs.push(...validateEnum(f, index('spec.ipFamilies', i), IP_FAMILIES));
  });
  asArray<string>(spec.externalIPs).forEach((ip, i) => {
    errs.push(...validateIP(ip, index('spec.externalIPs', i)));
  });
  if (spec.clusterIP && spec.clusterIP !== CLUSTER_IP_NONE)
    errs.push(...validateIP(spec.clusterIP, 'spec.clusterIPs[0]'));
  return errs;
}

function validateServiceUpdate(svc: KObject, old: KObject): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const now = asArray<string>(svc.spec?.clusterIPs);
  const before = asArray<string>(old.spec?.clusterIPs);
  const errs: FieldError[] = [];
  before.forEach((ip, i) => {
    if (i < now.length && now[i] !== ip)
      errs.push(fieldInvalidGo(index('spec.clusterIPs', i), now, 'may not change once set'));
  });
  return errs;
}

/** Upstream's loadBalancerStatusStringer: sorted unique IPs/hostnames, cut to 16 characters. */
function loadBalancerIngress(status: KObject | undefined): string {
  const set = new Set<string>();
  for (const i of asList(status?.loadBalancer?.ingress)) if (i.ip || i.hostname) set.add(i.ip || i.hostname);
  const r = [...set].sort().join(',');
  return r.length > LOAD_BALANCER_WIDTH ? `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : r;
}

function externalIP(svc: KObject): string {
  const spec: KObject = svc.spec ?? {};
  const external = asArray<string>(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : NONE;
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status);
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return UNKNOWN;
  }
}

/** `80/TCP,443:30443/TCP` */
export function servicePorts(ports: unknown): string {
  const parts = asList(ports).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`,
  );
  return parts.length ? parts.join(',') : NONE;
}

export const SERVICE = defineKind({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  nameRule: 'dns1035',
  verbs: VERBS_NO_DELETECOLLECTION,
  subresources: [proxySubresource('ServiceProxyOptions'), statusSubresource('', 'v1', 'Service')],
  fieldSelectors: {
    'spec.clusterIP': (o) => str(o.spec?.clusterIP),
    'spec.type': (o) => str(o.spec?.type),
  },
  defaults: defaultService,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Type', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
      column('Cluster-IP', 'The IP address of the service, allocated from the service range.'),
      column('External-IP', 'Addresses outside the cluster at which the service is reachable.'),
      column('Port(s)', 'The list of ports that are exposed by this service.'),
      ageColumn(),
      column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', {
        wide: true,
      }),
    ],
    cells(svc, now) {
      const ips = asArray<string>(svc.spec?.clusterIPs);
      return [
        nameOf(svc),
        str(svc.spec?.type),
        ips.length ? ips[0] : NONE,
        externalIP(svc),
        servicePorts(svc.spec?.ports),
        ageOf(svc, now),
        formatLabels(isObject(svc.spec?.selector) ? svc.spec.selector : undefined),
      ];
    },
  },
});
