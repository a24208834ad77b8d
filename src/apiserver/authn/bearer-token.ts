// Bearer tokens: the `Authorization: Bearer <token>` header and the static token table (upstream's
// --token-auth-file). Bootstrap tokens and service-account JWTs are looked up beside it (index.ts).
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/context.ts';

export type TokenTable = ReadonlyMap<string, UserInfo>;
export const AUTHENTICATED_GROUP = 'system:authenticated';

/** Browsers cannot set headers on a WebSocket: the token rides as a subprotocol (upstream's name). */
export const WEBSOCKET_TOKEN_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return websocketProtocolToken(req);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/**
 * The token of a `base64url.bearer.authorization.k8s.io.<token>` subprotocol. As upstream's
 * authenticator does, the entry is removed from the request, so a proxied upgrade does not carry
 * the credential on to the node agent.
 */
function websocketProtocolToken(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string' || !header.includes(WEBSOCKET_TOKEN_PROTOCOL_PREFIX)) return undefined;
  const protocols = header.split(',').map((p) => p.trim());
  const entry = protocols.find((p) => p.startsWith(WEBSOCKET_TOKEN_PROTOCOL_PREFIX));
  if (!entry) return undefined;
  const rest = protocols.filter((p) => p !== entry);
  if (rest.length) req.headers['sec-websocket-protocol'] = rest.join(', ');
  else delete req.headers['sec-websocket-protocol'];
  const token = Buffer.from(entry.slice(WEBSOCKET_TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString(
    'utf8',
  );
  return token || undefined;
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
