// networking.k8s.io/v1 Ingress and IngressClass.
import { isIP } from 'node:net';
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  fieldInvalidGo,
  index,
  isDNS1035Label,
  isDNS1123Subdomain,
  isObject,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  validateImmutable,
} from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { NONE, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const PARAMETER_SCOPES = ['Cluster', 'Namespace'];
const MAX_SHOWN_HOSTS = 3;
const LOAD_BALANCER_WIDTH = 16;
/** Upstream caps IngressClass controller names at 250 characters. */
const MAX_CONTROLLER_LENGTH = 250;

function validateHost(host: string, field: string): FieldError[] {
  if (isIP(host)) return [fieldInvalid(field, host, 'must be a DNS name, not an IP address')];
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => fieldInvalid(field, host, m));
}

function validateBackend(b: KObject | undefined, field: string): FieldError[] {
  const backend: KObject = b ?? {};
  const hasResource = isObject(backend.resource);
  const hasService = isObject(backend.service);
  if (hasResource && hasService)
    return [fieldInvalid(field, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r: KObject = backend.resource;
    const errs: FieldError[] = [];
    for (const k of ['kind', 'name']) {
      if (!r[k]) errs.push(fieldRequired(child(child(field, 'resource'), k)));
      else
        errs.push(
          ...isValidPathSegmentName(String(r[k])).map((m) =>
            fieldInvalid(child(child(field, 'resource'), k), r[k], m),
          ),
        );
    }
    return errs;
  }
  if (!hasService) return [fieldInvalid(field, '', 'resource or service backend is required')];
  const svc: KObject = backend.service;
  const errs: FieldError[] = [];
  const svcPath = child(field, 'service');
  if (!svc.name) errs.push(fieldRequired(child(svcPath, 'name')));
  else
    errs.push(
      ...isDNS1035Label(String(svc.name)).map((m) => fieldInvalid(child(svcPath, 'name'), svc.name, m)),
    );
  const port: KObject = svc.port ?? {};
  const hasName = !!port.name;
  const hasNumber = typeof port.number === 'number' && port.number !== 0;
  if (hasName && hasNumber) errs.push(fieldInvalid(field, '', 'cannot set both port name & port number'));
  else if (hasName)
    errs.push(
      ...isValidPortName(String(port.name)).map((m) =>
        fieldInvalid(child(svcPath, 'port.name'), port.name, m),
      ),
    );
  else if (hasNumber)
    errs.push(
      ...isValidPortNum(port.number).map((m) => fieldInvalid(child(svcPath, 'port.number'), port.number, m)),
    );
  else errs.push(fieldRequired(field, 'port name or number is required'));
  return errs;
}

function validateIngress(ing: KObject): FieldError[] {
  const spec: KObject = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = asArray<KObject>(spec.rules);
  if (rules.length === 0 && !isObject(spec.defaultBackend)) {
    errs.push(
      fieldInvalidGo('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'),
    );
  }
  if (isObject(spec.defaultBackend))
    errs.push(...validateBackend(spec.defaultBackend as KObject, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const at = index('spec.rules', i);
    if (rule.host) errs.push(...validateHost(String(rule.host), child(at, 'host')));
    if (!isObject(rule.http)) return;
    const paths = asArray<KObject>(rule.http.paths);
    const httpAt = child(at, 'http');
    if (paths.length === 0) errs.push(fieldRequired(child(httpAt, 'paths')));
    paths.forEach((p, j) => {
      const pAt = index(child(httpAt, 'paths'), j);
      if (!p.pathType) errs.push(fieldRequired(child(pAt, 'pathType'), 'pathType must be specified'));
      else if (!PATH_TYPES.includes(p.pathType))
        errs.push(fieldNotSupported(child(pAt, 'pathType'), p.pathType, PATH_TYPES));
      if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && !String(p.path ?? '').startsWith('/')) {
        errs.push(fieldInvalid(child(pAt, 'path'), p.path ?? '', 'must be an absolute path'));
      }
      errs.push(...validateBackend(p.backend, child(pAt, 'backend')));
    });
  });
  asArray<KObject>(spec.tls).forEach((tls, i) => {
    asArray<string>(tls.hosts).forEach((h, j) => {
      const at = index(child(index('spec.tls', i), 'hosts'), j);
      const msgs = h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      errs.push(...msgs.map((m) => fieldInvalid(at, h, m)));
    });
    if (tls.secretName) {
      errs.push(
        ...isDNS1123Subdomain(String(tls.secretName)).map((m) =>
          fieldInvalid(child(index('spec.tls', i), 'secretName'), tls.secretName, m),
        ),
      );
    }
  });
  if (spec.ingressClassName) {
    errs.push(
      ...isDNS1123Subdomain(String(spec.ingressClassName)).map((m) =>
        fieldInvalid('spec.ingressClassName', spec.ingressClassName, m),
      ),
    );
  }
  return errs;
}

