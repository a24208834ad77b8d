// Interactive processes inside containers for exec: `runc exec` with live pipes. With a TTY, runc
// needs a terminal on its own stdin to bridge to the container's console; Node has no pty API, so a
// tiny python3 helper (stdlib `pty`) gives it one and applies resizes sent on fd 3 (runc follows
// SIGWINCH on its terminal and resizes the container's console).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from '../../util/stream-protocols/channels.ts';

export interface ExecProcess {
  stdin: Writable;
  stdout: Readable;
  /** Absent with a TTY (stderr is merged into the terminal). */
  stderr: Readable | undefined;
  resize(size: TerminalSize): void;
  /** Resolves with the exit code once the process ended and its output was read. */
  exited: Promise<number>;
  kill(): void;
}

export interface ExecRequest {
  containerId: string;
  command: string[];
  tty: boolean;
}

export type ExecLauncher = (req: ExecRequest) => ExecProcess;

/** Exit code reported when the process died from a signal (the shell's convention). */
const SIGNAL_EXIT_BASE = 128;
const PYTHON = '/usr/bin/python3';

// Forks the command on a new pty; relays stdin → pty, pty → stdout; reads `rows cols` lines on fd 3.
const PTY_HELPER = `
import os, pty, sys, select, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
ctl = 3
fds = [0, fd, ctl]
buf = b''
while fd in fds:
    r, _, _ = select.select(fds, [], [])
    if fd in r:
        try:
            d = os.read(fd, 65536)
        except OSError:
            d = b''
        if not d:
            fds.remove(fd)
        else:
            os.write(1, d)
    if 0 in r:
        d = os.read(0, 65536)
        if not d:
            fds.remove(0)
        else:
            os.write(fd, d)
    if ctl in r:
        d = os.read(ctl, 4096)
        if not d:
            fds.remove(ctl)
        buf += d
        while b'\\n' in buf:
            line, buf = buf.split(b'\\n', 1)
            rows, cols = (int(x) for x in line.split())
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

/** Launches `runc exec` for containers of a runc root (the runtime's `--root`). */
export function runcExecLauncher(runcRoot: string, runcPath = 'runc'): ExecLauncher {
  return (req) => {
    // runc writes the exec'd process's host PID here: killing runc alone would leave it running.
    const pidFile = join(tmpdir(), `skiff-exec-${randomBytes(6).toString('hex')}.pid`);
    const runcArgs = [
      `--root=${runcRoot}`,
      'exec',
      '--pid-file',
      pidFile,
      ...(req.tty ? ['-t'] : []),
      req.containerId,
      ...req.command,
    ];
    const proc = req.tty
      ? spawnProcess(PYTHON, ['-c', PTY_HELPER, runcPath, ...runcArgs], true)
      : spawnProcess(runcPath, runcArgs, false);
    void proc.exited.then(() => rm(pidFile, { force: true }).catch(() => {}));
    return {
      ...proc,
      kill: () => {
        void readFile(pidFile, 'utf8')
          .then((pid) => process.kill(Number(pid.trim()), 'SIGKILL'))
          .catch(() => {})
          .finally(() => proc.kill());
      },
    };
  };
}

/** A launcher that runs commands on the host (tests of the protocol layers without containers). */
export function hostExecLauncher(): ExecLauncher {
  return (req) =>
    req.tty
      ? spawnProcess(PYTHON, ['-c', PTY_HELPER, ...req.command], true)
      : spawnProcess(req.command[0]!, req.command.slice(1), false);
}

function spawnProcess(file: string, args: string[], tty: boolean): ExecProcess {
  const child = spawn(file, args, {
    stdio: tty ? ['pipe', 'pipe', 'inherit', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
  const control = tty ? (child.stdio[3] as Writable) : undefined;
  control?.on('error', () => {});
  child.stdin!.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(SIGNAL_EXIT_BASE - 1));
    child.on('close', (code, signal) =>
      resolve(code ?? (signal ? SIGNAL_EXIT_BASE + signalNumber(signal) : 1)),
    );
  });
  return {
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: tty ? undefined : child.stderr!,
    resize: (size) => {
      if (size.width > 0 && size.height > 0) control?.write(`${size.height} ${size.width}\n`);
    },
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const signalNumber = (s: string): number => SIGNALS[s] ?? 0;
