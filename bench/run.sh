#!/usr/bin/env bash
# Sitemap Forge benchmark: one command, writes bench/RESULTS.md. See bench/README.md.
#
#   bench/run.sh            (or: npm run bench)
#
# Crawls the synthetic site of ../shared/bench (10k pages at 0 and 20 ms, ours alternating with the peers; 100k pages,
# ours), the Debian Rust manual on loopback nginx, writes 1M URLs (ours vs the `sitemap` package), profiles ours, and
# renders the figures into bench/RESULTS.md. ~30–40 min on a 2-core machine; bounded by BENCH_TIMEOUT (default 90 min).
# All benchmark traffic goes to 127.0.0.1. Servers it starts are stopped on exit (also on Ctrl-C or timeout).
#
# env (all optional):
#   SECTIONS="crawl10k crawl100k rust write profile"   what to run
#   PEERS="sgc-lib crawlee"   PEER_REPS=1   SELF_REPS=3   CELLS="0:10 20:50" (latency ms:concurrency)
#   PAGES=10000  BIG_PAGES=100000  WRITE_N=1000000  WRITE_REPS=3  WRITER_PEER_GZIP=1 (the `sitemap` gzip run takes ~3 min)
#   BUNDLE=1      also measure our code esbuild-bundled (no tsx) for comparison
#   QUICK=1       smoke test: small sizes, results in bench/out/<run>/RESULTS.md instead of bench/RESULTS.md
#   SHARED_BENCH=../shared/bench   REALSITES_SERVE=../shared/realsites/serve.sh   (relative to the repo root)
#   PEERDIR=~/.cache/sitemap-bench/peers   REALSITES_CACHE=~/.cache/sitemap-bench/realsites
#   BENCH_TIMEOUT=5400 (s, whole run)   CRAWL_TIMEOUT=900 (s, per crawl)   RESULTS_FILE=bench/RESULTS.md
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export REPO
export SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
export REALSITES_SERVE=${REALSITES_SERVE:-$REPO/../shared/realsites/serve.sh}
export PEERDIR=${PEERDIR:-$HOME/.cache/sitemap-bench/peers}
export REALSITES_CACHE=${REALSITES_CACHE:-$HOME/.cache/sitemap-bench/realsites}
SHARED_BENCH=$(cd "$SHARED_BENCH" 2>/dev/null && pwd) || { echo "bench: ../shared/bench not found beside the repo (set SHARED_BENCH)" >&2; exit 2; }
[ -f "$REALSITES_SERVE" ] && REALSITES_SERVE=$(cd "$(dirname "$REALSITES_SERVE")" && pwd)/$(basename "$REALSITES_SERVE")
[ -x node_modules/.bin/tsx ] || { echo "bench: node_modules missing: run npm install first" >&2; exit 2; }

if [ "${QUICK:-0}" = 1 ]; then
  export PAGES=${PAGES:-2000} BIG_PAGES=${BIG_PAGES:-10000} WRITE_N=${WRITE_N:-100000} WRITE_REPS=${WRITE_REPS:-1} SELF_REPS=${SELF_REPS:-2}
  export WRITER_PEER_GZIP=${WRITER_PEER_GZIP:-0}
fi

# tools: /usr/bin/time for peak RSS, curl for serve.sh
need=""
[ -x /usr/bin/time ] || need="$need time"
command -v curl >/dev/null || need="$need curl"
if [ -n "$need" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; fi

# peers: npm installs under $PEERDIR, never into the project (same packages and versions as ../shared/bench/run-peers.sh)
install_prefix() { # dir marker packages...
  local d=$1 marker=$2; shift 2
  if [ ! -e "$PEERDIR/$d/node_modules/$marker" ]; then
    echo "bench: installing $* into $PEERDIR/$d" >&2
    mkdir -p "$PEERDIR/$d"
    (cd "$PEERDIR/$d" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null)
  fi
}
install_prefix ref sitemap cheerio@1 htmlparser2@10 sitemap@9 xmlbuilder2@4
case " ${PEERS-sgc-lib crawlee} " in *" crawlee "*) install_prefix cr @crawlee/cheerio @crawlee/cheerio@3 sitemap@9 ;; esac
case " ${PEERS-sgc-lib crawlee} " in *" sgc-lib "*) install_prefix sgc sitemap-generator sitemap-generator-cli@7 ;; esac

export RUN_DIR="$REPO/bench/out/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
RESULTS_FILE=${RESULTS_FILE:-$([ "${QUICK:-0}" = 1 ] && echo "$RUN_DIR/RESULTS.md" || echo "$REPO/bench/RESULTS.md")}

# Safety net: bench.mjs stops what it starts; if it is killed hard, stop its servers here (only pids it recorded).
cleanup() {
  if [ -f "$RUN_DIR/pids.txt" ]; then
    while read -r pid; do
      if kill -0 "$pid" 2>/dev/null && grep -qa "server.mjs" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    done < "$RUN_DIR/pids.txt"
  fi
  if [ -f "$RUN_DIR/pidfiles.txt" ]; then
    while read -r f; do
      [ -f "$f" ] && pid=$(cat "$f") && kill -0 "$pid" 2>/dev/null && grep -qa nginx "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null || true
    done < "$RUN_DIR/pidfiles.txt"
  fi
}
trap cleanup EXIT

t0=$(date +%s)
echo "bench: run dir $RUN_DIR" >&2
rc=0
timeout --kill-after=30 "${BENCH_TIMEOUT:-5400}" node bench/lib/bench.mjs 2> >(tee "$RUN_DIR/bench.log" >&2) || rc=$?
node bench/lib/report.mjs "$RUN_DIR" "$RESULTS_FILE"
cp "$RESULTS_FILE" "$RUN_DIR/RESULTS.md" 2>/dev/null || true
echo "bench: done in $(( $(date +%s) - t0 )) s (rc $rc); results in $RESULTS_FILE, raw data in $RUN_DIR" >&2
exit $rc
