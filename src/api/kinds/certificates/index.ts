// certificates.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { CERTIFICATE_SIGNING_REQUEST } from './certificatesigningrequest.ts';

export const CERTIFICATES_KINDS: readonly KindDef[] = [CERTIFICATE_SIGNING_REQUEST];
