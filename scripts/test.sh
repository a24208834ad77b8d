#!/usr/bin/env bash
# The whole test suite: installs its own dependencies, then type checks, lints and runs every test.
# Usage: npm test [-- <test file globs>]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_npm
ensure_debs "${RUNTIME_DEBS[@]}" "${TEST_DEBS[@]}"
cd "$SKIFF_ROOT"
export PATH="$SKIFF_ROOT/node_modules/.bin:$PATH"
run_tests() {
  local concurrency="$1"
  shift
  "$NODE" --test --test-concurrency="$concurrency" --test-timeout=300000 "$@"
}
if [ $# -gt 0 ]; then
  echo "== tests"
  exec "$NODE" --test --test-concurrency="${SKIFF_TEST_CONCURRENCY:-2}" --test-timeout=300000 "$@"
fi
echo "== typecheck" && tsc -p tsconfig.json
echo "== lint" && biome check --diagnostic-level=error .
ensure_build
# Files marked `skiff-test: whole-host` run a whole `skiff up` (service rules and ClusterIPs are
# host-wide, so two at once would answer for each other): they run one at a time, after the rest.
mapfile -t ALL < <(find src test bench scripts -name '*.test.ts' -not -path '*/node_modules/*' | sort)
mapfile -t WHOLE_HOST < <(grep -l 'skiff-test: whole-host' "${ALL[@]}")
mapfile -t SHARED < <(grep -L 'skiff-test: whole-host' "${ALL[@]}")
status=0
echo "== tests (${#SHARED[@]} files, ${SKIFF_TEST_CONCURRENCY:-2} at a time)"
run_tests "${SKIFF_TEST_CONCURRENCY:-2}" "${SHARED[@]}" || status=$?
echo "== whole-host tests (${#WHOLE_HOST[@]} files, one at a time)"
run_tests 1 "${WHOLE_HOST[@]}" || status=$?
exit "$status"
