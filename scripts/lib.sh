# Shared bootstrap helpers for ./skiff and the test command. Sourced, not run.
# Installs only what is missing, so the fast path (everything present) costs a few stat calls.
SKIFF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE="$SKIFF_ROOT/node_modules/.bin/node"
# V8 flags for the long-running server: a 1 MB young generation (default 16 MB) keeps an idle
# server's resident memory ~8 MB lower; scavenges get more frequent but stay sub-millisecond.
# --heap-growing-percent=50 collects the old generation before it grows far past the live data:
# measured with 5,000 pods, RSS 430 → 269 MB for ~20% more CPU during bursts of writes.
# Maglev and TurboFan thresholds (invocations, OSR) 10x the defaults: start-up runs each piece of
# code a few times, so by default both compilers run and ~8 MB of the binary's compiler code stays
# resident in an idle server. Code that is really hot under load still tiers up within the first
# second of it. Measured in bench/README.md (api).
SKIFF_NODE_FLAGS=(--max-semi-space-size=1 --heap-growing-percent=50
  --invocation-count-for-maglev=4000 --invocation-count-for-maglev-osr=1000 --invocation-count-for-turbofan=30000 --invocation-count-for-osr=5000)
# Added for `skiff agent` (a node agent alone): its work is spawning runc/conmon and small API
# calls, so V8's compilers buy it little while their code and the binary's compiler pages cost
# RSS: --jitless runs it on the interpreter alone (no WebAssembly either: the agent uses none since
# its registry client left fetch). --expose-gc hands idle compaction the collector without
# loading node:v8/node:vm. The memory reducer starts 1 s (not 8 s) after a burst. Measured in
# bench/README.md (pods); --memory-saver-mode saved 4 MB more but doubled the start-up p99 (its
# full GCs land in pod start-ups). Not for the server: its request paths need the JIT.
SKIFF_AGENT_NODE_FLAGS=(--jitless --expose-gc --gc-memory-reducer-start-delay-ms=1000)
# glibc malloc settings for `skiff agent` (GLIBC_TUNABLES, appended to any the caller set). Its
# native allocations are short-lived buffers interleaved with long-lived state (pipe reads of
# every runc/conmon/CNI call, TLS records, fs reads), which left ~3 MB of free holes in the brk
# heap and per-thread arenas after a burst: allocations from 8 KB up get their own mapping and go
# back to the OS when freed, one arena serves every thread, the heap top is trimmed early and not
# padded. −2.6 MB RSS at 50 pods, start-up latencies unchanged (bench/README.md, pods).
SKIFF_AGENT_MALLOC_TUNABLES="glibc.malloc.mmap_threshold=8192:glibc.malloc.trim_threshold=32768:glibc.malloc.top_pad=0:glibc.malloc.arena_max=1"

# npm packages: (re)install when node_modules is missing or older than the lockfile.
ensure_npm() {
  local stamp="$SKIFF_ROOT/node_modules/.skiff-stamp"
  if [ ! -x "$NODE" ] || [ ! -f "$stamp" ] || [ "$SKIFF_ROOT/package-lock.json" -nt "$stamp" ]; then
    echo "skiff: installing npm packages (npm ci)…" >&2
    (cd "$SKIFF_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    touch "$stamp"
  fi
}

# Debian packages, given as "command:package" pairs; apt-get runs only when a command is missing.
ensure_debs() {
  local missing=()
  local pair
  for pair in "$@"; do
    local cmd="${pair%%:*}" pkg="${pair#*:}"
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -e "$cmd" ]; then missing+=("$pkg"); fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "skiff: missing Debian packages (${missing[*]}); run as root to install them" >&2
    return 1
  fi
  echo "skiff: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
}

# The bundled CLI is rebuilt when any source file is newer than it.
ensure_build() {
  local out="$SKIFF_ROOT/dist/skiff.mjs"
  if [ ! -f "$out" ] || [ -n "$(find "$SKIFF_ROOT/src" "$SKIFF_ROOT/package-lock.json" -newer "$out" -print -quit 2>/dev/null)" ]; then
    (cd "$SKIFF_ROOT" && "$NODE" scripts/build.ts >&2)
  fi
}

# Host packages the cluster needs to run containers (the node agent).
RUNTIME_DEBS=(runc:runc conmon:conmon /usr/lib/cni/bridge:containernetworking-plugins iptables:iptables catatonit:catatonit)
# Extra host packages the test suite needs.
TEST_DEBS=(etcd:etcd-server /usr/bin/docker-registry:docker-registry /bin/busybox:busybox-static)
# dashboard: browser tests drive Debian's Chromium through playwright-core.
TEST_DEBS+=(/usr/bin/chromium:chromium) # dashboard
