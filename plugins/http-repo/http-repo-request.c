/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "http-repo-request.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

G_DEFINE_QUARK (http-repo-error-quark, http_repo_error)

/* ---- Request target ---------------------------------------------------------- */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
http_repo_decode_target (const char *target, gsize len, gboolean *trailing_slash,
                         GError **error)
{
  g_autoptr(GString) out = NULL;
  gsize i = 0;

  if (trailing_slash != NULL)
    *trailing_slash = FALSE;
  if (len > HTTP_REPO_TARGET_MAX)
    {
      g_set_error (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_URI_TOO_LONG,
                   "request target of %" G_GSIZE_FORMAT " bytes", len);
      return NULL;
    }

  /* absolute-form (RFC 9112 3.2.2): skip scheme and authority */
  if (len >= 7 && (g_ascii_strncasecmp (target, "http://", 7) == 0 ||
                   (len >= 8 && g_ascii_strncasecmp (target, "https://", 8) == 0)))
    {
      i = target[4] == ':' ? 7 : 8;
      while (i < len && target[i] != '/' && target[i] != '?' && target[i] != '#')
        i++;
      if (i == len || target[i] != '/')
        {
          /* "http://host" or "http://host?x" is the root */
          out = g_string_new ("/");
          goto done;
        }
    }
  if (i >= len || target[i] != '/')
    {
      g_set_error_literal (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_BAD_REQUEST,
                           "request target is not an absolute path");
      return NULL;
    }

  out = g_string_sized_new (len - i + 1);
  for (; i < len; i++)
    {
      guchar c = (guchar) target[i];

      if (c == '?' || c == '#')
        break;
      if (c == '%')
        {
          int hi, lo;

          if (len - i < 3 || (hi = hex_value (target[i + 1])) < 0 ||
              (lo = hex_value (target[i + 2])) < 0)
            {
              g_set_error_literal (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_BAD_REQUEST,
                                   "invalid percent-encoding");
              return NULL;
            }
          c = (guchar) (hi * 16 + lo);
          i += 2;
        }
      if (c < 0x20 || c == 0x7f)
        {
          g_set_error (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_BAD_REQUEST,
                       "control character 0x%02x in request target", c);
          return NULL;
        }
      g_string_append_c (out, (char) c);
    }

done:
  if (trailing_slash != NULL)
    *trailing_slash = out->len > 0 && out->str[out->len - 1] == '/';
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
http_repo_encode_path (const char *path)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *out = g_string_sized_new (strlen (path) + 8);

  for (const char *p = path; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
        g_string_append_c (out, (char) c);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
        }
    }
  return g_string_free (out, FALSE);
}

/* ---- Content types ------------------------------------------------------------- */

static const struct {
  const char *ext;
  const char *type;
} content_types[] = {
  { "iso", "application/x-iso9660-image" },
  { "img", "application/octet-stream" },
  { "efi", "application/efi" },
  { "cfg", "text/plain; charset=utf-8" },
  { "conf", "text/plain; charset=utf-8" },
  { "ks", "text/plain; charset=utf-8" },
  { "ipxe", "text/plain; charset=utf-8" },
  { "txt", "text/plain; charset=utf-8" },
  { "lst", "text/plain; charset=utf-8" },
  { "sh", "text/plain; charset=utf-8" },
  { "treeinfo", "text/plain; charset=utf-8" },
  { "xml", "application/xml" },
  { "rpm", "application/x-rpm" },
  { "drpm", "application/x-rpm" },
  { "deb", "application/vnd.debian.binary-package" },
  { "gz", "application/gzip" },
  { "tgz", "application/gzip" },
  { "xz", "application/x-xz" },
  { "zst", "application/zstd" },
  { "bz2", "application/x-bzip2" },
  { "sqlite", "application/vnd.sqlite3" },
  { "asc", "application/pgp-signature" },
  { "sig", "application/pgp-signature" },
  { "gpg", "application/pgp-keys" },
  { "json", "application/json" },
  { "yaml", "application/yaml" },
  { "yml", "application/yaml" },
  { "html", "text/html; charset=utf-8" },
  { "htm", "text/html; charset=utf-8" },
  { "css", "text/css" },
  { "js", "text/javascript" },
  { "png", "image/png" },
  { "jpg", "image/jpeg" },
  { "svg", "image/svg+xml" },
};

const char *
http_repo_content_type (const char *path)
{
  const char *base = strrchr (path, '/');
  const char *dot;

  base = base != NULL ? base + 1 : path;
  dot = strrchr (base, '.');
  if (dot != NULL && dot[1] != '\0')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (content_types); i++)
        if (g_ascii_strcasecmp (dot + 1, content_types[i].ext) == 0)
          return content_types[i].type;
    }
  return "application/octet-stream";
}

/* ---- Dates --------------------------------------------------------------------- */

