// A container's environment as the kubelet builds it: envFrom sources first (later sources win),
// then env entries (which win over envFrom), each value expanded for $(VAR) references to
// variables defined before it. A missing ConfigMap/Secret or key that is not optional fails the
// container with CreateContainerConfigError.
import type { ConfigMap, Container, Secret } from 'kubernetes-types/core/v1.d.ts';
import { type FieldContext, fieldValue, resourceValue } from './volumes/field-ref.ts';

export const REASON_CREATE_CONTAINER_CONFIG_ERROR = 'CreateContainerConfigError';

/** Lookups the env builder needs; undefined = not found. */
export interface ConfigSource {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

export class ContainerConfigError extends Error {
  readonly reason = REASON_CREATE_CONTAINER_CONFIG_ERROR;
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export interface EnvVar {
  name: string;
  value: string;
}

/** Kubernetes' $(VAR) expansion: `$$` escapes, unknown references stay literally. */
export function expandVars(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && vars.has(name) ? (vars.get(name) as string) : whole;
  });
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

/** Data of a ConfigMap or Secret as strings (Secret data is base64 on the wire). */
export function configMapData(cm: ConfigMap): Record<string, string> {
  const out: Record<string, string> = { ...(cm.data ?? {}) };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = decode(v);
  return out;
}

export function secretData(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = decode(v);
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}

const missing = (kind: 'configmap' | 'secret', name: string): ContainerConfigError =>
  new ContainerConfigError(`${kind} "${name}" not found`);

const missingKey = (
  kind: 'ConfigMap' | 'Secret',
  ns: string,
  name: string,
  key: string,
): ContainerConfigError => new ContainerConfigError(`couldn't find key ${key} in ${kind} ${ns}/${name}`);

/** Builds the env; throws ContainerConfigError for missing required sources. */
export function buildEnv(container: Container, ctx: FieldContext, src: ConfigSource): EnvVar[] {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      const cm = src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm && !from.configMapRef.optional) throw missing('configmap', from.configMapRef.name ?? '');
      data = cm ? configMapData(cm) : undefined;
    } else if (from.secretRef) {
      const s = src.secret(ns, from.secretRef.name ?? '');
      if (!s && !from.secretRef.optional) throw missing('secret', from.secretRef.name ?? '');
      data = s ? secretData(s) : undefined;
    }
    for (const [k, v] of Object.entries(data ?? {})) vars.set(prefix + k, v);
  }
  for (const e of container.env ?? []) {
    const value = envValue(e, container, ctx, src, ns, vars);
    if (value !== undefined) vars.set(e.name, value);
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}

function envValue(
  e: NonNullable<Container['env']>[number],
  container: Container,
  ctx: FieldContext,
  src: ConfigSource,
  ns: string,
  vars: Map<string, string>,
): string | undefined {
  const from = e.valueFrom;
  if (!from) return expandVars(e.value ?? '', vars);
  if (from.fieldRef) return fieldValue(ctx, from.fieldRef.fieldPath, false);
  if (from.resourceFieldRef) {
    const target =
      from.resourceFieldRef.containerName &&
      ctx.pod.spec?.containers.find((c) => c.name === from.resourceFieldRef?.containerName);
    return resourceValue(
      ctx,
      target || container,
      from.resourceFieldRef.resource,
      from.resourceFieldRef.divisor as string | undefined,
    );
  }
  if (from.configMapKeyRef) {
    const { name = '', key, optional } = from.configMapKeyRef;
    const cm = src.configMap(ns, name);
    if (!cm) {
      if (optional) return undefined;
      throw missing('configmap', name);
    }
    const v = configMapData(cm)[key];
    if (v === undefined && !optional) throw missingKey('ConfigMap', ns, name, key);
    return v;
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional } = from.secretKeyRef;
    const s = src.secret(ns, name);
    if (!s) {
      if (optional) return undefined;
      throw missing('secret', name);
    }
    const v = secretData(s)[key];
    if (v === undefined && !optional) throw missingKey('Secret', ns, name, key);
    return v;
  }
  return undefined;
}
