// The authentication chain: the first authenticator that recognises the request names the user.
// A request nobody recognises is anonymous; the server answers it 401 except on public paths.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/context.ts';
import type { Authenticator } from '../server.ts';
import { type TokenTable, userFromToken } from './bearer-token.ts';
import { userFromClientCert } from './client-cert.ts';

export interface AuthenticatorOptions {
  /** Static bearer tokens → users. */
  tokens?: TokenTable;
}

export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const tokens = opts.tokens ?? new Map<string, UserInfo>();
  return {
    authenticate(req: IncomingMessage): UserInfo | undefined {
      return userFromClientCert(req) ?? userFromToken(req, tokens);
    },
  };
}
