// uPlot line charts, one series per name.
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2'];
const HEIGHT = 220;

export function makeChart(el: HTMLElement, names: string[]): { setData(d: unknown): void; destroy(): void } {
  const opts: uPlot.Options = {
    width: Math.max(300, el.clientWidth),
    height: HEIGHT,
    series: [{}, ...names.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length], width: 2 }))],
    axes: [{}, {}],
  };
  const plot = new uPlot(opts, [[], ...names.map(() => [])], el);
  return { setData: (d) => plot.setData(d as uPlot.AlignedData), destroy: () => plot.destroy() };
}
