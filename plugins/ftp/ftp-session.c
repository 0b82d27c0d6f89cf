/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The anonymous, read-only FTP session state machine (RFC 959, 2389, 2428,
 * 3659): pure logic, no sockets. */
#include "ftp-session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

struct _FtpSession {
  const FtpBackend       *backend;
  gpointer                backend_data;
  struct sockaddr_storage peer;
  socklen_t               peer_len;
  struct sockaddr_storage local;
  socklen_t               local_len;
  char                    client_ip[INET6_ADDRSTRLEN];

  gboolean                user_ok;    /* USER anonymous/ftp seen */
  gboolean                logged_in;
  guint                   login_failures;
  char                   *cwd;
  gboolean                binary;
  gboolean                epsv_all;
  guint64                 rest;
  guint                   facts;

  FtpDataMode             data_mode;
  gboolean                pending_extended;
  struct sockaddr_storage active;
  socklen_t               active_len;
  gboolean                transfer_active;
};

void
ftp_action_clear (FtpAction *action)
{
  g_clear_pointer (&action->path, g_free);
  g_clear_pointer (&action->data, g_bytes_unref);
  memset (action, 0, sizeof *action);
}

FtpSession *
ftp_session_new (const FtpBackend *backend, gpointer backend_data,
                 const struct sockaddr *peer, socklen_t peer_len,
                 const struct sockaddr *local, socklen_t local_len)
{
  FtpSession *s = g_new0 (FtpSession, 1);

  s->backend = backend;
  s->backend_data = backend_data;
  memcpy (&s->peer, peer, MIN ((gsize) peer_len, sizeof s->peer));
  s->peer_len = peer_len;
  ftp_address_unmap (&s->peer, &s->peer_len);
  memcpy (&s->local, local, MIN ((gsize) local_len, sizeof s->local));
  s->local_len = local_len;
  ftp_address_unmap (&s->local, &s->local_len);
  if (s->peer.ss_family == AF_INET)
    inet_ntop (AF_INET, &((struct sockaddr_in *) &s->peer)->sin_addr, s->client_ip,
               sizeof s->client_ip);
  else if (s->peer.ss_family == AF_INET6)
    inet_ntop (AF_INET6, &((struct sockaddr_in6 *) &s->peer)->sin6_addr, s->client_ip,
               sizeof s->client_ip);
  else
    g_strlcpy (s->client_ip, "?", sizeof s->client_ip);
  s->cwd = g_strdup ("/");
  s->binary = FALSE; /* RFC 959 default is ASCII; we send bytes unchanged either way */
  s->facts = FTP_FACT_ALL;
  return s;
}

void
ftp_session_free (FtpSession *s)
{
  if (s == NULL)
    return;
  g_free (s->cwd);
  g_free (s);
}

/* ---- Replies ------------------------------------------------------------------------ */

static void
reply_line (GString *reply, guint code, const char *text)
{
  g_string_append_printf (reply, "%03u %s\r\n", code, text);
}

G_GNUC_PRINTF (3, 4)
static void
reply_printf (GString *reply, guint code, const char *format, ...)
{
  va_list args;

  g_string_append_printf (reply, "%03u ", code);
  va_start (args, format);
  g_string_append_vprintf (reply, format, args);
  va_end (args);
  g_string_append (reply, "\r\n");
}

/* RFC 959 section 7: a quote inside a quoted pathname is doubled. */
static void
append_quoted_path (GString *reply, const char *path)
{
  g_string_append_c (reply, '"');
  for (const char *p = path; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (reply, '"');
      g_string_append_c (reply, *p);
    }
  g_string_append_c (reply, '"');
}

void
ftp_session_greet (FtpSession *s, const char *banner, GString *reply)
{
  g_auto(GStrv) lines = g_strsplit (banner != NULL && *banner != '\0' ? banner : "pxed FTP server ready.",
                                    "\n", 32);
  guint n = g_strv_length (lines);

  while (n > 1 && *g_strstrip (lines[n - 1]) == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      char *line = g_strdelimit (lines[i], "\r", ' ');
      g_string_append_printf (reply, "220%c%s\r\n", i + 1 < n ? '-' : ' ', line);
    }
}

/* ---- Helpers -------------------------------------------------------------------------- */

static gboolean
backend_stat (FtpSession *s, const char *path, FtpEntry *out)
{
  memset (out, 0, sizeof *out);
  if (strcmp (path, "/") == 0)
    {
      out->is_dir = TRUE;
      return TRUE;
    }
  return s->backend->stat (s->backend_data, path, out);
}

