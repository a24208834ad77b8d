// Usage from metrics.k8s.io (the agents' cgroup counters), sampled while the view is open: node
// CPU and memory charts (uPlot), the busiest pods' CPU chart and a `kubectl top pods` table;
// "metrics unavailable" when the cluster serves no metrics API.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { formatCpu, formatMemory, sampleUsage, topPods, type UsageSample } from '../metrics.ts';
import { describeError } from '../notices.tsx';
import { ErrorLine, Panel, Table } from '../widgets.tsx';

/** metrics-server's own resolution is 15 s; 5 s keeps the chart moving without load. */
const SAMPLE_MS = 5000;
/** Samples kept (10 minutes at 5 s). */
const KEEP = 120;
/** Pods drawn in the CPU chart: more lines than this are unreadable. */
const CHART_PODS = 5;
/** Rows of the pod table (the busiest first, as `kubectl top pods --sort-by=cpu`). */
const TABLE_PODS = 20;

export function UsageView({ api }: { api: Api }) {
  const [samples, setSamples] = useState<UsageSample[]>([]);
  const [unavailable, setUnavailable] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const tick = async () => {
      try {
        const s = await sampleUsage(api);
        if (!live) return;
        if (!s) setUnavailable(true);
        else {
          setUnavailable(false);
          setSamples((old) => [...old, s].slice(-KEEP));
        }
      } catch (e) {
        if (live) setError(describeError(e));
      }
    };
    void tick();
    const t = setInterval(tick, SAMPLE_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [api]);
  if (unavailable) {
    return (
      <Panel title="Usage">
        <p class="empty" data-testid="metrics-unavailable">
          metrics unavailable: this cluster serves no metrics.k8s.io API
        </p>
      </Panel>
    );
  }
  if (samples.length === 0) {
    return (
      <Panel title="Usage">
        <ErrorLine error={error} />
        <p class="empty">Loading metrics…</p>
      </Panel>
    );
  }
  const last = samples[samples.length - 1];
  const nodes = last ? [...last.nodes.keys()] : [];
  if (nodes.length === 0) {
    return (
      <Panel title="Usage">
        <p class="empty" data-testid="metrics-empty">
          The metrics API answers, but no node has reported usage yet.
        </p>
      </Panel>
    );
  }
  const busiest = topPods(last, TABLE_PODS);
  const charted = busiest.slice(0, CHART_PODS).map((p) => `${p.namespace}/${p.name}`);
  return (
    <div class="grid two">
      <ErrorLine error={error} />
      <Panel title="Node CPU (cores)">
        <Chart samples={samples} series={nodes} pick={(s, n) => s.nodes.get(n)?.[0]} />
      </Panel>
      <Panel title="Node memory (MiB)">
        <Chart samples={samples} series={nodes} pick={(s, n) => (s.nodes.get(n)?.[1] ?? 0) / 2 ** 20} />
      </Panel>
      {charted.length > 0 && (
        <Panel title="Busiest pods, CPU (millicores)">
          <Chart samples={samples} series={charted} pick={(s, p) => mcores(s.pods.get(p)?.[0])} />
        </Panel>
      )}
      <Panel title={`Pods (${last.pods.size})`}>
        <div data-testid="pod-usage">
          <Table
            head={['Pod', 'CPU', 'Memory']}
            empty="No pod has reported usage yet."
            rows={busiest.map((p) => [
              <a key="n" href={`#/pod/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.name)}`}>
                {p.namespace}/{p.name}
              </a>,
              formatCpu(p.cpu),
              formatMemory(p.memory),
            ])}
          />
        </div>
      </Panel>
    </div>
  );
}

/** Pods mostly use a sliver of a core: millicores keep the axis readable (as kubectl top does). */
const mcores = (cores: number | undefined) => (cores === undefined ? undefined : cores * 1000);

function Chart({
  samples,
  series,
  pick,
}: {
  samples: UsageSample[];
  series: string[];
  pick(s: UsageSample, name: string): number | undefined;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<{ setData(d: unknown): void; destroy(): void } | undefined>(undefined);
  const key = series.join(',');
  const data = [
    samples.map((s) => s.time / 1000),
    ...series.map((n) => samples.map((s) => pick(s, n) ?? null)),
  ];
  // The chart module loads asynchronously: it starts from the newest data, not the first render's.
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    let live = true;
    // uPlot is loaded only when a chart is shown.
    void import('../chart.tsx').then(({ makeChart }) => {
      if (!live || !el.current) return;
      plot.current = makeChart(el.current, series);
      plot.current.setData(latest.current);
    });
    return () => {
      live = false;
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [key]);
  useEffect(() => {
    plot.current?.setData(data);
  });
  // The newest values, readable without the canvas (tests, tooling).
  const newest = data.slice(1).map((col) => col[col.length - 1] ?? null);
  return (
    <div
      class="chart"
      data-testid="usage-chart"
      data-points={samples.length}
      data-latest={JSON.stringify(newest)}
      ref={el}
    />
  );
}
