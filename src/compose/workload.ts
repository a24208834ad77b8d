// Which workload a service becomes: a Job for one-shot services (`restart: "no"`, `on-failure[:n]`,
// deploy.restart_policy none/on-failure, the *-job modes), a DaemonSet for `deploy.mode: global`,
// a StatefulSet when it mounts named volumes and runs one replica (the claim is ReadWriteOnce, and
// a StatefulSet never runs the old and new pod at once), otherwise a Deployment.
import type { KObject } from '../api/object.ts';
import { type ConvertContext, splitLabels } from './context.ts';
import { toDnsLabel, toServiceName } from './names.ts';
import { isMap } from './normalize.ts';
import type { PodParts } from './pod.ts';
import type { ComposeService, JsonMap } from './types.ts';
import { DEPLOY_MESSAGES, MAPPED_DEPLOY_KEYS } from './unsupported.ts';

/** Upstream's Job backoffLimit default: what `on-failure` without a count retries. */
export const DEFAULT_BACKOFF_LIMIT = 6;
const ON_FAILURE = /^on-failure(?::(\d+))?$/;
const LONG_RUNNING = new Set(['always', 'unless-stopped']);

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';

export interface Plan {
  kind: WorkloadKind;
  /** For Jobs: retries. */
  backoffLimit?: number;
  /** For Jobs from `replicated-job`: completions = parallelism = replicas. */
  completions?: number;
}

const deployOf = (svc: ComposeService): JsonMap =>
  isMap(svc.raw.deploy ?? null) ? (svc.raw.deploy as JsonMap) : {};

/** How a service runs. `claims` is whether it mounts named volumes. */
export function planWorkload(ctx: ConvertContext, svc: ComposeService, claims: boolean): Plan {
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const deploy = deployOf(svc);
  const replicas = ctx.replicasOf(svc);
  const mode = String(deploy.mode ?? 'replicated');
  if (mode === 'replicated-job' || mode === 'global-job') {
    if (mode === 'global-job') warn('deploy.mode', 'global-job runs one pod, not one per node');
    return {
      kind: 'Job',
      backoffLimit: DEFAULT_BACKOFF_LIMIT,
      completions: mode === 'global-job' ? 1 : replicas,
    };
  }
  const restart = typeof svc.raw.restart === 'string' ? svc.raw.restart : undefined;
  let oneShot: number | undefined;
  if (restart !== undefined) {
    const m = ON_FAILURE.exec(restart);
    if (restart === 'no' || restart === 'false') oneShot = 0;
    else if (m) oneShot = m[1] === undefined ? DEFAULT_BACKOFF_LIMIT : Number(m[1]);
    else if (!LONG_RUNNING.has(restart))
      warn('restart', `unknown restart policy ${restart}: treated as always`);
  }
  const rp = isMap(deploy.restart_policy ?? null) ? (deploy.restart_policy as JsonMap) : undefined;
  if (rp && restart === undefined) {
    const cond = String(rp.condition ?? 'any');
    if (cond === 'none') oneShot = 0;
    else if (cond === 'on-failure') {
      oneShot = rp.max_attempts === undefined ? DEFAULT_BACKOFF_LIMIT : Number(rp.max_attempts);
    }
  }
  for (const k of Object.keys(rp ?? {})) {
    if (k !== 'condition' && k !== 'max_attempts') {
      warn(`deploy.restart_policy.${k}`, 'restart delays follow the kubelet back-off (10s doubling to 5m)');
    }
  }
  for (const k of Object.keys(deploy)) {
    if (!MAPPED_DEPLOY_KEYS.has(k) && !k.startsWith('x-')) {
      warn(`deploy.${k}`, DEPLOY_MESSAGES[k] ?? 'not supported: ignored');
    }
  }
  if (oneShot !== undefined) {
    if (mode === 'global') warn('deploy.mode', 'a one-shot service runs as one Job, not one per node');
    return { kind: 'Job', backoffLimit: oneShot, ...(replicas !== 1 ? { completions: replicas } : {}) };
  }
  if (mode === 'global') return { kind: 'DaemonSet' };
  if (mode !== 'replicated') warn('deploy.mode', `unknown mode ${mode}: treated as replicated`);
  if (claims && replicas === 1) return { kind: 'StatefulSet' };
  return { kind: 'Deployment' };
}

export function buildWorkload(ctx: ConvertContext, svc: ComposeService, plan: Plan, pod: PodParts): KObject {
  const name = toDnsLabel(svc.name);
  const metadata: KObject = ctx.meta(name, svc.name);
  const own = splitLabels(svc.raw.labels);
  const deployLabels = splitLabels(deployOf(svc).labels);
  for (const k of deployLabels.dropped) {
    ctx.warn(svc.name, 'deploy.labels', `label key ${JSON.stringify(k)} is not a qualified name: dropped`);
  }
  metadata.labels = { ...own.labels, ...deployLabels.labels, ...metadata.labels };
  const annotations = {
    ...own.annotations,
    ...deployLabels.annotations,
    ...(pod.template.metadata?.annotations ?? {}),
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  const selector = { matchLabels: ctx.labels(svc.name) };
  const template = structuredClone(pod.template);
  const replicas = ctx.replicasOf(svc);
  switch (plan.kind) {
    case 'Job': {
      template.spec.restartPolicy = 'Never';
      const spec: KObject = { backoffLimit: plan.backoffLimit ?? 0, template };
      if (plan.completions !== undefined) {
        spec.completions = plan.completions;
        spec.parallelism = plan.completions;
      }
      return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec };
    }
    case 'DaemonSet':
      return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata, spec: { selector, template } };
    case 'StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata,
        spec: { serviceName: toServiceName(svc.name), replicas, selector, template },
      };
    default:
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas, selector, template } };
  }
}
