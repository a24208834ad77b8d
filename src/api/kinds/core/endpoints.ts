// core/v1 Endpoints.
import { type FieldError, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  child,
  index,
  isDNS1123Label,
  validateIP,
  validatePortNumber,
  validateProtocol,
} from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { asList } from './pod-defaults.ts';

const MAX_SHOWN = 3;

/** Upstream's formatEndpoints: `ip:port` pairs, three at most, then `+ N more...`. */
export function formatEndpoints(ep: KObject): string {
  const subsets = asList(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = asList(ss.addresses);
    const ports = asList(ss.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) if (list.length < MAX_SHOWN) list.push(String(a.ip));
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length < MAX_SHOWN)
          list.push(String(a.ip).includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
      }
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

function validateEndpoints(ep: KObject): FieldError[] {
  const errs: FieldError[] = [];
  asList(ep.subsets).forEach((ss, i) => {
    const at = index('subsets', i);
    for (const kind of ['addresses', 'notReadyAddresses']) {
      asList(ss[kind]).forEach((a, j) => {
        errs.push(...validateIP(a.ip, child(index(child(at, kind), j), 'ip')));
      });
    }
    const ports = asList(ss.ports);
    ports.forEach((p, j) => {
      const pAt = index(child(at, 'ports'), j);
      if (ports.length > 1 && !p.name) errs.push(fieldRequired(child(pAt, 'name')));
      if (p.name)
        errs.push(...isDNS1123Label(String(p.name)).map((m) => fieldInvalid(child(pAt, 'name'), p.name, m)));
      errs.push(...validatePortNumber(p.port, child(pAt, 'port')));
      errs.push(...validateProtocol(p.protocol, child(pAt, 'protocol')));
    });
  });
  return errs;
}

export const ENDPOINTS = defineKind({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  defaults(ep) {
    for (const ss of asList(ep.subsets)) for (const p of asList(ss.ports)) p.protocol ||= 'TCP';
  },
  validate: validateEndpoints,
  table: {
    columns: [
      nameColumn(),
      column('Endpoints', 'The set of all endpoints is the union of all subsets.'),
      ageColumn(),
    ],
    cells: (ep, now) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
  },
});
