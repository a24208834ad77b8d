import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiRows, formatSli, histogramQuantile, parseHistogram, podStartupRow } from './slo.ts';

const METRICS = `# HELP apiserver_request_duration_seconds x
# TYPE apiserver_request_duration_seconds histogram
apiserver_request_duration_seconds_bucket{le="0.005",verb="CREATE",group="",version="v1",resource="pods",subresource="",scope="namespace"} 50
apiserver_request_duration_seconds_bucket{le="0.025",verb="CREATE",group="",version="v1",resource="pods",subresource="",scope="namespace"} 90
apiserver_request_duration_seconds_bucket{le="1",verb="CREATE",group="",version="v1",resource="pods",subresource="",scope="namespace"} 100
apiserver_request_duration_seconds_bucket{le="+Inf",verb="CREATE",group="",version="v1",resource="pods",subresource="",scope="namespace"} 100
apiserver_request_duration_seconds_sum{verb="CREATE",group="",version="v1",resource="pods",subresource="",scope="namespace"} 1.5
apiserver_request_duration_seconds_bucket{le="0.005",verb="LIST",group="",version="v1",resource="pods",subresource="",scope="cluster"} 0
apiserver_request_duration_seconds_bucket{le="0.025",verb="LIST",group="",version="v1",resource="pods",subresource="",scope="cluster"} 0
apiserver_request_duration_seconds_bucket{le="1",verb="LIST",group="",version="v1",resource="pods",subresource="",scope="cluster"} 1
apiserver_request_duration_seconds_bucket{le="+Inf",verb="LIST",group="",version="v1",resource="pods",subresource="",scope="cluster"} 2
`;

test('histogram buckets are grouped per series and the quantile interpolates like PromQL', () => {
  const series = parseHistogram(METRICS, 'apiserver_request_duration_seconds');
  assert.equal(series.length, 2);
  const create = series.find((s) => s.labels.verb === 'CREATE')!;
  assert.deepEqual(
    create.buckets.map((b) => b.count),
    [50, 90, 100, 100],
  );
  // rank 50 of 100 falls at the top of the first bucket; rank 99 nine tenths into (0.025, 1].
  assert.equal(histogramQuantile(0.5, create.buckets), 0.005);
  assert.ok(Math.abs(histogramQuantile(0.99, create.buckets)! - (0.025 + 0.975 * 0.9)) < 1e-9);
  // a rank in +Inf answers the highest finite bound
  const list = series.find((s) => s.labels.verb === 'LIST')!;
  assert.equal(histogramQuantile(0.99, list.buckets), 1);
  assert.equal(histogramQuantile(0.5, [{ le: 1, count: 0 }]), undefined);
});

test('rows per SLO class, with met / MISSED / no data', () => {
  const rows = apiRows(METRICS);
  assert.deepEqual(
    rows.map((r) => [r.sli, r.samples]),
    [
      ['mutating API calls', 100],
      ['read: single object (GET)', 0],
      ['read: LIST in a namespace', 0],
      ['read: LIST cluster-wide', 2],
    ],
  );
  const pods = [0, 1, 2, 9].map((s) => ({
    metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
    status: {
      containerStatuses: [{ restartCount: 0, state: { running: { startedAt: `2026-01-01T00:00:0${s}Z` } } }],
    },
  }));
  pods.push({
    metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
    status: {
      containerStatuses: [{ restartCount: 2, state: { running: { startedAt: '2026-01-01T00:01:00Z' } } }],
    },
  });
  const startup = podStartupRow(pods);
  assert.equal(startup.samples, 4, 'restarted pods are not startup samples');
  assert.equal(startup.p99, 9);
  const table = formatSli([...rows, startup]);
  assert.match(table, /^SLI\s+P50\s+P90\s+P99\s+SLO \(P99\)\s+SAMPLES\s+STATUS\n/);
  assert.match(table, /mutating API calls\s+5\.0 ms\s+25\.0 ms\s+902\.5 ms\s+≤ 1 s\s+100\s+met/);
  assert.match(table, /read: single object \(GET\)\s+-\s+-\s+-\s+≤ 1 s\s+0\s+no data/);
  assert.match(table, /pod startup \(created → running\)\s+1\.00 s\s+9\.00 s\s+9\.00 s\s+≤ 5 s\s+4\s+MISSED/);
});
