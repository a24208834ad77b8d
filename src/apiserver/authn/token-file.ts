// The static token file (upstream's --token-auth-file): CSV lines `token,user,uid[,"group1,group2"]`.
// Blank lines are skipped; a line with fewer than three fields is an error naming the line, as
// upstream refuses to start with a malformed file.
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../registry/context.ts';
import type { TokenTable } from './bearer-token.ts';

const MIN_FIELDS = 3;

export function parseTokenCsv(text: string): TokenTable {
  const table = new Map<string, UserInfo>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const f = csvFields(line);
    if (f.length < MIN_FIELDS) {
      throw new Error(
        `token file: line ${i + 1}: token file is expected to have at least ${MIN_FIELDS} columns`,
      );
    }
    const [token, username, uid, groups = ''] = f;
    if (!token) throw new Error(`token file: line ${i + 1}: empty token`);
    const user: UserInfo = {
      username,
      groups: groups
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    };
    if (uid) user.uid = uid;
    table.set(token, user);
  });
  return table;
}

export const loadTokenFile = (path: string): TokenTable => parseTokenCsv(readFileSync(path, 'utf8'));

/** RFC 4180 fields of one line: commas separate, double quotes enclose, `""` is a quote. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
