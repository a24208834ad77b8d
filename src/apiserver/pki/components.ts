// Client certificates for the cluster's own components, issued from the cluster CA into the data
// dir at start so the scheduler, controller manager, service proxy and node agent can each talk
// to the API server as themselves (RBAC binds their default roles to these names):
//   scheduler.{crt,key}           CN=system:kube-scheduler
//   controller-manager.{crt,key}  CN=system:kube-controller-manager
//   kube-proxy.{crt,key}          CN=system:kube-proxy
//   node-<name>.{crt,key}         CN=system:node:<name>, O=system:nodes
// Like the other leaves, they are re-issued only when missing, foreign or close to expiry.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPairPem, LeafSpec } from './certs.ts';
import { leafStillGood, writeAtomic } from './pki.ts';

export interface ComponentCert extends KeyPairPem {
  certPath: string;
  keyPath: string;
}

export interface ComponentCerts {
  scheduler: ComponentCert;
  controllerManager: ComponentCert;
  proxy: ComponentCert;
  node: ComponentCert;
}

export async function ensureComponentCerts(
  dir: string,
  ca: KeyPairPem,
  nodeName: string,
): Promise<ComponentCerts> {
  const one = (file: string, commonName: string, organizations?: string[]) =>
    ensureClientCert(dir, file, ca, { commonName, organizations, usage: 'client' });
  return {
    scheduler: await one('scheduler', 'system:kube-scheduler'),
    controllerManager: await one('controller-manager', 'system:kube-controller-manager'),
    proxy: await one('kube-proxy', 'system:kube-proxy'),
    node: await one(`node-${nodeName}`, `system:node:${nodeName}`, ['system:nodes']),
  };
}

/** A client certificate `<dir>/<file>.crt` + `.key` for the spec, issued when needed. */
export async function ensureClientCert(
  dir: string,
  file: string,
  ca: KeyPairPem,
  spec: LeafSpec,
): Promise<ComponentCert> {
  const certPath = join(dir, `${file}.crt`);
  const keyPath = join(dir, `${file}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    if (leafStillGood(certPem, ca.certPem, spec) && subjectMatches(certPem, spec))
      return { certPem, keyPem: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }
  const { issueLeaf } = await import('./issuer.ts');
  const pair = await issueLeaf(ca, spec);
  writeAtomic(keyPath, pair.keyPem, 0o600);
  writeAtomic(certPath, pair.certPem, 0o644);
  return { ...pair, certPath, keyPath };
}

function subjectMatches(certPem: string, spec: LeafSpec): boolean {
  // node:crypto prints the subject as `CN=…\nO=…` lines.
  const subject = new X509Certificate(certPem).subject;
  return subject.split('\n').includes(`CN=${spec.commonName}`);
}