static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
http_repo_format_date (gint64 t, char out[HTTP_REPO_DATE_LEN])
{
  time_t tt = (time_t) t;
  struct tm tm;

  if (gmtime_r (&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
    {
      tt = 0;
      gmtime_r (&tt, &tm);
    }
  g_snprintf (out, HTTP_REPO_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
              day_names[tm.tm_wday % 7], tm.tm_mday, month_names[tm.tm_mon % 12],
              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
month_from_name (const char *name)
{
  for (int i = 0; i < 12; i++)
    if (strcmp (name, month_names[i]) == 0)
      return i + 1;
  return 0;
}

gboolean
http_repo_parse_date (const char *text, gint64 *out)
{
  char wday[16], mon[4];
  int d, y, h, m, s, n = -1;
  g_autoptr(GDateTime) dt = NULL;
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len < 20 || len > 40)
    return FALSE;
  /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
  if (sscanf (text, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &d, mon, &y, &h,
              &m, &s, &n) == 7 && n == (int) len)
    ;
  /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
  else if (n = -1, sscanf (text, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wday, &d,
                           mon, &y, &h, &m, &s, &n) == 7 && n == (int) len)
    y += y < 70 ? 2000 : 1900;
  /* asctime: Sun Nov  6 08:49:37 1994 */
  else if (n = -1, sscanf (text, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &d,
                           &h, &m, &s, &y, &n) == 7 && n == (int) len)
    ;
  else
    return FALSE;

  if (month_from_name (mon) == 0 || d < 1 || d > 31 || h < 0 || h > 23 || m < 0 || m > 59 ||
      s < 0 || s > 60 || y < 1970 || y > 9999)
    return FALSE;
  dt = g_date_time_new_utc (y, month_from_name (mon), d, h, m, s > 59 ? 59 : s);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* ---- Entity tags ----------------------------------------------------------------- */

void
http_repo_format_etag (guint64 size, gint64 mtime, char out[HTTP_REPO_ETAG_LEN])
{
  g_snprintf (out, HTTP_REPO_ETAG_LEN, "\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
              (guint64) mtime, size);
}

gboolean
http_repo_etag_list_matches (const char *list, const char *etag, gboolean weak)
{
  const char *p = list;
  gsize etag_len;

  if (list == NULL || etag == NULL)
    return FALSE;
  etag_len = strlen (etag);

  for (;;)
    {
      gboolean is_weak = FALSE;
      const char *start, *end;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p == '\0')
        return FALSE;
      if (*p == '*')
        return TRUE;
      if (p[0] == 'W' && p[1] == '/')
        {
          is_weak = TRUE;
          p += 2;
        }
      if (*p != '"')
        return FALSE;
      start = p;
      end = strchr (p + 1, '"');
      if (end == NULL)
        return FALSE;
      end++; /* include the closing quote */
      if ((weak || !is_weak) && (gsize) (end - start) == etag_len &&
          memcmp (start, etag, etag_len) == 0)
        return TRUE;
      p = end;
    }
}

/* ---- Range ----------------------------------------------------------------------- */

/* Reads decimal digits, saturating at G_MAXUINT64. FALSE when there are none. */
static gboolean
read_number (const char **p, const char *end, guint64 *out)
{
  guint64 v = 0;
  const char *q = *p;

  if (q >= end || !g_ascii_isdigit (*q))
    return FALSE;
  for (; q < end && g_ascii_isdigit (*q); q++)
    {
      guint d = (guint) (*q - '0');

      if (v > (G_MAXUINT64 - d) / 10)
        v = G_MAXUINT64;
      else
        v = v * 10 + d;
    }
  *p = q;
  *out = v;
  return TRUE;
}

HttpRepoRange
http_repo_parse_range (const char *header, guint64 size, guint64 *offset, guint64 *length)
{
  const char *p, *spec = NULL, *spec_end = NULL;
  guint n_specs = 0;
  guint64 first, last;

  if (header == NULL)
    return HTTP_REPO_RANGE_NONE;
  while (*header == ' ' || *header == '\t')
    header++;
  if (g_ascii_strncasecmp (header, "bytes", 5) != 0)
    return HTTP_REPO_RANGE_NONE;
  p = header + 5;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '=')
    return HTTP_REPO_RANGE_NONE;
  p++;

  /* count the non-empty list elements; keep the only one */
  while (*p != '\0')
    {
      const char *s, *e;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p == '\0')
        break;
      s = p;
      while (*p != '\0' && *p != ',')
        p++;
      e = p;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
      spec = s;
      spec_end = e;
      n_specs++;
    }
  if (n_specs != 1)
    return HTTP_REPO_RANGE_NONE; /* none, or several: the whole thing with 200 */

  p = spec;
  if (*p == '-')
    {
      guint64 suffix;

      p++;
      if (!read_number (&p, spec_end, &suffix) || p != spec_end)
        return HTTP_REPO_RANGE_NONE;
      if (suffix == 0 || size == 0)
        return HTTP_REPO_RANGE_UNSATISFIABLE;
      *length = MIN (suffix, size);
      *offset = size - *length;
      return HTTP_REPO_RANGE_SATISFIABLE;
    }
  if (!read_number (&p, spec_end, &first) || p >= spec_end || *p != '-')
    return HTTP_REPO_RANGE_NONE;
  p++;
  if (p == spec_end)
    last = G_MAXUINT64;
  else if (!read_number (&p, spec_end, &last) || p != spec_end || last < first)
    return HTTP_REPO_RANGE_NONE;
  if (first >= size)
    return HTTP_REPO_RANGE_UNSATISFIABLE;
  if (last > size - 1)
    last = size - 1;
  *offset = first;
  *length = last - first + 1;
  return HTTP_REPO_RANGE_SATISFIABLE;
}

/* ---- The response plan ----------------------------------------------------------- */

static gboolean
if_range_holds (const char *if_range, const HttpRepoResource *res)
{
  gint64 t;

  if (res->generated || res->etag == NULL)
    return FALSE;
  while (*if_range == ' ' || *if_range == '\t')
    if_range++;
  if (*if_range == '"' || (if_range[0] == 'W' && if_range[1] == '/'))
    return *if_range == '"' && http_repo_etag_list_matches (if_range, res->etag, FALSE);
  return http_repo_parse_date (if_range, &t) && t == res->mtime;
}

void
http_repo_plan_response (const HttpRepoConditions *cond, const HttpRepoResource *res,
                         HttpRepoPlan *plan)
{
  gint64 t;

  plan->status = 200;
  plan->offset = 0;
  plan->length = res->size;

  /* 1-2: If-Match, else If-Unmodified-Since */
  if (cond->if_match != NULL)
    {
      /* generated content has no entity tag: only "*" matches it */
      const char *etag = res->generated || res->etag == NULL ? "" : res->etag;
      gboolean ok = http_repo_etag_list_matches (cond->if_match, etag, FALSE);

      if (!ok)
        goto precondition_failed;
    }
  else if (cond->if_unmodified_since != NULL && !res->generated &&
           http_repo_parse_date (cond->if_unmodified_since, &t) && res->mtime > t)
    goto precondition_failed;

  /* 3-4: If-None-Match, else If-Modified-Since; generated content never
   * answers 304, it has no validators */
  if (!res->generated)
    {
      if (cond->if_none_match != NULL)
        {
          if (http_repo_etag_list_matches (cond->if_none_match, res->etag, TRUE))
            goto not_modified;
        }
      else if (cond->if_modified_since != NULL &&
               http_repo_parse_date (cond->if_modified_since, &t) && res->mtime <= t)
        goto not_modified;
    }

  /* 5: Range, for GET only, subject to If-Range */
  if (cond->range != NULL && !cond->head &&
      (cond->if_range == NULL || if_range_holds (cond->if_range, res)))
    {
      guint64 offset = 0, length = 0;

      switch (http_repo_parse_range (cond->range, res->size, &offset, &length))
        {
        case HTTP_REPO_RANGE_SATISFIABLE:
          plan->status = 206;
          plan->offset = offset;
          plan->length = length;
          break;
        case HTTP_REPO_RANGE_UNSATISFIABLE:
          plan->status = 416;
          plan->length = 0;
          break;
        case HTTP_REPO_RANGE_NONE:
        default:
          break;
        }
    }
  return;

precondition_failed:
  plan->status = 412;
  plan->length = 0;
  return;

not_modified:
  plan->status = 304;
  plan->length = 0;
}

/* ---- Directory listings ---------------------------------------------------------- */

static void
append_html (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default:
          if ((guchar) *p < 0x20 || *p == 0x7f)
            g_string_append_c (out, '?');
          else
            g_string_append_c (out, *p);
        }
    }
}

