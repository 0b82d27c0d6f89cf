#!/bin/bash
# The whole test suite, as CI runs it on a fresh Debian 12 machine (as root):
# installs what it needs, builds pxed twice (a -Werror build, then an
# ASan+UBSan build), runs every suite and ends with "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=${PXED_CI_BUILDDIR:-$top/build-ci}
asandir=${PXED_CI_ASANDIR:-$top/build-ci-asan}
suites_main=${PXED_CI_SUITES:---no-suite e2e-peer}
log() { printf '\n==== %s ====\n' "$*"; }

log "installing Debian packages"
"$top/tests/deps.sh" || { echo "package installation failed"; echo "0 passed, 1 failed"; exit 1; }

total_pass=0
total_fail=0
total_skip=0

# count BUILDDIR: adds the results of the last meson test run there.
count() {
  # meson names the log after the test setup (testlog-asan.json).
  local json
  json=$(ls -t "$1"/meson-logs/testlog*.json 2>/dev/null | head -n 1)
  [ -n "$json" ] || { echo "no test log in $1"; total_fail=$((total_fail + 1)); return; }
  read -r p f s < <(/usr/bin/python3 - "$json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
)
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
}

run_build() { # NAME DIR MESON-ARGS... -- TEST-ARGS...
  local name=$1 dir=$2; shift 2
  local setup=() tests=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  tests=("$@")
  log "$name: configure and build"
  rm -rf "$dir"
  if ! meson setup "$dir" "${setup[@]}" >"$dir.setup.log" 2>&1 || ! ninja -C "$dir" -j2; then
    cat "$dir.setup.log" 2>/dev/null | tail -n 30
    echo "$name: build failed"
    total_fail=$((total_fail + 1))
    return
  fi
  log "$name: meson test ${tests[*]}"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${tests[@]}"
  count "$dir"
}

start=$(date +%s)
run_build "gcc -Werror" "$builddir" -Dwerror=true -Dbuildtype=debugoptimized -- $suites_main
run_build "ASan+UBSan" "$asandir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug -- --suite unit --suite integration --suite fuzz \
  --setup asan
# libFuzzer: build every fuzz target with clang and run each briefly from its
# corpus (the corpora themselves are replayed by the builds above).
fuzzdir=${PXED_CI_FUZZDIR:-$top/build-ci-fuzz}
log "libFuzzer: clang build"
rm -rf "$fuzzdir"
if CC=clang meson setup "$fuzzdir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
     -Dbuildtype=debugoptimized >"$fuzzdir.setup.log" 2>&1 && ninja -C "$fuzzdir" -j2 >"$fuzzdir.build.log" 2>&1; then
  for f in "$fuzzdir"/tests/fuzz/fuzz-*; do
    case "$f" in *fuzz-replay-*|*.p) continue ;; esac
    [ -x "$f" ] || continue
    name=$(basename "$f"); name=${name#fuzz-}
    corpus="$top/tests/fuzz/corpus/$name"
    work=$(mktemp -d)
    cp -r "$corpus"/. "$work"/ 2>/dev/null
    if "$f" -max_total_time="${PXED_CI_FUZZ_SECONDS:-10}" -rss_limit_mb=1024 "$work" >"$work.log" 2>&1; then
      echo "fuzz $name: ok ($(grep -c . <(ls "$work")) inputs)"
      total_pass=$((total_pass + 1))
    else
      echo "fuzz $name: FAILED"; tail -n 40 "$work.log"
      total_fail=$((total_fail + 1))
    fi
    rm -rf "$work" "$work.log"
  done
else
  tail -n 30 "$fuzzdir.setup.log" "$fuzzdir.build.log" 2>/dev/null; echo "libFuzzer build failed"
  total_fail=$((total_fail + 1))
fi

log "done in $(( $(date +%s) - start )) s"
echo "skipped: $total_skip"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
