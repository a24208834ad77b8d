// Label selectors: the string grammar of apimachinery's labels.Parse, the object form of
// metav1.LabelSelector (LabelSelectorAsSelector), matching, and the canonical string form.
//
//   "app=web,tier in (a,b),!canary,version>3"
//     → [app = web] [!canary] [tier in (a,b)] [version gt 3]   (sorted by key, as upstream)
import { badRequest } from '../errors.ts';
import { lexLabelSelector, type ScannedItem } from './label-lexer.ts';
import { isQualifiedName, isValidLabelValue, parseInt64 } from './label-syntax.ts';

/** Upstream's selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated (a set upstream); empty for exists / `!`. */
  readonly values: readonly string[];
}

/**
 * A parsed selector: every requirement must hold. No requirements matches everything;
 * `nothing` (a null metav1.LabelSelector) matches no object at all.
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly nothing?: boolean;
}

/** metav1.LabelSelector as it appears in object specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export const EVERYTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });
export const NOTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]), nothing: true });

/** The operator names listed in upstream's "expected:" message, in its order. */
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

const MSG_VALUES_EMPTY = "for 'in', 'notin' operators, values set can't be empty";
const MSG_EXACT_ONE = 'exact-match compatibility requires one single value';
const MSG_EXISTS_EMPTY = 'values set must be empty for exists and does not exist';
const MSG_GT_LT_ONE = "for 'Gt', 'Lt' operators, exactly one value is required";
const MSG_GT_LT_INT = "for 'Gt', 'Lt' operators, the value must be an integer";

/** How Go prints the nil *field.Path the string parser validates keys with. */
const NIL_PATH = '<nil>';

class SelectorSyntaxError extends Error {}

/** Go's %#v of a []string, as field.Invalid prints a bad value list. */
const goStringSlice = (vals: readonly string[]): string =>
  `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}`;

/** field.Error text: `<path>: Invalid value: <value>: <detail>`. */
const invalidField = (path: string, value: string, detail: string): string =>
  `${path}: Invalid value: ${value}: ${detail}`;

/** An aggregate of field errors, printed as upstream's utilerrors.Aggregate does. */
function aggregate(errs: string[]): string | undefined {
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function validateKey(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidField(path, JSON.stringify(key), errs.join('; ')) : undefined;
}

/**
 * labels.NewRequirement: checks key, operator/value arity and value syntax; throws the text
 * upstream would produce.
 */
function newRequirement(key: string, operator: LabelOperator, vals: readonly string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErr = validateKey(key, 'key');
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(invalidField('values', goStringSlice(vals), MSG_VALUES_EMPTY));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalidField('values', goStringSlice(vals), MSG_EXACT_ONE));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(invalidField('values', goStringSlice(vals), MSG_EXISTS_EMPTY));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(invalidField('values', goStringSlice(vals), MSG_GT_LT_ONE));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(invalidField(`values[${i}]`, JSON.stringify(v), MSG_GT_LT_INT));
      });
      break;
  }
  vals.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(invalidField(`values[${i}][${key}]`, JSON.stringify(v), vErrs.join('; ')));
  });
  const msg = aggregate(errs);
  if (msg) throw new SelectorSyntaxError(msg);
  return { key, operator, values: [...new Set(vals)].sort() };
}

/** Recursive-descent parser over the lexer's items, mirroring apimachinery's labels.Parser. */
class Parser {
  readonly #items: ScannedItem[];
  #pos = 0;

  constructor(items: ScannedItem[]) {
    this.#items = items;
  }

