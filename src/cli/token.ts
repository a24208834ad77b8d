// `skiff token create [--ttl 24h]`: a bootstrap token (kubeadm's `kubeadm token create
// --print-join-command`), stored as the kube-system Secret `bootstrap-token-<id>` through the API
// with the admin kubeconfig, and printed as the command that joins a machine to this cluster.
import { createHash, randomInt, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ResourceRef } from '../client/index.ts';
import { colorsFor } from './colors.ts';
import { DEFAULT_DATA_DIR } from './up.ts';

const SECRETS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  namespaced: true,
  kind: 'Secret',
};
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
/** kubeadm's default group for node join tokens (auth-extra-groups). */
export const DEFAULT_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
export const DEFAULT_TOKEN_TTL = '24h';
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 6;
const SECRET_LENGTH = 16;
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(h|m|s|ms))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Go's time.ParseDuration subset kubeadm's --ttl takes (`24h`, `1h30m`, `0` = never expires). */
export function parseTtl(text: string): number {
  if (text === '0') return 0;
  if (!DURATION_RE.test(text))
    throw new Error(`invalid --ttl ${JSON.stringify(text)}: expected e.g. 24h, 90m, 0`);
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

const randomString = (n: number): string =>
  Array.from({ length: n }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');

export function newBootstrapToken(): { id: string; secret: string } {
  return { id: randomString(ID_LENGTH), secret: randomString(SECRET_LENGTH) };
}

/** The Secret for a token, as kubeadm writes it. */
export function bootstrapTokenSecret(id: string, secret: string, expiresAt?: Date, description?: string) {
  return {
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_TYPE,
    stringData: {
      'token-id': id,
      'token-secret': secret,
      ...(expiresAt ? { expiration: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': DEFAULT_TOKEN_GROUP,
      ...(description ? { description } : {}),
    },
  };
}

/** `sha256:<hex>` of the CA's SubjectPublicKeyInfo (kubeadm's --discovery-token-ca-cert-hash). */
export function caPublicKeyHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

interface TokenFlags {
  dataDir: string;
  kubeconfig?: string;
  ttl: string;
  description?: string;
}

export function addTokenCommands(program: Command): void {
  const token = program.command('token').description('manage bootstrap tokens for joining machines');
  token
    .command('create')
    .description('create a bootstrap token and print the `skiff agent` command that joins with it')
    .option(
      '--data-dir <dir>',
      'the server data dir (its kubeconfig.yaml is used)',
      process.env.SKIFF_DATA_DIR ?? DEFAULT_DATA_DIR,
    )
    .option('--kubeconfig <file>', 'admin kubeconfig (default <data-dir>/kubeconfig.yaml)')
    .option('--ttl <duration>', 'how long the token is valid (0: forever)', DEFAULT_TOKEN_TTL)
    .option('--description <text>', 'a note stored with the token')
    .action(async (flags: TokenFlags) => {
      const err = colorsFor(process.stderr);
      let ttlMs: number;
      try {
        ttlMs = parseTtl(flags.ttl);
      } catch (e) {
        console.error(err.red((e as Error).message));
        process.exit(2);
      }
      const path = flags.kubeconfig ?? join(flags.dataDir, 'kubeconfig.yaml');
      // Loaded here, not at the top: `skiff up` should not pay for the client to start.
      const { clientFromKubeconfig, loadKubeconfig } = await import('../client/index.ts');
      const conn = await loadKubeconfig(path);
      if (!conn.ca) {
        console.error(err.red(`${path} has no certificate-authority-data: cannot compute the CA hash`));
        process.exit(1);
      }
      const client = await clientFromKubeconfig(path, { userAgent: 'skiff/token' });
      try {
        const { id, secret } = newBootstrapToken();
        const expires = ttlMs ? new Date(Date.now() + ttlMs) : undefined;
        await client
          .resource(SECRETS, 'kube-system')
          .create(bootstrapTokenSecret(id, secret, expires, flags.description));
        const hash = caPublicKeyHash(conn.ca.toString('utf8'));
        process.stdout.write(
          `skiff agent --server ${conn.server} --token ${id}.${secret} --ca-cert-hash ${hash}\n`,
        );
      } finally {
        client.close();
      }
    });
}
