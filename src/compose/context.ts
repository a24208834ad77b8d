// State shared by the converter's parts while one project is converted: options with their
// defaults, the warnings so far, and which top-level configs/secrets/volumes services use.
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../api/validation/index.ts';
import { projectLabels, toDnsLabel } from './names.ts';
import { isMap } from './normalize.ts';
import type { ComposeProject, ComposeService, ComposeWarning, ConvertOptions, Json } from './types.ts';

export const DEFAULT_WAIT_IMAGE = 'busybox:1.36';
export const DEFAULT_VOLUME_SIZE = '1Gi';
/** k3s's bundled provisioner, which skiff follows. */
export const DEFAULT_STORAGE_CLASS = 'local-path';

/** A compose file that cannot be converted at all (as opposed to a key that is warned about). */
export class ComposeConvertError extends Error {
  override name = 'ComposeConvertError';
}

export class ConvertContext {
  readonly project: ComposeProject;
  readonly namespace: string;
  readonly waitImage: string;
  readonly volumeSize: string;
  readonly storageClassName: string;
  readonly warnings: ComposeWarning[] = [];
  /** Compose config/secret names mounted by some service. */
  readonly usedConfigs = new Set<string>();
  readonly usedSecrets = new Set<string>();
  /** Named volume → services mounting it. */
  readonly usedVolumes = new Map<string, Set<string>>();
  /** Services that become init containers of their dependents (service_completed_successfully). */
  readonly inlined = new Set<string>();

  constructor(project: ComposeProject, opts: ConvertOptions) {
    this.project = project;
    this.namespace = toDnsLabel(opts.namespace ?? project.name);
    this.waitImage = opts.waitImage ?? DEFAULT_WAIT_IMAGE;
    this.volumeSize = opts.volumeSize ?? DEFAULT_VOLUME_SIZE;
    this.storageClassName = opts.storageClassName ?? DEFAULT_STORAGE_CLASS;
  }

  warn(service: string | undefined, key: string, message: string): void {
    this.warnings.push({ ...(service !== undefined ? { service } : {}), key, message });
  }

  service(name: string): ComposeService {
    const s = this.project.services.find((x) => x.name === name);
    if (!s) throw new ComposeConvertError(`service ${name} is not defined`);
    return s;
  }

  /** Replicas a service runs: deploy.replicas, else scale, else 1. */
  replicasOf(svc: ComposeService): number {
    const deploy = isMap(svc.raw.deploy ?? null) ? (svc.raw.deploy as Record<string, Json>) : {};
    const n = Number(deploy.replicas ?? svc.raw.scale ?? 1);
    return Number.isInteger(n) && n >= 0 ? n : 1;
  }

  /** Project (and service) labels for metadata and selectors. */
  labels(service?: string): Record<string, string> {
    return projectLabels(this.project.name, service);
  }

  /** Object metadata in the project namespace. */
  meta(name: string, service?: string): { name: string; namespace: string; labels: Record<string, string> } {
    return { name, namespace: this.namespace, labels: this.labels(service) };
  }
}

/**
 * Compose labels (free-form strings) split into what Kubernetes accepts as labels and the rest,
 * kept as annotations so nothing is lost (compose labels often hold prose with spaces).
 */
export function splitLabels(value: Json | undefined): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  dropped: string[];
} {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const dropped: string[] = [];
  if (!isMap(value ?? null)) return { labels, annotations, dropped };
  for (const [k, v] of Object.entries(value as Record<string, Json>)) {
    const s = v === null ? '' : String(v);
    if (isQualifiedName(k).length === 0 && isValidLabelValue(s).length === 0) labels[k] = s;
    else if (isQualifiedName(k).length === 0) annotations[k] = s;
    else dropped.push(k);
  }
  return { labels, annotations, dropped };
}

/** Compose annotations as Kubernetes annotations (keys must be qualified names). */
export function annotationsOf(value: Json | undefined, warn: (msg: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(value ?? null)) return out;
  for (const [k, v] of Object.entries(value as Record<string, Json>)) {
    if (isQualifiedName(k).length)
      warn(`annotation key ${JSON.stringify(k)} is not a qualified name: dropped`);
    else out[k] = v === null ? '' : String(v);
  }
  return out;
}

export const isDnsLabel = (s: string): boolean => isDNS1123Label(s).length === 0;
