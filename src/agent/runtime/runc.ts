// The runc CLI, with our own state root (`--root`) so `runc list` shows only skiff's containers.
// `create` is conmon's job (see conmon.ts); this covers the rest of the lifecycle.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CommandError, runCommand } from './command.ts';

export const DEFAULT_RUNC = '/usr/sbin/runc';

export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created: string;
}

export interface RuncExecOptions {
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number };
  input?: Buffer;
  timeoutMs?: number;
  /** Where runc writes the exec'd process's host PID (used to kill it on timeout). */
  pidFile: string;
}

export interface RuncExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

/** After a timed-out exec is killed, give runc this long to reap and exit. */
const EXEC_KILL_GRACE_MS = 2_000;

const isMissing = (err: unknown) =>
  err instanceof CommandError && /does not exist|not exist|container .* not found/i.test(err.stderr);
const isNotRunning = (err: unknown) =>
  err instanceof CommandError &&
  /not running|process already finished|container not running/i.test(err.stderr);

export class Runc {
  readonly path: string;
  readonly root: string;

  constructor(root: string, path = DEFAULT_RUNC) {
    this.root = root;
    this.path = path;
  }

  /** Global args conmon passes before `create` (`--runtime-arg`). */
  get globalArgs(): string[] {
    return [`--root=${this.root}`];
  }

  #run(args: string[]) {
    return runCommand(this.path, [...this.globalArgs, ...args]);
  }

  async state(id: string): Promise<RuncState | undefined> {
    try {
      return JSON.parse((await this.#run(['state', id])).stdout) as RuncState;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    await this.#run(['start', id]);
  }

  /** Sends a signal; a container that already stopped is not an error. */
  async kill(id: string, signal: string, all = false): Promise<void> {
    try {
      await this.#run(['kill', ...(all ? ['--all'] : []), id, signal]);
    } catch (err) {
      if (isMissing(err) || isNotRunning(err)) return;
      throw err;
    }
  }

  /** `delete --force`: idempotent. */
  async delete(id: string): Promise<void> {
    try {
      await this.#run(['delete', '--force', id]);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
  }

  async list(): Promise<RuncState[]> {
    const { stdout } = await this.#run(['list', '--format', 'json']);
    return (JSON.parse(stdout || 'null') as RuncState[] | null) ?? [];
  }

  /** Non-interactive exec with captured output; no terminal, no console socket needed. */
  exec(id: string, cmd: string[], opts: RuncExecOptions): Promise<RuncExecResult> {
    const args = [...this.globalArgs, 'exec', '--pid-file', opts.pidFile];
    for (const e of opts.env ?? []) args.push('--env', e);
    if (opts.cwd) args.push('--cwd', opts.cwd);
    if (opts.user) args.push('--user', `${opts.user.uid}:${opts.user.gid}`);
    args.push(id, ...cmd);
    return new Promise((resolve, reject) => {
      const child = spawn(this.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer =
        opts.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              void killExecProcess(opts.pidFile).finally(() => {
                setTimeout(() => child.kill('SIGKILL'), EXEC_KILL_GRACE_MS).unref();
              });
            }, opts.timeoutMs)
          : undefined;
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          exitCode: code ?? (signal ? 128 + 9 : 1),
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err),
          timedOut,
        });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? Buffer.alloc(0));
    });
  }
}

async function killExecProcess(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
