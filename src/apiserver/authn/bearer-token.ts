// Bearer tokens: the `Authorization: Bearer <token>` header and the static token table (upstream's
// --token-auth-file). Bootstrap tokens and service-account JWTs are looked up beside it (index.ts).
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/context.ts';

export type TokenTable = ReadonlyMap<string, UserInfo>;
export const AUTHENTICATED_GROUP = 'system:authenticated';

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/** Every authenticated user is in system:authenticated, as upstream's group adder makes sure. */
export function withAuthenticated(u: UserInfo): UserInfo {
  return u.groups.includes(AUTHENTICATED_GROUP) ? u : { ...u, groups: [...u.groups, AUTHENTICATED_GROUP] };
}

export function userFromToken(req: IncomingMessage, tokens: TokenTable): UserInfo | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const u = tokens.get(token);
  return u && withAuthenticated(u);
}
