#!/bin/sh
# stage-plugins.sh OUTDIR MODULE...: links every built plugin module into
# OUTDIR, which then looks like an installed plugin directory.
set -e
out=$1
shift
[ $# -gt 0 ] || { : > "$out/empty-stage"; exit 0; }
for m in "$@"; do
  ln -sf "$(readlink -f "$m")" "$out/$(basename "$m")"
done
