// Field selectors: apimachinery's fields.ParseSelector grammar — comma-separated terms, all of
// which must hold, each `field=value`, `field==value` or `field!=value`; in values `\,` `\=` `\\`
// are escapes and a bare `,` or `=` is an error.
//
//   "spec.nodeName=n1,status.phase!=Failed" → [spec.nodeName = n1] [status.phase != Failed]
import { badRequest } from '../errors.ts';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is folded into `=`, as upstream stores both as the same term. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** All requirements must hold; none selects everything. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

/** Checked in this order so `==` never leaves a leading `=` in the value. */
const TERM_OPERATORS = ['!=', '==', '='] as const;

const fieldLabelNotSupported = (field: string): string => `field label not supported: ${field}`;

/** Terms split on unescaped commas; escaped commas stay in the term with their backslash. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits the term: field names cannot be escaped. */
function splitTerm(term: string): [string, (typeof TERM_OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Decode a value's escapes; returns the upstream error text on a bad sequence. */
export function unescapeFieldValue(s: string): { value: string } | { error: string } {
  if (!/[\\,=]/.test(s)) return { value: s };
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        return { error: `invalid field selector: invalid escape sequence: \\${c}` };
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=')
      // Go formats the rune with %v, i.e. as its code point number.
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    else out += c;
  }
  if (inSlash) return { error: 'invalid field selector: invalid escape sequence: \\' };
  return { value: out };
}

export const escapeFieldValue = (s: string): string => s.replace(/[\\,=]/g, (c) => `\\${c}`);

/** Parse the `fieldSelector` query string; errors are 400 BadRequest with upstream's text. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, raw] = split;
    const un = unescapeFieldValue(raw);
    if ('error' in un) throw badRequest(un.error);
    requirements.push({ field, operator: op === '!=' ? '!=' : '=', value: un.value });
  }
  return { requirements };
}

/** Reject fields the kind does not index, as upstream's field label conversion does. */
export function validateFieldSelector(selector: FieldSelector, allowed: ReadonlySet<string>): void {
  for (const r of selector.requirements)
    if (!allowed.has(r.field)) throw badRequest(fieldLabelNotSupported(r.field));
}

/** A field the getter does not know reads as empty, like upstream's fields.Set. */
export function matchesFields(selector: FieldSelector, get: (field: string) => string | undefined): boolean {
  for (const r of selector.requirements) {
    const have = get(r.field) ?? '';
    if ((have === r.value) !== (r.operator === '=')) return false;
  }
  return true;
}

/** The value an `=` term pins the field to, if any (for index lookups such as spec.nodeName). */
export function requiresExactMatch(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

export function formatFieldSelector(selector: FieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}
