// An exec session in xterm.js over WebSocket (v5.channel.k8s.io, kubectl-wire.md §8.1).
import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import {
  bearerProtocol,
  CHANNEL,
  EXEC_PROTOCOL,
  execPath,
  exitMessage,
  frame,
  parseFrame,
  resizeFrame,
  stdinEof,
} from './exec-frames.ts';

/** The shell tried first; busybox and Debian images both have /bin/sh. */
export const SHELL = ['/bin/sh'];

export interface TerminalOptions {
  token: string;
  namespace: string;
  pod: string;
  container: string;
  onStatus(text: string): void;
}

/** Opens the terminal inside `el`; returns a disposer that closes socket and terminal. */
export function openTerminal(el: HTMLElement, o: TerminalOptions): () => void {
  const term = new Terminal({
    cursorBlink: true,
    fontSize: 13,
    convertEol: false,
    theme: { background: '#0f172a' },
  });
  term.open(el);
  // xterm.js skips drawing while off screen; bring the new terminal into view.
  el.scrollIntoView({ block: 'nearest' });
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}${execPath(o.namespace, o.pod, { container: o.container, command: SHELL, tty: true })}`;
  const ws = new WebSocket(url, [EXEC_PROTOCOL, bearerProtocol(o.token)]);
  ws.binaryType = 'arraybuffer';
  let statusJson = '';
  const decoder = new TextDecoder();
  ws.onopen = () => {
    o.onStatus('connected');
    ws.send(resizeFrame(term.cols, term.rows));
  };
  ws.onmessage = (ev) => {
    const { channel, payload } = parseFrame(ev.data as ArrayBuffer);
    if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) term.write(payload);
    else if (channel === CHANNEL.error) statusJson += decoder.decode(payload);
  };
  ws.onclose = (ev) => {
    o.onStatus(
      ev.code === 1000 || statusJson ? exitMessage(statusJson).message : `connection closed (${ev.code})`,
    );
  };
  ws.onerror = () => o.onStatus('could not connect (is exec available on this server?)');
  const input = term.onData((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame(CHANNEL.stdin, d));
  });
  const resize = term.onResize(({ cols, rows }) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(resizeFrame(cols, rows));
  });
  term.focus();
  return () => {
    input.dispose();
    resize.dispose();
    // Like kubectl when its stdin ends: close channel 0 first, so the shell sees EOF.
    if (ws.readyState === WebSocket.OPEN) ws.send(stdinEof());
    ws.close(1000);
    term.dispose();
  };
}