static GPtrArray *
backend_list_dir (FtpSession *s, const char *path)
{
  return s->backend->list (s->backend_data, path);
}

/* Skips "-la"-style options that clients put in front of a LIST path. */
static const char *
skip_list_options (const char *arg)
{
  while (arg[0] == '-')
    {
      const char *space = strchr (arg, ' ');
      if (space == NULL)
        return "";
      arg = space + 1;
      while (*arg == ' ')
        arg++;
    }
  return arg;
}

static gboolean
require_data (FtpSession *s, GString *reply)
{
  if (s->data_mode == FTP_DATA_NONE)
    {
      reply_line (reply, 425, "Use PORT or PASV first.");
      return FALSE;
    }
  return TRUE;
}

static void
handle_user (FtpSession *s, const char *arg, GString *reply, FtpAction *action)
{
  if (s->logged_in)
    {
      reply_line (reply, 530, "Can't change to another user.");
      return;
    }
  if (g_ascii_strcasecmp (arg, "anonymous") == 0 || g_ascii_strcasecmp (arg, "ftp") == 0)
    {
      s->user_ok = TRUE;
      reply_line (reply, 331, "Please specify the password.");
      return;
    }
  s->user_ok = FALSE;
  s->login_failures++;
  if (s->login_failures >= FTP_SESSION_MAX_LOGIN_FAILURES)
    {
      g_info ("%s: too many failed logins, closing", s->client_ip);
      reply_line (reply, 530, "This FTP server is anonymous only.");
      action->kind = FTP_ACTION_CLOSE;
      return;
    }
  reply_line (reply, 530, "This FTP server is anonymous only.");
}

static void
handle_pass (FtpSession *s, GString *reply)
{
  if (s->logged_in)
    reply_line (reply, 230, "Already logged in.");
  else if (!s->user_ok)
    reply_line (reply, 503, "Login with USER first.");
  else
    {
      s->logged_in = TRUE;
      reply_line (reply, 230, "Login successful.");
    }
}

static void
handle_feat (FtpSession *s, GString *reply)
{
  g_autofree char *mlst = ftp_format_mlst_feature (s->facts);

  g_string_append (reply, "211-Features:\r\n"
                          " EPRT\r\n"
                          " EPSV\r\n"
                          " MDTM\r\n");
  g_string_append_printf (reply, " MLST %s\r\n", mlst);
  g_string_append (reply, " PASV\r\n"
                          " REST STREAM\r\n"
                          " SIZE\r\n"
                          " TVFS\r\n"
                          " UTF8\r\n"
                          "211 End\r\n");
}

static void
handle_opts (FtpSession *s, const char *arg, GString *reply)
{
  if (g_ascii_strncasecmp (arg, "UTF8", 4) == 0 && (arg[4] == '\0' || arg[4] == ' '))
    {
      const char *v = arg[4] == ' ' ? arg + 5 : "";
      if (*v == '\0' || g_ascii_strcasecmp (v, "ON") == 0)
        reply_line (reply, 200, "Always in UTF8 mode.");
      else
        reply_line (reply, 504, "UTF8 cannot be turned off.");
      return;
    }
  if (g_ascii_strncasecmp (arg, "MLST", 4) == 0 && (arg[4] == '\0' || arg[4] == ' '))
    {
      GString *names = g_string_new (NULL);
      s->facts = arg[4] == ' ' ? ftp_parse_facts (arg + 5) : 0;
      if (s->facts & FTP_FACT_TYPE)
        g_string_append (names, "type;");
      if (s->facts & FTP_FACT_SIZE)
        g_string_append (names, "size;");
      if (s->facts & FTP_FACT_MODIFY)
        g_string_append (names, "modify;");
      if (s->facts & FTP_FACT_PERM)
        g_string_append (names, "perm;");
      reply_printf (reply, 200, "MLST OPTS %s", names->str);
      g_string_free (names, TRUE);
      return;
    }
  reply_line (reply, 501, "Option not understood.");
}

static void
handle_cwd (FtpSession *s, const char *arg, GString *reply)
{
  g_autofree char *path = ftp_path_join (s->cwd, arg);
  FtpEntry e = { 0 };

  if (path == NULL || !backend_stat (s, path, &e) || !e.is_dir)
    {
      if (path != NULL)
        g_free (e.name);
      reply_line (reply, 550, "Failed to change directory.");
      return;
    }
  g_free (e.name);
  g_free (s->cwd);
  s->cwd = g_steal_pointer (&path);
  reply_line (reply, 250, "Directory successfully changed.");
}

