// Bundles the CLI (dist/skiff.mjs + lazily loaded chunks) so `skiff` starts without resolving
// hundreds of modules.
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync('dist', { recursive: true, force: true });

await build({
  // pki-worker: certificate issuance runs in a worker thread (src/apiserver/pki/issuer.ts).
  entryPoints: { skiff: 'src/cli/main.ts', 'pki-worker': 'src/apiserver/pki/issuer-worker.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Code splitting keeps dynamic imports lazy: without it esbuild hoists every external package a
  // lazily imported module uses (etcd3 and its gRPC stack, x509) into the start-up path.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: 'linked',
  // npm packages stay external: some (grpc, protobufjs) load files at run time.
  packages: 'external',
  logLevel: 'warning',
});

// Type schemas are read beside the bundle on first use (src/api/schemas/index.ts), not bundled.
copyFileSync('src/api/schemas/definitions.json', 'dist/definitions.json');

// dashboard: the web UI served by the apiserver under /dashboard/, read from disk on request.
const { buildDashboard } = await import('../src/dashboard/build.ts'); // dashboard
await buildDashboard('dist/dashboard'); // dashboard
