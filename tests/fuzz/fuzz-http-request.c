/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request handling that is pxed's own code in http-repo: the request
 * target (percent-decoding once, then the content service's normaliser),
 * Range, conditional headers, dates, entity tags and content types.
 *
 * Input: the first line is the request target; the following lines are
 * header values in this order: Range, If-Range, If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since; then a line whose length is taken
 * as the resource size. Invariants checked: a decoded and normalised path
 * never escapes (no ".." component, no leading '/', no NUL, no '\'), a plan
 * never points past the end of the representation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http-repo-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_path (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path[0] == '/' || strchr (path, '\\') != NULL)
    abort ();
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], "..") == 0)
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const char *p = (const char *) data, *end = p + size;
  g_autofree char *decoded = NULL;
  gboolean slash = FALSE;
  guint64 res_size, offset = 0, length = 0;
  char etag[HTTP_REPO_ETAG_LEN], date[HTTP_REPO_DATE_LEN];
  gint64 t;

  if (size > 16384)
    return 0;
  while (p < end && lines->len < 8)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *stop = nl != NULL ? nl : end;

      /* the target keeps its NULs; headers are C strings, as the server extracts them */
      g_ptr_array_add (lines, g_strndup (p, (gsize) (stop - p)));
      if (lines->len == 1)
        {
          decoded = http_repo_decode_target (p, (gsize) (stop - p), &slash, NULL);
          if (decoded != NULL)
            {
              g_autofree char *norm = NULL;
              g_autofree char *encoded = NULL;

              if (memchr (decoded, '\0', strlen (decoded) + 1) != decoded + strlen (decoded))
                abort ();
              norm = pxed_content_normalize_path (decoded, strlen (decoded), NULL);
              if (norm != NULL)
                {
                  check_path (norm);
                  encoded = http_repo_encode_path (norm);
                  (void) http_repo_content_type (norm);
                }
            }
        }
      p = stop + (nl != NULL ? 1 : 0);
    }
  while (lines->len < 8)
    g_ptr_array_add (lines, NULL);

  res_size = lines->pdata[7] != NULL ? strlen (lines->pdata[7]) * 997 : 1000;
  http_repo_format_etag (res_size, 784111777, etag);
  for (guint i = 1; i <= 6; i++)
    {
      const char *v = lines->pdata[i];

      if (v == NULL)
        continue;
      if (http_repo_parse_date (v, &t))
        http_repo_format_date (t, date);
      (void) http_repo_etag_list_matches (v, etag, TRUE);
      (void) http_repo_etag_list_matches (v, etag, FALSE);
      if (http_repo_parse_range (v, res_size, &offset, &length) == HTTP_REPO_RANGE_SATISFIABLE &&
          (length == 0 || offset >= res_size || length > res_size - offset))
        abort ();
    }

  for (guint generated = 0; generated < 2; generated++)
    {
      HttpRepoResource res = {
        .size = res_size, .mtime = 784111777, .generated = generated,
        .etag = generated ? NULL : etag,
      };
      HttpRepoConditions cond = {
        .range = lines->pdata[1], .if_range = lines->pdata[2], .if_match = lines->pdata[3],
        .if_none_match = lines->pdata[4], .if_modified_since = lines->pdata[5],
        .if_unmodified_since = lines->pdata[6],
      };
      HttpRepoPlan plan;

      http_repo_plan_response (&cond, &res, &plan);
      if (plan.offset > res.size || plan.length > res.size - plan.offset)
        abort ();
      if (generated && plan.status == 304)
        abort ();
    }
  return 0;
}
