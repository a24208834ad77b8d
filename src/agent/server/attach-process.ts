// attach without a terminal or stdin: the runtime's containers run with stdin closed and output
// captured by conmon into the CRI log, so attaching means following that log from its current end,
// per stream, until the container exits (its exit code ends the session as exec's does).
// Interactive attach (stdin, tty) would need conmon's attach socket, which is SOCK_SEQPACKET.
import { PassThrough, Writable } from 'node:stream';
import { readCriLog } from '../runtime/cri-log.ts';
import type { ContainerRuntime } from '../runtime/types.ts';
import type { ExecProcess } from './exec-process.ts';

/** How often the container's state is checked while following. */
const EXIT_POLL_MS = 250;

export function attachProcess(runtime: ContainerRuntime, containerId: string, logPath: string): ExecProcess {
  const ac = new AbortController();
  const isDone = async () => {
    const s = await runtime.containerStatus(containerId);
    return !s || s.state === 'exited' || s.state === 'unknown';
  };
  const follow = (stream: 'stdout' | 'stderr', out: PassThrough) =>
    (async () => {
      for await (const chunk of readCriLog(logPath, {
        follow: true,
        tailLines: 0,
        stream,
        signal: ac.signal,
        isDone,
        pollIntervalMs: EXIT_POLL_MS,
      }))
        out.write(chunk);
    })().finally(() => out.end());
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const done = Promise.all([follow('stdout', stdout), follow('stderr', stderr)]);
  const exited = done.then(async () => (await runtime.containerStatus(containerId))?.exitCode ?? 0);
  return {
    stdin: new Writable({ write: (_c, _e, cb) => cb() }),
    stdout,
    stderr,
    resize: () => {},
    exited,
    kill: () => ac.abort(),
  };
}
