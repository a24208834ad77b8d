// Serves the built dashboard (dist/dashboard, produced by scripts/build.ts) from disk, on demand:
// nothing is read at start-up, so `skiff up` pays nothing for the UI until a browser asks for it.
// The assets are public (no token inside); every API call the UI makes carries the user's token.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** Where the dashboard is mounted on the API server. */
export const DASHBOARD_PREFIX = '/dashboard';
/** Overrides where the built assets are looked up (tests, packaging). */
export const DASHBOARD_DIR_ENV = 'SKIFF_DASHBOARD_DIR';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};
/** Hashed asset names never change content: browsers may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets, so it is always revalidated. */
const REVALIDATE = 'no-cache';
/**
 * The UI talks only to this origin; uPlot and xterm.js set inline styles, so style-src needs
 * 'unsafe-inline'; no script comes from anywhere but our own files.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const NOT_BUILT = 'dashboard not built: run `node scripts/build.ts` (the ./skiff launcher does)\n';

/** True when the path belongs to the dashboard (the API server then skips authentication). */
export function isDashboardPath(path: string): boolean {
  return path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`);
}

/** The folder holding index.html: beside the bundle (dist/) or, from sources, ../../dist. */
export function findDashboardDir(
  env: NodeJS.ProcessEnv = process.env,
  here: string = import.meta.dirname,
): string | undefined {
  const candidates = [
    env[DASHBOARD_DIR_ENV],
    join(here, 'dashboard'), // dist/skiff.mjs
    join(here, '..', 'dashboard'), // dist/chunks/*.mjs
    join(here, '..', '..', 'dist', 'dashboard'), // src/dashboard/serve.ts
  ];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'index.html')));
}

let cachedDir: string | undefined;

/** Answers a GET/HEAD under /dashboard from `dir` (default: the built assets). */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, dir?: string): void {
  const url = new URL(req.url ?? '/', 'https://local');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  if (url.pathname === DASHBOARD_PREFIX) {
    send(res, 301, '', { Location: `${DASHBOARD_PREFIX}/${url.search}` });
    return;
  }
  if (!dir && !cachedDir) cachedDir = findDashboardDir();
  const root = dir ?? cachedDir;
  if (!root) {
    send(res, 503, NOT_BUILT);
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname.slice(DASHBOARD_PREFIX.length + 1)) || 'index.html';
  } catch {
    send(res, 400, 'bad path\n');
    return;
  }
  const file = normalize(join(root, rel));
  // Refuse anything that escapes the folder (`..`, encoded slashes) and dotfiles.
  if (!file.startsWith(root + sep) || rel.split('/').some((p) => p.startsWith('.'))) {
    send(res, 404, 'not found\n');
    return;
  }
  const type = CONTENT_TYPES[extname(file)];
  const plain = statOrUndefined(file);
  if (!type || !plain?.isFile() || file.endsWith('.gz')) {
    send(res, 404, 'not found\n');
    return;
  }
  // The build writes a gzip twin of every compressible asset; send it when the client accepts it.
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
    ? statOrUndefined(`${file}.gz`)
    : undefined;
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Cache-Control': rel === 'index.html' ? REVALIDATE : IMMUTABLE,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'no-referrer',
    Vary: 'Accept-Encoding',
    'Content-Length': gz ? gz.size : plain.size,
  };
  if (gz) headers['Content-Encoding'] = 'gzip';
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(gz ? `${file}.gz` : file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
