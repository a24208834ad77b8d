// Debian's busybox-static is linked against glibc statically, yet its wget and nslookup still
// resolve every address (IP literals too) through NSS, which dlopens libnss_* at run time: in a
// rootfs without them they crash. This layer adds the host's own glibc NSS libraries (the same
// build busybox was linked against) and an nsswitch.conf, so pods resolve through their
// resolv.conf like any libc client.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dirToEntries, type Layer, makeLayer, packTar } from './images.ts';

export const NSS_FILES = [
  '/lib/x86_64-linux-gnu/libc.so.6',
  '/lib/x86_64-linux-gnu/libnss_dns.so.2',
  '/lib/x86_64-linux-gnu/libnss_files.so.2',
  '/lib/x86_64-linux-gnu/libresolv.so.2',
  '/lib64/ld-linux-x86-64.so.2',
];

export async function nssLayer(): Promise<Layer> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-nss-'));
  try {
    for (const file of NSS_FILES) {
      await mkdir(join(dir, dirname(file)), { recursive: true });
      await copyFile(file, join(dir, file));
    }
    await mkdir(join(dir, 'etc'), { recursive: true });
    await writeFile(join(dir, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    return makeLayer(await packTar(await dirToEntries(dir)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
