#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generated files over HTTP: a kickstart rendered by the kickstart plugin
# comes with its exact Content-Length, no validators and Cache-Control:
# no-store (one host's kickstart must never be served to another from a cache).
. "$(dirname "$0")/http-lib.sh"
require_cmd curl
[ -f "$PXED_PLUGIN_DIR/pxed-kickstart.so" ] || skip "the kickstart plugin is not built"

mkfile images/vmlinuz 1000
cat > "$CONF/conf.d/20-kickstart.yaml" <<EOY
plugin: kickstart
EOY
cat > "$CONF/conf.d/50-inventory.yaml" <<'EOY'
profiles:
  centos7:
    label: Install CentOS 7
    kernel: images/vmlinuz
    initrd: images/initrd.img
    install-url: http://192.0.2.1/centos7
    kickstart:
      lang: en_US.UTF-8
      keyboard: us
      timezone: Europe/Berlin
      rootpw-crypted: $6$pxedexamplesalt0$aQJDiKgKZgIPlNIgdCFFv3OU7mjGq.v6qnkEbfGkPQCRNPNFA9ygy1i/RKxzE7Jq9ljhiZwiRr15sSL.C.WR6/
EOY
http_start
OUT=$WORK/out
mkdir -p "$OUT"

curl -s -D "$OUT/h" -o "$OUT/ks" "$BASE/ks/centos7.cfg" || fail "GET generated kickstart"
tr -d '\r' < "$OUT/h" > "$OUT/headers"
grep -q '^HTTP/1.1 200' "$OUT/headers" || fail "kickstart status: $(head -1 "$OUT/headers")"
grep -qi '^cache-control: no-store$' "$OUT/headers" || fail "no Cache-Control: no-store"
grep -qi '^etag:' "$OUT/headers" && fail "generated content has an ETag"
grep -qi '^last-modified:' "$OUT/headers" && fail "generated content has Last-Modified"
assert_eq "$(stat -c %s "$OUT/ks")" "$(awk -F': ' 'tolower($1)=="content-length" {print $2}' "$OUT/headers")" \
  "Content-Length of the kickstart"
grep -q 'url --url' "$OUT/ks" || grep -q 'lang en_US' "$OUT/ks" || fail "not a kickstart: $(head -3 "$OUT/ks")"
assert_eq 200 "$(status "$BASE/ks/centos7.cfg" -H 'If-None-Match: *')" "no 304 for generated content"
assert_eq "$(stat -c %s "$OUT/ks")" "$(header Content-Length "$BASE/ks/centos7.cfg" -I)" "HEAD of generated"
assert_eq 404 "$(status "$BASE/ks/unknown-profile.cfg")" "unknown profile"
wait_log 'GET /ks/centos7.cfg 200 '
pxed_stop
echo ok
