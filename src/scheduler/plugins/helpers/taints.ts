// Toleration semantics (upstream's Toleration.ToleratesTaint).
import type { Taint, Toleration } from '../../types.ts';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export const anyTolerates = (tolerations: readonly Toleration[], taint: Taint): boolean =>
  tolerations.some((t) => tolerates(t, taint));

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly string[],
): Taint | undefined {
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!anyTolerates(tolerations, taint)) return taint;
  }
  return undefined;
}
