/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual path handling and LIST / MLSD / MLST formatting. */
#include "ftp-listing.h"

#include <string.h>
#include <time.h>

FtpEntry *
ftp_entry_new (const char *name, gboolean is_dir, guint64 size, gint64 mtime)
{
  FtpEntry *entry = g_new0 (FtpEntry, 1);

  entry->name = g_strdup (name);
  entry->is_dir = is_dir;
  entry->size = size;
  entry->mtime = mtime;
  return entry;
}

void
ftp_entry_free (FtpEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static void
path_push (GPtrArray *parts, const char *text, gsize len)
{
  if (len == 0 || (len == 1 && text[0] == '.'))
    return;
  if (len == 2 && text[0] == '.' && text[1] == '.')
    {
      if (parts->len > 0)
        g_ptr_array_remove_index (parts, parts->len - 1);
      return;
    }
  g_ptr_array_add (parts, g_strndup (text, len));
}

static void
path_split (GPtrArray *parts, const char *path)
{
  const char *p = path;

  while (*p != '\0')
    {
      gsize n = strcspn (p, "/\\");
      path_push (parts, p, n);
      p += n;
      if (*p != '\0')
        p++;
    }
}

char *
ftp_path_join (const char *cwd, const char *arg)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);

  if (arg == NULL || (arg[0] != '/' && arg[0] != '\\'))
    path_split (parts, cwd);
  if (arg != NULL)
    path_split (parts, arg);
  for (guint i = 0; i < parts->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (parts, i));
      if (out->len > FTP_PATH_MAX)
        return NULL;
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

const char *
ftp_path_basename (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

gboolean
ftp_name_is_listable (const char *name)
{
  return name[0] != '\0' && strpbrk (name, "\r\n") == NULL;
}

static const char *const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Listings of big directories are formatted by hand: printf was most of
 * the cost of a 10,000-entry LIST. */
static char *
put_uint (char *p, guint64 v, guint width, char pad)
{
  char tmp[24];
  guint n = 0;

  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v > 0 && n < sizeof tmp);
  while (width > n)
    {
      *p++ = pad;
      width--;
    }
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

static void
entry_tm (gint64 t, struct tm *tm)
{
  time_t tt = (time_t) t;

  if (gmtime_r (&tt, tm) == NULL)
    memset (tm, 0, sizeof *tm);
}

void
ftp_format_list_line (GString *out, const FtpEntry *entry, gint64 now)
{
  static const char file_head[] = "-r--r--r--    1 ftp      ftp      ";
  static const char dir_head[] = "dr-xr-xr-x    2 ftp      ftp      ";
  const gint64 six_months = 182 * 24 * 3600;
  char buf[96];
  char *p = buf;
  struct tm tm;

  entry_tm (entry->mtime, &tm);
  memcpy (p, entry->is_dir ? dir_head : file_head, sizeof file_head - 1);
  p += sizeof file_head - 1;
  p = put_uint (p, entry->size, 12, ' ');
  *p++ = ' ';
  memcpy (p, month_names[(guint) tm.tm_mon % 12], 3);
  p += 3;
  *p++ = ' ';
  p = put_uint (p, (guint64) tm.tm_mday, 2, ' ');
  *p++ = ' ';
  if (entry->mtime > now - six_months && entry->mtime <= now + 3600)
    {
      p = put_uint (p, (guint64) tm.tm_hour, 2, '0');
      *p++ = ':';
      p = put_uint (p, (guint64) tm.tm_min, 2, '0');
    }
  else
    {
      *p++ = ' ';
      p = put_uint (p, (guint64) (tm.tm_year + 1900) % 10000, 4, ' ');
    }
  *p++ = ' ';
  g_string_append_len (out, buf, p - buf);
  g_string_append (out, entry->name);
  g_string_append_len (out, "\r\n", 2);
}

static char *
put_time (char *p, gint64 t)
{
  struct tm tm;

  entry_tm (t, &tm);
  p = put_uint (p, (guint64) (tm.tm_year + 1900) % 10000, 4, '0');
  p = put_uint (p, (guint64) tm.tm_mon + 1, 2, '0');
  p = put_uint (p, (guint64) tm.tm_mday, 2, '0');
  p = put_uint (p, (guint64) tm.tm_hour, 2, '0');
  p = put_uint (p, (guint64) tm.tm_min, 2, '0');
  return put_uint (p, (guint64) tm.tm_sec, 2, '0');
}

void
ftp_format_time (char buf[15], gint64 t)
{
  *put_time (buf, t) = '\0';
}

void
ftp_format_facts (GString *out, const FtpEntry *entry, guint facts)
{
  char buf[128];
  char *p = buf;

  if (facts & FTP_FACT_TYPE)
    {
      const char *t = entry->is_dir ? "type=dir;" : "type=file;";
      gsize n = strlen (t);
      memcpy (p, t, n);
      p += n;
    }
  if (facts & FTP_FACT_SIZE)
    {
      memcpy (p, "size=", 5);
      p = put_uint (p + 5, entry->size, 0, ' ');
      *p++ = ';';
    }
  if (facts & FTP_FACT_MODIFY)
    {
      memcpy (p, "modify=", 7);
      p = put_time (p + 7, entry->mtime);
      *p++ = ';';
    }
  if (facts & FTP_FACT_PERM)
    {
      const char *t = entry->is_dir ? "perm=el;" : "perm=r;";
      gsize n = strlen (t);
      memcpy (p, t, n);
      p += n;
    }
  *p++ = ' ';
  g_string_append_len (out, buf, p - buf);
}

static const struct {
  const char *name;
  FtpFacts    fact;
} fact_names[] = {
  { "type", FTP_FACT_TYPE },
  { "size", FTP_FACT_SIZE },
  { "modify", FTP_FACT_MODIFY },
  { "perm", FTP_FACT_PERM },
};

char *
ftp_format_mlst_feature (guint facts)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (fact_names); i++)
    g_string_append_printf (out, "%s%s;", fact_names[i].name,
                            (facts & fact_names[i].fact) ? "*" : "");
  return g_string_free (out, FALSE);
}

guint
ftp_parse_facts (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ";", 16);
  guint facts = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      for (gsize j = 0; j < G_N_ELEMENTS (fact_names); j++)
        {
          if (g_ascii_strcasecmp (g_strstrip (parts[i]), fact_names[j].name) == 0)
            facts |= fact_names[j].fact;
        }
    }
  return facts;
}
