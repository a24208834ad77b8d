// Kubernetes remotecommand vocabulary shared by the WebSocket (`v5.channel.k8s.io` …) and SPDY
// (`streamtype` headers) transports: channel numbers, protocol names, terminal sizes and the one
// Status document written on the error channel at exit.

export const CHANNEL_STDIN = 0;
export const CHANNEL_STDOUT = 1;
export const CHANNEL_STDERR = 2;
export const CHANNEL_ERROR = 3;
export const CHANNEL_RESIZE = 4;
/** v5: `[255, n]` closes channel n (stdin EOF). */
export const CHANNEL_CLOSE = 255;

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
export const PROTOCOL_PORT_FORWARD = 'portforward.k8s.io';
/** Port-forward's SPDY frames tunnelled in WebSocket binary messages (kubectl ≥ 1.31). */
export const PROTOCOL_SPDY_OVER_WS = 'SPDY/3.1+portforward.k8s.io';
export const UPGRADE_SPDY = 'SPDY/3.1';
export const HEADER_STREAM_PROTOCOL = 'X-Stream-Protocol-Version';

/** SPDY `streamtype` header values. */
export const STREAM_ERROR = 'error';
export const STREAM_STDIN = 'stdin';
export const STREAM_STDOUT = 'stdout';
export const STREAM_STDERR = 'stderr';
export const STREAM_RESIZE = 'resize';
export const STREAM_DATA = 'data';

export const NON_ZERO_EXIT_REASON = 'NonZeroExitCode';
export const EXIT_CODE_CAUSE = 'ExitCode';

export interface TerminalSize {
  width: number;
  height: number;
}

/** Resize messages are JSON `{"Width":80,"Height":24}`, possibly several in one chunk. */
export function parseResizes(data: Buffer): TerminalSize[] {
  const out: TerminalSize[] = [];
  for (const m of data.toString().matchAll(/\{[^}]*\}/g)) {
    try {
      const v = JSON.parse(m[0]) as { Width?: unknown; Height?: unknown };
      if (typeof v.Width === 'number' && typeof v.Height === 'number')
        out.push({ width: v.Width, height: v.Height });
    } catch {
      // a malformed size is ignored, as the kubelet does
    }
  }
  return out;
}

export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** The Status kubectl reads from the error channel: exit code 0 → Success. */
export function exitStatus(code: number): ExitStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: NON_ZERO_EXIT_REASON,
    details: { causes: [{ reason: EXIT_CODE_CAUSE, message: String(code) }] },
  };
}

export function failureStatus(message: string): ExitStatus {
  return { metadata: {}, status: 'Failure', message };
}

/** First protocol of the client's list that we speak (SPDY's X-Stream-Protocol-Version order). */
export function pickProtocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  return offered.find((p) => supported.includes(p));
}
