// metav1.LabelSelector objects as printers, scale and workload validation use them: the parsing
// and matching are the selectors module's; here they never throw (a printer or a validation rule
// must not fail on a bad selector — validation reports it on its own).
import {
  type LabelSelectorObject,
  labelSelectorFromObject,
  matchesLabels,
  formatLabelSelector as selectorString,
} from '../selectors/index.ts';

/** Null/absent selects nothing; an empty selector selects everything; an invalid one nothing. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  try {
    return matchesLabels(
      labelSelectorFromObject(selector as LabelSelectorObject | null | undefined),
      labels ?? {},
    );
  } catch {
    return false;
  }
}

/** `app=web,tier in (a,b),!legacy` (Selector.String()); '' when empty or absent, undefined when invalid. */
export function labelSelectorString(selector: unknown): string | undefined {
  if (selector !== undefined && selector !== null && typeof selector !== 'object') return undefined;
  try {
    return selectorString(selector as LabelSelectorObject | null | undefined);
  } catch {
    return undefined;
  }
}

/** metav1.FormatLabelSelector: the string form, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** A map selector (Services, ReplicationControllers) as a selector object. */
export const mapSelector = (m: unknown): { matchLabels: Record<string, string> } => ({
  matchLabels: m && typeof m === 'object' ? (m as Record<string, string>) : {},
});