/** Upstream's formatHosts: three hosts at most, `*` when no rule names one. */
function formatHosts(rules: KObject[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === MAX_SHOWN_HOSTS) more = true;
    if (!more && r.host) hosts.push(String(r.host));
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - MAX_SHOWN_HOSTS} more...` : hosts.join(',');
}

function ingressAddress(ing: KObject): string {
  const set = new Set<string>();
  for (const i of asArray<KObject>(ing.status?.loadBalancer?.ingress))
    if (i.ip || i.hostname) set.add(i.ip || i.hostname);
  const r = [...set].sort().join(',');
  return r.length > LOAD_BALANCER_WIDTH ? `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : r;
}

export const INGRESS = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  namespaced: true,
  shortNames: ['ing'],
  subresources: [statusSubresource('networking.k8s.io', 'v1', 'Ingress')],
  bumpsGeneration: true,
  validate: validateIngress,
  table: {
    columns: [
      nameColumn(),
      column(
        'Class',
        'The name of the IngressClass resource that should be used for additional configuration',
      ),
      column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      column('Address', 'Address is a list containing ingress points for the load-balancer'),
      column('Ports', 'Ports of TLS configurations that open'),
      ageColumn(),
    ],
    cells: (ing, now) => [
      nameOf(ing),
      str(ing.spec?.ingressClassName) || NONE,
      formatHosts(asArray<KObject>(ing.spec?.rules)),
      ingressAddress(ing),
      asArray(ing.spec?.tls).length ? '80, 443' : '80',
      ageOf(ing, now),
    ],
  },
});

/** A controller name is a domain-prefixed path: `example.com/ingress-nginx`. */
function validateController(controller: unknown): FieldError[] {
  const field = 'spec.controller';
  if (!controller) return [fieldRequired(field)];
  const c = String(controller);
  const errs: FieldError[] = [];
  if (c.length > MAX_CONTROLLER_LENGTH)
    errs.push(fieldInvalid(field, c, `must be no more than ${MAX_CONTROLLER_LENGTH} characters`));
  const slash = c.indexOf('/');
  if (slash <= 0 || slash === c.length - 1) {
    errs.push(fieldInvalid(field, c, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    return errs;
  }
  errs.push(...isDNS1123Subdomain(c.slice(0, slash)).map((m) => fieldInvalid(field, c, m)));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(c.slice(slash + 1))) {
    errs.push(
      fieldInvalid(
        field,
        c,
        "segment of the path must contain only alphanumeric characters, '-', '_', '.', '~', '%', '!', '$', '&', ''', '(', ')', '*', '+', ',', ';', '=' or ':'",
      ),
    );
  }
  return errs;
}

function validateIngressClass(ic: KObject): FieldError[] {
  const spec: KObject = ic.spec ?? {};
  const errs = validateController(spec.controller);
  const p = spec.parameters;
  if (isObject(p)) {
    const at = 'spec.parameters';
    if (!p.kind) errs.push(fieldRequired(`${at}.kind`));
    if (!p.name) errs.push(fieldRequired(`${at}.name`));
    if (p.apiGroup)
      errs.push(
        ...isDNS1123Subdomain(String(p.apiGroup)).map((m) => fieldInvalid(`${at}.apiGroup`, p.apiGroup, m)),
      );
    if (p.scope !== undefined && !PARAMETER_SCOPES.includes(p.scope as string)) {
      errs.push(fieldNotSupported(`${at}.scope`, p.scope, PARAMETER_SCOPES));
    }
    if (p.scope === 'Namespace' && !p.namespace)
      errs.push(fieldRequired(`${at}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    if (p.scope === 'Cluster' && p.namespace) {
      errs.push(fieldInvalid(`${at}.namespace`, p.namespace, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

function formatParameters(p: unknown): string {
  if (!isObject(p)) return NONE;
  const kind = p.apiGroup ? `${str(p.kind)}.${str(p.apiGroup)}` : str(p.kind);
  return `${kind}/${str(p.name)}`;
}

export const INGRESS_CLASS = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  namespaced: false,
  bumpsGeneration: true,
  defaults(ic) {
    if (isObject(ic.spec?.parameters)) ic.spec.parameters.scope ??= 'Cluster';
  },
  validate: validateIngressClass,
  validateUpdate: (ic, old) =>
    validateImmutable(ic.spec?.controller, old.spec?.controller, 'spec.controller'),
  table: {
    columns: [
      nameColumn(),
      column('Controller', 'Controller that is responsible for handling this class'),
      column('Parameters', 'A reference to a resource with additional parameters'),
      ageColumn(),
    ],
    cells: (ic, now) => [
      nameOf(ic),
      str(ic.spec?.controller),
      formatParameters(ic.spec?.parameters),
      ageOf(ic, now),
    ],
  },
});
