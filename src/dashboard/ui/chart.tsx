// uPlot line charts, one series per name.
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2'];
const HEIGHT = 220;
/** The time axis spans at least this much, so the first samples do not stretch it over years. */
const MIN_SPAN_S = 60;
/** Headroom above the highest value; an all-zero series still gets a visible axis. */
const Y_HEADROOM = 1.25;
const Y_EMPTY_MAX = 1;

export function makeChart(el: HTMLElement, names: string[]): { setData(d: unknown): void; destroy(): void } {
  const opts: uPlot.Options = {
    width: Math.max(300, el.clientWidth),
    height: HEIGHT,
    series: [{}, ...names.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length], width: 2 }))],
    axes: [{}, {}],
    scales: {
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] },
      // Usage is never negative: start at zero so small changes are not drawn as big swings.
      y: { range: (_u, _min, max) => [0, max > 0 ? max * Y_HEADROOM : Y_EMPTY_MAX] },
    },
  };
  const plot = new uPlot(opts, [[], ...names.map(() => [])], el);
  return { setData: (d) => plot.setData(d as uPlot.AlignedData), destroy: () => plot.destroy() };
}
