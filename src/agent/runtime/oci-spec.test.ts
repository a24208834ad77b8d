import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_CAPABILITIES,
  CapabilityError,
  capabilitiesInMask,
  DEFAULT_CAPABILITIES,
  effectiveCapabilities,
  readBoundingSet,
} from './capabilities.ts';
import {
  linuxResources,
  MAX_SHARES,
  MIN_SHARES,
  milliCpuToQuota,
  milliCpuToShares,
} from './cgroup-resources.ts';
import {
  buildOciSpec,
  type ContainerSpecInput,
  MASKED_PATHS,
  ProcessSpecError,
  resolveProcess,
} from './oci-spec.ts';
import { resolveUser, UserResolutionError } from './process-user.ts';
import { clampRlimits, parseHardLimits } from './rlimits.ts';
import { runtimeDefaultSeccomp } from './seccomp-profile.ts';

const base: ContainerSpecInput = {
  rootfs: '/var/lib/skiff/c1/rootfs',
  hostname: 'web-0',
  args: ['httpd', '-f'],
  env: ['PATH=/bin'],
  cwd: '/',
  user: { uid: 0, gid: 0, additionalGids: [] },
  namespaces: { network: { path: '/var/run/netns/skiff-p1' }, ipc: 'new', uts: 'new', pid: 'new' },
  cgroupsPath: '/skiff/uid-1/c1',
};

describe('capabilities', () => {
  it("starts from Docker's 14 defaults and applies drop, then add", () => {
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    const caps = effectiveCapabilities({ drop: ['net_raw', 'CAP_MKNOD'], add: ['NET_ADMIN'] });
    assert.ok(caps.includes('CAP_NET_ADMIN'));
    assert.ok(!caps.includes('CAP_NET_RAW') && !caps.includes('CAP_MKNOD'));
    assert.equal(caps.length, 13);
    assert.deepEqual(effectiveCapabilities({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }), [
      'CAP_NET_BIND_SERVICE',
    ]);
    assert.equal(effectiveCapabilities({ privileged: true }).length, ALL_CAPABILITIES.length);
    assert.throws(() => effectiveCapabilities({ add: ['FLY'] }), CapabilityError);
  });

  it('reads capability masks as /proc/<pid>/status prints them', () => {
    assert.deepEqual(capabilitiesInMask('00000000a80425fb'), [...DEFAULT_CAPABILITIES].sort(byNumber));
    assert.deepEqual(capabilitiesInMask('0000000000001000'), ['CAP_NET_ADMIN']);
    assert.deepEqual(capabilitiesInMask('0000000000000000'), []);
  });

  it('gives privileged containers the bounding set the host allows, not more', () => {
    const bnd = readBoundingSet('Name:\tnode\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n');
    assert.equal(bnd.length, ALL_CAPABILITIES.length - 1);
    assert.ok(!bnd.includes('CAP_SYS_RESOURCE'));
    assert.deepEqual(effectiveCapabilities({ privileged: true, available: bnd }), bnd);
    const spec = buildOciSpec({ ...base, privileged: true, availableCapabilities: bnd });
    assert.deepEqual(spec.process.capabilities.bounding, bnd);
  });
});

const byNumber = (a: string, b: string) => ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b);

