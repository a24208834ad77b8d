// Label and field selectors: parsing (query strings and metav1.LabelSelector), matching and
// the canonical string forms. Errors are ApiError 400 with apimachinery's wording.
export {
  escapeFieldValue,
  type FieldRequirement,
  type FieldSelector,
  formatFieldSelector,
  matchesFields,
  parseFieldSelector,
  requiresExactMatch,
  unescapeFieldValue,
  validateFieldSelector,
} from './field-selector.ts';
export {
  EVERYTHING,
  formatLabelSelector,
  isEverything,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  type LabelSelectorObject,
  labelSelectorFromObject,
  matchesLabels,
  NOTHING,
  parseLabelSelector,
} from './label-selector.ts';
