// core/v1 Node.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  index,
  isValidLabelValue,
  sameValue,
  validateCIDR,
  validateEnum,
  validateLabelName,
  validateResourceList,
} from '../../validation/index.ts';
import { defineKind, proxySubresource, statusSubresource } from '../define.ts';
import { NONE, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { UNKNOWN } from '../printing/duration.ts';
import { asList } from './pod-defaults.ts';
import { TAINT_EFFECTS } from './pod-validation.ts';
import { canonicalizeResourceList } from './resource-list.ts';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` labels and the legacy `kubernetes.io/role`. */
export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX) && k.length > ROLE_LABEL_PREFIX.length)
      roles.add(k.slice(ROLE_LABEL_PREFIX.length));
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

export function nodeStatus(node: KObject): string {
  const status: string[] = [];
  const ready = asList(node.status?.conditions).find((c) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (node: KObject, type: string): string =>
  asList(node.status?.addresses).find((a) => a.type === type)?.address ?? NONE;

function validateTaints(taints: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArray<KObject>(taints).forEach((t, i) => {
    const at = index(field, i);
    errs.push(...validateLabelName(String(t.key ?? ''), child(at, 'key')));
    const valueErrs = isValidLabelValue(String(t.value ?? ''));
    if (valueErrs.length) errs.push(fieldInvalid(child(at, 'value'), t.value, valueErrs.join(';')));
    errs.push(...validateEnum(t.effect, child(at, 'effect'), TAINT_EFFECTS, { required: true }));
    const id = `${t.key}:${t.effect}`;
    if (seen.has(id)) {
      errs.push({
        type: 'FieldValueDuplicate',
        field: at,
        detail: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair`,
      });
    }
    seen.add(id);
  });
  return errs;
}

function validateNode(node: KObject): FieldError[] {
  const spec: KObject = node.spec ?? {};
  const errs = validateTaints(spec.taints, 'spec.taints');
  if (spec.podCIDR) errs.push(...validateCIDR(spec.podCIDR, 'spec.podCIDR'));
  asArray<string>(spec.podCIDRs).forEach((c, i) => {
    errs.push(...validateCIDR(c, index('spec.podCIDRs', i)));
  });
  if (asArray(spec.podCIDRs).length > 2) {
    errs.push(
      fieldInvalid('spec.podCIDRs', spec.podCIDRs, 'may specify no more than one CIDR for each IP family'),
    );
  }
  errs.push(...validateResourceList(node.status?.capacity, 'status.capacity'));
  errs.push(...validateResourceList(node.status?.allocatable, 'status.allocatable'));
  asList(node.status?.addresses).forEach((a, i) => {
    if (!a.type) errs.push(fieldRequired(child(index('status.addresses', i), 'type')));
  });
  return errs;
}

function validateNodeUpdate(node: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const oldCidrs = asArray<string>(old.spec?.podCIDRs);
  if (oldCidrs.length > 0 && !sameValue(node.spec?.podCIDRs, old.spec?.podCIDRs)) {
    errs.push(fieldForbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(
      fieldForbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'),
    );
  }
  return errs;
}

export const NODE = defineKind({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  subresources: [proxySubresource('NodeProxyOptions'), statusSubresource('', 'v1', 'Node')],
  fieldSelectors: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  defaults(node) {
    const status = node.status;
    if (!status || typeof status !== 'object') return;
    if (status.capacity) status.capacity = canonicalizeResourceList(status.capacity);
    if (status.allocatable) status.allocatable = canonicalizeResourceList(status.allocatable);
    else if (status.capacity) status.allocatable = { ...status.capacity };
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Status', 'The status of the node'),
      column('Roles', 'The roles of the node'),
      ageColumn(),
      column('Version', 'Kubelet Version reported by the node.'),
      column('Internal-IP', 'The node’s internal address.', { wide: true }),
      column('External-IP', 'The node’s external address.', { wide: true }),
      column('OS-Image', 'OS Image reported by the node from /etc/os-release.', { wide: true }),
      column('Kernel-Version', 'Kernel Version reported by the node from uname -r.', { wide: true }),
      column(
        'Container-Runtime',
        'ContainerRuntime Version reported by the node through runtime remote API.',
        {
          wide: true,
        },
      ),
    ],
    cells(node, now) {
      const info: KObject = node.status?.nodeInfo ?? {};
      const roles = nodeRoles(node);
      return [
        nameOf(node),
        nodeStatus(node),
        roles.length ? roles.join(',') : NONE,
        ageOf(node, now),
        str(info.kubeletVersion),
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        str(info.osImage) || UNKNOWN,
        str(info.kernelVersion) || UNKNOWN,
        str(info.containerRuntimeVersion) || UNKNOWN,
      ];
    },
  },
});