describe('RuntimeDefault seccomp (deny-list)', () => {
  const denied = (caps: readonly string[]) => new Set(runtimeDefaultSeccomp(caps).syscalls[0].names);
  it('denies dangerous syscalls unless the governing capability is held', () => {
    const d = denied(DEFAULT_CAPABILITIES);
    for (const s of [
      'mount',
      'unshare',
      'kexec_load',
      'init_module',
      'keyctl',
      'bpf',
      'reboot',
      'clock_settime',
    ]) {
      assert.ok(d.has(s), s);
    }
    assert.ok(!d.has('read') && !d.has('clone') && !d.has('ptrace'));
    const admin = denied([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
    assert.ok(!admin.has('mount') && admin.has('reboot') && admin.has('keyctl'));
    assert.equal(runtimeDefaultSeccomp([]).defaultAction, 'SCMP_ACT_ALLOW');
    assert.equal(runtimeDefaultSeccomp([]).syscalls[0].errnoRet, 1);
  });
});

describe('resources', () => {
  it("uses the kubelet's milliCPU → shares and quota formulas", () => {
    assert.equal(milliCpuToShares(0), MIN_SHARES);
    assert.equal(milliCpuToShares(1), MIN_SHARES);
    assert.equal(milliCpuToShares(100), 102);
    assert.equal(milliCpuToShares(250), 256);
    assert.equal(milliCpuToShares(1000), 1024);
    assert.equal(milliCpuToShares(1_000_000), MAX_SHARES);
    assert.equal(milliCpuToQuota(0), 0);
    assert.equal(milliCpuToQuota(5), 1000, 'at least 1 ms');
    assert.equal(milliCpuToQuota(500), 50_000);
    assert.equal(milliCpuToQuota(2500), 250_000);
  });

  it('maps requests/limits to cgroup settings with swap equal to memory', () => {
    assert.deepEqual(
      linuxResources({
        cpuRequestMilli: 250,
        cpuLimitMilli: 500,
        memoryLimitBytes: 64 << 20,
        pidsLimit: 100,
      }),
      {
        devices: [{ allow: false, access: 'rwm' }],
        cpu: { shares: 256, quota: 50_000, period: 100_000 },
        memory: { limit: 64 << 20, swap: 64 << 20 },
        pids: { limit: 100 },
      },
    );
    assert.deepEqual(linuxResources({}), { devices: [{ allow: false, access: 'rwm' }], cpu: { shares: 2 } });
  });
});

describe('rlimits', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96365                96365                processes
Max open files            1024                 20000                files
`;
  it('parses /proc/self/limits and clamps to the host hard limits', () => {
    const hard = parseHardLimits(limits);
    assert.equal(hard.get('RLIMIT_NOFILE'), 20000);
    assert.equal(hard.get('RLIMIT_CPU'), Number.POSITIVE_INFINITY);
    assert.deepEqual(
      clampRlimits(
        [
          { type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 },
          { type: 'RLIMIT_NPROC', soft: 100, hard: 4_194_304 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
        ],
        hard,
      ),
      [
        { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
        { type: 'RLIMIT_NPROC', soft: 100, hard: 96365 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      ],
    );
  });
});

describe('process user', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
  const group = 'root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nwheel:x:10:root\n';
  it('resolves names and numbers against passwd and group', () => {
    assert.deepEqual(resolveUser({ imageUser: 'app', passwd, group }), {
      uid: 1000,
      gid: 1000,
      additionalGids: [2000],
      home: '/home/app',
    });
    assert.deepEqual(resolveUser({ imageUser: '1000:extra', passwd, group }).gid, 2000);
    assert.deepEqual(resolveUser({ imageUser: '4242', passwd, group }), {
      uid: 4242,
      gid: 0,
      additionalGids: [],
    });
    assert.deepEqual(resolveUser({ passwd, group }), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
    assert.throws(() => resolveUser({ imageUser: 'ghost', passwd, group }), UserResolutionError);
    assert.throws(
      () => resolveUser({ imageUser: 'app:ghosts', passwd, group }),
      /unable to find group ghosts/,
    );
  });

  it('applies runAsUser, runAsGroup, supplementalGroups and fsGroup', () => {
    assert.deepEqual(
      resolveUser({
        imageUser: 'root',
        runAsUser: 1000,
        runAsGroup: 3000,
        supplementalGroups: [5, 3000],
        fsGroup: 7,
        passwd,
        group,
      }),
      { uid: 1000, gid: 3000, additionalGids: [5, 7, 2000], home: '/home/app' },
    );
  });
});

describe('resolveProcess (Kubernetes command/args rules)', () => {
  const image = { Entrypoint: ['/entry'], Cmd: ['--serve'], Env: ['PATH=/x', 'A=1'], WorkingDir: '/app' };
  it('combines entrypoint, cmd, command and args like the kubelet', () => {
    assert.deepEqual(resolveProcess(image, {}).args, ['/entry', '--serve']);
    assert.deepEqual(resolveProcess(image, { args: ['--debug'] }).args, ['/entry', '--debug']);
    assert.deepEqual(resolveProcess(image, { command: ['sh'] }).args, ['sh']);
    assert.deepEqual(resolveProcess(image, { command: ['sh'], args: ['-c', 'x'] }).args, ['sh', '-c', 'x']);
    assert.throws(() => resolveProcess({}, {}), ProcessSpecError);
  });

  it('merges env by name and defaults PATH and cwd', () => {
    const p = resolveProcess(
      image,
      {
        env: [
          { name: 'A', value: '2' },
          { name: 'B', value: '3' },
        ],
      },
      { HOSTNAME: 'h' },
    );
    assert.deepEqual(p.env, ['PATH=/x', 'A=2', 'HOSTNAME=h', 'B=3']);
    assert.equal(p.cwd, '/app');
    const bare = resolveProcess({ Cmd: ['sh'] }, { workingDir: '/w' });
    assert.deepEqual(bare.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    assert.equal(bare.cwd, '/w');
  });
});

describe('buildOciSpec', () => {
  it('produces a hardened default spec', () => {
    const spec = buildOciSpec(base);
    assert.equal(spec.process.terminal, false);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.process.capabilities.bounding, spec.process.capabilities.effective);
    assert.equal(spec.process.capabilities.bounding.length, 14);
    assert.deepEqual(spec.process.capabilities.inheritable, []);
    assert.equal(spec.hostname, 'web-0');
    assert.deepEqual(spec.linux.namespaces, [
      { type: 'pid' },
      { type: 'network', path: '/var/run/netns/skiff-p1' },
      { type: 'ipc' },
      { type: 'uts' },
      { type: 'mount' },
    ]);
    assert.deepEqual(spec.linux.maskedPaths, MASKED_PATHS);
    assert.ok(spec.linux.readonlyPaths?.includes('/proc/sys'));
    assert.ok(spec.linux.seccomp?.syscalls[0].names.includes('mount'));
    assert.deepEqual(
      spec.mounts.map((m) => m.destination),
      ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup'],
    );
    assert.ok(spec.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
    assert.equal(spec.linux.cgroupsPath, '/skiff/uid-1/c1');
    assert.equal(spec.root.readonly, false);
  });

  it('omits hostname when joining a UTS namespace, and host namespaces entirely', () => {
    const spec = buildOciSpec({
      ...base,
      namespaces: {
        network: 'host',
        ipc: { path: '/proc/9/ns/ipc' },
        uts: { path: '/proc/9/ns/uts' },
        pid: 'new',
      },
    });
    assert.equal(spec.hostname, undefined);
    assert.deepEqual(
      spec.linux.namespaces.map((n) => n.type),
      ['pid', 'ipc', 'uts', 'mount'],
    );
  });

  it('adds bind mounts (overriding defaults), read-only rootfs, user and seccomp choices', () => {
    const spec = buildOciSpec({
      ...base,
      readOnlyRootfs: true,
      user: { uid: 1000, gid: 1000, additionalGids: [2000] },
      seccomp: 'Unconfined',
      noNewPrivileges: false,
      mounts: [
        { containerPath: '/etc/hosts', hostPath: '/s/hosts' },
        { containerPath: '/dev/shm', hostPath: '/s/shm', propagation: 'rslave', readOnly: true },
      ],
    });
    assert.equal(spec.root.readonly, true);
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [2000] });
    assert.equal(spec.linux.seccomp, undefined);
    assert.equal(spec.process.noNewPrivileges, false);
    assert.deepEqual(spec.mounts.at(-1), {
      destination: '/dev/shm',
      type: 'bind',
      source: '/s/shm',
      options: ['rbind', 'rslave', 'ro'],
    });
    assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  });

  it('opens everything up for privileged containers', () => {
    const spec = buildOciSpec({ ...base, privileged: true });
    assert.equal(spec.process.capabilities.bounding.length, ALL_CAPABILITIES.length);
    assert.equal(spec.linux.seccomp, undefined);
    assert.equal(spec.linux.maskedPaths, undefined);
    assert.equal(spec.process.noNewPrivileges, false);
    assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(spec.mounts.find((m) => m.destination === '/sys')?.options?.includes('rw'));
  });
});
