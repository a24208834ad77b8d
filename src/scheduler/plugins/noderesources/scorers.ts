// NodeResourcesFit scoring strategies, with upstream's integer arithmetic.
import { MAX_NODE_SCORE } from '../../framework/interface.ts';
import type { ResourceSpec } from './resource-allocation.ts';

export type Scorer = (requested: readonly number[], allocatable: readonly number[]) => number;

/** Share of the node left free: (capacity − requested) × 100 / capacity. */
export const leastRequestedScore = (requested: number, capacity: number): number =>
  capacity === 0 || requested > capacity
    ? 0
    : Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);

/** Share of the node used: requested × 100 / capacity (capped at capacity). */
export const mostRequestedScore = (requested: number, capacity: number): number =>
  capacity === 0 ? 0 : Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);

function weighted(resources: readonly ResourceSpec[], per: (r: number, c: number) => number): Scorer {
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      score += per(requested[i], allocatable[i]) * resources[i].weight;
      weights += resources[i].weight;
    }
    return weights === 0 ? 0 : Math.trunc(score / weights);
  };
}

export const leastAllocatedScorer = (resources: readonly ResourceSpec[]): Scorer =>
  weighted(resources, leastRequestedScore);

export const mostAllocatedScorer = (resources: readonly ResourceSpec[]): Scorer =>
  weighted(resources, mostRequestedScore);

export interface UtilizationShapePoint {
  /** 0–100. */
  utilization: number;
  /** 0–10, scaled to 0–100. */
  score: number;
}

/** Shape scores are given in 0..10 (upstream's MaxCustomPriorityScore) and scaled to 0..100. */
const CUSTOM_SCORE_SCALE = MAX_NODE_SCORE / 10;
const MAX_UTILIZATION = 100;

/** Piecewise-linear interpolation over the shape (upstream's buildBrokenLinearFunction). */
export function brokenLinear(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  const pts = shape.map((s) => ({ u: s.utilization, s: s.score * CUSTOM_SCORE_SCALE }));
  return (p) => {
    for (let i = 0; i < pts.length; i++) {
      if (p <= pts[i].u) {
        if (i === 0) return pts[0].s;
        return (
          pts[i - 1].s +
          Math.trunc(((pts[i].s - pts[i - 1].s) * (p - pts[i - 1].u)) / (pts[i].u - pts[i - 1].u))
        );
      }
    }
    return pts[pts.length - 1].s;
  };
}

export function requestedToCapacityRatioScorer(
  resources: readonly ResourceSpec[],
  shape: readonly UtilizationShapePoint[],
): Scorer {
  const f = brokenLinear(shape);
  const per = (requested: number, capacity: number): number =>
    capacity === 0 || requested > capacity
      ? f(MAX_UTILIZATION)
      : f(Math.trunc((requested * MAX_UTILIZATION) / capacity));
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      score += per(requested[i], allocatable[i]) * resources[i].weight;
      weights += resources[i].weight;
    }
    return weights === 0 ? 0 : Math.round(score / weights);
  };
}

/** BalancedAllocation: 100 × (1 − standard deviation of the requested fractions). */
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  let total = 0;
  let count = 0;
  let f0 = 0;
  let f1 = 0;
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i] / allocatable[i], 1);
    if (count === 0) f0 = f;
    else if (count === 1) f1 = f;
    fractions.push(f);
    total += f;
    count++;
  }
  let std = 0;
  if (count === 2) std = Math.abs((f0 - f1) / 2);
  else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
