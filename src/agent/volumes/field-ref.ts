// The values the downward API exposes (env fieldRef/resourceFieldRef and downwardAPI volume
// items), resolved against a pod, the node and the container's resources.
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { tryParseQuantity } from '../../api/quantity.ts';

export interface FieldContext {
  pod: Pod;
  nodeName: string;
  podIPs: string[];
  hostIPs: string[];
  /** The node's allocatable, the default for a limit the container does not set. */
  allocatable: Record<string, string>;
}

export class FieldRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldRefError';
  }
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** `key="value"` lines sorted by key, as the kubelet renders label/annotation maps. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k] ?? '')}`)
    .join('\n');
}

/** A fieldRef path's value; whole label/annotation maps only where `allowMaps` (volumes). */
export function fieldValue(ctx: FieldContext, path: string, allowMaps: boolean): string {
  const meta = ctx.pod.metadata ?? {};
  const sub = SUBSCRIPT.exec(path);
  if (sub) {
    const m = sub[1] === 'labels' ? meta.labels : meta.annotations;
    return m?.[sub[2] as string] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return ctx.nodeName;
    case 'spec.serviceAccountName':
      return ctx.pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    case 'status.hostIP':
      return ctx.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return ctx.hostIPs.join(',');
    case 'metadata.labels':
      if (allowMaps) return formatMap(meta.labels);
      break;
    case 'metadata.annotations':
      if (allowMaps) return formatMap(meta.annotations);
      break;
  }
  throw new FieldRefError(`unsupported fieldPath: ${path}`);
}

const RESOURCE = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/;

/** A resourceFieldRef value: ceil(quantity / divisor); unset limits default to node allocatable. */
export function resourceValue(
  ctx: FieldContext,
  container: Container,
  resource: string,
  divisor?: string,
): string {
  const m = RESOURCE.exec(resource);
  if (!m) throw new FieldRefError(`unsupported container resource: ${resource}`);
  const [, kind, name] = m as unknown as [string, 'limits' | 'requests', string];
  let raw = container.resources?.[kind]?.[name];
  // Requests default to limits, limits to the node's allocatable (kubelet's MergeContainerResourceLimits).
  if (raw === undefined && kind === 'requests') raw = container.resources?.limits?.[name];
  if (raw === undefined && kind === 'limits') raw = ctx.allocatable[name];
  const q = tryParseQuantity(String(raw ?? '0'));
  const d = tryParseQuantity(String(divisor ?? '1'));
  if (!q || !d || d.nanos === 0n) throw new FieldRefError(`invalid quantity for ${resource}`);
  const v = (q.nanos + d.nanos - 1n) / d.nanos;
  return String(v);
}