  /** In value position the keywords `in` / `notin` are plain identifiers. */
  #lookahead(values: boolean): ScannedItem {
    const it = this.#items[Math.min(this.#pos, this.#items.length - 1)];
    if (values && (it.tok === 'in' || it.tok === 'notIn')) return { tok: 'identifier', literal: it.literal };
    return it;
  }

  #consume(values: boolean): ScannedItem {
    const it = this.#lookahead(values);
    if (this.#pos < this.#items.length - 1) this.#pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.#lookahead(true);
      if (tok === 'identifier' || tok === 'doesNotExist') {
        try {
          reqs.push(this.#requirement());
        } catch (err) {
          if (err instanceof SelectorSyntaxError)
            throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
          throw err;
        }
        const next = this.#consume(true);
        if (next.tok === 'end') return reqs;
        if (next.tok === 'comma') {
          const after = this.#lookahead(true);
          if (after.tok !== 'identifier' && after.tok !== 'doesNotExist')
            throw new SelectorSyntaxError(`found '${after.literal}', expected: identifier after ','`);
          continue;
        }
        throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or 'end of string'`);
      }
      if (tok === 'end') return reqs;
      throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
    }
  }

  #requirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let it = this.#consume(true);
    if (it.tok === 'doesNotExist') {
      operator = '!';
      it = this.#consume(true);
    }
    if (it.tok !== 'identifier') throw new SelectorSyntaxError(`found '${it.literal}', expected: identifier`);
    const key = it.literal;
    // The parser validates with a nil field path, which Go prints as `<nil>`.
    const keyErr = validateKey(key, NIL_PATH);
    if (keyErr) throw new SelectorSyntaxError(keyErr);
    const next = this.#lookahead(true).tok;
    if (next === 'end' || next === 'comma') {
      if (operator !== '!') operator = 'exists';
    }
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    operator = this.#operator();
    const values = operator === 'in' || operator === 'notin' ? this.#values() : this.#exactValue();
    return newRequirement(key, operator, values);
  }

  #operator(): LabelOperator {
    const { tok, literal } = this.#consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      case 'notIn':
        return 'notin';
      case 'notEquals':
        return '!=';
      default:
        throw new SelectorSyntaxError(`found '${literal}', expected: ${BINARY_OPERATORS}`);
    }
  }

  #values(): string[] {
    const open = this.#consume(true);
    if (open.tok !== 'openPar') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const { tok, literal } = this.#lookahead(true);
    if (tok === 'identifier' || tok === 'comma') {
      const set = this.#identifiersList();
      if (this.#consume(true).tok !== 'closedPar')
        throw new SelectorSyntaxError(`found '${literal}', expected: ')'`);
      return set;
    }
    if (tok === 'closedPar') {
      this.#consume(true);
      return [''];
    }
    throw new SelectorSyntaxError(`found '${literal}', expected: ',', ')' or identifier`);
  }

  /** `(a,b)`, `(,a)`, `(a,)`, `(a,,b)`: empty slots become the empty value, as upstream. */
  #identifiersList(): string[] {
    const set = new Set<string>();
    for (;;) {
      const { tok, literal } = this.#consume(true);
      if (tok === 'identifier') {
        set.add(literal);
        const next = this.#lookahead(true);
        if (next.tok === 'comma') continue;
        if (next.tok === 'closedPar') return [...set];
        throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (tok === 'comma') {
        if (set.size === 0) set.add('');
        const next = this.#lookahead(true).tok;
        if (next === 'closedPar') {
          set.add('');
          return [...set];
        }
        if (next === 'comma') {
          this.#consume(true);
          set.add('');
        }
        continue;
      }
      throw new SelectorSyntaxError(`found '${literal}', expected: ',', or identifier`);
    }
  }

  #exactValue(): string[] {
    const next = this.#lookahead(true).tok;
    if (next === 'end' || next === 'comma') return [''];
    const { tok, literal } = this.#consume(true);
    if (tok === 'identifier') return [literal];
    throw new SelectorSyntaxError(`found '${literal}', expected: identifier`);
  }
}

const byKey = (a: LabelRequirement, b: LabelRequirement): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** Parse the `labelSelector` query string; errors are 400 BadRequest with upstream's text. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    const reqs = new Parser(lexLabelSelector(s)).parse();
    return { requirements: reqs.sort(byKey) };
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
}

/** LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything. */
export function labelSelectorFromObject(obj: LabelSelectorObject | null | undefined): LabelSelector {
  if (obj === null || obj === undefined) return NOTHING;
  const labels = Object.entries(obj.matchLabels ?? {});
  const exprs = obj.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return EVERYTHING;
  const reqs: LabelRequirement[] = [];
  try {
    for (const [k, v] of labels) reqs.push(newRequirement(k, '=', [v]));
    for (const e of exprs) {
      const op = EXPRESSION_OPERATORS[e.operator];
      if (!op)
        throw new SelectorSyntaxError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
    }
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
  return { requirements: reqs.sort(byKey) };
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator | undefined> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const have = parseInt64(labels[r.key]);
      const want = parseInt64(r.values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  if (selector.nothing) return false;
  for (const r of selector.requirements) if (!requirementMatches(r, labels)) return false;
  return true;
}

export const isEverything = (selector: LabelSelector): boolean =>
  !selector.nothing && selector.requirements.length === 0;

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function formatRequirement(r: LabelRequirement): string {
  const head = r.operator === '!' ? `!${r.key}` : r.key;
  if (r.operator === 'exists' || r.operator === '!') return head;
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  const body = r.operator === 'in' || r.operator === 'notin' ? `(${vals})` : vals;
  return `${head}${OPERATOR_TEXT[r.operator]}${body}`;
}

/**
 * The canonical string form (`app=web,tier in (a,b)`), as upstream's Selector.String(); this
 * is what Scale.status.selector carries. Accepts a parsed selector or a metav1.LabelSelector.
 */
export function formatLabelSelector(
  selector: LabelSelector | LabelSelectorObject | null | undefined,
): string {
  const sel = selector && 'requirements' in selector ? selector : labelSelectorFromObject(selector);
  return sel.requirements.map(formatRequirement).join(',');
}
