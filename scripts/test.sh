#!/usr/bin/env bash
# The whole test suite: installs its own dependencies, then type checks, lints and runs every test.
# Usage: npm test [-- <test file globs>]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_npm
ensure_debs "${RUNTIME_DEBS[@]}" "${TEST_DEBS[@]}"
cd "$SKIFF_ROOT"
export PATH="$SKIFF_ROOT/node_modules/.bin:$PATH"
if [ $# -eq 0 ]; then
  echo "== typecheck" && tsc -p tsconfig.json
  echo "== lint" && biome check --diagnostic-level=error .
  ensure_build
  set -- 'src/**/*.test.ts' 'test/**/*.test.ts' 'bench/**/*.test.ts'
fi
echo "== tests"
exec "$NODE" --test --test-concurrency="${SKIFF_TEST_CONCURRENCY:-2}" --test-timeout=300000 "$@"
