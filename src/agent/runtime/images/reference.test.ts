import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatReference,
  InvalidReferenceError,
  manifestSelector,
  normalizeReference,
  parseReference,
} from './reference.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('image references', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['127.0.0.1:5000/busybox:1', '127.0.0.1:5000/busybox:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['ghcr.io/org/team/tool:v1.2.3-rc.1', 'ghcr.io/org/team/tool:v1.2.3-rc.1'],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`quay.io/a/b:1@${DIGEST}`, `quay.io/a/b:1@${DIGEST}`],
    ['my_app/web__x', 'docker.io/my_app/web__x:latest'],
  ];
  for (const [input, want] of cases) {
    it(`normalises ${input}`, () => assert.equal(normalizeReference(input), want));
  }

  it('splits domain, path, tag and digest', () => {
    assert.deepEqual(parseReference('127.0.0.1:5000/team/app:2'), {
      domain: '127.0.0.1:5000',
      path: 'team/app',
      tag: '2',
    });
    const pinned = parseReference(`app:1@${DIGEST}`);
    assert.equal(pinned.tag, '1');
    assert.equal(pinned.digest, DIGEST);
    assert.equal(manifestSelector(pinned), DIGEST, 'a digest wins over a tag');
    assert.equal(manifestSelector(parseReference('app')), 'latest');
    assert.equal(formatReference(pinned), `docker.io/library/app:1@${DIGEST}`);
  });

  for (const bad of ['', 'x/UPPER', 'Busybox', 'a//b', 'app:bad tag', 'app@sha256:xyz', 'app:-tag', 'a/b/']) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseReference(bad), InvalidReferenceError));
  }
});
