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
/** Shown when the server refused the upgrade; a browser WebSocket cannot read why. */
export const EXEC_REFUSED =
  'could not open a shell: the server refused (is the container still running, and may you exec into it?)';
/** Room xterm.js keeps for its vertical scroll bar beside the text. */
const SCROLLBAR_PX = 16;
/** Narrower than this, line editing in a shell becomes unusable. */
const MIN_COLS = 20;

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
  // As wide as the panel (xterm.js starts at 80 columns): the shell learns the size by a resize frame.
  fitColumns(term, el);
  const watchSize = new ResizeObserver(() => fitColumns(term, el));
  watchSize.observe(el);
  // xterm.js skips drawing while off screen; bring the new terminal into view.
  el.scrollIntoView({ block: 'nearest' });
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}${execPath(o.namespace, o.pod, { container: o.container, command: SHELL, tty: true })}`;
  const ws = new WebSocket(url, [EXEC_PROTOCOL, bearerProtocol(o.token)]);
  ws.binaryType = 'arraybuffer';
  let statusJson = '';
  let opened = false;
  const decoder = new TextDecoder();
  ws.onopen = () => {
    opened = true;
    o.onStatus('connected');
    ws.send(resizeFrame(term.cols, term.rows));
  };
  ws.onmessage = (ev) => {
    const { channel, payload } = parseFrame(ev.data as ArrayBuffer);
    if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) term.write(payload);
    else if (channel === CHANNEL.error) statusJson += decoder.decode(payload);
  };
  ws.onclose = (ev) => {
    // Refused before the upgrade (the container stopped, exec forbidden): the browser hides the
    // HTTP answer, so onerror's message stands.
    if (!opened) return;
    o.onStatus(
      ev.code === 1000 || statusJson ? exitMessage(statusJson).message : `connection closed (${ev.code})`,
    );
  };
  ws.onerror = () => {
    if (!opened) o.onStatus(EXEC_REFUSED);
  };
  const input = term.onData((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame(CHANNEL.stdin, d));
  });
  const resize = term.onResize(({ cols, rows }) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(resizeFrame(cols, rows));
  });
  term.focus();
  return () => {
    watchSize.disconnect();
    input.dispose();
    resize.dispose();
    // Like kubectl when its stdin ends: close channel 0 first, so the shell sees EOF.
    if (ws.readyState === WebSocket.OPEN) ws.send(stdinEof());
    ws.close(1000);
    term.dispose();
  };
}

/** Resizes the terminal to as many columns as fit in `el`, measured from the cells xterm.js drew. */
function fitColumns(term: Terminal, el: HTMLElement): void {
  const screen = el.querySelector<HTMLElement>('.xterm-screen');
  if (!screen?.clientWidth) return;
  const cell = screen.clientWidth / term.cols;
  const style = getComputedStyle(el);
  const inner = el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
  const cols = Math.max(MIN_COLS, Math.floor((inner - SCROLLBAR_PX) / cell));
  if (cols !== term.cols) term.resize(cols, term.rows);
}
