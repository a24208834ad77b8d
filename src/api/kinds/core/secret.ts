// core/v1 Secret.
import { type FieldError, fieldInvalid, fieldRequired, fieldTooLong } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { isConfigMapKey, isObject, key, validateImmutable } from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { len, str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { MAX_DATA_SIZE, validateImmutableData } from './configmap.ts';

export const SECRET_TYPE_OPAQUE = 'Opaque';
const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const REDACTED = '<secret contents redacted>';
/** Keys each built-in secret type requires. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};
const JSON_KEYS: Record<string, string> = {
  'kubernetes.io/dockercfg': '.dockercfg',
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
};
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Where Go's base64 decoder (what decodes Secret data upstream) gives up on `s`, or -1 when it
 * is valid standard base64. Line breaks are skipped, as Go does.
 */
export function base64ErrorOffset(s: string): number {
  const clean = s.replace(/[\r\n]/g, '');
  for (let i = 0; i < clean.length; i++) {
    if (!/[A-Za-z0-9+/=]/.test(clean[i])) return i;
  }
  if (!BASE64_CHARS.test(clean)) return clean.indexOf('=');
  if (clean.length % 4 !== 0) return clean.length - (clean.length % 4);
  return -1;
}

/** stringData is write-only: its entries are folded into data, as upstream's conversion does. */
function foldStringData(secret: KObject): void {
  if (!isObject(secret.stringData)) return;
  secret.data = { ...(isObject(secret.data) ? secret.data : {}) };
  for (const [k, v] of Object.entries(secret.stringData)) {
    secret.data[k] = Buffer.from(String(v ?? '')).toString('base64');
  }
  delete secret.stringData;
}

function validateSecret(secret: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isObject(secret.data) ? secret.data : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => fieldInvalid(key('data', k), k, m)));
    const text = String(v ?? '');
    const bad = base64ErrorOffset(text);
    if (bad >= 0)
      errs.push(fieldInvalid(key('data', k), REDACTED, `illegal base64 data at input byte ${bad}`));
    else size += Buffer.from(text, 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(fieldTooLong('data', '', MAX_DATA_SIZE));
  const type = secret.type ?? '';
  if (type === 'kubernetes.io/service-account-token') {
    if (!secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) {
      errs.push(fieldRequired(key('metadata.annotations', SERVICE_ACCOUNT_NAME_ANNOTATION)));
    }
  } else if (type === 'kubernetes.io/basic-auth') {
    if (!('username' in data) && !('password' in data)) {
      errs.push(fieldRequired(key('data', 'username')), fieldRequired(key('data', 'password')));
    }
  } else if (REQUIRED_KEYS[type]) {
    for (const k of REQUIRED_KEYS[type]) if (!(k in data)) errs.push(fieldRequired(key('data', k)));
    const jsonKey = JSON_KEYS[type];
    if (jsonKey && jsonKey in data && base64ErrorOffset(String(data[jsonKey])) < 0) {
      try {
        JSON.parse(Buffer.from(String(data[jsonKey]), 'base64').toString());
      } catch (err) {
        errs.push(fieldInvalid(key('data', jsonKey), REDACTED, (err as Error).message));
      }
    }
  }
  return errs;
}

export const SECRET = defineKind({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  fieldSelectors: { type: (o) => str(o.type) },
  defaults(secret) {
    foldStringData(secret);
    secret.type ||= SECRET_TYPE_OPAQUE;
  },
  validate: validateSecret,
  validateUpdate: (secret, old) => [
    ...validateImmutable(secret.type, old.type, 'type'),
    ...validateImmutableData(secret, old, ['data']),
  ],
  table: {
    columns: [
      nameColumn(),
      column('Type', 'Used to facilitate programmatic handling of secret data.'),
      column('Data', 'The number of keys in the secret data.'),
      ageColumn(),
    ],
    cells: (s, now) => [nameOf(s), str(s.type), len(s.data), ageOf(s, now)],
  },
});
