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

void
ftp_format_list_line (GString *out, const FtpEntry *entry, gint64 now)
{
  time_t t = (time_t) entry->mtime;
  struct tm tm;
  const gint64 six_months = 182 * 24 * 3600;

  if (gmtime_r (&t, &tm) == NULL)
    memset (&tm, 0, sizeof tm);
  g_string_append_printf (out, "%s    %u ftp      ftp      %12" G_GUINT64_FORMAT " %s %2d ",
                          entry->is_dir ? "dr-xr-xr-x" : "-r--r--r--", entry->is_dir ? 2u : 1u,
                          entry->size, month_names[tm.tm_mon % 12], tm.tm_mday);
  if (entry->mtime > now - six_months && entry->mtime <= now + 3600)
    g_string_append_printf (out, "%02d:%02d ", tm.tm_hour, tm.tm_min);
  else
    g_string_append_printf (out, " %4d ", tm.tm_year + 1900);
  g_string_append (out, entry->name);
  g_string_append (out, "\r\n");
}

void
ftp_format_time (char buf[15], gint64 t)
{
  time_t tt = (time_t) t;
  struct tm tm;

  if (gmtime_r (&tt, &tm) == NULL)
    memset (&tm, 0, sizeof tm);
  g_snprintf (buf, 15, "%04d%02d%02d%02d%02d%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
ftp_format_facts (GString *out, const FtpEntry *entry, guint facts)
{
  if (facts & FTP_FACT_TYPE)
    g_string_append (out, entry->is_dir ? "type=dir;" : "type=file;");
  if (facts & FTP_FACT_SIZE)
    g_string_append_printf (out, "size=%" G_GUINT64_FORMAT ";", entry->size);
  if (facts & FTP_FACT_MODIFY)
    {
      char buf[15];
      ftp_format_time (buf, entry->mtime);
      g_string_append_printf (out, "modify=%s;", buf);
    }
  if (facts & FTP_FACT_PERM)
    g_string_append (out, entry->is_dir ? "perm=el;" : "perm=r;");
  g_string_append_c (out, ' ');
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