static void
handle_type (FtpSession *s, const char *arg, GString *reply)
{
  if (g_ascii_strcasecmp (arg, "I") == 0 || g_ascii_strcasecmp (arg, "L 8") == 0)
    {
      s->binary = TRUE;
      reply_line (reply, 200, "Switching to Binary mode.");
    }
  else if (g_ascii_strcasecmp (arg, "A") == 0 || g_ascii_strcasecmp (arg, "A N") == 0)
    {
      s->binary = FALSE;
      reply_line (reply, 200, "Switching to ASCII mode.");
    }
  else
    reply_line (reply, 504, "Unsupported TYPE.");
}

static void
handle_pasv (FtpSession *s, gboolean extended, const char *arg, GString *reply,
             FtpAction *action)
{
  int family = s->local.ss_family;

  if (extended && *arg != '\0')
    {
      if (g_ascii_strcasecmp (arg, "ALL") == 0)
        {
          s->epsv_all = TRUE;
          reply_line (reply, 200, "EPSV ALL ok.");
          return;
        }
      if (strcmp (arg, "1") == 0 || strcmp (arg, "2") == 0)
        {
          if ((arg[0] == '1') != (family == AF_INET))
            {
              reply_printf (reply, 522, "Network protocol not supported, use (%d)",
                            family == AF_INET ? 1 : 2);
              return;
            }
        }
      else
        {
          reply_line (reply, 501, "Bad EPSV argument.");
          return;
        }
    }
  if (!extended)
    {
      if (s->epsv_all)
        {
          reply_line (reply, 503, "EPSV ALL in effect, use EPSV.");
          return;
        }
      if (family != AF_INET)
        {
          reply_line (reply, 425, "PASV needs IPv4, use EPSV.");
          return;
        }
    }
  s->pending_extended = extended;
  action->kind = FTP_ACTION_PASSIVE;
  action->extended = extended;
}

static void
handle_port (FtpSession *s, FtpVerb verb, const char *arg, GString *reply, FtpAction *action)
{
  struct sockaddr_storage addr;
  socklen_t len = 0;
  gboolean bad_proto = FALSE;
  gboolean ok;

  if (s->epsv_all)
    {
      reply_line (reply, 503, "EPSV ALL in effect, use EPSV.");
      return;
    }
  if (verb == FTP_VERB_PORT)
    ok = ftp_parse_port (arg, &addr, &len);
  else
    ok = ftp_parse_eprt (arg, &addr, &len, &bad_proto);
  if (!ok)
    {
      if (bad_proto)
        reply_printf (reply, 522, "Network protocol not supported, use (%d)",
                      s->peer.ss_family == AF_INET ? 1 : 2);
      else
        reply_printf (reply, 501, "Illegal %s command.", ftp_verb_to_name (verb));
      return;
    }
  if (addr.ss_family != s->peer.ss_family)
    {
      reply_printf (reply, 522, "Network protocol not supported, use (%d)",
                    s->peer.ss_family == AF_INET ? 1 : 2);
      return;
    }
  if (!ftp_address_same_host ((struct sockaddr *) &addr, (struct sockaddr *) &s->peer) ||
      ftp_address_get_port ((struct sockaddr *) &addr) < 1024)
    {
      g_info ("%s: refused %s to another host or a privileged port (bounce attempt)",
              s->client_ip, ftp_verb_to_name (verb));
      reply_printf (reply, 500, "Illegal %s command.", ftp_verb_to_name (verb));
      return;
    }
  memcpy (&s->active, &addr, sizeof addr);
  s->active_len = len;
  s->data_mode = FTP_DATA_ACTIVE;
  action->kind = FTP_ACTION_ACTIVE;
  reply_printf (reply, 200, "%s command successful. Consider using EPSV.", ftp_verb_to_name (verb));
}

static void
handle_retr (FtpSession *s, const char *arg, GString *reply, FtpAction *action)
{
  g_autofree char *path = ftp_path_join (s->cwd, arg);

  if (*arg == '\0' || path == NULL)
    {
      reply_line (reply, 550, "Failed to open file.");
      return;
    }
  if (!require_data (s, reply))
    return;
  action->kind = FTP_ACTION_RETR;
  action->path = g_steal_pointer (&path);
  action->offset = s->rest;
  s->rest = 0;
}

