#!/bin/bash
# Runs every side-by-side benchmark against its peers, one after the other,
# as root, on an otherwise idle machine:  tests/bench/run-all.sh BUILD_DIR
# QUICK=1 shortens the runs (fewer repetitions, smaller storm).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run-all.sh BUILD_DIR}" && pwd)
quick=${QUICK:-0}
section() { printf '\n######## %s ########\n' "$*"; }

section "core: exec to READY, idle RSS"
/usr/bin/python3 "$here/core/startup.py" "$build" 30

section "generators: 10,000 per-host renders"
"$here/render/run.sh" "$build"

section "tftp"
if [ "$quick" = 1 ]; then
  REPS=1 STORM_MB=8 "$here/tftp/run.sh" "$build"
else
  "$here/tftp/run.sh" "$build"
fi

section "dhcp"
"$here/dhcp/run.sh" "$build"

section "http"
REPS=$([ "$quick" = 1 ] && echo 1 || echo 3) "$here/http/bench.sh" "$build"

section "ftp"
REPS=$([ "$quick" = 1 ] && echo 1 || echo 3) "$here/ftp/run.sh" "$build"
