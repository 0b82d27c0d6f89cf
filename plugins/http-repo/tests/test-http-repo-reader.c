/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HttpRepoReader: requests, pipelining, limits and errors, with the input
 * split at every offset (what arrives in one recv is never assumed). */
#include <string.h>

#include "http-repo-reader.h"

typedef struct {
  HttpRepoReadResult result;
  HttpRepoParsed     p;
} Step;

/* Feeds @input in pieces of @chunk bytes (0: as much as fits), answering
 * every request at once; returns the steps until MORE-with-nothing-left,
 * EOF or ERROR. @eof: the peer closes after the input. */
static GArray *
run (const char *input, gsize input_len, gsize chunk, gsize cap, guint max_headers,
     gboolean eof)
{
  GArray *steps = g_array_new (FALSE, TRUE, sizeof (Step));
  HttpRepoReader r;
  gsize fed = 0;

  http_repo_reader_init (&r, cap, max_headers);
  for (guint guard = 0; guard < 100000; guard++)
    {
      Step s = { 0 };

      if (http_repo_reader_has_input (&r))
        {
          s.result = http_repo_reader_next (&r, &s.p);
          if (s.result == HTTP_REPO_READ_MORE)
            {
              http_repo_parsed_clear (&s.p);
              if (!http_repo_reader_has_input (&r) && fed == input_len && !eof)
                break;
              if (http_repo_reader_has_input (&r) && fed == input_len && !r.eof && !eof)
                break;
            }
          else
            {
              g_array_append_val (steps, s);
              if (s.result != HTTP_REPO_READ_REQUEST)
                break;
              http_repo_reader_done (&r);
            }
          if (s.result != HTTP_REPO_READ_MORE)
            continue;
        }
      if (fed < input_len)
        {
          gsize avail = 0;
          char *space = http_repo_reader_space (&r, &avail);
          gsize n = MIN (input_len - fed, avail);

          if (chunk > 0)
            n = MIN (n, chunk);
          g_assert_cmpuint (n, >, 0);
          memcpy (space, input + fed, n);
          http_repo_reader_commit (&r, n);
          fed += n;
        }
      else if (eof && !r.eof)
        http_repo_reader_commit (&r, 0);
      else if (!http_repo_reader_has_input (&r))
        break;
    }
  http_repo_reader_clear (&r);
  return steps;
}

static void
steps_free (GArray *steps)
{
  for (guint i = 0; i < steps->len; i++)
    http_repo_parsed_clear (&g_array_index (steps, Step, i).p);
  g_array_unref (steps);
}

static Step *
step (GArray *steps, guint i)
{
  g_assert_cmpuint (i, <, steps->len);
  return &g_array_index (steps, Step, i);
}

static const char full_request[] =
  "GET /images/vmlinuz?x=1 HTTP/1.1\r\n"
  "Host: example\r\n"
  "range: bytes=0-99  \r\n"
  "If-Range: \"abc\"\r\n"
  "IF-MATCH: *\r\n"
  "If-None-Match: \"a\", \"b\"\r\n"
  "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
  "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
  "Range: bytes=5-6\r\n"
  "\r\n";

