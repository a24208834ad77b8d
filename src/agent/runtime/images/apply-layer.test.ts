import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { packTar, sha256, type TarEntry } from '../../../../test/support/images.ts';
import { applyLayer } from './apply-layer.ts';
import { isImageError } from './errors.ts';
import { classifyWhiteout, cleanEntryName, resolveLinkTarget } from './layer-paths.ts';

async function* chunks(buf: Buffer, size = 700): AsyncIterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

describe('layer path rules', () => {
  it('cleans names and refuses ..', () => {
    assert.equal(cleanEntryName('/'), '');
    assert.equal(cleanEntryName('./a//b/'), 'a/b');
    assert.throws(() => cleanEntryName('a/../../etc'), /escapes the image root/);
  });

  it('classifies whiteouts', () => {
    assert.deepEqual(classifyWhiteout('bin/.wh.vi'), { kind: 'whiteout', target: 'bin/vi' });
    assert.deepEqual(classifyWhiteout('.wh.top'), { kind: 'whiteout', target: 'top' });
    assert.deepEqual(classifyWhiteout('etc/x/.wh..wh..opq'), { kind: 'opaque', dir: 'etc/x' });
    assert.deepEqual(classifyWhiteout('.wh..wh.plnk'), { kind: 'meta' });
    assert.deepEqual(classifyWhiteout('etc/passwd'), { kind: 'none' });
  });

  it('resolves symlink targets as a chroot would', () => {
    assert.equal(resolveLinkTarget('a/b', '../c'), 'a/c');
    assert.equal(resolveLinkTarget('a', '/etc'), 'etc');
    assert.equal(resolveLinkTarget('a', '../../../..'), '');
  });
});

describe('applyLayer', () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'skiff-apply-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const fresh = async (name: string) => {
    const { mkdir } = await import('node:fs/promises');
    const dir = join(base, name);
    await mkdir(dir);
    return dir;
  };

  it('applies files, links and whiteouts across two layers (gzip and plain, sniffed)', async () => {
    const root = await fresh('two');
    const lower: TarEntry[] = [
      { name: './', type: 'directory' },
      { name: 'bin/', type: 'directory' },
      { name: 'bin/busybox', type: 'file', content: 'BB', mode: 0o4755 },
      { name: 'bin/vi', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/opq/', type: 'directory' },
      { name: 'etc/opq/a', type: 'file', content: 'a' },
      { name: 'etc/opq/sub/', type: 'directory' },
      { name: 'etc/opq/sub/deep', type: 'file', content: 'deep' },
      { name: 'etc/file-becomes-dir', type: 'file', content: 'x' },
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', mode: 0o666 },
      { name: 'home/', type: 'directory', uid: 1000, gid: 1000, mode: 0o750 },
    ];
    const tar1 = await packTar(lower);
    const r1 = await applyLayer(root, chunks(gzipSync(tar1)));
    assert.equal(r1.diffId, sha256(tar1));
    assert.deepEqual(r1.stats.skipped, ['dev/null']);
    assert.equal((await stat(join(root, 'bin/busybox'))).mode & 0o7777, 0o4755);
    assert.equal((await stat(join(root, 'bin/ls'))).ino, (await stat(join(root, 'bin/busybox'))).ino);
    assert.equal(await readlink(join(root, 'bin/vi')), '/bin/busybox');
    const home = await stat(join(root, 'home'));
    assert.deepEqual([home.uid, home.gid, home.mode & 0o777], [1000, 1000, 0o750]);

    const upper: TarEntry[] = [
      { name: 'bin/.wh.vi', type: 'file', content: '' },
      { name: 'etc/opq/', type: 'directory' },
      { name: 'etc/opq/new', type: 'file', content: 'new' },
      // Opaque marker after a same-layer child: only lower-layer content goes.
      { name: 'etc/opq/.wh..wh..opq', type: 'file', content: '' },
      { name: 'etc/file-becomes-dir/', type: 'directory' },
      { name: 'etc/file-becomes-dir/inner', type: 'file', content: 'i' },
      { name: 'bin/busybox', type: 'file', content: 'BB2', mode: 0o755 },
    ];
    const tar2 = await packTar(upper);
    const r2 = await applyLayer(root, chunks(tar2), { expectedDiffId: sha256(tar2) });
    assert.equal(r2.stats.whiteouts, 2);
    assert.equal(await exists(join(root, 'bin/vi')), false, 'whiteout removed bin/vi');
    assert.deepEqual((await readdir(join(root, 'etc/opq'))).sort(), ['new']);
    assert.equal(await readFile(join(root, 'etc/file-becomes-dir/inner'), 'utf8'), 'i');
    // Replacing a hardlinked file must not write through to the other link.
    assert.equal(await readFile(join(root, 'bin/busybox'), 'utf8'), 'BB2');
    assert.equal(await readFile(join(root, 'bin/ls'), 'utf8'), 'BB');
  });

  it('refuses entries with .. and writes nothing outside the root', async () => {
    const root = await fresh('dotdot');
    const tar = await packTar([
      { name: 'ok', type: 'file', content: 'ok' },
      { name: '../skiff-escaped-dotdot', type: 'file', content: 'x' },
    ]);
    await assert.rejects(applyLayer(root, chunks(tar)), (err) => isImageError(err, 'Invalid'));
    assert.equal(await exists(join(base, 'skiff-escaped-dotdot')), false);
  });

  it('follows symlinked parents inside the root only', async () => {
    const root = await fresh('symlink-escape');
    const tar = await packTar([
      { name: 'abs', type: 'symlink', linkname: '/' },
      { name: 'rel', type: 'symlink', linkname: '../../../../..' },
      { name: 'abs/skiff-escaped-abs', type: 'file', content: 'a' },
      { name: 'rel/skiff-escaped-rel', type: 'file', content: 'r' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'lib/x', type: 'file', content: 'x' },
    ]);
    await applyLayer(root, chunks(tar));
    assert.equal(await readFile(join(root, 'skiff-escaped-abs'), 'utf8'), 'a');
    assert.equal(await readFile(join(root, 'skiff-escaped-rel'), 'utf8'), 'r');
    assert.equal(await readFile(join(root, 'usr/lib/x'), 'utf8'), 'x');
    assert.equal(await exists('/skiff-escaped-abs'), false);
    assert.equal(await exists(join(base, 'skiff-escaped-rel')), false);
  });

  it('refuses hardlinks that point outside the root', async () => {
    const root = await fresh('hardlink-escape');
    const tar = await packTar([{ name: 'passwd', type: 'link', linkname: '../../../etc/passwd' }]);
    await assert.rejects(applyLayer(root, chunks(tar)), (err) => isImageError(err, 'Invalid'));
    assert.equal(await exists(join(root, 'passwd')), false);
  });

  it('rejects a layer whose content does not match the config diff_id', async () => {
    const root = await fresh('diffid');
    const tar = await packTar([{ name: 'a', type: 'file', content: 'a' }]);
    await assert.rejects(applyLayer(root, chunks(tar), { expectedDiffId: sha256('other') }), (err) =>
      isImageError(err, 'DigestMismatch'),
    );
  });
});
