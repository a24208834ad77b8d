// Prometheus metrics named as upstream's so existing dashboards and SLO queries apply:
// apiserver_request_duration_seconds is the SLO histogram (mutating ≤ 1 s, reads ≤ 1/5/30 s).
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

// The metric classes alone: prom-client's index also loads its push-gateway client, default
// process metrics, cluster aggregation, summaries (tdigest) and the OpenTelemetry API — ~2 MB of
// an idle server's resident memory for features skiff does not use.
const require = createRequire(import.meta.url);
const Counter = require('prom-client/lib/counter.js') as typeof Prom.Counter;
const Gauge = require('prom-client/lib/gauge.js') as typeof Prom.Gauge;
const Histogram = require('prom-client/lib/histogram.js') as typeof Prom.Histogram;
const Registry = require('prom-client/lib/registry.js') as typeof Prom.Registry;

/** Upstream's request latency buckets (seconds). */
const REQUEST_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];
const STORAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly requestTotal = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, version, resource and HTTP response code.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'code'],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resource.',
    labelNames: ['resource'],
    registers: [this.registry],
  });
  readonly storageDuration = new Histogram({
    name: 'skiff_storage_request_duration_seconds',
    help: 'Storage backend request latency in seconds for each operation.',
    labelNames: ['operation'],
    buckets: STORAGE_BUCKETS,
    registers: [this.registry],
  });
}
