// The authentication chain: the first authenticator that recognises the request names the user —
// client certificate, then bearer tokens (static token file, bootstrap token, service-account
// JWT). A request nobody recognises is anonymous; the server answers it 401 except on public
// paths. Certificate and static-token requests are answered synchronously; only JWTs wait (for
// the lazily loaded verifier).
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/context.ts';
import type { Authenticator } from '../server.ts';
import { bearerToken, type TokenTable, withAuthenticated } from './bearer-token.ts';
import {
  BOOTSTRAP_NAMESPACE,
  BOOTSTRAP_SECRET_PREFIX,
  bootstrapUser,
  parseBootstrapToken,
} from './bootstrap-token.ts';
import { userFromClientCert } from './client-cert.ts';
import type { ObjectLookup, ServiceAccountTokens } from './service-account-token.ts';

export interface AuthenticatorOptions {
  /** Static bearer tokens → users (--token-auth-file). */
  tokens?: TokenTable;
  /** Service-account JWTs. */
  serviceAccounts?: ServiceAccountTokens;
  /** Secrets (kube-system bootstrap-token-*) for bootstrap tokens. */
  bootstrapSecrets?: ObjectLookup;
  now?: () => number;
}

export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  // Normalised once, so a static-token request allocates nothing.
  const tokens = new Map<string, UserInfo>();
  for (const [t, u] of opts.tokens ?? []) tokens.set(t, withAuthenticated(u));
  const now = opts.now ?? Date.now;
  const fromToken = (token: string): UserInfo | undefined | Promise<UserInfo | undefined> => {
    const u = tokens.get(token);
    if (u) return u;
    const boot = opts.bootstrapSecrets && parseBootstrapToken(token);
    if (boot) {
      const secret = opts.bootstrapSecrets!.get(
        BOOTSTRAP_NAMESPACE,
        `${BOOTSTRAP_SECRET_PREFIX}${boot.id}`,
      )?.obj;
      const user = bootstrapUser(boot, secret, now());
      return user && withAuthenticated(user);
    }
    return opts.serviceAccounts?.authenticate(token);
  };
  return {
    authenticate(req: IncomingMessage) {
      const cert = userFromClientCert(req);
      if (cert) return cert;
      const token = bearerToken(req);
      return token ? fromToken(token) : undefined;
    },
    authenticateToken: fromToken,
  };
}
