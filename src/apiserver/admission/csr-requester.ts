// CertificateSigningRequests record who asked: spec.username/uid/groups/extra are set from the
// requesting user on create, whatever the body said (upstream's CSR strategy PrepareForCreate).
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';

export class CsrRequester implements AdmissionPlugin {
  readonly name = 'CertificateSigningRequestRequester';

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || a.kind.group !== 'certificates.k8s.io') return;
    if (a.kind.plural !== 'certificatesigningrequests' || !a.obj) return;
    const u = a.ctx.user;
    const spec = { ...(a.obj.spec ?? {}) };
    spec.username = u.username;
    spec.groups = [...u.groups];
    if (u.uid) spec.uid = u.uid;
    else delete spec.uid;
    if (u.extra && Object.keys(u.extra).length) spec.extra = u.extra;
    else delete spec.extra;
    a.obj.spec = spec;
  }
}