static void
check_full (HttpRepoParsed *p)
{
  g_assert_cmpstr (p->method, ==, "GET");
  g_assert_cmpstr (p->target, ==, "/images/vmlinuz?x=1");
  g_assert_false (p->head);
  g_assert_true (p->keep_alive);
  g_assert_false (p->http10);
  /* the first Range wins, trailing blanks go, names are case-insensitive */
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_RANGE], ==, "bytes=0-99");
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_IF_RANGE], ==, "\"abc\"");
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_IF_MATCH], ==, "*");
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_IF_NONE_MATCH], ==, "\"a\", \"b\"");
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_IF_MODIFIED_SINCE], ==, "Sun, 06 Nov 1994 08:49:37 GMT");
  g_assert_cmpstr (p->hdr[HTTP_REPO_HDR_IF_UNMODIFIED_SINCE], ==,
                   "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void
test_every_split (void)
{
  gsize len = strlen (full_request);

  for (gsize chunk = 0; chunk <= len; chunk++)
    {
      GArray *steps = run (full_request, len, chunk, 8192, 64, FALSE);

      g_assert_cmpuint (steps->len, ==, 1);
      g_assert_cmpint (step (steps, 0)->result, ==, HTTP_REPO_READ_REQUEST);
      check_full (&step (steps, 0)->p);
      steps_free (steps);
    }
}

static void
test_pipelined (void)
{
  /* three requests, the second with a body to skip, in a buffer smaller
   * than all of them together: the reader compacts between requests */
  static const char input[] =
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    "GET /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    "HEAD /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  for (gsize chunk = 0; chunk < 20; chunk++)
    {
      GArray *steps = run (input, strlen (input), chunk, 64, 64, TRUE);

      g_assert_cmpuint (steps->len, ==, 4);
      g_assert_cmpint (step (steps, 0)->result, ==, HTTP_REPO_READ_REQUEST);
      g_assert_cmpstr (step (steps, 0)->p.target, ==, "/a");
      g_assert_cmpstr (step (steps, 1)->p.target, ==, "/b");
      g_assert_cmpstr (step (steps, 2)->p.target, ==, "/c");
      g_assert_true (step (steps, 2)->p.head);
      g_assert_false (step (steps, 2)->p.keep_alive);
      g_assert_cmpint (step (steps, 3)->result, ==, HTTP_REPO_READ_EOF);
      steps_free (steps);
    }
}

static void
test_http10 (void)
{
  static const char plain[] = "GET / HTTP/1.0\r\n\r\n";
  static const char ka[] = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  GArray *steps = run (plain, strlen (plain), 0, 8192, 64, FALSE);

  g_assert_cmpint (step (steps, 0)->result, ==, HTTP_REPO_READ_REQUEST);
  g_assert_false (step (steps, 0)->p.keep_alive);
  g_assert_true (step (steps, 0)->p.http10);
  steps_free (steps);
  steps = run (ka, strlen (ka), 0, 8192, 64, FALSE);
  g_assert_true (step (steps, 0)->p.keep_alive);
  g_assert_true (step (steps, 0)->p.http10);
  steps_free (steps);
}

typedef struct {
  const char *input;
  gsize       cap;
  guint       max_headers;
  guint       status;
  const char *method;
  const char *target;
} ErrorCase;

static void
test_errors (void)
{
  g_autofree char *long_line = g_strdup_printf ("GET /%0200d HTTP/1.1\r\n\r\n", 0);
  g_autofree char *long_header = g_strdup_printf ("GET / HTTP/1.1\r\nX: %0200d\r\n\r\n", 0);
  const ErrorCase cases[] = {
    { "BREW /pot HTTP/1.1\r\n\r\n", 8192, 64, 405, "BREW", "/pot" },
    { "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 8192, 64, 405, "POST", "/x" },
    { "DELETE /x HTTP/1.1\r\n\r\n", 8192, 64, 405, "DELETE", "/x" },
    { "GET / HTTP/2.0\r\n\r\n", 8192, 64, 505, "GET", "/" },
    { "GARBAGE\r\n\r\n", 8192, 64, 400, NULL, NULL },
    { "\x16\x03\x01\x02\x00", 8192, 64, 400, NULL, NULL },
    { "GET /a\x00 HTTP/1.1\r\n\r\n", 8192, 64, 400, NULL, NULL },
    { "GET / HTTP/1.1\r\nBad Header\r\n\r\n", 8192, 64, 400, NULL, NULL },
    { "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 8192, 2, 431, "GET", "/" },
    { long_line, 128, 64, 414, NULL, NULL },
    { long_header, 128, 64, 431, NULL, NULL },
    { "GET / HTTP/1.1\r\nHost: x\r\n", 8192, 64, 400, NULL, NULL }, /* EOF inside */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize chunk = 0; chunk < 8; chunk++)
      {
        gsize len = i == 6 ? 20 : strlen (cases[i].input); /* case 6 holds a NUL */
        GArray *steps = run (cases[i].input, len, chunk, cases[i].cap, cases[i].max_headers, TRUE);
        Step *s = step (steps, steps->len - 1);

        g_test_message ("case %u chunk %" G_GSIZE_FORMAT, i, chunk);
        g_assert_cmpint (s->result, ==, HTTP_REPO_READ_ERROR);
        g_assert_cmpuint (s->p.status, ==, cases[i].status);
        g_assert_false (s->p.keep_alive);
        g_assert_nonnull (s->p.why);
        if (cases[i].method != NULL)
          g_assert_cmpstr (s->p.method, ==, cases[i].method);
        if (cases[i].target != NULL)
          g_assert_cmpstr (s->p.target, ==, cases[i].target);
        steps_free (steps);
      }
}

static void
test_eof_between (void)
{
  GArray *steps = run ("", 0, 0, 8192, 64, TRUE);

  g_assert_cmpuint (steps->len, ==, 1);
  g_assert_cmpint (step (steps, 0)->result, ==, HTTP_REPO_READ_EOF);
  steps_free (steps);
}

static void
test_in_request (void)
{
  HttpRepoReader r;
  HttpRepoParsed p = { 0 };
  gsize avail;
  char *space;

  http_repo_reader_init (&r, 8192, 64);
  g_assert_false (http_repo_reader_in_request (&r));
  space = http_repo_reader_space (&r, &avail);
  memcpy (space, "GET / HT", 8);
  http_repo_reader_commit (&r, 8);
  g_assert_true (http_repo_reader_in_request (&r));
  g_assert_cmpint (http_repo_reader_next (&r, &p), ==, HTTP_REPO_READ_MORE);
  g_assert_true (http_repo_reader_in_request (&r));
  space = http_repo_reader_space (&r, &avail);
  memcpy (space, "TP/1.1\r\n\r\n", 10);
  http_repo_reader_commit (&r, 10);
  g_assert_cmpint (http_repo_reader_next (&r, &p), ==, HTTP_REPO_READ_REQUEST);
  /* paused until the response is out */
  g_assert_false (http_repo_reader_has_input (&r));
  g_assert_cmpint (http_repo_reader_next (&r, &p), ==, HTTP_REPO_READ_MORE);
  http_repo_reader_done (&r);
  g_assert_false (http_repo_reader_in_request (&r));
  http_repo_parsed_clear (&p);

  /* idle: the buffer goes, and comes back with the next request */
  g_assert_true (http_repo_reader_release (&r));
  g_assert_null (r.buf);
  space = http_repo_reader_space (&r, &avail);
  g_assert_cmpuint (avail, ==, 8192);
  memcpy (space, "HEAD /x HTTP/1.1\r\n", 18);
  http_repo_reader_commit (&r, 18);
  g_assert_cmpint (http_repo_reader_next (&r, &p), ==, HTTP_REPO_READ_MORE);
  g_assert_false (http_repo_reader_release (&r)); /* in use */
  space = http_repo_reader_space (&r, &avail);
  memcpy (space, "\r\n", 2);
  http_repo_reader_commit (&r, 2);
  g_assert_cmpint (http_repo_reader_next (&r, &p), ==, HTTP_REPO_READ_REQUEST);
  g_assert_cmpstr (p.target, ==, "/x");
  g_assert_true (p.head);
  http_repo_parsed_clear (&p);
  http_repo_reader_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http-repo/reader/every-split", test_every_split);
  g_test_add_func ("/http-repo/reader/pipelined", test_pipelined);
  g_test_add_func ("/http-repo/reader/http10", test_http10);
  g_test_add_func ("/http-repo/reader/errors", test_errors);
  g_test_add_func ("/http-repo/reader/eof-between", test_eof_between);
  g_test_add_func ("/http-repo/reader/in-request", test_in_request);
  return g_test_run ();
}
