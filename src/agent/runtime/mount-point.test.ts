import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isMountPoint } from './mount-point.ts';
import { inMountinfo } from './overlay.ts';

test('isMountPoint: mounts of their own device are found, plain directories are not', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-mountpoint-'));
  try {
    assert.equal(await isMountPoint(dir), false);
    assert.equal(await isMountPoint(path.join(dir, 'missing')), false);
    assert.equal(await isMountPoint('/'), true);
    // procfs is mounted on /proc on every Linux host; the answer agrees with mountinfo.
    assert.equal(await isMountPoint('/proc'), true);
    assert.equal(await inMountinfo('/proc'), true);
    assert.equal(await isMountPoint('/proc/self'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
