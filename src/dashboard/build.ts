// Builds the dashboard into <outdir>: hashed ES module chunks + CSS under assets/, an index.html
// naming them, and a gzip twin of each (served when the browser accepts gzip). Heavy views
// (xterm.js, uPlot) are split into chunks loaded only when their view opens.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ENTRY = join(import.meta.dirname, 'ui', 'main.tsx');
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;
/** Browsers the UI targets: anything with native ES modules, top-level await and fetch streams. */
const TARGETS = ['chrome110', 'firefox115', 'safari16'];

export interface DashboardBuild {
  /** Every file written (relative to outdir), with its size and gzip size in bytes. */
  files: { path: string; bytes: number; gzipBytes: number }[];
}

export async function buildDashboard(outdir: string): Promise<DashboardBuild> {
  rmSync(outdir, { recursive: true, force: true });
  const assets = join(outdir, 'assets');
  const result = await build({
    entryPoints: [ENTRY],
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: TARGETS,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
  if (!entry) throw new Error('dashboard build produced no entry chunk');
  const js = basename(entry[0]);
  const css = entry[1].cssBundle ? basename(entry[1].cssBundle) : undefined;
  writeFileSync(join(outdir, 'index.html'), indexHtml(js, css));
  return { files: compressAll(outdir) };
}

function indexHtml(js: string, css: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skiff dashboard</title>
${css ? `<link rel="stylesheet" href="assets/${css}">` : ''}
<link rel="icon" href="data:,">
<script type="module" src="assets/${js}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

function compressAll(outdir: string): DashboardBuild['files'] {
  const files: DashboardBuild['files'] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (COMPRESSIBLE.test(name)) {
        const body = readFileSync(p);
        const gz = gzipSync(body, { level: 9 });
        writeFileSync(`${p}.gz`, gz);
        files.push({ path: relative(outdir, p), bytes: body.length, gzipBytes: gz.length });
      }
    }
  };
  walk(outdir);
  return files;
}
