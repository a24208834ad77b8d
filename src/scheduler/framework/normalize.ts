// Upstream's helper.DefaultNormalizeScore: scale raw scores so the best node gets `max`
// (integer division, as upstream); `reverse` makes lower raw scores better.
import type { NodeScore } from './interface.ts';

export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): void {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
}
