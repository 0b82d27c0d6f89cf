/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pxed-config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxed/pxed.h>

#include "pxed-log-private.h"

/* Settings are read from any thread (http-repo's workers included), so they are
 * swapped under a lock. */
static GMutex log_lock;
static GLogLevelFlags log_max_level = G_LOG_LEVEL_MESSAGE;
static char **log_debug_domains = NULL; /* from config */
static char **log_env_domains = NULL;   /* from PXED_DEBUG */
static gboolean log_to_journal = FALSE;

static int
level_rank (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return 0;
  if (level & G_LOG_LEVEL_CRITICAL)
    return 1;
  if (level & G_LOG_LEVEL_WARNING)
    return 2;
  if (level & G_LOG_LEVEL_MESSAGE)
    return 3;
  if (level & G_LOG_LEVEL_INFO)
    return 4;
  return 5;
}

static const char *
level_name (GLogLevelFlags level)
{
  static const char *const names[] = { "error", "critical", "warning", "message", "info", "debug" };
  return names[level_rank (level)];
}

static gboolean
strv_has_domain (char **domains, const char *domain)
{
  if (domains == NULL)
    return FALSE;
  for (guint i = 0; domains[i] != NULL; i++)
    if (g_str_equal (domains[i], "all") || g_strcmp0 (domains[i], domain) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
log_enabled (GLogLevelFlags level, const char *domain)
{
  gboolean enabled;

  g_mutex_lock (&log_lock);
  enabled = level_rank (level) <= level_rank (log_max_level) ||
            strv_has_domain (log_debug_domains, domain) ||
            strv_has_domain (log_env_domains, domain);
  g_mutex_unlock (&log_lock);
  return enabled;
}

/* Appends @text for a terminal or a log file: valid UTF-8 stays, control
 * characters (tab excepted) and bytes that are not UTF-8 become \xNN, so
 * nothing a client sent (a path inside an error message, say) can start a
 * new line or garble the output. */
static void
append_printable (GString *out, const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *end;
      gunichar c;

      if (g_utf8_validate (p, -1, &end))
        end = p + strlen (p);
      for (const char *q = p; q < end; q = g_utf8_next_char (q))
        {
          c = g_utf8_get_char (q);
          if ((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0))
            {
              for (const char *b = q; b < g_utf8_next_char (q); b++)
                g_string_append_printf (out, "\\x%02x", (guchar) *b);
            }
          else
            g_string_append_len (out, q, g_utf8_next_char (q) - q);
        }
      p = end;
      if (*p != '\0')
        {
          /* not UTF-8 */
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
        }
    }
}

char *
pxed_log_format_line (GLogLevelFlags level, const char *domain, const char *instance,
                      const char *ip, const char *message)
{
  GString *line = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");

  g_string_append_printf (line, "%s.%03d %-7s %s", stamp,
                          g_date_time_get_microsecond (now) / 1000, level_name (level),
                          domain != NULL ? domain : "pxed");
  if (instance != NULL)
    g_string_append_printf (line, "[%s]", instance);
  g_string_append (line, ": ");
  if (ip != NULL)
    g_string_append_printf (line, "%s: ", ip);
  append_printable (line, message != NULL ? message : "");
  return g_string_free (line, FALSE);
}

/* One write per line so that lines of concurrent threads never interleave. */
static void
write_line (const char *line)
{
  g_autofree char *out = g_strconcat (line, "\n", NULL);
  gsize total = strlen (out), off = 0;

  while (off < total)
    {
      ssize_t n = write (STDERR_FILENO, out + off, total - off);
      if (n <= 0)
        break;
      off += (gsize) n;
    }
}

static GLogWriterOutput
pxed_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *domain = NULL, *message = NULL, *instance = NULL, *ip = NULL;
  g_autofree char *line = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "PXED_INSTANCE"))
        instance = fields[i].value;
      else if (g_str_equal (fields[i].key, "PXED_CLIENT_IP"))
        ip = fields[i].value;
    }
  /* GLib's own domains (and ours) are filtered alike. */
  if (!log_enabled (level, domain))
    return G_LOG_WRITER_HANDLED;
  if (log_to_journal &&
      g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  line = pxed_log_format_line (level, domain, instance, ip, message);
  write_line (line);
  return G_LOG_WRITER_HANDLED;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE when it connects stderr to the
 * journal; the stream is ours only when stderr still is that socket. */
static gboolean
stderr_is_journal (void)
{
  const char *stream = g_getenv ("JOURNAL_STREAM");
  guint64 dev, ino;
  struct stat st;
  char *end;

  if (stream == NULL)
    return FALSE;
  dev = g_ascii_strtoull (stream, &end, 10);
  if (end == stream || *end != ':')
    return FALSE;
  ino = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || fstat (STDERR_FILENO, &st) < 0)
    return FALSE;
  return (guint64) st.st_dev == dev && (guint64) st.st_ino == ino;
}

