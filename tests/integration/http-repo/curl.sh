#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# curl against http-repo: GET/HEAD, content types, ranges, conditional
# requests, keep-alive reuse, redirects, 404/405, IPv6, paths that try to
# leave the root, the access log.
. "$(dirname "$0")/http-lib.sh"
require_cmd curl

mkfile images/vmlinuz 3000000
mkfile images/boot.iso 100000
mkfile EFI/BOOT/BOOTX64.EFI 5000
mkfile repodata/repomd.xml 700
mkfile repodata/abc-primary.xml.gz 800
mkfile Packages/bash-5.2-1.x86_64.rpm 9000
mkfile "odd name&.txt" 10
: > "$ROOT/empty"
printf 'text\ninstall\n' > "$ROOT/ks.cfg"
echo "SECRET-MARKER" > "$WORK/secret"
ln -s "$WORK" "$ROOT/escape"
OUT=$WORK/out
mkdir -p "$OUT"

http_start

# GET: bodies are the files
for f in images/vmlinuz images/boot.iso EFI/BOOT/BOOTX64.EFI ks.cfg empty; do
  curl -sf -o "$OUT/f" "$BASE/$f" || fail "GET $f"
  check_same "$f" "$OUT/f"
done
curl -sf -o "$OUT/f" "$BASE/odd%20name%26.txt" || fail "GET with percent-encoding"
check_same "odd name&.txt" "$OUT/f"

# HEAD: the GET's headers, no body
assert_eq 3000000 "$(header Content-Length "$BASE/images/vmlinuz" -I)" "HEAD Content-Length"
assert_eq 0 "$(curl -s -I "$BASE/images/vmlinuz" | tr -d '\r' | sed '1,/^$/d' | wc -c)" "HEAD body"

# Content-Type by extension
assert_eq "application/x-iso9660-image" "$(header Content-Type "$BASE/images/boot.iso")" "iso type"
assert_eq "application/efi" "$(header Content-Type "$BASE/EFI/BOOT/BOOTX64.EFI")" "efi type"
assert_eq "text/plain; charset=utf-8" "$(header Content-Type "$BASE/ks.cfg")" "cfg type"
assert_eq "application/xml" "$(header Content-Type "$BASE/repodata/repomd.xml")" "xml type"
assert_eq "application/gzip" "$(header Content-Type "$BASE/repodata/abc-primary.xml.gz")" "gz type"
assert_eq "application/x-rpm" "$(header Content-Type "$BASE/Packages/bash-5.2-1.x86_64.rpm")" "rpm type"
assert_eq "application/octet-stream" "$(header Content-Type "$BASE/images/vmlinuz")" "default type"
assert_eq "bytes" "$(header Accept-Ranges "$BASE/images/vmlinuz")" "Accept-Ranges"

# Range: single, suffix, open-ended, several (full 200), past the end (416)
V=$ROOT/images/vmlinuz
assert_eq 206 "$(status "$BASE/images/vmlinuz" -r 0-99)" "range status"
curl -s -r 1000-1999 -o "$OUT/r" "$BASE/images/vmlinuz"
cmp -s "$OUT/r" <(tail -c +1001 "$V" | head -c 1000) || fail "range 1000-1999 content"
assert_eq "bytes 1000-1999/3000000" "$(header Content-Range "$BASE/images/vmlinuz" -r 1000-1999)" "Content-Range"
curl -s -r -500 -o "$OUT/r" "$BASE/images/vmlinuz"
cmp -s "$OUT/r" <(tail -c 500 "$V") || fail "suffix range content"
curl -s -r 2999000- -o "$OUT/r" "$BASE/images/vmlinuz"
cmp -s "$OUT/r" <(tail -c 1000 "$V") || fail "open-ended range content"
assert_eq 200 "$(status "$BASE/images/vmlinuz" -r 0-1,5-9)" "multiple ranges give 200"
assert_eq 3000000 "$(curl -s -r 0-1,5-9 "$BASE/images/vmlinuz" | wc -c)" "multiple ranges: whole file"
assert_eq 416 "$(status "$BASE/images/vmlinuz" -r 3000000-)" "range past the end"
assert_eq "bytes */3000000" "$(header Content-Range "$BASE/images/vmlinuz" -r 5000000-6000000)" "416 Content-Range"
assert_eq 416 "$(status "$BASE/empty" -r 0-)" "range of an empty file"
# a resumed download (curl -C -) ends with the right file
head -c 1234567 "$V" > "$OUT/resumed"
curl -s -C - -o "$OUT/resumed" "$BASE/images/vmlinuz" || fail "curl -C -"
check_same images/vmlinuz "$OUT/resumed"

# Conditional requests
ETAG=$(header ETag "$BASE/images/vmlinuz")
LM=$(header Last-Modified "$BASE/images/vmlinuz")
[ -n "$ETAG" ] && [ -n "$LM" ] || fail "no ETag/Last-Modified"
assert_eq 304 "$(status "$BASE/images/vmlinuz" -H "If-None-Match: $ETAG")" "If-None-Match"
assert_eq 304 "$(status "$BASE/images/vmlinuz" -H "If-None-Match: \"x\", W/$ETAG")" "If-None-Match weak"
assert_eq 200 "$(status "$BASE/images/vmlinuz" -H 'If-None-Match: "other"')" "If-None-Match other"
assert_eq 304 "$(status "$BASE/images/vmlinuz" -H "If-Modified-Since: $LM")" "If-Modified-Since"
assert_eq 200 "$(status "$BASE/images/vmlinuz" -H "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT")" "IMS old"
assert_eq 304 "$(status "$BASE/images/vmlinuz" -z "$V")" "curl -z"
assert_eq 412 "$(status "$BASE/images/vmlinuz" -H 'If-Match: "other"')" "If-Match"
assert_eq 206 "$(status "$BASE/images/vmlinuz" -r 0-9 -H "If-Range: $ETAG")" "If-Range match"
assert_eq 200 "$(status "$BASE/images/vmlinuz" -r 0-9 -H 'If-Range: "stale"')" "If-Range stale"
assert_eq 0 "$(curl -s -H "If-None-Match: $ETAG" "$BASE/images/vmlinuz" | wc -c)" "304 has no body"
assert_eq 3000000 "$(header Content-Length "$BASE/images/vmlinuz" -H "If-None-Match: $ETAG")" "304 Content-Length is the 200's"

