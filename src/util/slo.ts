// The SLI table `skiff slo` prints (and the apiserver's `/slo` serves): upstream's scalability SLOs evaluated on a running cluster.
// API latency comes from the apiserver's own apiserver_request_duration_seconds histogram (since
// its start), with p99 interpolated inside a bucket as PromQL's histogram_quantile does; pod
// startup from the pods' timestamps (creation → last container started, second resolution).

/** One histogram series: cumulative counts per upper bound, ascending (+Inf last). */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The `<name>_bucket` series of a Prometheus text exposition, grouped by their other labels. */
export function parseHistogram(text: string, name: string): HistogramSeries[] {
  const series = new Map<string, HistogramSeries>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[1] !== `${name}_bucket`) continue;
    const labels: Record<string, string> = {};
    let le = Number.NaN;
    for (const [, k, v] of m[2].matchAll(LABEL)) {
      if (k === 'le') le = v === '+Inf' ? Number.POSITIVE_INFINITY : Number(v);
      else labels[k] = v.replace(/\\(.)/g, '$1');
    }
    const key = JSON.stringify(labels);
    let s = series.get(key);
    if (!s) {
      s = { labels, buckets: [] };
      series.set(key, s);
    }
    s.buckets.push({ le, count: Number(m[3]) });
  }
  for (const s of series.values()) s.buckets.sort((a, b) => a.le - b.le);
  return [...series.values()];
}

/** Adds series bucket by bucket (they share the bucket layout). */
export function sumSeries(series: readonly HistogramSeries[]): HistogramSeries['buckets'] {
  const sum = new Map<number, number>();
  for (const s of series) for (const b of s.buckets) sum.set(b.le, (sum.get(b.le) ?? 0) + b.count);
  return [...sum.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/** PromQL's histogram_quantile: linear interpolation inside the bucket holding the rank. */
export function histogramQuantile(q: number, buckets: HistogramSeries['buckets']): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      // The +Inf bucket has no width: answer the highest finite bound, as Prometheus does.
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket === 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export interface SliRow {
  sli: string;
  p50?: number;
  p90?: number;
  p99?: number;
  /** Seconds. */
  slo: number;
  samples: number;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'CREATE', 'UPDATE', 'DELETECOLLECTION']);

/** The latency SLOs of upstream's scalability SIG, by call class. */
export const API_SLOS: { sli: string; slo: number; match: (l: Record<string, string>) => boolean }[] = [
  { sli: 'mutating API calls', slo: 1, match: (l) => MUTATING.has(l.verb) },
  { sli: 'read: single object (GET)', slo: 1, match: (l) => l.verb === 'GET' && l.scope === 'resource' },
  { sli: 'read: LIST in a namespace', slo: 5, match: (l) => l.verb === 'LIST' && l.scope === 'namespace' },
  { sli: 'read: LIST cluster-wide', slo: 30, match: (l) => l.verb === 'LIST' && l.scope === 'cluster' },
];
export const POD_STARTUP_SLO_S = 5;

export function apiRows(metricsText: string): SliRow[] {
  const series = parseHistogram(metricsText, 'apiserver_request_duration_seconds');
  return API_SLOS.map(({ sli, slo, match }) => {
    const buckets = sumSeries(series.filter((s) => match(s.labels)));
    return {
      sli,
      slo,
      samples: buckets.at(-1)?.count ?? 0,
      p50: histogramQuantile(0.5, buckets),
      p90: histogramQuantile(0.9, buckets),
      p99: histogramQuantile(0.99, buckets),
    };
  });
}

interface PodLike {
  metadata?: { creationTimestamp?: string };
  status?: { containerStatuses?: { restartCount?: number; state?: { running?: { startedAt?: string } } }[] };
}

/** Creation → last container started, for pods whose containers all run and never restarted. */
export function podStartupRow(objects: readonly object[]): SliRow {
  const pods = objects as readonly PodLike[];
  const samples: number[] = [];
  for (const p of pods) {
    const created = Date.parse(p.metadata?.creationTimestamp ?? '');
    const cs = p.status?.containerStatuses ?? [];
    if (!cs.length || Number.isNaN(created)) continue;
    if (cs.some((c) => !c.state?.running?.startedAt || (c.restartCount ?? 0) > 0)) continue;
    const started = Math.max(...cs.map((c) => Date.parse(c.state!.running!.startedAt!)));
    samples.push(Math.max(0, (started - created) / 1000));
  }
  samples.sort((a, b) => a - b);
  return {
    sli: 'pod startup (created → running)',
    slo: POD_STARTUP_SLO_S,
    samples: samples.length,
    p50: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
  };
}

const fmt = (s: number | undefined) =>
  s === undefined ? '-' : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;

export function formatSli(rows: readonly SliRow[]): string {
  const head = ['SLI', 'P50', 'P90', 'P99', 'SLO (P99)', 'SAMPLES', 'STATUS'];
  const body = rows.map((r) => [
    r.sli,
    fmt(r.p50),
    fmt(r.p90),
    fmt(r.p99),
    `≤ ${r.slo} s`,
    String(r.samples),
    r.p99 === undefined ? 'no data' : r.p99 <= r.slo ? 'met' : 'MISSED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return `${[head, ...body]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
