export {
  type ComponentCert,
  type ComponentCerts,
  ensureClientCert,
  ensureComponentCerts,
} from './components.ts';
export { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
export { ADMIN_GROUP, ADMIN_USER, ensurePki, type Pki, type PkiOptions } from './pki.ts';
