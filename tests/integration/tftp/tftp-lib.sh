# SPDX-License-Identifier: LGPL-2.1-or-later
# Common setup of the tftp integration tests. Source after setting nothing:
#   . "$(dirname "$0")/tftp-lib.sh" "$@"
# Argument 1 (from meson): the pxed-tftp-client binary.
. "$PXED_TEST_LIB/harness.sh"

CLIENT=${1:-${PXED_TFTP_CLIENT:-$PXED_BUILD_ROOT/plugins/tftp/pxed-tftp-client}}
[ -x "$CLIENT" ] || fail "pxed-tftp-client not found at $CLIENT"

WORK=$(tmpdir)
ROOT=$WORK/root
CONF=$WORK/conf
mkdir -p "$ROOT" "$CONF/conf.d"

# The loader wants pxed-tftp.so directly in the plugin directory, owned by
# root and not writable by others; in a build tree it sits in plugins/tftp/.
if [ ! -f "$PXED_PLUGIN_DIR/pxed-tftp.so" ]; then
  mkdir -p "$WORK/plugins"
  cp "$PXED_BUILD_ROOT/plugins/tftp/pxed-tftp.so" "$WORK/plugins/"
  chmod 0644 "$WORK/plugins/pxed-tftp.so"
  PXED_PLUGIN_DIR=$WORK/plugins
fi

PORT=$(free_port udp)

# tftp_conf [EXTRA YAML LINES...]: writes conf.d/10-tftp.yaml.
tftp_conf () {
  {
    echo "plugin: tftp"
    echo "listen: ${TFTP_LISTEN:-[\"127.0.0.1:$PORT\"]}"
    echo "root: $ROOT"
    local l
    for l in "$@"; do echo "$l"; done
  } > "$CONF/conf.d/10-tftp.yaml"
}

tftp_start () {
  tftp_conf "$@"
  pxed_start "$CONF" --log-level debug
}

# client ARGS...: runs pxed-tftp-client against the server.
client () {
  "$CLIENT" -H 127.0.0.1 -p "$PORT" "$@"
}
