// How skiff's code is bundled: dist/ (scripts/build.ts) and the pods benchmark's agent bundle
// (bench/pods.ts) both come from here, so the benchmark measures what ships.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { asciiSource } from './ascii-source.ts';

/** Bundles `entryPoints` (name → source file) into `outdir` as `<name>.mjs` + `chunks/`. */
export async function bundleTo(
  entryPoints: Record<string, string>,
  outdir: string,
  opts: { sourcemap?: boolean } = {},
): Promise<void> {
  await build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    // Code splitting keeps dynamic imports lazy: without it esbuild hoists every external package a
    // lazily imported module uses (etcd3 and its gRPC stack, x509) into the start-up path.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    ...(opts.sourcemap ? { sourcemap: 'linked' as const } : {}),
    // Strings as ASCII; comments and regular expressions are escaped below (ascii-source.ts).
    charset: 'ascii',
    // V8 keeps each module's source text in the heap for as long as the process lives (lazy
    // compilation reads it again): without comments and indentation it is ~40 % smaller.
    // Identifiers keep their names, so stack traces and class names stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // npm packages stay external: some (grpc, protobufjs) load files at run time.
    packages: 'external',
    logLevel: 'warning',
  });
  // One byte per character in V8 (see ascii-source.ts).
  for (const f of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.mjs')) continue;
    const path = join(outdir, f);
    const text = readFileSync(path, 'utf8');
    const ascii = asciiSource(text);
    if (ascii !== text) writeFileSync(path, ascii);
  }
}
