// The v5.channel.k8s.io framing (kubectl-wire.md §8.1): each binary message is one channel byte
// followed by the payload. The browser cannot set an Authorization header on a WebSocket, so the
// token travels as upstream's `base64url.bearer.authorization.k8s.io.<token>` subprotocol.
export const EXEC_PROTOCOL = 'v5.channel.k8s.io';
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function bearerProtocol(token: string): string {
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(token)));
  return BEARER_PROTOCOL_PREFIX + b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function execPath(
  namespace: string,
  pod: string,
  opts: { container?: string; command: string[]; tty: boolean },
): string {
  const q = new URLSearchParams();
  for (const c of opts.command) q.append('command', c);
  if (opts.container) q.set('container', opts.container);
  q.set('stdin', 'true');
  q.set('stdout', 'true');
  // With a TTY, stderr is merged into stdout (kubectl sends no stderr=true then).
  if (!opts.tty) q.set('stderr', 'true');
  if (opts.tty) q.set('tty', 'true');
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${q}`;
}

export function frame(channel: number, payload: Uint8Array | string): Uint8Array<ArrayBuffer> {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}

export const resizeFrame = (cols: number, rows: number) =>
  frame(CHANNEL.resize, JSON.stringify({ Width: cols, Height: rows }));

/** "close stdin": channel 255 naming channel 0. */
export const stdinEof = (): Uint8Array<ArrayBuffer> => new Uint8Array([CHANNEL.close, CHANNEL.stdin]);

export function parseFrame(data: ArrayBuffer | Uint8Array): { channel: number; payload: Uint8Array } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return { channel: bytes[0], payload: bytes.subarray(1) };
}

/** The exit as kubectl reports it, from the channel-3 Status (empty = success). */
export function exitMessage(statusJson: string): { ok: boolean; message: string } {
  if (!statusJson.trim()) return { ok: true, message: 'session ended' };
  try {
    const s = JSON.parse(statusJson) as {
      status?: string;
      message?: string;
      reason?: string;
      details?: { causes?: { reason?: string; message?: string }[] };
    };
    if (s.status === 'Success') return { ok: true, message: 'session ended' };
    const exit = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    if (s.reason === 'NonZeroExitCode' && exit)
      return { ok: false, message: `command terminated with exit code ${exit}` };
    return { ok: false, message: s.message ?? 'exec failed' };
  } catch {
    return { ok: false, message: statusJson };
  }
}
