import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReference } from './reference.ts';
import {
  credentialsFor,
  isLoopbackHost,
  parseRegistriesConfig,
  resolveEndpoints,
} from './registries-config.ts';

describe('registries.yaml', () => {
  const config = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - "mirror.example.com/v2/"
    rewrite:
      "^library/(.*)": "hub/$1"
  "*":
    endpoint: ["127.0.0.2:6000"]
configs:
  "127.0.0.1:5000":
    auth: {username: alice, password: s3cret}
  "mirror.example.com":
    auth: {auth: "Ym9iOnB3"}
`);

  it('tries mirrors in order (with rewrites), then the registry itself', () => {
    const eps = resolveEndpoints(parseReference('busybox:1'), config);
    assert.deepEqual(
      eps.map((e) => [e.baseUrl, e.repository, e.isMirror]),
      [
        ['http://127.0.0.1:5000', 'hub/busybox', true],
        ['https://mirror.example.com', 'hub/busybox', true],
        ['https://registry-1.docker.io', 'library/busybox', false],
      ],
    );
  });

  it('applies the wildcard mirror to other registries; loopback hosts speak http', () => {
    const eps = resolveEndpoints(parseReference('quay.io/a/b'), config);
    assert.deepEqual(
      eps.map((e) => e.baseUrl),
      ['http://127.0.0.2:6000', 'https://quay.io'],
    );
    assert.deepEqual(
      resolveEndpoints(parseReference('127.0.0.1:5000/app')).map((e) => e.baseUrl),
      ['http://127.0.0.1:5000'],
    );
    assert.ok(
      isLoopbackHost('localhost:5000') && isLoopbackHost('127.9.0.1') && !isLoopbackHost('10.0.0.1:5000'),
    );
  });

  it('finds credentials by endpoint host, decoding Docker-style auth', () => {
    assert.deepEqual(credentialsFor('127.0.0.1:5000', config), { username: 'alice', password: 's3cret' });
    assert.deepEqual(credentialsFor('mirror.example.com', config), { username: 'bob', password: 'pw' });
    assert.equal(credentialsFor('other', config), undefined);
  });

  it('rejects malformed configs', () => {
    assert.throws(() => parseRegistriesConfig('mirrors: {x: {endpoint: "http://a"}}'), /must be a list/);
    assert.throws(() => parseRegistriesConfig('mirrors: {x: {rewrite: {"(": "y"}}}'), /bad pattern/);
  });
});
