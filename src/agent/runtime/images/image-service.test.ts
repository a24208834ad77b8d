// Pulls from a real Distribution registry (Debian's docker-registry) on 127.0.0.1, with anonymous,
// basic (through a proxy) and token auth; imports OCI layouts and docker-save tarballs; GC.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  buildImage,
  buildIndex,
  busyboxImage,
  busyboxRootfsLayer,
  type OciImage,
  tarDirectory,
  writeDockerSave,
  writeOciLayout,
} from '../../../../test/support/images.ts';
import {
  pushImage,
  startProxy,
  startRegistry,
  type TestRegistry,
} from '../../../../test/support/registry.ts';
import { isImageError } from './errors.ts';
import { ImageService } from './image-service.ts';
import { keyringFromSecrets } from './pull-secrets.ts';
import { type RegistryHttp, registryHttp } from './registry-http.ts';

/** Tests talk to 127.0.0.0/8 only: any other host (e.g. a fallback to Docker Hub) fails loudly. */
const loopbackOnly: RegistryHttp = (url, req) => {
  if (!url.hostname.startsWith('127.'))
    return Promise.reject(new Error(`test refused to contact ${url.host}`));
  return registryHttp(url, req);
};

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

describe('ImageService against a real registry', () => {
  let work: string;
  let registry: TestRegistry;
  let tokenRegistry: TestRegistry;
  let image: OciImage;
  let n = 0;
  const newService = async (opts: Partial<ConstructorParameters<typeof ImageService>[0]> = {}) => {
    const svc = new ImageService({ root: join(work, `store-${n++}`), http: loopbackOnly, ...opts });
    await svc.init();
    return svc;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-images-'));
    [registry, tokenRegistry] = await Promise.all([
      startRegistry(),
      startRegistry({ token: { users: { skiff: 'token-pass' } } }),
    ]);
    image = await busyboxImage({ cmd: ['sh', '-c', 'echo hi'] });
    await pushImage(registry.url, 'busybox', '1', image);
    await pushImage(registry.url, 'library/busybox', '1', image);
    await pushImage(registry.url, 'busybox-docker', '1', await busyboxImage({ docker: true }));
    await pushImage(tokenRegistry.url, 'busybox', '1', image, { username: 'skiff', password: 'token-pass' });
  });

  after(async () => {
    await Promise.all([registry?.stop(), tokenRegistry?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  it('pulls anonymously, verifies and unpacks with whiteouts honoured', async (t) => {
    const svc = await newService();
    const started = performance.now();
    const record = await svc.pull(`${registry.host}/busybox:1`);
    const pulled = performance.now();
    const unpacked = await svc.unpack(record.reference);
    t.diagnostic(
      `pull ${(pulled - started).toFixed(1)} ms, unpack ${(performance.now() - pulled).toFixed(1)} ms`,
    );
    assert.equal(record.id, image.config.digest);
    assert.equal(record.manifestDigest, image.manifest.digest);
    assert.equal(record.repoDigest, `${registry.host}/busybox@${image.manifest.digest}`);
    assert.deepEqual(record.config.config?.Cmd, ['sh', '-c', 'echo hi']);
    const root = unpacked.rootfs;
    assert.equal((await stat(join(root, 'bin/busybox'))).mode & 0o111, 0o111);
    assert.equal(await readlink(join(root, 'bin/sh')), '/bin/busybox', 'applets link inside the image');
    assert.equal(await exists(join(root, 'bin/vi')), false, 'whiteout .wh.vi removed /bin/vi');
    assert.deepEqual(await readdir(join(root, 'etc/opq')), ['c'], 'opaque dir hides lower content');
    assert.equal(await readFile(join(root, 'etc/motd'), 'utf8'), 'layer2\n');
    assert.equal(
      (await stat(join(root, 'www/index.htm'))).ino,
      (await stat(join(root, 'www/index.html'))).ino,
    );
    // Layer 2 replaced etc/motd: its old hardlink keeps the old content instead of being written through.
    assert.equal(await readFile(join(root, 'etc/motd.hardlink'), 'utf8'), 'layer1\n');
    assert.equal((await stat(join(root, 'tmp'))).mode & 0o7777, 0o1777);
    assert.equal(await svc.unpack(record.id).then((u) => u.rootfs), root, 'unpacked once, found by ID');
    const again = await svc.pull(`${registry.host}/busybox:1`);
    assert.equal(again.id, record.id);
  });

  it('pulls docker v2 schema 2 manifests', async () => {
    const svc = await newService();
    const record = await svc.pull(`${registry.host}/busybox-docker:1`);
    assert.equal(record.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.ok(await exists(join((await svc.unpack(record.id)).rootfs, 'bin/busybox')));
  });

  it('resolves an image index to linux/amd64 and pulls by digest', async () => {
    const layers = [await busyboxRootfsLayer()];
    const amd64 = buildImage(layers, { env: ['ARCH=amd64'] });
    const arm64 = buildImage(layers, { env: ['ARCH=arm64'], architecture: 'arm64' });
    const index = buildIndex([
      { image: arm64, architecture: 'arm64' },
      { image: amd64, architecture: 'amd64' },
    ]);
    await pushImage(registry.url, 'multi', 'v1', index);
    const svc = await newService({ platform: { os: 'linux', architecture: 'amd64' } });
    const record = await svc.pull(`${registry.host}/multi:v1`);
    assert.equal(record.id, amd64.config.digest);
    assert.equal(record.targetDigest, index.index.digest);
    assert.deepEqual(record.config.config?.Env, ['ARCH=amd64']);
    const pinned = await svc.pull(`${registry.host}/multi@${index.index.digest}`);
    assert.equal(pinned.id, amd64.config.digest);
    const arm = await (await newService({ platform: { os: 'linux', architecture: 'arm64' } })).pull(
      `${registry.host}/multi:v1`,
    );
    assert.equal(arm.id, arm64.config.digest);
    await assert.rejects(
      (await newService({ platform: { os: 'linux', architecture: 's390x' } })).pull(
        `${registry.host}/multi:v1`,
      ),
      (err) => isImageError(err, 'Unsupported'),
    );
  });

  it('reports a missing image as NotFound', async () => {
    const svc = await newService();
    await assert.rejects(svc.pull(`${registry.host}/busybox:nope`), (err) => isImageError(err, 'NotFound'));
  });

  it('pulls docker.io references from a mirror, with rewrites', async () => {
    const svc = await newService({
      registries: {
        mirrors: { 'docker.io': { endpoint: [registry.url], rewrite: { '^library/(.*)$': '$1' } } },
      },
    });
    const record = await svc.pull('busybox:1');
    assert.equal(record.reference, 'docker.io/library/busybox:1');
    assert.equal(record.id, image.config.digest);
    const plain = await newService({
      registries: { mirrors: { 'docker.io': { endpoint: [registry.url] } } },
    });
    assert.equal((await plain.pull('docker.io/library/busybox:1')).id, image.config.digest);
  });

  it('authenticates with basic credentials from registries config', async () => {
    const proxy = await startProxy(registry.url, { basicAuth: { username: 'u', password: 'p' } });
    try {
      const anon = await newService();
      await assert.rejects(anon.pull(`${proxy.host}/busybox:1`), (err) => isImageError(err, 'Unauthorized'));
      const wrong = await newService({
        registries: { configs: { [proxy.host]: { auth: { username: 'u', password: 'x' } } } },
      });
      await assert.rejects(wrong.pull(`${proxy.host}/busybox:1`), (err) => isImageError(err, 'Unauthorized'));
      const svc = await newService({
        registries: { configs: { [proxy.host]: { auth: { username: 'u', password: 'p' } } } },
      });
      const record = await svc.pull(`${proxy.host}/busybox:1`);
      assert.equal(record.id, image.config.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('follows a bearer challenge to the token endpoint with the pull scope', async (t) => {
    const svc = await newService({
      registries: {
        configs: { [tokenRegistry.host]: { auth: { username: 'skiff', password: 'token-pass' } } },
      },
    });
    tokenRegistry.tokenRequests.length = 0;
    const started = performance.now();
    const record = await svc.pull(`${tokenRegistry.host}/busybox:1`);
    t.diagnostic(`token-auth pull ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(record.id, image.config.digest);
    assert.deepEqual(tokenRegistry.tokenRequests, [
      { scope: 'repository:busybox:pull', service: 'skiff-test-registry', user: 'skiff' },
    ]);
    const anon = await newService();
    await assert.rejects(anon.pull(`${tokenRegistry.host}/busybox:1`), (err) =>
      isImageError(err, 'Unauthorized'),
    );
    const wrong = await newService({
      registries: { configs: { [tokenRegistry.host]: { auth: { username: 'skiff', password: 'nope' } } } },
    });
    await assert.rejects(wrong.pull(`${tokenRegistry.host}/busybox:1`), (err) =>
      isImageError(err, 'Unauthorized'),
    );
  });

  it("uses a pod's pull-secret keyring, and never lends its token to a pull without it", async () => {
    const svc = await newService();
    const secret = (password: string) =>
      keyringFromSecrets([
        {
          metadata: { name: 'regcred' },
          type: 'kubernetes.io/dockerconfigjson',
          data: {
            '.dockerconfigjson': Buffer.from(
              JSON.stringify({ auths: { [tokenRegistry.host]: { username: 'skiff', password } } }),
            ).toString('base64'),
          },
        },
      ]);
    tokenRegistry.tokenRequests.length = 0;
    const record = await svc.pull(`${tokenRegistry.host}/busybox:1`, { keyring: secret('token-pass') });
    assert.equal(record.id, image.config.digest);
    assert.deepEqual(tokenRegistry.tokenRequests, [
      { scope: 'repository:busybox:pull', service: 'skiff-test-registry', user: 'skiff' },
    ]);
    // Same service right after: without the secret the registry refuses, whatever was cached.
    await assert.rejects(svc.pull(`${tokenRegistry.host}/busybox:1`), (err) =>
      isImageError(err, 'Unauthorized'),
    );
    await assert.rejects(svc.pull(`${tokenRegistry.host}/busybox:1`, { keyring: secret('nope') }), (err) =>
      isImageError(err, 'Unauthorized'),
    );
  });

  it('rejects a blob whose content does not match its digest, then recovers', async () => {
    const bad = image.layers[1].digest;
    const proxy = await startProxy(registry.url, { corruptBlob: bad });
    try {
      const root = join(work, 'mismatch-store');
      const svc = new ImageService({ root, http: loopbackOnly });
      await svc.init();
      await assert.rejects(svc.pull(`${proxy.host}/busybox:1`), (err) => isImageError(err, 'DigestMismatch'));
      assert.equal(await exists(join(root, 'blobs/sha256', bad.slice(7))), false, 'bad blob never stored');
      assert.equal(await svc.get(`${proxy.host}/busybox:1`), undefined, 'no record for a failed pull');
      const ok = await svc.pull(`${registry.host}/busybox:1`);
      assert.equal(ok.id, image.config.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('shares one download between concurrent pulls of a reference', async () => {
    let manifestRequests = 0;
    const counting: RegistryHttp = (url, req) => {
      if (url.pathname.includes('/manifests/')) manifestRequests++;
      return loopbackOnly(url, req);
    };
    const svc = await newService({ http: counting });
    const [a, b] = await Promise.all([
      svc.pull(`${registry.host}/busybox:1`),
      svc.pull(`${registry.host}/busybox:1`),
    ]);
    assert.equal(a, b);
    assert.equal(manifestRequests, 1);
  });

  it('imports OCI layouts (directory and tarball) and docker save tarballs', async () => {
    const layout = join(work, 'layout');
    await writeOciLayout(layout, [{ image, name: '1' }]);
    const svc = await newService();
    const [fromDir] = await svc.import(layout, { reference: 'skiff.test/imported:ignored' });
    assert.equal(fromDir.reference, 'skiff.test/imported:ignored');
    assert.equal(fromDir.id, image.config.digest);
    await assert.rejects(svc.import(join(work, 'missing')), (err) => isImageError(err, 'NotFound'));

    const named = join(work, 'layout-named');
    await writeOciLayout(named, [{ image, name: 'skiff.test/named:2' }]);
    const tarball = join(work, 'layout.tar');
    await tarDirectory(named, tarball);
    const [fromTar] = await svc.import(tarball);
    assert.equal(fromTar.reference, 'skiff.test/named:2');

    const saved = join(work, 'saved.tar');
    await writeDockerSave(saved, image, ['skiff.test/saved:latest', 'saved-alias:1']);
    const records = await svc.import(saved);
    assert.deepEqual(
      records.map((r) => r.reference),
      ['skiff.test/saved:latest', 'docker.io/library/saved-alias:1'],
    );
    assert.equal(records[0].id, image.config.digest, 'same config bytes, same image ID');
    const unpacked = await svc.unpack('saved-alias:1');
    assert.equal(await exists(join(unpacked.rootfs, 'bin/vi')), false);
    assert.deepEqual(await readdir(join(unpacked.rootfs, 'etc/opq')), ['c']);
    assert.equal((await svc.list()).length, 4);
  });

  it('removes references and garbage-collects unreferenced blobs and rootfs trees', async () => {
    const svc = await newService();
    const rec = await svc.pull(`${registry.host}/busybox:1`);
    await svc.unpack(rec.id);
    const root = svc.root;
    const blobCount = async () => (await readdir(join(root, 'blobs/sha256'))).length;
    assert.equal(await blobCount(), 4, 'manifest, config and two layers');
    assert.equal((await svc.gc()).removedBlobs, 0, 'nothing to collect while referenced');
    assert.equal(await svc.remove(`${registry.host}/busybox:1`), true);
    assert.equal(await svc.remove(`${registry.host}/busybox:1`), false);
    const kept = await svc.gc({ keep: [rec.id] });
    assert.deepEqual(kept, { removedBlobs: 4, removedRootfs: 0 }, 'a running container keeps its rootfs');
    assert.ok(await exists(join(root, 'rootfs', rec.id.slice(7))));
    assert.deepEqual(await svc.gc(), { removedBlobs: 0, removedRootfs: 1 });
    assert.equal(await blobCount(), 0);
    await mkdir(join(root, 'ingest'), { recursive: true });
  });
});
