/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* http-repo's connection input (HttpRepoReader around http-parser): what a
 * client sends on one connection, fed twice, once a byte at a time and once
 * in the largest pieces that fit. Input: byte 0 picks max-header-size
 * (64 << (b & 7)), byte 1 max-headers (1 + b % 70), the rest is the stream.
 * Invariants: every step terminates, a REQUEST is a GET or HEAD with a
 * target, an ERROR carries a 4xx/5xx status and a reason, nothing is read
 * past an ERROR or EOF, and both feedings give the same steps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http-repo-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
describe (GString *out, HttpRepoReadResult result, const HttpRepoParsed *p)
{
  g_string_append_printf (out, "%d %s %u [%s]", result, p->method, p->status,
                          p->target != NULL ? p->target : "-");
  for (guint i = 0; i < HTTP_REPO_N_HDR; i++)
    g_string_append_printf (out, " <%s>", p->hdr[i] != NULL ? p->hdr[i] : "-");
  g_string_append_printf (out, " %d%d%d\n", p->head, p->keep_alive, p->http10);
}

static void
check (HttpRepoReadResult result, const HttpRepoParsed *p)
{
  if (result == HTTP_REPO_READ_REQUEST)
    {
      if (p->target == NULL || (strcmp (p->method, "GET") != 0 && strcmp (p->method, "HEAD") != 0))
        abort ();
      if (p->head != (strcmp (p->method, "HEAD") == 0))
        abort ();
    }
  if (result == HTTP_REPO_READ_ERROR)
    {
      if (p->status < 400 || p->status > 505 || p->why == NULL || p->keep_alive)
        abort ();
    }
}

static char *
feed (const char *stream, gsize len, gsize cap, guint max_headers, gsize chunk)
{
  GString *out = g_string_new (NULL);
  HttpRepoReader r;
  gsize fed = 0;
  guint steps = 0;

  http_repo_reader_init (&r, cap, max_headers);
  for (;;)
    {
      if (++steps > 4 * len + 100)
        abort (); /* no progress */
      if (http_repo_reader_has_input (&r))
        {
          HttpRepoParsed p = { 0 };
          HttpRepoReadResult result = http_repo_reader_next (&r, &p);

          check (result, &p);
          if (result != HTTP_REPO_READ_MORE)
            describe (out, result, &p);
          http_repo_parsed_clear (&p);
          if (result == HTTP_REPO_READ_REQUEST)
            {
              http_repo_reader_done (&r);
              /* what an idle keep-alive connection does: nothing changes */
              if (chunk == 1)
                http_repo_reader_release (&r);
              continue;
            }
          if (result != HTTP_REPO_READ_MORE)
            break;
        }
      if (fed < len)
        {
          gsize avail = 0;
          char *space = http_repo_reader_space (&r, &avail);
          gsize n = MIN (MIN (len - fed, avail), chunk);

          if (n == 0)
            abort (); /* a full buffer must have been answered */
          memcpy (space, stream + fed, n);
          http_repo_reader_commit (&r, n);
          fed += n;
        }
      else if (!r.eof)
        http_repo_reader_commit (&r, 0);
      else if (!http_repo_reader_has_input (&r))
        break;
    }
  http_repo_reader_clear (&r);
  return g_string_free (out, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *one = NULL;
  g_autofree char *big = NULL;
  gsize cap;
  guint max_headers;

  if (size < 2 || size > 65536)
    return 0;
  cap = (gsize) 64 << (data[0] & 7);
  max_headers = 1 + data[1] % 70;
  one = feed ((const char *) data + 2, size - 2, cap, max_headers, 1);
  big = feed ((const char *) data + 2, size - 2, cap, max_headers, G_MAXSIZE);
  if (strcmp (one, big) != 0)
    abort ();
  return 0;
}
