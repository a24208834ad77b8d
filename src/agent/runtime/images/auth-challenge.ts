// `WWW-Authenticate` challenges from registries (RFC 7235 auth-params), e.g.
//   Bearer realm="http://127.0.0.1:5001/token",service="registry",scope="repository:app:pull"
//   Basic realm="Registry Realm"

export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  params: Record<string, string>;
}

/** Parses every challenge in a header value; params keep their values, keys are lower-cased. */
export function parseChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const s = header;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipSpace();
    while (s[i] === ',') {
      i++;
      skipSpace();
    }
    const scheme = token();
    if (!scheme) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipSpace();
      const save = i;
      const key = token();
      skipSpace();
      if (!key || s[i] !== '=') {
        // Not an auth-param: either the next challenge's scheme or a token68; rewind.
        i = save;
        break;
      }
      i++;
      skipSpace();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        // Lenient: unquoted values up to the next comma or space (some servers send bare URLs).
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
        value = s.slice(start, i);
      }
      challenge.params[key.toLowerCase()] = value;
      skipSpace();
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  return out;
}

/** The scope a pull needs when a challenge names none (`GET /v2/` gives no scope). */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}
