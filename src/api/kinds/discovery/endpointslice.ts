// discovery.k8s.io/v1 EndpointSlice.
import { isIPv4, isIPv6 } from 'node:net';
import {
  type FieldError,
  fieldDuplicate,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  index,
  isDNS1123Label,
  isDNS1123Subdomain,
  validateImmutable,
  validateLabels,
  validatePortNumber,
  validateProtocol,
} from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { listWithMore, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** Sorted, as upstream lists them. */
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
export const MAX_ENDPOINTS = 1000;
export const MAX_ADDRESSES = 100;
export const MAX_PORTS = 20_000;
const MAX_SHOWN = 3;

const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  detail: `Too many: ${actual}: must have at most ${max} items`,
});

function validateAddress(addr: string, type: string, field: string): FieldError[] {
  if (type === 'IPv4' && !isIPv4(addr)) return [fieldInvalid(field, addr, 'must be a valid IPv4 address')];
  if (type === 'IPv6' && !isIPv6(addr)) return [fieldInvalid(field, addr, 'must be a valid IPv6 address')];
  if (type === 'FQDN') return isDNS1123Subdomain(addr).map((m) => fieldInvalid(field, addr, m));
  return [];
}

function validateSlice(slice: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = slice.addressType;
  if (!type) errs.push(fieldRequired('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(fieldNotSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = asArray<KObject>(slice.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((ep, i) => {
    const at = index('endpoints', i);
    const addresses = asArray<string>(ep.addresses);
    if (addresses.length === 0)
      errs.push(fieldRequired(child(at, 'addresses'), 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES)
      errs.push(tooMany(child(at, 'addresses'), addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      errs.push(...validateAddress(String(a), type, index(child(at, 'addresses'), j)));
    });
    if (ep.hostname)
      errs.push(
        ...isDNS1123Label(String(ep.hostname)).map((m) =>
          fieldInvalid(child(at, 'hostname'), ep.hostname, m),
        ),
      );
    if (ep.nodeName)
      errs.push(
        ...isDNS1123Subdomain(String(ep.nodeName)).map((m) =>
          fieldInvalid(child(at, 'nodeName'), ep.nodeName, m),
        ),
      );
    errs.push(...validateLabels(ep.deprecatedTopology, child(at, 'deprecatedTopology')));
  });
  const ports = asArray<KObject>(slice.ports);
  if (ports.length > MAX_PORTS) errs.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = index('ports', i);
    const name = str(p.name);
    if (name) errs.push(...isDNS1123Label(name).map((m) => fieldInvalid(child(at, 'name'), name, m)));
    if (names.has(name)) errs.push(fieldDuplicate(child(at, 'name'), name));
    names.add(name);
    errs.push(...validateProtocol(p.protocol, child(at, 'protocol')));
    if (p.port !== undefined && p.port !== null) errs.push(...validatePortNumber(p.port, child(at, 'port')));
  });
  return errs;
}

export const ENDPOINT_SLICE = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  bumpsGeneration: true,
  defaults(slice) {
    for (const p of asArray<KObject>(slice.ports)) {
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: validateSlice,
  validateUpdate: (slice, old) => validateImmutable(slice.addressType, old.addressType, 'addressType'),
  table: {
    columns: [
      nameColumn(),
      column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
      column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
      column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
      ageColumn(),
    ],
    cells(slice, now) {
      const ports = asArray<KObject>(slice.ports).map((p) =>
        typeof p.port === 'number' ? String(p.port) : p.name ? String(p.name) : '*',
      );
      const addresses = asArray<KObject>(slice.endpoints).flatMap((e) =>
        asArray<string>(e.addresses).map(String),
      );
      return [
        nameOf(slice),
        str(slice.addressType),
        listWithMore(ports, MAX_SHOWN),
        listWithMore(addresses, MAX_SHOWN),
        ageOf(slice, now),
      ];
    },
  },
});
