# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup of the ftp integration tests: a content root, a conf dir and
# ftp_start to run pxed with the ftp plugin on a free loopback port.
if [ -z "${PXED_TEST_LIB:-}" ] || [ ! -f "$PXED_TEST_LIB/harness.sh" ]; then
  echo "PXED_TEST_LIB must point at tests/lib (run through meson test)" >&2
  exit 1
fi
. "$PXED_TEST_LIB/harness.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
FTPC="$PY $HERE/ftp-client.py"
WORK=$(tmpdir)
[ -n "$WORK" ] && [ -d "$WORK" ] || fail "no temporary directory"
CONF=$WORK/conf
ROOT=$WORK/root
mkdir -p "$CONF/conf.d" "$ROOT"
PORT=$(free_port tcp)
# A passive range of 20 ports derived from the control port.
PASV_LO=$(( 20000 + (PORT % 2000) * 20 ))
PASV_HI=$(( PASV_LO + 19 ))
HAVE_V6=0
if ip -6 addr show dev lo 2>/dev/null | grep -q "::1/128"; then
  HAVE_V6=1
fi

mkfile () { # mkfile PATH SIZE
  mkdir -p "$(dirname "$ROOT/$1")"
  head -c "$2" /dev/urandom > "$ROOT/$1"
}

sha () {
  sha256sum "$1" | cut -d' ' -f1
}

assert_eq () { # expected actual what
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# ftp_conf "key: value"...: (re)writes conf.d/50-ftp.yaml
ftp_conf () {
  {
    echo "plugin: ftp"
    if [ "$HAVE_V6" = 1 ]; then
      echo "listen: [\"127.0.0.1:$PORT\", \"[::1]:$PORT\"]"
    else
      echo "listen: [\"127.0.0.1:$PORT\"]"
    fi
    echo "root: $ROOT"
    echo "passive-ports: \"$PASV_LO-$PASV_HI\""
    local kv
    for kv in "$@"; do
      echo "$kv"
    done
  } > "$CONF/conf.d/50-ftp.yaml"
}

ftp_start () {
  ftp_conf "$@"
  pxed_start "$CONF" --log-level debug
}
