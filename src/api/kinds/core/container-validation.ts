// Container validation (upstream's validateContainerCommon and friends): names, image, ports, env,
// volume mounts, probes, resources, pull and termination-message policies.
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
  fieldNotFound,
  index,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isObject,
  isValidPortName,
  validateContainerResources,
  validateEnum,
  validateLabelName,
  validateNonNegative,
  validatePortNumber,
  validatePortNumOrName,
  validateProtocol,
} from '../../validation/index.ts';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

export type ContainerKind = 'container' | 'init' | 'ephemeral';

/** What every container type is checked for. */
export function validateContainerCommon(c: KObject, volumes: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = child(field, 'name');
  if (!c.name) errs.push(fieldRequired(namePath));
  else errs.push(...isDNS1123Label(String(c.name)).map((m) => fieldInvalid(namePath, c.name, m)));
  if (!c.image) errs.push(fieldRequired(child(field, 'image')));
  errs.push(
    ...validateEnum(
      c.terminationMessagePolicy,
      child(field, 'terminationMessagePolicy'),
      TERMINATION_MESSAGE_POLICIES,
      { required: true },
    ),
  );
  errs.push(...validateContainerPorts(c.ports, child(field, 'ports')));
  errs.push(...validateEnv(c.env, child(field, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(field, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(field, 'volumeMounts')));
  errs.push(
    ...validateEnum(c.imagePullPolicy, child(field, 'imagePullPolicy'), PULL_POLICIES, { required: true }),
  );
  errs.push(...validateContainerResources(c.resources, child(field, 'resources')));
  return errs;
}

export function validateContainerPorts(ports: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArray<KObject>(ports).forEach((p, i) => {
    const at = index(field, i);
    if (p.name) {
      const msgs = isValidPortName(String(p.name));
      if (msgs.length) errs.push(...msgs.map((m) => fieldInvalid(child(at, 'name'), p.name, m)));
      else if (names.has(p.name)) errs.push(fieldDuplicate(child(at, 'name'), p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(fieldRequired(child(at, 'containerPort')));
    else errs.push(...validatePortNumber(p.containerPort, child(at, 'containerPort')));
    if (p.hostPort) errs.push(...validatePortNumber(p.hostPort, child(at, 'hostPort')));
    errs.push(...validateProtocol(p.protocol, child(at, 'protocol')));
  });
  return errs;
}

export function validateEnv(env: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(env).forEach((e, i) => {
    const at = index(field, i);
    if (!e.name) errs.push(fieldRequired(child(at, 'name')));
    else errs.push(...isEnvVarName(String(e.name)).map((m) => fieldInvalid(child(at, 'name'), e.name, m)));
    errs.push(...validateEnvValueFrom(e, child(at, 'valueFrom')));
  });
  return errs;
}

function validateEnvValueFrom(e: KObject, field: string): FieldError[] {
  const from = e.valueFrom;
  if (!isObject(from)) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (isObject(from.fieldRef)) {
    sources++;
    errs.push(...validateFieldRef(from.fieldRef, child(field, 'fieldRef')));
  }
  if (isObject(from.resourceFieldRef)) {
    sources++;
    if (!from.resourceFieldRef.resource)
      errs.push(fieldRequired(child(child(field, 'resourceFieldRef'), 'resource')));
  }
  if (isObject(from.configMapKeyRef)) {
    sources++;
    errs.push(...validateKeySelector(from.configMapKeyRef, child(field, 'configMapKeyRef')));
  }
  if (isObject(from.secretKeyRef)) {
    sources++;
    errs.push(...validateKeySelector(from.secretKeyRef, child(field, 'secretKeyRef')));
  }
  if (sources === 0) {
    errs.push(
      fieldInvalid(
        field,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  } else if (e.value) {
    errs.push(fieldInvalid(field, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(fieldInvalid(field, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function validateFieldRef(ref: Record<string, unknown>, field: string): FieldError[] {
  if (!ref.apiVersion) return [fieldRequired(child(field, 'apiVersion'))];
  const path = typeof ref.fieldPath === 'string' ? ref.fieldPath : '';
  if (!path) return [fieldRequired(child(field, 'fieldPath'))];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path);
  if (sub) return validateLabelName(sub[1] === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2], field);
  return ENV_FIELD_PATHS.includes(path)
    ? []
    : [fieldNotSupported(child(field, 'fieldPath'), path, ENV_FIELD_PATHS)];
}

function validateKeySelector(ref: Record<string, unknown>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof ref.name === 'string' ? ref.name : '';
  errs.push(...isDNS1123Subdomain(name).map((m) => fieldInvalid(child(field, 'name'), name, m)));
  if (!ref.key) errs.push(fieldRequired(child(field, 'key')));
  else
    errs.push(...isConfigMapKey(String(ref.key)).map((m) => fieldInvalid(child(field, 'key'), ref.key, m)));
  return errs;
}

function validateEnvFrom(envFrom: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(envFrom).forEach((src, i) => {
    const at = index(field, i);
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      const ref = src[kind];
      if (!isObject(ref)) continue;
      sources++;
      if (sources > 1) {
        errs.push(fieldForbidden(at, 'may not have more than one field specified at a time'));
        break;
      }
      const name = typeof ref.name === 'string' ? ref.name : '';
      errs.push(
        ...isDNS1123Subdomain(name).map((m) => fieldInvalid(child(child(at, kind), 'name'), name, m)),
      );
    }
    if (sources === 0) errs.push(fieldInvalid(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (src.prefix) {
      errs.push(
        ...isEnvVarName(String(src.prefix)).map((m) => fieldInvalid(child(at, 'prefix'), src.prefix, m)),
      );
    }
  });
  return errs;
}

export function validateVolumeMounts(mounts: unknown, volumes: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  asArray<KObject>(mounts).forEach((m, i) => {
    const at = index(field, i);
    if (!m.name) errs.push(fieldRequired(child(at, 'name')));
    if (!volumes.has(m.name)) errs.push(fieldNotFound(child(at, 'name'), m.name ?? ''));
    if (!m.mountPath) errs.push(fieldRequired(child(at, 'mountPath')));
    if (paths.has(m.mountPath))
      errs.push(fieldInvalid(child(at, 'mountPath'), m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    if (m.subPath) errs.push(...validateLocalDescendingPath(String(m.subPath), child(field, 'subPath')));
  });
  return errs;
}

export function validateLocalDescendingPath(path: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(fieldInvalid(field, path, 'must be a relative path'));
  if (path.split(/[\\/]/).includes('..')) errs.push(fieldInvalid(field, path, "must not contain '..'"));
  return errs;
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

export function validateHandler(h: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of HANDLERS) {
    const action = h[kind];
    if (!isObject(action)) continue;
    if (count++ > 0) {
      errs.push(fieldForbidden(child(field, kind), 'may not specify more than 1 handler type'));
      continue;
    }
    const at = child(field, kind);
    if (kind === 'exec' && asArray(action.command).length === 0)
      errs.push(fieldRequired(child(at, 'command')));
    if (kind === 'httpGet') {
      if (!action.path) errs.push(fieldRequired(child(at, 'path')));
      errs.push(...validatePortNumOrName(action.port, child(at, 'port')));
      errs.push(...validateEnum(action.scheme, child(at, 'scheme'), HTTP_SCHEMES));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(action.port, child(at, 'port')));
    if (kind === 'grpc') errs.push(...validatePortNumber(action.port, child(at, 'port')));
  }
  if (count === 0) errs.push(fieldRequired(field, 'must specify a handler type'));
  return errs;
}

export function validateProbe(probe: unknown, field: string, successMustBeOne: boolean): FieldError[] {
  if (!isObject(probe)) return [];
  const errs = validateHandler(probe as KObject, field);
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    errs.push(...validateNonNegative(probe[k], child(field, k)));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(
      fieldInvalid(
        child(field, 'terminationGracePeriodSeconds'),
        probe.terminationGracePeriodSeconds,
        'must be greater than 0',
      ),
    );
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(fieldInvalid(child(field, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return errs;
}

/** Lifecycle hooks and probes: what regular containers (and restartable init containers) may have. */
export function validateLifecycleAndProbes(c: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = c.lifecycle?.[hook];
    if (isObject(h)) errs.push(...validateHandler(h as KObject, child(child(field, 'lifecycle'), hook)));
  }
  errs.push(...validateProbe(c.livenessProbe, child(field, 'livenessProbe'), true));
  errs.push(...validateProbe(c.readinessProbe, child(field, 'readinessProbe'), false));
  errs.push(...validateProbe(c.startupProbe, child(field, 'startupProbe'), true));
  return errs;
}
