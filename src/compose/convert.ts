// A loaded compose project → Kubernetes objects in apply order, plus the warnings for everything
// that could not be mapped. Pure apart from reading config/secret files.
import type { KObject } from '../api/object.ts';
import { ComposeConvertError, ConvertContext } from './context.ts';
import { networkPolicy, networksOf, publishedPolicy, warnNetworkKeys } from './network-policy.ts';
import { buildPod } from './pod.ts';
import type { PortMapping } from './ports.ts';
import { buildServices, servicePorts } from './service-ports.ts';
import { buildSources } from './sources.ts';
import type { ComposeProject, ComposeService, ConvertOptions, ConvertResult } from './types.ts';
import { MAPPED_SERVICE_KEYS, UNSUPPORTED_SERVICE_KEYS, UNSUPPORTED_TOP_KEYS } from './unsupported.ts';
import { buildWorkload, planWorkload } from './workload.ts';

/** Apply order: what pods mount and select first, workloads last. */
const KIND_ORDER = [
  'Namespace',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'NetworkPolicy',
  'StatefulSet',
  'Deployment',
  'DaemonSet',
  'Job',
];

export function convertProject(project: ComposeProject, opts: ConvertOptions = {}): ConvertResult {
  const ctx = new ConvertContext(project, opts);
  ctx.warnings.push(...project.warnings);

  for (const k of Object.keys(project.otherKeys)) {
    ctx.warn(undefined, k, UNSUPPORTED_TOP_KEYS[k] ?? 'unknown top-level key: ignored');
  }
  warnNetworkKeys(ctx);
  for (const svc of project.services) warnServiceKeys(ctx, svc);

  // One-shot dependencies run inside their dependents (depends-on.ts explains why).
  for (const svc of project.services) {
    for (const [dep, d] of svc.dependsOn) {
      if (d.condition === 'service_completed_successfully' && d.required) ctx.inlined.add(dep);
    }
  }
  const ports = new Map<string, { ports: PortMapping[]; published: PortMapping[] }>();
  for (const svc of project.services) ports.set(svc.name, servicePorts(svc));
  const portsOf = (s: ComposeService) => ports.get(s.name)!.ports;

  const objects: KObject[] = [];
  const serviceNames = new Map<string, string>();
  const networks = new Set<string>();
  for (const svc of project.services) {
    if (ctx.inlined.has(svc.name)) {
      const p = ports.get(svc.name)!;
      if (p.ports.length)
        ctx.warn(svc.name, 'ports', 'a service run as an init container publishes no ports');
      continue;
    }
    const pod = buildPod(ctx, svc, portsOf);
    const plan = planWorkload(ctx, svc, pod.claims.length > 0);
    objects.push(buildWorkload(ctx, svc, plan, pod));
    const p = ports.get(svc.name)!;
    for (const s of buildServices(ctx, svc, p)) {
      const name = s.metadata!.name!;
      const other = serviceNames.get(name);
      if (other !== undefined) {
        throw new ComposeConvertError(`services ${other} and ${svc.name} both need the Service name ${name}`);
      }
      serviceNames.set(name, svc.name);
      objects.push(s);
    }
    for (const n of networksOf(ctx, svc)) networks.add(n);
    if (p.published.length) objects.push(publishedPolicy(ctx, svc, p.published));
  }
  for (const n of networks) objects.push(networkPolicy(ctx, n));
  objects.push(...buildSources(ctx, opts.readFile));
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ctx.namespace, labels: ctx.labels() },
  });
  // Stable sort: kinds in apply order, each kind in compose order.
  objects.sort((a, b) => KIND_ORDER.indexOf(a.kind!) - KIND_ORDER.indexOf(b.kind!));
  return { namespace: ctx.namespace, objects, warnings: dedupe(ctx.warnings) };
}

function warnServiceKeys(ctx: ConvertContext, svc: ComposeService): void {
  for (const k of Object.keys(svc.raw)) {
    if (k.startsWith('x-') || MAPPED_SERVICE_KEYS.has(k)) continue;
    ctx.warn(svc.name, k, UNSUPPORTED_SERVICE_KEYS[k] ?? 'unknown key: ignored');
  }
}

function dedupe<T>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((w) => {
    const k = JSON.stringify(w);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
