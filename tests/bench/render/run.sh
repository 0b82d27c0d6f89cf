#!/bin/bash
# Generators benchmark: 10,000 per-host renders per generator, uncached and
# cached, pinned to one CPU. Usage: tests/bench/render/run.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-${PXED_BUILD_ROOT:-$here/../../../build}}
n=${2:-10000}
ninja -C "$build" plugins/kickstart/bench-render >/dev/null
exec taskset -c "${PXED_BENCH_CPU:-1}" "$build/plugins/kickstart/bench-render" "$n"