static gboolean
has_glob (const char *name)
{
  return strpbrk (name, "*?[") != NULL;
}

/* Entries of @path: a directory's contents, a file alone, or (when
 * @allow_glob and the last component has '*', '?' or '[') the matching
 * entries of the parent directory. NULL when nothing is there. */
static GPtrArray *
list_target (FtpSession *s, const char *path, gboolean allow_glob, gboolean *is_file,
             gboolean *is_glob)
{
  FtpEntry e = { 0 };
  GPtrArray *entries;

  *is_file = FALSE;
  *is_glob = FALSE;
  if (!backend_stat (s, path, &e))
    {
      const char *base = ftp_path_basename (path);
      g_autofree char *parent = NULL;
      GPtrArray *all;

      /* g_pattern_match_simple() needs valid UTF-8 on both sides. */
      if (!allow_glob || !has_glob (base) || !g_utf8_validate (base, -1, NULL))
        return NULL;
      parent = g_strndup (path, (gsize) (base - path));
      if (strlen (parent) > 1)
        parent[strlen (parent) - 1] = '\0';
      all = backend_list_dir (s, parent);
      if (all == NULL)
        return NULL;
      entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ftp_entry_free);
      for (guint i = 0; i < all->len; i++)
        {
          FtpEntry *ae = g_ptr_array_index (all, i);
          if (g_utf8_validate (ae->name, -1, NULL) && g_pattern_match_simple (base, ae->name))
            g_ptr_array_add (entries, ftp_entry_new (ae->name, ae->is_dir, ae->size, ae->mtime));
        }
      g_ptr_array_unref (all);
      if (entries->len == 0)
        {
          g_ptr_array_unref (entries);
          return NULL;
        }
      *is_glob = TRUE;
      return entries;
    }
  if (!e.is_dir)
    {
      *is_file = TRUE;
      entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ftp_entry_free);
      g_free (e.name);
      e.name = g_strdup (ftp_path_basename (path));
      g_ptr_array_add (entries, g_memdup2 (&e, sizeof e));
      return entries;
    }
  g_free (e.name);
  return backend_list_dir (s, path);
}

/* NLST answers pathnames a client can RETR as they are: prefixed like the
 * argument ("NLST pub" gives "pub/file", as vsftpd does). */
static char *
nlst_prefix (const char *target, gboolean is_file, gboolean is_glob)
{
  const char *slash;

  if (*target == '\0')
    return g_strdup ("");
  if (is_file || is_glob)
    {
      slash = strrchr (target, '/');
      return slash != NULL ? g_strndup (target, (gsize) (slash - target) + 1) : g_strdup ("");
    }
  return g_str_has_suffix (target, "/") ? g_strdup (target) : g_strconcat (target, "/", NULL);
}

static void
handle_list (FtpSession *s, FtpVerb verb, const char *arg, gint64 now, GString *reply,
             FtpAction *action)
{
  const char *target = verb == FTP_VERB_MLSD ? arg : skip_list_options (arg);
  g_autofree char *path = ftp_path_join (s->cwd, target);
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean is_file = FALSE, is_glob = FALSE;
  GString *out;

  if (path == NULL ||
      (entries = list_target (s, path, verb != FTP_VERB_MLSD, &is_file, &is_glob)) == NULL)
    {
      reply_line (reply, 550, "Failed to list directory.");
      return;
    }
  if (verb == FTP_VERB_MLSD && is_file)
    {
      reply_line (reply, 501, "Not a directory.");
      return;
    }
  if (!require_data (s, reply))
    return;
  if (verb == FTP_VERB_NLST)
    prefix = nlst_prefix (target, is_file, is_glob);
  out = g_string_sized_new (64 + entries->len * 72);
  for (guint i = 0; i < entries->len; i++)
    {
      const FtpEntry *e = g_ptr_array_index (entries, i);
      if (!ftp_name_is_listable (e->name))
        continue;
      switch (verb)
        {
        case FTP_VERB_LIST:
          ftp_format_list_line (out, e, now);
          break;
        case FTP_VERB_NLST:
          g_string_append (out, prefix);
          g_string_append (out, e->name);
          g_string_append (out, "\r\n");
          break;
        case FTP_VERB_MLSD:
        default:
          ftp_format_facts (out, e, s->facts);
          g_string_append (out, e->name);
          g_string_append (out, "\r\n");
          break;
        }
    }
  action->kind = FTP_ACTION_SEND;
  action->path = g_steal_pointer (&path);
  action->data = g_string_free_to_bytes (out);
  action->opening = "Here comes the directory listing.";
  s->rest = 0;
}

