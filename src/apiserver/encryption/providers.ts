// Encryption-at-rest providers as upstream's (k8s.io/apiserver/pkg/storage/value/encrypt): a value
// is stored as `k8s:enc:<provider>:v1:<key name>:` + payload. aescbc: a random 16-byte IV, then
// AES-CBC with PKCS#7 padding. aesgcm: a random 12-byte nonce, then AES-GCM ciphertext and its
// 16-byte tag, authenticated together with the storage key so a value cannot be moved to another
// key. Our storage values are text, so the payload after the prefix is base64 (upstream: raw bytes).
import { type CipherGCMTypes, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENC_PREFIX = 'k8s:enc:';
const CBC_IV_BYTES = 16;
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
const VALID_KEY_BYTES = new Set([16, 24, 32]);

export interface Transformer {
  /** The prefix values written by this transformer start with ('' for identity). */
  readonly prefix: string;
  encrypt(plain: string, storageKey: string): string;
  decrypt(stored: string, storageKey: string): string;
}

export const identity: Transformer = {
  prefix: '',
  encrypt: (plain) => plain,
  decrypt: (stored) => stored,
};

function checkKey(provider: string, name: string, key: Buffer): void {
  if (!VALID_KEY_BYTES.has(key.length))
    throw new Error(
      `${provider} key ${JSON.stringify(name)}: key must be 16, 24 or 32 bytes, got ${key.length}`,
    );
}

const cbcName = (key: Buffer): string => `aes-${key.length * 8}-cbc`;
const gcmName = (key: Buffer): CipherGCMTypes => `aes-${key.length * 8}-gcm` as CipherGCMTypes;

export function aescbc(name: string, key: Buffer): Transformer {
  checkKey('aescbc', name, key);
  const prefix = `${ENC_PREFIX}aescbc:v1:${name}:`;
  return {
    prefix,
    encrypt(plain) {
      const iv = randomBytes(CBC_IV_BYTES);
      const c = createCipheriv(cbcName(key), key, iv);
      return prefix + Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
    },
    decrypt(stored) {
      const raw = Buffer.from(stored.slice(prefix.length), 'base64');
      const d = createDecipheriv(cbcName(key), key, raw.subarray(0, CBC_IV_BYTES));
      return Buffer.concat([d.update(raw.subarray(CBC_IV_BYTES)), d.final()]).toString('utf8');
    },
  };
}

export function aesgcm(name: string, key: Buffer): Transformer {
  checkKey('aesgcm', name, key);
  const prefix = `${ENC_PREFIX}aesgcm:v1:${name}:`;
  return {
    prefix,
    encrypt(plain, storageKey) {
      const nonce = randomBytes(GCM_NONCE_BYTES);
      const c = createCipheriv(gcmName(key), key, nonce);
      c.setAAD(Buffer.from(storageKey));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return prefix + Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64');
    },
    decrypt(stored, storageKey) {
      const raw = Buffer.from(stored.slice(prefix.length), 'base64');
      const d = createDecipheriv(gcmName(key), key, raw.subarray(0, GCM_NONCE_BYTES));
      d.setAAD(Buffer.from(storageKey));
      d.setAuthTag(raw.subarray(raw.length - GCM_TAG_BYTES));
      return Buffer.concat([
        d.update(raw.subarray(GCM_NONCE_BYTES, raw.length - GCM_TAG_BYTES)),
        d.final(),
      ]).toString('utf8');
    },
  };
}
