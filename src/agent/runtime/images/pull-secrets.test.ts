import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Secret } from 'kubernetes-types/core/v1.d.ts';
import { keyringFromSecrets, PullSecretError, parseDockerConfig } from './pull-secrets.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, type: string, key: string, doc: unknown): Secret => ({
  metadata: { name },
  type,
  data: { [key]: b64(JSON.stringify(doc)) },
});
const dockerconfigjson = (name: string, auths: Record<string, unknown>) =>
  secret(name, 'kubernetes.io/dockerconfigjson', '.dockerconfigjson', { auths });

describe('pull secret keyring', () => {
  it('reads username/password, base64 auth and identity tokens', () => {
    const ring = keyringFromSecrets([
      dockerconfigjson('a', {
        '127.0.0.1:5000': { username: 'u', password: 'p' },
        'https://registry.example': { auth: b64('x:y:z') },
        'tok.example': { identitytoken: 'refresh-me' },
      }),
    ]);
    assert.deepEqual(ring.lookup('127.0.0.1:5000', 'skiff/busybox'), { username: 'u', password: 'p' });
    // The password may itself contain colons: only the first one separates.
    assert.deepEqual(ring.lookup('registry.example', 'x'), { username: 'x', password: 'y:z' });
    assert.deepEqual(ring.lookup('tok.example', 'a'), { identityToken: 'refresh-me' });
    // The port is part of the host: another port gets nothing.
    assert.equal(ring.lookup('127.0.0.1:5001', 'skiff/busybox'), undefined);
    assert.equal(ring.lookup('127.0.0.1', 'skiff/busybox'), undefined);
  });

  it('prefers the longest matching path, then the order of the secrets', () => {
    const ring = keyringFromSecrets([
      dockerconfigjson('first', { 'reg.example': { username: 'host-wide', password: '1' } }),
      dockerconfigjson('second', {
        'reg.example/team': { username: 'team', password: '2' },
        'reg.example/': { username: 'later-host-wide', password: '3' },
      }),
    ]);
    assert.equal(ring.lookup('reg.example', 'team/app')?.username, 'team');
    assert.equal(ring.lookup('reg.example', 'team')?.username, 'team');
    assert.equal(ring.lookup('reg.example', 'teamster/app')?.username, 'host-wide');
    assert.equal(ring.lookup('reg.example', 'other')?.username, 'host-wide');
  });

  it('matches one wildcard label, and Docker Hub under its names', () => {
    const ring = keyringFromSecrets([
      dockerconfigjson('w', {
        '*.corp.example': { username: 'wild', password: 'w' },
        'https://index.docker.io/v1/': { username: 'hub', password: 'h' },
      }),
    ]);
    assert.equal(ring.lookup('reg.corp.example', 'a')?.username, 'wild');
    assert.equal(ring.lookup('a.b.corp.example', 'a'), undefined);
    assert.equal(ring.lookup('corp.example', 'a'), undefined);
    assert.equal(ring.lookup('registry-1.docker.io', 'library/busybox')?.username, 'hub');
    assert.equal(ring.lookup('docker.io', 'library/busybox')?.username, 'hub');
  });

  it('reads the legacy dockercfg shape and skips what is not a pull secret', () => {
    const skipped: string[] = [];
    const ring = keyringFromSecrets(
      [
        secret('legacy', 'kubernetes.io/dockercfg', '.dockercfg', { 'old.example': { auth: b64('o:p') } }),
        secret('opaque', 'Opaque', '.dockerconfigjson', { auths: { 'x.example': { auth: b64('a:b') } } }),
        {
          metadata: { name: 'broken' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64('{') },
        },
        { metadata: { name: 'empty' }, type: 'kubernetes.io/dockerconfigjson', data: {} },
      ],
      (name) => skipped.push(name),
    );
    assert.deepEqual(ring.lookup('old.example', 'r'), { username: 'o', password: 'p' });
    assert.equal(ring.lookup('x.example', 'r'), undefined);
    assert.deepEqual(skipped, ['opaque', 'broken', 'empty']);
    assert.equal(ring.size, 1);
  });

  it('fingerprints contents, rejects malformed auth', () => {
    const a = keyringFromSecrets([dockerconfigjson('a', { h: { username: 'u', password: 'p' } })]);
    const b = keyringFromSecrets([dockerconfigjson('b', { h: { username: 'u', password: 'p' } })]);
    const c = keyringFromSecrets([dockerconfigjson('c', { h: { username: 'u', password: 'q' } })]);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.fingerprint, c.fingerprint);
    assert.throws(
      () => parseDockerConfig(JSON.stringify({ auths: { h: { auth: b64('nocolon') } } })),
      PullSecretError,
    );
    assert.deepEqual(parseDockerConfig('{}'), []);
  });
});
