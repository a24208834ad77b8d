// networking.k8s.io/v1 NetworkPolicy.
import {
  type FieldError,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  index,
  isObject,
  isValidCIDR,
  isValidPortName,
  isValidPortNum,
  validateCIDR,
  validateLabelSelector,
} from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { formatLabelSelector } from '../label-selector.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

const POLICY_TYPES = ['Ingress', 'Egress'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function defaultPolicy(np: KObject): void {
  np.spec ??= {};
  const spec = np.spec;
  if (asArray(spec.policyTypes).length === 0) {
    // A policy without policyTypes is at least about ingress; egress too when it has egress rules.
    spec.policyTypes = asArray(spec.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rules of [spec.ingress, spec.egress]) {
    for (const rule of asArray<KObject>(rules))
      for (const p of asArray<KObject>(rule.ports)) p.protocol ??= 'TCP';
  }
}

function validatePort(p: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
    errs.push(fieldNotSupported(child(field, 'protocol'), p.protocol, PROTOCOLS));
  const port = p.port;
  if (port === undefined || port === null) {
    if (p.endPort !== undefined)
      errs.push(
        fieldInvalid(child(field, 'endPort'), p.endPort, 'may not be specified when `port` is not specified'),
      );
  } else if (typeof port === 'number') {
    errs.push(...isValidPortNum(port).map((m) => fieldInvalid(child(field, 'port'), port, m)));
    if (p.endPort !== undefined) {
      if (p.endPort < port)
        errs.push(fieldInvalid(child(field, 'endPort'), port, 'must be greater than or equal to `port`'));
      errs.push(...isValidPortNum(p.endPort).map((m) => fieldInvalid(child(field, 'endPort'), p.endPort, m)));
    }
  } else {
    if (p.endPort !== undefined)
      errs.push(
        fieldInvalid(child(field, 'endPort'), p.endPort, 'may not be specified when `port` is non-numeric'),
      );
    errs.push(...isValidPortName(String(port)).map((m) => fieldInvalid(child(field, 'port'), port, m)));
  }
  return errs;
}

/** Whether `inner` (a CIDR) lies strictly inside `outer` (IPv4 only; other pairs are not compared). */
function strictSubset(inner: string, outer: string): boolean {
  const parse = (c: string): [number, number] | undefined => {
    const [ip, bits] = c.split('/');
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4) return undefined;
    return [((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0, Number(bits)];
  };
  const a = parse(inner);
  const b = parse(outer);
  if (!a || !b) return true;
  if (a[1] <= b[1]) return false;
  const mask = b[1] === 0 ? 0 : (~0 << (32 - b[1])) >>> 0;
  return (a[0] & mask) >>> 0 === (b[0] & mask) >>> 0;
}

function validatePeer(peer: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const k of ['podSelector', 'namespaceSelector']) {
    if (!isObject(peer[k])) continue;
    count++;
    errs.push(...validateLabelSelector(peer[k], child(field, k)));
  }
  if (isObject(peer.ipBlock)) {
    count++;
    const at = child(field, 'ipBlock');
    const cidr = peer.ipBlock.cidr;
    if (!cidr) errs.push(fieldRequired(child(at, 'cidr')));
    else errs.push(...validateCIDR(cidr, child(at, 'cidr')));
    asArray<string>(peer.ipBlock.except).forEach((ex, i) => {
      const exAt = index(child(at, 'except'), i);
      errs.push(...validateCIDR(ex, exAt));
      if (typeof cidr === 'string' && isValidCIDR(cidr) && isValidCIDR(ex) && !strictSubset(ex, cidr)) {
        errs.push(fieldInvalid(exAt, ex, 'must be a strict subset of `cidr`'));
      }
    });
  }
  if (count === 0) errs.push(fieldRequired(field, 'must specify a peer'));
  else if (count > 1 && isObject(peer.ipBlock))
    errs.push(fieldForbidden(field, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateRules(rules: unknown, field: string, peersKey: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(rules).forEach((rule, i) => {
    const at = index(field, i);
    asArray<KObject>(rule.ports).forEach((p, j) => {
      errs.push(...validatePort(p, index(child(at, 'ports'), j)));
    });
    asArray<KObject>(rule[peersKey]).forEach((peer, j) => {
      errs.push(...validatePeer(peer, index(child(at, peersKey), j)));
    });
  });
  return errs;
}

function validatePolicy(np: KObject): FieldError[] {
  const spec: KObject = np.spec ?? {};
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  errs.push(...validateRules(spec.ingress, 'spec.ingress', 'from'));
  errs.push(...validateRules(spec.egress, 'spec.egress', 'to'));
  const types = asArray<string>(spec.policyTypes);
  if (types.length > POLICY_TYPES.length)
    errs.push(fieldInvalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t))
      errs.push(fieldNotSupported(index('spec.policyTypes', i), t, POLICY_TYPES));
  });
  return errs;
}

export const NETWORK_POLICY = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  namespaced: true,
  shortNames: ['netpol'],
  bumpsGeneration: true,
  defaults: defaultPolicy,
  validate: validatePolicy,
  table: {
    columns: [
      nameColumn(),
      column('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies.'),
      ageColumn(),
    ],
    cells: (np, now) => [nameOf(np), formatLabelSelector(np.spec?.podSelector ?? {}), ageOf(np, now)],
  },
});
