import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges, pullScope } from './auth-challenge.ts';

describe('WWW-Authenticate challenges', () => {
  it('parses a bearer challenge with quoted params', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
    );
    assert.equal(c.scheme, 'bearer');
    assert.deepEqual(c.params, {
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/busybox:pull',
    });
  });

  it('parses several challenges, unquoted values and escapes', () => {
    const cs = parseChallenges('Basic realm="Registry \\"x\\"", Bearer realm=http://a/token, service=s');
    assert.deepEqual(
      cs.map((c) => [c.scheme, c.params]),
      [
        ['basic', { realm: 'Registry "x"' }],
        ['bearer', { realm: 'http://a/token', service: 's' }],
      ],
    );
  });

  it('builds the default pull scope', () => assert.equal(pullScope('a/b'), 'repository:a/b:pull'));
});
