// x509 client-certificate authentication, as upstream's: the TLS layer already verified the chain
// against the cluster CA (requestCert + ca, rejectUnauthorized off so that anonymous and token
// requests still connect); the user is the subject CN and the groups are its O values.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../registry/context.ts';

/** One TLS connection carries one client certificate: decode it once per socket, not per request. */
const perSocket = new WeakMap<object, UserInfo | null>();

export function userFromClientCert(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cached = perSocket.get(socket);
  if (cached !== undefined) return cached ?? undefined;
  let user: UserInfo | null = null;
  if (socket.authorized) {
    const cert = socket.getPeerCertificate();
    const cn = first(cert?.subject?.CN);
    if (cn) {
      const orgs = cert.subject.O;
      const groups = orgs === undefined ? [] : Array.isArray(orgs) ? orgs : [orgs];
      user = { username: cn, groups: [...groups, 'system:authenticated'] };
    }
  }
  perSocket.set(socket, user);
  return user ?? undefined;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