GBytes *
http_repo_render_listing (const char *path, GPtrArray *entries)
{
  GString *out = g_string_sized_new (1024 + entries->len * 160);
  g_autofree char *title = g_strconcat ("/", path, *path != '\0' ? "/" : "", NULL);

  g_string_append (out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
  append_html (out, title);
  g_string_append (out, "</title></head>\n<body><h1>Index of ");
  append_html (out, title);
  g_string_append (out, "</h1>\n<table>\n<tr><th>Name</th><th>Last modified</th>"
                        "<th>Size</th></tr>\n");
  if (*path != '\0')
    g_string_append (out, "<tr><td><a href=\"../\">../</a></td><td></td><td>-</td></tr>\n");
  for (guint i = 0; i < entries->len; i++)
    {
      const PxedDirEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *href = http_repo_encode_path (e->name);
      char date[HTTP_REPO_DATE_LEN];

      /* "./" keeps a name with a ':' from reading as a URL scheme */
      http_repo_format_date (e->mtime, date);
      g_string_append (out, "<tr><td><a href=\"./");
      g_string_append (out, href);
      g_string_append (out, e->is_dir ? "/\">" : "\">");
      append_html (out, e->name);
      g_string_append (out, e->is_dir ? "/</a></td><td>" : "</a></td><td>");
      g_string_append (out, date);
      if (e->is_dir)
        g_string_append (out, "</td><td>-</td></tr>\n");
      else
        g_string_append_printf (out, "</td><td>%" G_GUINT64_FORMAT "</td></tr>\n", e->size);
    }
  g_string_append (out, "</table>\n</body></html>\n");
  return g_string_free_to_bytes (out);
}
