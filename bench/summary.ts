// The comparison table: every figure in bench/results/*.json beside its goal and anchor, as
// Markdown (bench/results/summary.md, and the README's benchmark section is pasted from it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ANCHORS } from './anchors.ts';

interface StoredMetric {
  value: number | null;
  unit: string;
  target?: { max?: number; min?: number };
}

const goalText = (t: StoredMetric['target']) =>
  !t ? '' : t.max !== undefined ? `≤ ${t.max}` : t.min !== undefined ? `≥ ${t.min}` : '';

function status(m: StoredMetric): string {
  if (!m.target) return '';
  if (m.value === null) return 'no result';
  if (m.target.max !== undefined && !(m.value <= m.target.max)) return 'MISSED';
  if (m.target.min !== undefined && !(m.value >= m.target.min)) return 'MISSED';
  return 'met';
}

export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}`;
}

export function summaryMarkdown(resultsDir: string, when = new Date()): string {
  const rows: string[][] = [];
  for (const file of readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const r = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as {
      name: string;
      metrics: Record<string, StoredMetric>;
    };
    for (const [key, m] of Object.entries(r.metrics)) {
      const anchor = ANCHORS[`${r.name}.${key}`];
      rows.push([
        r.name,
        `\`${key}\``,
        m.value === null ? '—' : `${m.value} ${m.unit}`,
        goalText(m.target),
        status(m),
        anchor ? `[${anchor.text}](${anchor.source})` : '',
      ]);
    }
  }
  const head = ['suite', 'metric', 'value', 'goal', 'status', 'anchor'];
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [
    `Measured ${when.toISOString().slice(0, 10)} on ${machineLine()}.`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
  ].join('\n');
}

export function writeSummary(resultsDir: string): string {
  const md = summaryMarkdown(resultsDir);
  writeFileSync(join(resultsDir, 'summary.md'), md);
  return md;
}
