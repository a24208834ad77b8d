// autoscaling/v1 HorizontalPodAutoscaler: served as a view of the stored v2 object, as upstream
// serves it (one storage version, conversion per request). v1 only knows a CPU utilization target;
// what v2 says beyond it (other metrics, behavior, conditions, current metrics) travels in the
// annotations upstream's conversion uses, so a v1 client's read-modify-write keeps it. Upstream
// writes those annotations in the older autoscaling/v1 "alpha" metric shapes; here they carry the
// v2 shapes verbatim (a v1 client treats them as opaque either way).
import type { KObject } from '../../object.ts';
import type { KindDef } from '../types.ts';
import { HORIZONTAL_POD_AUTOSCALER } from './hpa.ts';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const V1 = 'autoscaling/v1';
const V2 = 'autoscaling/v2';

// biome-ignore lint/suspicious/noExplicitAny: metric shapes vary by type
type Metric = Record<string, any>;

const isCpuUtilization = (m: Metric): boolean =>
  m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';
const isCpuCurrent = (m: Metric): boolean => m?.type === 'Resource' && m.resource?.name === 'cpu';

/** v2 (stored) → v1 (served). */
export function hpaV2ToV1(obj: KObject): KObject {
  const spec = obj.spec ?? {};
  const status = obj.status;
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  const metrics: Metric[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const v1Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  v1Spec.maxReplicas = spec.maxReplicas;
  if (cpu) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  let v1Status: Record<string, unknown> | undefined;
  if (status) {
    const current: Metric[] = status.currentMetrics ?? [];
    const curCpu = current.find(isCpuCurrent);
    const rest = current.filter((m) => m !== curCpu);
    if (rest.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(rest);
    if (status.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
    v1Status = {};
    for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) {
      if (status[k] !== undefined) v1Status[k] = status[k];
    }
    const util = curCpu?.resource?.current?.averageUtilization;
    if (util !== undefined) v1Status.currentCPUUtilizationPercentage = util;
  }
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    ...obj,
    apiVersion: V1,
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: v1Spec,
    ...(v1Status ? { status: v1Status } : {}),
  };
}

/** v1 (served) → v2 (stored); the conversion annotations are consumed. */
export function hpaV1ToV2(obj: KObject): KObject {
  const spec = obj.spec ?? {};
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  const take = (key: string): unknown => {
    const raw = annotations[key];
    delete annotations[key];
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return undefined; // a hand-edited, unparsable annotation is dropped like upstream's
    }
  };
  const otherMetrics = take(METRICS_ANNOTATION);
  const behavior = take(BEHAVIOR_ANNOTATION);
  const currentOther = take(CURRENT_METRICS_ANNOTATION);
  const conditions = take(CONDITIONS_ANNOTATION);
  const metrics: Metric[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
      },
    });
  }
  if (Array.isArray(otherMetrics)) metrics.push(...otherMetrics);
  const v2Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  v2Spec.maxReplicas = spec.maxReplicas;
  if (metrics.length) v2Spec.metrics = metrics;
  if (behavior && typeof behavior === 'object') v2Spec.behavior = behavior;
  let v2Status: Record<string, unknown> | undefined;
  if (obj.status) {
    const s = obj.status;
    v2Status = {};
    for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) {
      if (s[k] !== undefined) v2Status[k] = s[k];
    }
    const current: Metric[] = [];
    if (typeof s.currentCPUUtilizationPercentage === 'number') {
      current.push({
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } },
      });
    }
    if (Array.isArray(currentOther)) current.push(...currentOther);
    if (current.length) v2Status.currentMetrics = current;
    if (Array.isArray(conditions)) v2Status.conditions = conditions;
  }
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    ...obj,
    apiVersion: V2,
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: v2Spec,
    ...(v2Status ? { status: v2Status } : {}),
  };
}

/** Discovery, OpenAPI and validation of v1 bodies come from this def; storage from v2's. */
export const HORIZONTAL_POD_AUTOSCALER_V1: KindDef = {
  ...HORIZONTAL_POD_AUTOSCALER,
  version: 'v1',
  subresources: HORIZONTAL_POD_AUTOSCALER.subresources.map((s) => ({
    ...s,
    kind: { ...s.kind, version: 'v1' },
  })),
  viewOf: { storedVersion: 'v2', toStored: hpaV1ToV2, fromStored: hpaV2ToV1 },
};
