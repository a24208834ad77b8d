// A `skiff up` server for benchmarks, started as users start it (the ./skiff launcher adds the
// project's V8 flags), on a temp data dir with the agent disabled; and its resident memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** The launcher users run (`./skiff up`): it adds the project's V8 flags. */
const LAUNCHER = join(ROOT, 'skiff');

export interface Server {
  proc: ChildProcess;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startServer(
  dataDir: string,
  extraArgs: string[] = [],
): Promise<{ server: Server; readyMs: number }> {
  const t0 = performance.now();
  const proc = spawn(
    LAUNCHER,
    [
      'up',
      '--disable',
      'agent',
      '--data-dir',
      dataDir,
      '--https-port',
      '0',
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no start in 20 s:\n${out}`)), 20_000);
    proc.stdout!.on('data', () => {
      const m = /https:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    proc.once('exit', (c) => rej(new Error(`exited ${c}:\n${out}`)));
  });
  // The line is printed once /readyz answers 200; confirm it over the wire.
  for (;;) {
    const r = await rawGet(port, '/readyz').catch(() => 0);
    if (r === 200) break;
    await new Promise((r2) => setTimeout(r2, 5));
  }
  const readyMs = performance.now() - t0;
  const server: Server = {
    proc,
    port,
    dataDir,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  return { server, readyMs };
}

export function rawGet(port: number, path: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end();
  });
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
