// Tokens of the label selector string, split the way apimachinery's labels.Lexer splits them:
// identifiers run until whitespace or one of `=!(),<>`; runs of those symbols form the longest
// operator they spell (`!=`, `==`), and `in` / `notin` are keywords.

export type LabelToken =
  | 'error'
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

export interface ScannedItem {
  tok: LabelToken;
  literal: string;
}

const STRING_TO_TOKEN: Record<string, LabelToken> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean =>
  ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

/** All tokens of `s`, ending with one `end` (or `error`) item. */
export function lexLabelSelector(s: string): ScannedItem[] {
  const out: ScannedItem[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', literal: '' });
      return out;
    }
    if (isSpecialSymbol(s[pos])) {
      let buffer = '';
      let last: ScannedItem | undefined;
      while (pos < s.length && isSpecialSymbol(s[pos])) {
        const candidate = buffer + s[pos];
        const tok = STRING_TO_TOKEN[candidate];
        if (tok) {
          last = { tok, literal: candidate };
        } else if (last) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      if (!last) {
        out.push({ tok: 'error', literal: `error expected: keyword found '${buffer}'` });
        return out;
      }
      out.push(last);
      continue;
    }
    const start = pos;
    while (pos < s.length && !isWhitespace(s[pos]) && !isSpecialSymbol(s[pos])) pos++;
    const word = s.slice(start, pos);
    const kw = STRING_TO_TOKEN[word];
    out.push({ tok: kw === 'in' || kw === 'notIn' ? kw : 'identifier', literal: word });
  }
}