static void
handle_mlst (FtpSession *s, const char *arg, GString *reply)
{
  g_autofree char *path = ftp_path_join (s->cwd, arg);
  FtpEntry e = { 0 };

  if (path == NULL || !backend_stat (s, path, &e))
    {
      reply_line (reply, 550, "No such file or directory.");
      return;
    }
  g_string_append (reply, "250- Listing ");
  g_string_append (reply, path);
  g_string_append (reply, "\r\n ");
  ftp_format_facts (reply, &e, s->facts);
  g_string_append (reply, path);
  g_string_append (reply, "\r\n250 End\r\n");
  g_free (e.name);
}

static void
handle_size_mdtm (FtpSession *s, FtpVerb verb, const char *arg, GString *reply)
{
  g_autofree char *path = ftp_path_join (s->cwd, arg);
  FtpEntry e = { 0 };

  if (*arg == '\0' || path == NULL || !backend_stat (s, path, &e))
    {
      reply_line (reply, 550, verb == FTP_VERB_SIZE ? "Could not get file size."
                                                    : "Could not get file modification time.");
      return;
    }
  g_free (e.name);
  if (e.is_dir)
    {
      reply_line (reply, 550, verb == FTP_VERB_SIZE ? "Could not get file size."
                                                    : "Could not get file modification time.");
      return;
    }
  if (verb == FTP_VERB_SIZE)
    reply_printf (reply, 213, "%" G_GUINT64_FORMAT, e.size);
  else
    {
      char buf[15];
      ftp_format_time (buf, e.mtime);
      reply_printf (reply, 213, "%s", buf);
    }
}

static void
handle_stat (FtpSession *s, const char *arg, gint64 now, GString *reply)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean is_file = FALSE, is_glob = FALSE;

  if (*arg == '\0')
    {
      g_string_append (reply, "211-FTP server status:\r\n");
      g_string_append_printf (reply, "     Connected to %s\r\n", s->client_ip);
      g_string_append (reply, s->logged_in ? "     Logged in as ftp\r\n" : "     Not logged in\r\n");
      g_string_append_printf (reply, "     TYPE: %s\r\n", s->binary ? "BINARY" : "ASCII");
      g_string_append_printf (reply, "     %s\r\n",
                              s->transfer_active ? "A transfer is in progress" : "No data connection");
      g_string_append (reply, "211 End of status\r\n");
      return;
    }
  if (s->transfer_active || !s->logged_in)
    {
      reply_line (reply, s->logged_in ? 450 : 530, s->logged_in ? "Transfer in progress." : "Please login with USER and PASS.");
      return;
    }
  path = ftp_path_join (s->cwd, skip_list_options (arg));
  if (path == NULL || (entries = list_target (s, path, TRUE, &is_file, &is_glob)) == NULL)
    {
      reply_line (reply, 550, "Failed to list directory.");
      return;
    }
  g_string_append (reply, "213-Status follows:\r\n");
  for (guint i = 0; i < entries->len; i++)
    {
      const FtpEntry *e = g_ptr_array_index (entries, i);
      if (ftp_name_is_listable (e->name))
        ftp_format_list_line (reply, e, now);
    }
  g_string_append (reply, "213 End of status\r\n");
}

static const char help_text[] =
  "214-The following commands are recognized.\r\n"
  " ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n"
  " MLSD MLST MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR\r\n"
  " RMD  RNFR RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP\r\n"
  " XCWD XMKD XPWD XRMD\r\n"
  "214 Help OK.\r\n";

/* ---- Dispatch ------------------------------------------------------------------------- */

static gboolean
verb_needs_login (FtpVerb verb)
{
  switch (verb)
    {
    case FTP_VERB_USER:
    case FTP_VERB_PASS:
    case FTP_VERB_QUIT:
    case FTP_VERB_FEAT:
    case FTP_VERB_SYST:
    case FTP_VERB_HELP:
    case FTP_VERB_NOOP:
    case FTP_VERB_OPTS:
    case FTP_VERB_STAT:
    case FTP_VERB_AUTH:
    case FTP_VERB_PBSZ:
    case FTP_VERB_PROT:
    case FTP_VERB_CCC:
    case FTP_VERB_ADAT:
    case FTP_VERB_LANG:
    case FTP_VERB_HOST:
    case FTP_VERB_ABOR:
    case FTP_VERB_UNKNOWN:
      return FALSE;
    default:
      return TRUE;
    }
}

