export { METRICS_GROUP, METRICS_RESOURCES, MetricsApi, type MetricsDeps } from './metrics-api.ts';
