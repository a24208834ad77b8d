// @peculiar/x509, loaded on first use: only clusters that sign CSRs pay for it (and
// reflect-metadata must be imported before it, for its decorators).
import { webcrypto } from 'node:crypto';

export type X509 = typeof import('@peculiar/x509');
let lib: Promise<X509> | undefined;

export function loadX509(): Promise<X509> {
  lib ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return lib;
}