void
ftp_session_handle (FtpSession *s, const FtpCommand *cmd, gint64 now, GString *reply,
                    FtpAction *action)
{
  const char *arg = cmd->arg;

  ftp_action_clear (action);
  if (verb_needs_login (cmd->verb) && !s->logged_in)
    {
      reply_line (reply, 530, "Please login with USER and PASS.");
      return;
    }
  /* REST applies to the RETR that follows it directly (RFC 3659 section 5). */
  if (cmd->verb != FTP_VERB_REST && cmd->verb != FTP_VERB_RETR)
    s->rest = 0;

  switch (cmd->verb)
    {
    case FTP_VERB_USER:
      handle_user (s, arg, reply, action);
      break;
    case FTP_VERB_PASS:
      handle_pass (s, reply);
      break;
    case FTP_VERB_ACCT:
      reply_line (reply, 202, "ACCT not needed.");
      break;
    case FTP_VERB_QUIT:
      reply_line (reply, 221, "Goodbye.");
      action->kind = FTP_ACTION_CLOSE;
      break;
    case FTP_VERB_SYST:
      reply_line (reply, 215, "UNIX Type: L8");
      break;
    case FTP_VERB_FEAT:
      handle_feat (s, reply);
      break;
    case FTP_VERB_OPTS:
      handle_opts (s, arg, reply);
      break;
    case FTP_VERB_HELP:
      g_string_append (reply, help_text);
      break;
    case FTP_VERB_NOOP:
      reply_line (reply, 200, "NOOP ok.");
      break;
    case FTP_VERB_STAT:
      handle_stat (s, arg, now, reply);
      break;
    case FTP_VERB_PWD:
      g_string_append (reply, "257 ");
      append_quoted_path (reply, s->cwd);
      g_string_append (reply, " is the current directory\r\n");
      break;
    case FTP_VERB_CWD:
      handle_cwd (s, arg, reply);
      break;
    case FTP_VERB_CDUP:
      handle_cwd (s, "..", reply);
      break;
    case FTP_VERB_TYPE:
      handle_type (s, arg, reply);
      break;
    case FTP_VERB_MODE:
      if (g_ascii_strcasecmp (arg, "S") == 0)
        reply_line (reply, 200, "Mode set to S.");
      else
        reply_line (reply, 504, "Bad MODE command.");
      break;
    case FTP_VERB_STRU:
      if (g_ascii_strcasecmp (arg, "F") == 0)
        reply_line (reply, 200, "Structure set to F.");
      else
        reply_line (reply, 504, "Bad STRU command.");
      break;
    case FTP_VERB_ALLO:
      reply_line (reply, 202, "ALLO command ignored.");
      break;
    case FTP_VERB_PASV:
      handle_pasv (s, FALSE, arg, reply, action);
      break;
    case FTP_VERB_EPSV:
      handle_pasv (s, TRUE, arg, reply, action);
      break;
    case FTP_VERB_PORT:
    case FTP_VERB_EPRT:
      handle_port (s, cmd->verb, arg, reply, action);
      break;
    case FTP_VERB_REST:
      if (!ftp_parse_rest (arg, &s->rest))
        {
          s->rest = 0;
          reply_line (reply, 501, "Bad REST parameter.");
        }
      else
        reply_printf (reply, 350, "Restart position accepted (%" G_GUINT64_FORMAT ").", s->rest);
      break;
    case FTP_VERB_RETR:
      handle_retr (s, arg, reply, action);
      break;
    case FTP_VERB_ABOR:
      if (s->transfer_active)
        action->kind = FTP_ACTION_ABORT;
      else
        reply_line (reply, 225, "No transfer to ABOR.");
      break;
    case FTP_VERB_LIST:
    case FTP_VERB_NLST:
    case FTP_VERB_MLSD:
      handle_list (s, cmd->verb, arg, now, reply, action);
      break;
    case FTP_VERB_MLST:
      handle_mlst (s, arg, reply);
      break;
    case FTP_VERB_SIZE:
    case FTP_VERB_MDTM:
      handle_size_mdtm (s, cmd->verb, arg, reply);
      break;
    case FTP_VERB_STOR:
    case FTP_VERB_STOU:
    case FTP_VERB_APPE:
    case FTP_VERB_DELE:
    case FTP_VERB_MKD:
    case FTP_VERB_RMD:
    case FTP_VERB_RNFR:
    case FTP_VERB_RNTO:
    case FTP_VERB_MFMT:
    case FTP_VERB_MFCT:
    case FTP_VERB_MFF:
      g_info ("%s: refused %s (read-only server)", s->client_ip, cmd->name);
      reply_line (reply, 550, "Permission denied.");
      break;
    case FTP_VERB_SITE:
    case FTP_VERB_SMNT:
    case FTP_VERB_REIN:
    case FTP_VERB_AUTH:
    case FTP_VERB_PBSZ:
    case FTP_VERB_PROT:
    case FTP_VERB_CCC:
    case FTP_VERB_ADAT:
    case FTP_VERB_LANG:
    case FTP_VERB_HOST:
      reply_line (reply, 502, "Command not implemented.");
      break;
    case FTP_VERB_UNKNOWN:
    case FTP_VERB_LAST:
    default:
      reply_line (reply, 500, "Unknown command.");
      break;
    }
}

