// Bearer-token authentication against a static token table (upstream's --token-auth-file); the
// service-account JWT authenticator plugs in beside it with the security issue.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/context.ts';

export type TokenTable = ReadonlyMap<string, UserInfo>;

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

export function userFromToken(req: IncomingMessage, tokens: TokenTable): UserInfo | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const u = tokens.get(token);
  if (!u) return undefined;
  return {
    ...u,
    groups: u.groups.includes('system:authenticated') ? u.groups : [...u.groups, 'system:authenticated'],
  };
}
