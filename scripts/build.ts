// Bundles the CLI (dist/skiff.mjs + lazily loaded chunks) so `skiff` starts without resolving
// hundreds of modules.
import { copyFileSync, rmSync } from 'node:fs';
import { bundleTo } from './bundle.ts';

// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync('dist', { recursive: true, force: true });

// pki-worker: certificate issuance runs in a child process (src/apiserver/pki/issuer.ts).
await bundleTo({ skiff: 'src/cli/main.ts', 'pki-worker': 'src/apiserver/pki/issuer-worker.ts' }, 'dist', {
  sourcemap: true,
});

// Type schemas are read beside the bundle on first use (src/api/schemas/index.ts), not bundled.
copyFileSync('src/api/schemas/definitions.json', 'dist/definitions.json');

// dashboard: the web UI served by the apiserver under /dashboard/, read from disk on request.
const { buildDashboard } = await import('../src/dashboard/build.ts'); // dashboard
await buildDashboard('dist/dashboard'); // dashboard
