// A line diff (longest common subsequence) for showing what an apply would change. Objects are
// a few hundred lines, so the O(n·m) table is small; past MAX_CELLS the diff degrades to
// "everything removed, everything added" rather than freezing the tab.
export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

const MAX_CELLS = 4_000_000;

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((text) => ({ op: '-' as const, text })),
      ...b.map((text) => ({ op: '+' as const, text })),
    ];
  }
  // lcs[i][j] = length of the LCS of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++] });
      j++;
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < a.length) out.push({ op: '-', text: a[i++] });
  while (j < b.length) out.push({ op: '+', text: b[j++] });
  return out;
}

/** True when the diff changes anything. */
export const hasChanges = (d: DiffLine[]): boolean => d.some((l) => l.op !== ' ');

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface Elided {
  op: '…';
  count: number;
}

/** Keeps `context` unchanged lines around each change and folds longer unchanged runs. */
export function withContext(diff: DiffLine[], context = 3): (DiffLine | Elided)[] {
  const near = new Array<boolean>(diff.length).fill(false);
  diff.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(diff.length - 1, i + context); j++) near[j] = true;
  });
  const out: (DiffLine | Elided)[] = [];
  for (let i = 0; i < diff.length; i++) {
    if (near[i] || diff[i].op !== ' ') out.push(diff[i]);
    else {
      const last = out[out.length - 1];
      if (last?.op === '…') last.count++;
      else out.push({ op: '…', count: 1 });
    }
  }
  return out;
}
