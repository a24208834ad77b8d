// Runs the real kubectl 1.32 against kubectl-stub.ts and returns every write it sent, per command.
// The commands are the ones kubectl-wire.md lists as sending protobuf bodies in 1.32.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STUB_NODE, startKubectlStub } from './kubectl-stub.ts';

// Required, not imported: see src/util/node-builtins.ts (src/api imports nothing of the project).
const nodeUtil = createRequire(import.meta.url)('node:util') as typeof import('node:util');
const run = nodeUtil.promisify(execFile);

/** /usr/bin/kubectl dispatches on the server's minor; the versioned binaries sit beside it. */
const KUBECTL_DISPATCHER = '/usr/bin/kubectl';
const KUBECTL_VERSION = '1.32';
/** One kubectl command should take well under this against a local stub. */
const COMMAND_TIMEOUT_MS = 30_000;

export interface CapturedWrite {
  command: string;
  method: string;
  path: string;
  contentType: string;
  bodyBase64: string;
}

/** name → kubectl arguments. Names key the fixture entries and the test expectations. */
export const CAPTURE_COMMANDS: ReadonlyArray<readonly [name: string, args: readonly string[]]> = [
  ['namespace', ['create', 'namespace', 'skiff-ns']],
  ['configmap', ['create', 'configmap', 'skiff-cm', '--from-literal=a=b', '--from-literal=empty=']],
  ['secret', ['create', 'secret', 'generic', 'skiff-secret', '--from-literal=password=s3cr3t']],
  ['deployment', ['create', 'deployment', 'skiff-web', '--image=nginx:1.27', '--replicas=0', '--port=80']],
  ['job', ['create', 'job', 'skiff-job', '--image=busybox', '--', 'echo', 'hi']],
  ['cronjob', ['create', 'cronjob', 'skiff-cron', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date']],
  ['service', ['create', 'service', 'clusterip', 'skiff-svc', '--tcp=80:8080']],
  ['serviceaccount', ['create', 'serviceaccount', 'skiff-sa']],
  ['role', ['create', 'role', 'skiff-role', '--verb=get,list', '--resource=pods']],
  [
    'rolebinding',
    [
      'create',
      'rolebinding',
      'skiff-rb',
      '--role=skiff-role',
      '--user=alice',
      '--serviceaccount=default:skiff-sa',
    ],
  ],
  ['clusterrole', ['create', 'clusterrole', 'skiff-cr', '--verb=get', '--resource=nodes']],
  [
    'clusterrolebinding',
    ['create', 'clusterrolebinding', 'skiff-crb', '--clusterrole=skiff-cr', '--group=devs'],
  ],
  ['quota', ['create', 'quota', 'skiff-quota', '--hard=cpu=1,memory=1Gi,pods=10']],
  [
    'priorityclass',
    [
      'create',
      'priorityclass',
      'skiff-pc',
      '--value=1000',
      '--description=test',
      '--preemption-policy=Never',
    ],
  ],
  [
    'poddisruptionbudget',
    ['create', 'poddisruptionbudget', 'skiff-pdb', '--selector=app=web', '--min-available=0'],
  ],
  ['ingress', ['create', 'ingress', 'skiff-ing', '--rule=foo.example.com/bar*=svc1:8080']],
  ['token', ['create', 'token', 'skiff-sa', '--duration=10m']],
  ['can-i', ['auth', 'can-i', 'get', 'pods']],
  ['can-i-list', ['auth', 'can-i', '--list']],
  ['whoami', ['auth', 'whoami']],
  ['drain', ['drain', STUB_NODE, '--force', '--ignore-daemonsets', '--grace-period=7', '--timeout=20s']],
];

/** The versioned kubectl binary, or an error saying where it was looked for. */
export function findKubectl(): string {
  if (!existsSync(KUBECTL_DISPATCHER)) throw new Error(`kubectl not found at ${KUBECTL_DISPATCHER}`);
  const path = join(dirname(realpathSync(KUBECTL_DISPATCHER)), `kubectl.${KUBECTL_VERSION}`);
  if (!existsSync(path)) throw new Error(`kubectl ${KUBECTL_VERSION} not found at ${path}`);
  return path;
}

export async function captureKubectlWrites(): Promise<CapturedWrite[]> {
  const kubectl = findKubectl();
  const home = await mkdtemp(join(tmpdir(), 'skiff-kubectl-capture-'));
  const stub = await startKubectlStub();
  const out: CapturedWrite[] = [];
  try {
    for (const [name, args] of CAPTURE_COMMANDS) {
      const before = stub.requests.length;
      await run(kubectl, ['-s', stub.url, '-n', 'default', ...args], {
        timeout: COMMAND_TIMEOUT_MS,
        // A private HOME keeps kubectl's discovery cache and config out of the user's.
        env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: join(home, 'none') },
      });
      for (const r of stub.requests.slice(before)) {
        out.push({
          command: name,
          method: r.method,
          path: r.path,
          contentType: r.contentType,
          bodyBase64: r.body.toString('base64'),
        });
      }
    }
  } finally {
    await stub.close();
    await rm(home, { recursive: true, force: true });
  }
  return out;
}
