/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "http-repo-request.h"

#include <string.h>

static char *
decode (const char *target, gboolean *slash, GError **error)
{
  return http_repo_decode_target (target, strlen (target), slash, error);
}

static void
test_decode_ok (void)
{
  static const struct {
    const char *in, *out;
    gboolean slash;
  } cases[] = {
    { "/", "/", TRUE },
    { "/images/vmlinuz", "/images/vmlinuz", FALSE },
    { "/a%20b", "/a b", FALSE },
    { "/dir/", "/dir/", TRUE },
    { "/dir%2F", "/dir/", TRUE },           /* %2f decoded once; the normaliser sees '/' */
    { "/%2e%2e/etc/passwd", "/../etc/passwd", FALSE }, /* the normaliser refuses '..' */
    { "/%252e%252e/x", "/%2e%2e/x", FALSE }, /* double encoding decodes only once */
    { "/a\\b", "/a\\b", FALSE },
    { "/ks.cfg?mac=aa:bb", "/ks.cfg", FALSE },
    { "/x#frag", "/x", FALSE },
    { "http://192.0.2.1:8080/repo/x.rpm", "/repo/x.rpm", FALSE },
    { "HTTP://host", "/", TRUE },
    { "https://host?q", "/", TRUE },
    { "/%C3%A9t%C3%A9", "/\xc3\xa9t\xc3\xa9", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean slash = !cases[i].slash;
      g_autofree char *out = decode (cases[i].in, &slash, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_cmpint (slash, ==, cases[i].slash);
    }
}

static void
test_decode_bad (void)
{
  static const char *const bad[] = {
    "", "images", "*", "/%", "/%2", "/%zz", "/%2g", "/%00", "/a%00.cfg", "/%0a", "/%7f",
    "/a\tb", "/a\x01", "ftp://host/x",
  };
  g_autofree char *longer = NULL;
  g_autoptr(GError) error = NULL;
  char *out;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) err = NULL;

      out = decode (bad[i], NULL, &err);
      g_assert_null (out);
      g_assert_error (err, HTTP_REPO_ERROR, HTTP_REPO_ERROR_BAD_REQUEST);
    }

  /* a raw NUL inside the target is refused, not a truncation */
  out = http_repo_decode_target ("/ok\0/../x", 9, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  longer = g_strnfill (HTTP_REPO_TARGET_MAX + 1, 'a');
  longer[0] = '/';
  out = decode (longer, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_URI_TOO_LONG);
}

static void
test_encode (void)
{
  g_autofree char *a = http_repo_encode_path ("images/my file&<x>.iso");
  g_autofree char *b = http_repo_encode_path ("a:b?c#d%e\"");

  g_assert_cmpstr (a, ==, "images/my%20file%26%3Cx%3E.iso");
  g_assert_cmpstr (b, ==, "a%3Ab%3Fc%23d%25e%22");
}

static void
test_content_type (void)
{
  g_assert_cmpstr (http_repo_content_type ("images/boot.iso"), ==, "application/x-iso9660-image");
  g_assert_cmpstr (http_repo_content_type ("efiboot.IMG"), ==, "application/octet-stream");
  g_assert_cmpstr (http_repo_content_type ("EFI/BOOT/BOOTX64.EFI"), ==, "application/efi");
  g_assert_cmpstr (http_repo_content_type ("pxelinux.cfg/default"), ==, "application/octet-stream");
  g_assert_cmpstr (http_repo_content_type ("ks/host.cfg"), ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (http_repo_content_type ("repodata/repomd.xml"), ==, "application/xml");
  g_assert_cmpstr (http_repo_content_type ("repodata/abc-primary.xml.gz"), ==, "application/gzip");
  g_assert_cmpstr (http_repo_content_type ("repodata/abc-primary.xml.zst"), ==, "application/zstd");
  g_assert_cmpstr (http_repo_content_type ("repodata/abc-primary.sqlite.bz2"), ==,
                   "application/x-bzip2");
  g_assert_cmpstr (http_repo_content_type ("repodata/repomd.xml.asc"), ==,
                   "application/pgp-signature");
  g_assert_cmpstr (http_repo_content_type ("Packages/b/bash-5.2.rpm"), ==, "application/x-rpm");
  g_assert_cmpstr (http_repo_content_type ("vmlinuz"), ==, "application/octet-stream");
  g_assert_cmpstr (http_repo_content_type ("dir.d/file"), ==, "application/octet-stream");
  g_assert_cmpstr (http_repo_content_type ("trailing."), ==, "application/octet-stream");
}

static void
test_dates (void)
{
  char buf[HTTP_REPO_DATE_LEN];
  gint64 t = 0;

  http_repo_format_date (784111777, buf);
  g_assert_cmpstr (buf, ==, "Sun, 06 Nov 1994 08:49:37 GMT");
  http_repo_format_date (0, buf);
  g_assert_cmpstr (buf, ==, "Thu, 01 Jan 1970 00:00:00 GMT");

  g_assert_true (http_repo_parse_date ("Sun, 06 Nov 1994 08:49:37 GMT", &t));
  g_assert_cmpint (t, ==, 784111777);
  t = 0;
  g_assert_true (http_repo_parse_date ("Sunday, 06-Nov-94 08:49:37 GMT", &t));
  g_assert_cmpint (t, ==, 784111777);
  t = 0;
  g_assert_true (http_repo_parse_date ("Sun Nov  6 08:49:37 1994", &t));
  g_assert_cmpint (t, ==, 784111777);

  g_assert_false (http_repo_parse_date ("", &t));
  g_assert_false (http_repo_parse_date ("yesterday", &t));
  g_assert_false (http_repo_parse_date ("Sun, 06 Nov 1994 08:49:37 UTC", &t));
  g_assert_false (http_repo_parse_date ("Sun, 06 Foo 1994 08:49:37 GMT", &t));
  g_assert_false (http_repo_parse_date ("Sun, 31 Feb 1994 08:49:37 GMT", &t));
  g_assert_false (http_repo_parse_date ("Sun, 06 Nov 1994 25:49:37 GMT", &t));
  g_assert_false (http_repo_parse_date ("Sun, 06 Nov 1994 08:49:37 GMT trailing", &t));
  g_assert_false (http_repo_parse_date ("Sun, -6 Nov 1994 08:49:37 GMT", &t));
}

static void
test_etag (void)
{
  char etag[HTTP_REPO_ETAG_LEN];

  http_repo_format_etag (1024, 0x5f5e100, etag);
  g_assert_cmpstr (etag, ==, "\"5f5e100-400\"");

  g_assert_true (http_repo_etag_list_matches ("*", etag, FALSE));
  g_assert_true (http_repo_etag_list_matches ("\"5f5e100-400\"", etag, FALSE));
  g_assert_true (http_repo_etag_list_matches ("\"x\", \"5f5e100-400\"", etag, FALSE));
  g_assert_true (http_repo_etag_list_matches ("W/\"5f5e100-400\"", etag, TRUE));
  g_assert_false (http_repo_etag_list_matches ("W/\"5f5e100-400\"", etag, FALSE));
  g_assert_false (http_repo_etag_list_matches ("\"5f5e100-401\"", etag, TRUE));
  g_assert_false (http_repo_etag_list_matches ("5f5e100-400", etag, TRUE));
  g_assert_false (http_repo_etag_list_matches ("\"5f5e100-400", etag, TRUE));
  g_assert_false (http_repo_etag_list_matches ("", etag, TRUE));
}

static void
test_range (void)
{
  static const struct {
    const char *header;
    guint64 size;
    HttpRepoRange result;
    guint64 offset, length;
  } cases[] = {
    { "bytes=0-99", 1000, HTTP_REPO_RANGE_SATISFIABLE, 0, 100 },
    { "bytes=100-", 1000, HTTP_REPO_RANGE_SATISFIABLE, 100, 900 },
    { "bytes=-100", 1000, HTTP_REPO_RANGE_SATISFIABLE, 900, 100 },
    { "bytes=-5000", 1000, HTTP_REPO_RANGE_SATISFIABLE, 0, 1000 },
    { "bytes=990-5000", 1000, HTTP_REPO_RANGE_SATISFIABLE, 990, 10 },
    { "bytes=999-999", 1000, HTTP_REPO_RANGE_SATISFIABLE, 999, 1 },
    { "BYTES = 0-0 ", 1000, HTTP_REPO_RANGE_SATISFIABLE, 0, 1 },
    { "bytes=0-1,", 1000, HTTP_REPO_RANGE_SATISFIABLE, 0, 2 },
    { "bytes=0-99999999999999999999999", 10, HTTP_REPO_RANGE_SATISFIABLE, 0, 10 },
    { "bytes=1000-", 1000, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=5000-6000", 1000, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=99999999999999999999999-", 1000, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=-0", 1000, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=0-", 0, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=-1", 0, HTTP_REPO_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=0-1,5-6", 1000, HTTP_REPO_RANGE_NONE, 0, 0 }, /* several: full 200 */
    { "bytes=5-1", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes=", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes=abc", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes=1-2-3", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes=+1-2", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes=--1", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "items=0-1", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
    { "bytes 0-1", 1000, HTTP_REPO_RANGE_NONE, 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 offset = 0, length = 0;
      HttpRepoRange r = http_repo_parse_range (cases[i].header, cases[i].size, &offset, &length);

      g_test_message ("%s", cases[i].header);
      g_assert_cmpint (r, ==, cases[i].result);
      if (r == HTTP_REPO_RANGE_SATISFIABLE)
        {
          g_assert_cmpuint (offset, ==, cases[i].offset);
          g_assert_cmpuint (length, ==, cases[i].length);
        }
    }
}

static void
test_plan (void)
{
  char etag[HTTP_REPO_ETAG_LEN];
  char date[HTTP_REPO_DATE_LEN], older[HTTP_REPO_DATE_LEN];
  HttpRepoResource file = { .size = 1000, .mtime = 784111777, .etag = etag };
  HttpRepoResource gen = { .size = 50, .mtime = 784111777, .generated = TRUE };
  HttpRepoPlan plan;

  http_repo_format_etag (file.size, file.mtime, etag);
  http_repo_format_date (file.mtime, date);
  http_repo_format_date (file.mtime - 10, older);

#define PLAN(res, ...)                                       \
  G_STMT_START {                                             \
    HttpRepoConditions c = { __VA_ARGS__ };                  \
    http_repo_plan_response (&c, (res), &plan);              \
  } G_STMT_END

  PLAN (&file, 0);
  g_assert_cmpuint (plan.status, ==, 200);
  g_assert_cmpuint (plan.length, ==, 1000);

  PLAN (&file, .if_none_match = etag);
  g_assert_cmpuint (plan.status, ==, 304);
  PLAN (&file, .if_none_match = "\"other\"", .if_modified_since = date);
  g_assert_cmpuint (plan.status, ==, 200); /* If-None-Match wins over IMS */
  PLAN (&file, .if_modified_since = date);
  g_assert_cmpuint (plan.status, ==, 304);
  PLAN (&file, .if_modified_since = older);
  g_assert_cmpuint (plan.status, ==, 200);
  PLAN (&file, .if_modified_since = "garbage");
  g_assert_cmpuint (plan.status, ==, 200);

  PLAN (&file, .if_match = "\"nope\"");
  g_assert_cmpuint (plan.status, ==, 412);
  PLAN (&file, .if_match = etag, .range = "bytes=0-9");
  g_assert_cmpuint (plan.status, ==, 206);
  PLAN (&file, .if_unmodified_since = older);
  g_assert_cmpuint (plan.status, ==, 412);

  PLAN (&file, .range = "bytes=10-19");
  g_assert_cmpuint (plan.status, ==, 206);
  g_assert_cmpuint (plan.offset, ==, 10);
  g_assert_cmpuint (plan.length, ==, 10);
  PLAN (&file, .head = TRUE, .range = "bytes=10-19");
  g_assert_cmpuint (plan.status, ==, 200);
  PLAN (&file, .range = "bytes=2000-");
  g_assert_cmpuint (plan.status, ==, 416);
  PLAN (&file, .range = "bytes=0-1,3-4");
  g_assert_cmpuint (plan.status, ==, 200);
  g_assert_cmpuint (plan.length, ==, 1000);
  PLAN (&file, .range = "bytes=10-19", .if_range = etag);
  g_assert_cmpuint (plan.status, ==, 206);
  PLAN (&file, .range = "bytes=10-19", .if_range = date);
  g_assert_cmpuint (plan.status, ==, 206);
  PLAN (&file, .range = "bytes=10-19", .if_range = "\"stale\"");
  g_assert_cmpuint (plan.status, ==, 200);
  PLAN (&file, .range = "bytes=10-19", .if_range = older);
  g_assert_cmpuint (plan.status, ==, 200);

  /* generated content: never 304, ranges still work */
  PLAN (&gen, .if_none_match = "*", .if_modified_since = date);
  g_assert_cmpuint (plan.status, ==, 200);
  g_assert_cmpuint (plan.length, ==, 50);
  PLAN (&gen, .if_match = "*");
  g_assert_cmpuint (plan.status, ==, 200);
  PLAN (&gen, .if_match = "\"x\"");
  g_assert_cmpuint (plan.status, ==, 412);
  PLAN (&gen, .range = "bytes=-10");
  g_assert_cmpuint (plan.status, ==, 206);
  g_assert_cmpuint (plan.offset, ==, 40);
  PLAN (&gen, .range = "bytes=-10", .if_range = date);
  g_assert_cmpuint (plan.status, ==, 200);
#undef PLAN
}

static void
test_listing (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  PxedDirEntry dir = { .name = (char *) "Packages", .is_dir = TRUE, .mtime = 0 };
  PxedDirEntry evil = { .name = (char *) "<script>\"&'.iso", .size = 42, .mtime = 784111777 };
  PxedDirEntry colon = { .name = (char *) "javascript:x", .size = 1 };
  g_autoptr(GBytes) page = NULL;
  const char *html;

  g_ptr_array_add (entries, &dir);
  g_ptr_array_add (entries, &evil);
  g_ptr_array_add (entries, &colon);
  page = http_repo_render_listing ("os/x86_64", entries);
  html = g_bytes_get_data (page, NULL);

  g_assert_nonnull (strstr (html, "<title>Index of /os/x86_64/</title>"));
  g_assert_nonnull (strstr (html, "<a href=\"../\">"));
  g_assert_nonnull (strstr (html, "<a href=\"./Packages/\">Packages/</a>"));
  g_assert_nonnull (strstr (html, "href=\"./%3Cscript%3E%22%26%27.iso\">"
                                  "&lt;script&gt;&quot;&amp;&#39;.iso</a>"));
  g_assert_nonnull (strstr (html, "Sun, 06 Nov 1994 08:49:37 GMT</td><td>42</td>"));
  g_assert_nonnull (strstr (html, "href=\"./javascript%3Ax\""));
  g_assert_null (strstr (html, "<script>"));

  g_clear_pointer (&page, g_bytes_unref);
  page = http_repo_render_listing ("", entries);
  html = g_bytes_get_data (page, NULL);
  g_assert_nonnull (strstr (html, "<title>Index of /</title>"));
  g_assert_null (strstr (html, "href=\"../\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http-repo/request/decode-ok", test_decode_ok);
  g_test_add_func ("/http-repo/request/decode-bad", test_decode_bad);
  g_test_add_func ("/http-repo/request/encode", test_encode);
  g_test_add_func ("/http-repo/request/content-type", test_content_type);
  g_test_add_func ("/http-repo/request/dates", test_dates);
  g_test_add_func ("/http-repo/request/etag", test_etag);
  g_test_add_func ("/http-repo/request/range", test_range);
  g_test_add_func ("/http-repo/request/plan", test_plan);
  g_test_add_func ("/http-repo/request/listing", test_listing);
  return g_test_run ();
}
