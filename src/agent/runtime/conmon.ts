// Starting a container under conmon, the monitor CRI-O and Podman use. conmon runs `runc create`,
// reports the container PID on the sync pipe, then stays behind (double-forked, own session) to
// copy the container's stdout/stderr into a CRI-format log and write the exit code to
// `<exit-dir>/<id>` (and `<persist-dir>/oom` on an OOM kill). It never holds a pipe of ours, so
// the agent can exit and restart while containers keep running.
//
// Pitfall: conmon keeps the sync pipe open; read up to the first newline, never until EOF.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';

export const DEFAULT_CONMON = '/usr/bin/conmon';
/** conmon + `runc create` took 49–70 ms here; allow for a loaded machine. */
const SYNC_TIMEOUT_MS = 30_000;
const SYNC_FD = 3;

export interface ConmonLaunch {
  conmonPath?: string;
  runcPath: string;
  /** runc global args (e.g. `--root=…`), passed as conmon `--runtime-arg`s. */
  runtimeArgs: string[];
  id: string;
  name: string;
  bundle: string;
  /** conmon's persist dir: where `oom` appears. */
  persistDir: string;
  logPath: string;
  exitDir: string;
  socketDir: string;
  containerPidFile: string;
  conmonPidFile: string;
  /** conmon's own stderr (errors before it reports on the sync pipe). */
  conmonLogFile: string;
  logSizeMax?: number;
}

export class ConmonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConmonError';
  }
}

export function conmonArgs(l: ConmonLaunch): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    l.id,
    '-u',
    l.id,
    '-n',
    l.name,
    '-r',
    l.runcPath,
    '-b',
    l.bundle,
    '-p',
    l.containerPidFile,
    '-P',
    l.conmonPidFile,
    '-l',
    `k8s-file:${l.logPath}`,
    '--exit-dir',
    l.exitDir,
    '--persist-dir',
    l.persistDir,
    '--socket-dir-path',
    l.socketDir,
    '--log-level',
    'error',
  ];
  for (const a of l.runtimeArgs) args.push(`--runtime-arg=${a}`);
  if (l.logSizeMax !== undefined) args.push('--log-size-max', String(l.logSizeMax));
  return args;
}

/** Parses conmon's sync message: `{"data": <pid>}` or `{"data": -1, "message": "…"}`. */
export function parseSyncMessage(line: string): { pid: number } | { error: string } {
  let msg: { data?: number; message?: string };
  try {
    msg = JSON.parse(line) as { data?: number; message?: string };
  } catch {
    return { error: `unreadable conmon sync message ${JSON.stringify(line)}` };
  }
  if (typeof msg.data === 'number' && msg.data > 0) return { pid: msg.data };
  return { error: msg.message?.trim() || `runtime failed to create the container (code ${msg.data})` };
}

/** Launches conmon and resolves with the container's PID once `runc create` succeeded. */
export async function launchConmon(l: ConmonLaunch): Promise<number> {
  const logFd = openSync(l.conmonLogFile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(l.conmonPath ?? '/usr/bin/conmon', conmonArgs(l), {
      detached: true,
      // conmon also drops an `oom` marker in its working directory: keep it in the container's.
      cwd: l.persistDir,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: String(SYNC_FD) },
    });
  } finally {
    closeSync(logFd);
  }
  child.unref();
  child.on('error', () => {});
  const pipe = child.stdio[SYNC_FD] as Readable;
  try {
    const line = await readFirstLine(pipe, SYNC_TIMEOUT_MS);
    if (line === undefined) throw new ConmonError('conmon exited without reporting a container PID');
    const msg = parseSyncMessage(line);
    if ('error' in msg) throw new ConmonError(msg.error);
    return msg.pid;
  } finally {
    pipe.destroy();
  }
}

function readFirstLine(stream: Readable, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      fn();
    };
    const onData = (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(() => resolve(buf.slice(0, nl)));
    };
    const onEnd = () => done(() => resolve(buf.trim() ? buf.trim() : undefined));
    const onError = (e: Error) => done(() => reject(e));
    const timer = setTimeout(
      () => done(() => reject(new ConmonError(`no sync message from conmon within ${timeoutMs} ms`))),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
