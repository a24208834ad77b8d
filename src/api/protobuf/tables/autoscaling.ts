// k8s.io/api/autoscaling/v1 and v2. Field facts from upstream's types; see ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const autoscalingv1: MessageTable = {
  CrossVersionObjectReference: [
    [1, 'kind', 'string', 'keep'],
    [2, 'name', 'string', 'keep'],
    [3, 'apiVersion', 'string'],
  ],
  HorizontalPodAutoscalerSpec: [
    [1, 'scaleTargetRef', 'CrossVersionObjectReference'],
    [2, 'minReplicas', 'int32', 'keep'],
    [3, 'maxReplicas', 'int32', 'keep'],
    [4, 'targetCPUUtilizationPercentage', 'int32', 'keep'],
  ],
  HorizontalPodAutoscalerStatus: [
    [1, 'observedGeneration', 'int64', 'keep'],
    [2, 'lastScaleTime', 'Time'],
    [3, 'currentReplicas', 'int32', 'keep'],
    [4, 'desiredReplicas', 'int32', 'keep'],
    [5, 'currentCPUUtilizationPercentage', 'int32', 'keep'],
  ],
  HorizontalPodAutoscaler: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'HorizontalPodAutoscalerSpec'],
    [3, 'status', 'HorizontalPodAutoscalerStatus'],
  ],
  Scale: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'ScaleSpec'],
    [3, 'status', 'ScaleStatus'],
  ],
  ScaleSpec: [[1, 'replicas', 'int32']],
  ScaleStatus: [
    [1, 'replicas', 'int32', 'keep'],
    [2, 'selector', 'string'],
  ],
};

export const autoscalingv2: MessageTable = {
  HorizontalPodAutoscaler: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'HorizontalPodAutoscalerSpec'],
    [3, 'status', 'HorizontalPodAutoscalerStatus'],
  ],
  HorizontalPodAutoscalerSpec: [
    [1, 'scaleTargetRef', 'CrossVersionObjectReference'],
    [2, 'minReplicas', 'int32', 'keep'],
    [3, 'maxReplicas', 'int32', 'keep'],
    [4, 'metrics', 'MetricSpec', 'rep'],
    [5, 'behavior', 'HorizontalPodAutoscalerBehavior'],
  ],
  CrossVersionObjectReference: [
    [1, 'kind', 'string', 'keep'],
    [2, 'name', 'string', 'keep'],
    [3, 'apiVersion', 'string'],
  ],
  MetricSpec: [
    [1, 'type', 'string', 'keep'],
    [2, 'object', 'ObjectMetricSource'],
    [3, 'pods', 'PodsMetricSource'],
    [4, 'resource', 'ResourceMetricSource'],
    [7, 'containerResource', 'ContainerResourceMetricSource'],
    [5, 'external', 'ExternalMetricSource'],
  ],
  HorizontalPodAutoscalerBehavior: [
    [1, 'scaleUp', 'HPAScalingRules'],
    [2, 'scaleDown', 'HPAScalingRules'],
  ],
  HPAScalingRules: [
    [3, 'stabilizationWindowSeconds', 'int32', 'keep'],
    [1, 'selectPolicy', 'string', 'keep'],
    [2, 'policies', 'HPAScalingPolicy', 'rep'],
    [4, 'tolerance', 'Quantity'],
  ],
  HPAScalingPolicy: [
    [1, 'type', 'string', 'keep'],
    [2, 'value', 'int32', 'keep'],
    [3, 'periodSeconds', 'int32', 'keep'],
  ],
  ObjectMetricSource: [
    [1, 'describedObject', 'CrossVersionObjectReference'],
    [2, 'target', 'MetricTarget'],
    [3, 'metric', 'MetricIdentifier'],
  ],
  PodsMetricSource: [
    [1, 'metric', 'MetricIdentifier'],
    [2, 'target', 'MetricTarget'],
  ],
  ResourceMetricSource: [
    [1, 'name', 'string', 'keep'],
    [2, 'target', 'MetricTarget'],
  ],
  ContainerResourceMetricSource: [
    [1, 'name', 'string', 'keep'],
    [2, 'target', 'MetricTarget'],
    [3, 'container', 'string', 'keep'],
  ],
  ExternalMetricSource: [
    [1, 'metric', 'MetricIdentifier'],
    [2, 'target', 'MetricTarget'],
  ],
  MetricIdentifier: [
    [1, 'name', 'string', 'keep'],
    [2, 'selector', 'meta.LabelSelector'],
  ],
  MetricTarget: [
    [1, 'type', 'string', 'keep'],
    [2, 'value', 'Quantity'],
    [3, 'averageValue', 'Quantity'],
    [4, 'averageUtilization', 'int32', 'keep'],
  ],
  HorizontalPodAutoscalerStatus: [
    [1, 'observedGeneration', 'int64', 'keep'],
    [2, 'lastScaleTime', 'Time'],
    [3, 'currentReplicas', 'int32'],
    [4, 'desiredReplicas', 'int32', 'keep'],
    [5, 'currentMetrics', 'MetricStatus', 'rep'],
    [6, 'conditions', 'HorizontalPodAutoscalerCondition', 'rep'],
  ],
  HorizontalPodAutoscalerCondition: [
    [1, 'type', 'string', 'keep'],
    [2, 'status', 'string', 'keep'],
    [3, 'lastTransitionTime', 'Time'],
    [4, 'reason', 'string'],
    [5, 'message', 'string'],
  ],
  MetricStatus: [
    [1, 'type', 'string', 'keep'],
    [2, 'object', 'ObjectMetricStatus'],
    [3, 'pods', 'PodsMetricStatus'],
    [4, 'resource', 'ResourceMetricStatus'],
    [7, 'containerResource', 'ContainerResourceMetricStatus'],
    [5, 'external', 'ExternalMetricStatus'],
  ],
  ObjectMetricStatus: [
    [1, 'metric', 'MetricIdentifier'],
    [2, 'current', 'MetricValueStatus'],
    [3, 'describedObject', 'CrossVersionObjectReference'],
  ],
  PodsMetricStatus: [
    [1, 'metric', 'MetricIdentifier'],
    [2, 'current', 'MetricValueStatus'],
  ],
  ResourceMetricStatus: [
    [1, 'name', 'string', 'keep'],
    [2, 'current', 'MetricValueStatus'],
  ],
  ContainerResourceMetricStatus: [
    [1, 'name', 'string', 'keep'],
    [2, 'current', 'MetricValueStatus'],
    [3, 'container', 'string', 'keep'],
  ],
  ExternalMetricStatus: [
    [1, 'metric', 'MetricIdentifier'],
    [2, 'current', 'MetricValueStatus'],
  ],
  MetricValueStatus: [
    [1, 'value', 'Quantity'],
    [2, 'averageValue', 'Quantity'],
    [3, 'averageUtilization', 'int32', 'keep'],
  ],
};