void
ftp_session_handle_line (FtpSession *s, const char *line, gsize len, gint64 now,
                         GString *reply, FtpAction *action)
{
  g_autoptr(GError) error = NULL;
  FtpCommand cmd;

  ftp_action_clear (action);
  if (!ftp_command_parse (line, len, &cmd, &error))
    {
      if (g_error_matches (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_EMPTY))
        reply_line (reply, 500, "Empty command.");
      else
        {
          g_info ("%s: %s", s->client_ip, error->message);
          reply_line (reply, 501, "Invalid character in command.");
        }
      return;
    }
  if (cmd.verb == FTP_VERB_UNKNOWN)
    {
      g_autofree char *verb = g_strndup (line, MIN (strcspn (line, " "), 32));
      g_autofree char *text = g_strescape (verb, NULL);
      g_info ("%s: unknown command '%s'", s->client_ip, text);
    }
  ftp_session_handle (s, &cmd, now, reply, action);
}

/* ---- I/O layer feedback ----------------------------------------------------------------- */

void
ftp_session_passive_opened (FtpSession *s, guint16 port, GString *reply)
{
  s->data_mode = FTP_DATA_PASSIVE;
  if (s->pending_extended)
    reply_printf (reply, 229, "Entering Extended Passive Mode (|||%u|)", port);
  else
    {
      guint32 a = ntohl (((struct sockaddr_in *) &s->local)->sin_addr.s_addr);
      reply_printf (reply, 227, "Entering Passive Mode (%u,%u,%u,%u,%u,%u).", (a >> 24) & 0xff,
                    (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, (guint) port >> 8, (guint) port & 0xff);
    }
}

void
ftp_session_set_transfer_active (FtpSession *s, gboolean active)
{
  s->transfer_active = active;
}

gboolean
ftp_session_get_transfer_active (FtpSession *s)
{
  return s->transfer_active;
}

void
ftp_session_data_done (FtpSession *s)
{
  s->data_mode = FTP_DATA_NONE;
  s->rest = 0;
}

FtpDataMode
ftp_session_get_data_mode (FtpSession *s)
{
  return s->data_mode;
}

const struct sockaddr *
ftp_session_get_active_address (FtpSession *s, socklen_t *len)
{
  if (s->data_mode != FTP_DATA_ACTIVE)
    return NULL;
  *len = s->active_len;
  return (const struct sockaddr *) &s->active;
}

const struct sockaddr *
ftp_session_get_peer (FtpSession *s, socklen_t *len)
{
  *len = s->peer_len;
  return (const struct sockaddr *) &s->peer;
}

const struct sockaddr *
ftp_session_get_local (FtpSession *s, socklen_t *len)
{
  *len = s->local_len;
  return (const struct sockaddr *) &s->local;
}

gboolean
ftp_session_is_logged_in (FtpSession *s)
{
  return s->logged_in;
}

const char *
ftp_session_get_cwd (FtpSession *s)
{
  return s->cwd;
}

gboolean
ftp_session_is_binary (FtpSession *s)
{
  return s->binary;
}

const char *
ftp_session_get_client_ip (FtpSession *s)
{
  return s->client_ip;
}
