# SPDX-License-Identifier: LGPL-2.1-or-later
# Common setup of the http-repo integration tests:
#   . "$(dirname "$0")/http-lib.sh"
. "$PXED_TEST_LIB/harness.sh"

WORK=$(tmpdir)
ROOT=$WORK/root
CONF=$WORK/conf
mkdir -p "$ROOT" "$CONF/conf.d"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The loader wants pxed-http-repo.so directly in the plugin directory, owned
# by root and not writable by others; in a build tree it is in plugins/http-repo/.
if [ ! -f "$PXED_PLUGIN_DIR/pxed-http-repo.so" ]; then
  mkdir -p "$WORK/plugins"
  cp "$PXED_BUILD_ROOT/plugins/http-repo/pxed-http-repo.so" "$WORK/plugins/"
  chmod 0644 "$WORK/plugins/pxed-http-repo.so"
  PXED_PLUGIN_DIR=$WORK/plugins
fi

PORT=$(free_port tcp)
BASE=http://127.0.0.1:$PORT

# http_conf [EXTRA YAML LINES...]: writes conf.d/10-http.yaml.
http_conf () {
  {
    echo "plugin: http-repo"
    echo "listen: [\"127.0.0.1:$PORT\", \"[::1]:$PORT\"]"
    echo "root: $ROOT"
    local l
    for l in "$@"; do echo "$l"; done
  } > "$CONF/conf.d/10-http.yaml"
}

http_start () {
  http_conf "$@"
  pxed_start "$CONF" --log-level info
}

# status URL [CURL ARGS...]: prints the HTTP status code.
status () {
  local url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

# header NAME URL [CURL ARGS...]: prints one response header's value.
header () {
  local name=$1 url=$2
  shift 2
  curl -s -o /dev/null -D - "$@" "$url" | tr -d '\r' |
    awk -v n="$(echo "$name" | tr A-Z a-z)" 'BEGIN{FS=": "} tolower($1)==n {print $2}'
}