# Keep-alive: curl reuses one connection for several requests
curl -sv -o /dev/null -o /dev/null -o /dev/null "$BASE/ks.cfg" "$BASE/empty" "$BASE/images/boot.iso" \
  2> "$OUT/verbose" || fail "three requests on one connection"
[ "$(grep -c 'Re-using existing connection' "$OUT/verbose")" -eq 2 ] || fail "connection not reused"

# Directories: a redirect without the slash, 403 when listings are off
assert_eq 301 "$(status "$BASE/images")" "directory without slash"
assert_eq "/images/" "$(header Location "$BASE/images")" "redirect target"
assert_eq "/odd%20dir/" "$(mkdir "$ROOT/odd dir"; header Location "$BASE/odd%20dir")" "encoded redirect"
assert_eq 403 "$(status "$BASE/images/")" "listing off"
assert_eq 403 "$(status "$BASE/")" "root listing off"

# Errors: 404, 405 with Allow
assert_eq 404 "$(status "$BASE/nonexistent")" "404"
for m in POST PUT DELETE OPTIONS PATCH; do
  assert_eq 405 "$(status "$BASE/ks.cfg" -X $m)" "$m"
done
assert_eq "GET, HEAD" "$(header Allow "$BASE/ks.cfg" -X POST)" "Allow"

# IPv6
curl -sfg -o "$OUT/f" "http://[::1]:$PORT/ks.cfg" || fail "GET over IPv6"
check_same ks.cfg "$OUT/f"

# Nothing outside the root, however the path is spelled
for p in /../secret /../../secret /%2e%2e/secret /%2E%2E%2Fsecret /..%2fsecret \
         /%252e%252e/secret '/..\secret' /%5c..%5csecret /images/../../secret \
         /images/%2e%2e/%2e%2e/secret /escape/secret /./../secret /%00/../secret \
         "/ks.cfg%00.html"; do
  body=$(curl -s --path-as-is "$BASE$p")
  code=$(status "$BASE$p" --path-as-is)
  case "$body" in *SECRET-MARKER*) fail "$p served a file outside the root" ;; esac
  case "$code" in 400|403|404) ;; *) fail "$p: status $code" ;; esac
done

# A file rewritten, replaced or removed between two requests is served as it
# is now (recently served files stay open a moment; that never shows)
printf 'one\n' > "$ROOT/changing.txt"
assert_eq one "$(curl -sf "$BASE/changing.txt")" "first version"
printf 'two, longer\n' > "$ROOT/changing.txt"
assert_eq "two, longer" "$(curl -sf "$BASE/changing.txt")" "rewritten in place"
printf 'three\n' > "$ROOT/changing.new" && mv "$ROOT/changing.new" "$ROOT/changing.txt"
assert_eq three "$(curl -sf "$BASE/changing.txt")" "replaced by a rename"
rm "$ROOT/changing.txt"
assert_eq 404 "$(status "$BASE/changing.txt")" "removed"

# The access log: one line per request with method, path, status, bytes
wait_log 'GET /ks.cfg 200 13 '
wait_log 'HEAD /images/vmlinuz 200 0 '
wait_log 'GET /images/vmlinuz 206 1000 '
wait_log 'POST /ks.cfg 405 '

# Reload (SIGHUP): the instance restarts with the new section, same port
http_conf "directory-listing: true"
assert_eq reloaded "$(pxed_reload)" "reload"
assert_eq 200 "$(status "$BASE/images/")" "listing after reload"
curl -sf -o "$OUT/f" "$BASE/ks.cfg" || fail "GET after reload"
check_same ks.cfg "$OUT/f"

# A download in progress survives a reload (the old instance drains it while
# the new one serves) and a SIGTERM (drained before the exit)
curl -sf --limit-rate 1500K -o "$OUT/slow1" "$BASE/images/vmlinuz" &
slow=$!
sleep 0.5
http_conf "directory-listing: false"
assert_eq reloaded "$(pxed_reload)" "reload during a download"
assert_eq 403 "$(status "$BASE/images/")" "new section serves new connections"
wait "$slow" || fail "download across a reload"
check_same images/vmlinuz "$OUT/slow1"
curl -sf --limit-rate 1500K -o "$OUT/slow2" "$BASE/images/vmlinuz" &
slow=$!
sleep 0.5
pxed_stop
wait "$slow" || fail "download across SIGTERM"
check_same images/vmlinuz "$OUT/slow2"
wait_log 'GET /images/vmlinuz 200 3000000 '
http_start

# SIGTERM with an idle keep-alive connection open: nothing to drain, a quick exit
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /ks.cfg HTTP/1.1\r\nHost: x\r\n\r\n' >&3
sleep 0.3
start=$(date +%s%N)
pxed_stop
exec 3>&-
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 3000 ] || fail "stop took ${elapsed_ms} ms with an idle keep-alive connection"
echo "ok"