void
pxed_log_init (void)
{
  const char *env = g_getenv ("PXED_DEBUG");

  g_mutex_lock (&log_lock);
  g_strfreev (log_env_domains);
  log_env_domains = env != NULL && *env != '\0' ? g_strsplit_set (env, ", ", -1) : NULL;
  log_to_journal = stderr_is_journal () || g_log_writer_is_journald (STDERR_FILENO);
  g_mutex_unlock (&log_lock);
  g_log_set_writer_func (pxed_log_writer, NULL, NULL);
}

gboolean
pxed_log_set_level (const char *level)
{
  static const struct {
    const char *name;
    GLogLevelFlags flag;
  } levels[] = {
    { "error", G_LOG_LEVEL_CRITICAL }, { "warning", G_LOG_LEVEL_WARNING },
    { "message", G_LOG_LEVEL_MESSAGE }, { "info", G_LOG_LEVEL_INFO },
    { "debug", G_LOG_LEVEL_DEBUG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (g_strcmp0 (level, levels[i].name) == 0)
      {
        g_mutex_lock (&log_lock);
        log_max_level = levels[i].flag;
        g_mutex_unlock (&log_lock);
        return TRUE;
      }
  return FALSE;
}

void
pxed_log_set_debug_domains (const char *const *domains)
{
  g_mutex_lock (&log_lock);
  g_strfreev (log_debug_domains);
  log_debug_domains = g_strdupv ((char **) domains);
  g_mutex_unlock (&log_lock);
}

void
pxed_log_client (const char *domain, GLogLevelFlags level, const char *instance, const char *mac,
                 const char *ip, const char *format, ...)
{
  g_autofree char *message = NULL;
  GLogField fields[7];
  gsize n = 0;
  va_list args;

  if (!log_enabled (level, domain))
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fields[n++] = (GLogField) { "GLIB_DOMAIN", domain != NULL ? domain : "pxed", -1 };
  fields[n++] = (GLogField) { "MESSAGE", message, -1 };
  fields[n++] = (GLogField) { "PRIORITY", level_rank (level) <= 1 ? "3"
                                          : level_rank (level) == 2 ? "4"
                                          : level_rank (level) == 3 ? "5"
                                          : level_rank (level) == 4 ? "6" : "7", -1 };
  if (instance != NULL)
    fields[n++] = (GLogField) { "PXED_INSTANCE", instance, -1 };
  if (mac != NULL)
    fields[n++] = (GLogField) { "PXED_CLIENT_MAC", mac, -1 };
  if (ip != NULL)
    fields[n++] = (GLogField) { "PXED_CLIENT_IP", ip, -1 };
  g_log_structured_array (level, fields, n);
}

char *
pxed_log_sanitize (const char *data, gsize len, gsize max_len)
{
  GString *out = g_string_sized_new (MIN (len, max_len) + 1);

  for (gsize i = 0; i < len && out->len < max_len; i++)
    {
      guchar c = (guchar) data[i];
      if (c >= 0x20 && c < 0x7f && c != '\\')
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (len > 0 && out->len >= max_len)
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}
