// Bundles the CLI into one ESM file so `skiff` starts without resolving hundreds of modules.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/skiff.mjs',
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
