// Starts a real skiff server process (the bundled CLI, as users run it) on a temp data dir and a
// free port, and drives the real kubectl against it. Everything it starts is stopped by PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = process.execPath;
const CLI = join(ROOT, 'dist/skiff.mjs');
/** How long a fresh server may take to say it is up before the test fails. */
const START_TIMEOUT_MS = 20_000;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Skiff {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  pid: number;
  /** Run kubectl (the dispatcher, which picks kubectl.1.32 from our /version) or a versioned binary. */
  kubectl(
    args: string[],
    opts?: { binary?: string; input?: string; timeoutMs?: number },
  ): Promise<KubectlResult>;
  logs(): string;
  stop(): Promise<void>;
}

/** The versioned kubectl binaries installed beside the dispatcher (kubectl.1.29, …). */
export function kubectlBinary(minor?: number): string {
  const dispatcher = realpathSync('/usr/bin/kubectl');
  return minor === undefined ? dispatcher : join(dirname(dispatcher), `kubectl.1.${minor}`);
}

/** The CLI as TypeScript sources (Node 24 strips types): for tests of code not yet bundled. */
const CLI_SOURCE = join(ROOT, 'src/cli/main.ts');

export interface StartOptions {
  args?: string[];
  dataDir?: string;
  /** `server` (default: no node agent) or `up` (the whole cluster, node agent included). */
  command?: 'server' | 'up';
  /** Run src/cli/main.ts instead of the bundle in dist/. */
  fromSource?: boolean;
  /** Extra environment for the server process. */
  env?: NodeJS.ProcessEnv;
}

export async function startSkiff(opts: StartOptions = {}): Promise<Skiff> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'skiff-e2e-'));
  const home = mkdtempSync(join(tmpdir(), 'skiff-e2e-home-'));
  const child: ChildProcess = spawn(
    NODE,
    [
      opts.fromSource ? CLI_SOURCE : CLI,
      opts.command ?? 'server',
      '--data-dir',
      dataDir,
      '--https-port',
      '0',
      '--log-level',
      'warn',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`skiff did not start in ${START_TIMEOUT_MS} ms:\n${out}\n${err}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const m = /https:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`skiff exited with ${code}:\n${out}\n${err}`));
    });
  });
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    dataDir,
    kubeconfig,
    pid: child.pid!,
    logs: () => out + err,
    stop,
    kubectl: (args, o = {}) =>
      new Promise((resolveRun) => {
        const p = spawn(o.binary ?? kubectlBinary(), ['--kubeconfig', kubeconfig, ...args], {
          env: { ...process.env, HOME: home, KUBECONFIG: kubeconfig },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let so = '';
        let se = '';
        p.stdout.on('data', (d) => {
          so += d;
        });
        p.stderr.on('data', (d) => {
          se += d;
        });
        const t = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 60_000);
        p.on('close', (code) => {
          clearTimeout(t);
          resolveRun({ code: code ?? -1, stdout: so, stderr: se });
        });
        p.stdin.end(o.input ?? '');
      }),
  };
}

export const readKubeconfig = (s: Skiff): string => readFileSync(s.kubeconfig, 'utf8');
