/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ftp-session.h"

#define NOW 1800000000

/* A fake tree: /file.txt, /pub/, /pub/big.iso, /pub/we"ird, /pub/bad\nname */
static const struct {
  const char *path;
  gboolean    is_dir;
  guint64     size;
} fake_tree[] = {
  { "/file.txt", FALSE, 1234 },
  { "/pub", TRUE, 4096 },
  { "/pub/big.iso", FALSE, 5000000 },
  { "/pub/we\"ird", FALSE, 1 },
  { "/pub/bad\nname", FALSE, 2 },
};

static gboolean
fake_stat (gpointer data, const char *path, FtpEntry *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fake_tree); i++)
    {
      if (strcmp (fake_tree[i].path, path) == 0)
        {
          out->name = g_strdup (strrchr (path, '/') + 1);
          out->is_dir = fake_tree[i].is_dir;
          out->size = fake_tree[i].size;
          out->mtime = NOW - 3600;
          return TRUE;
        }
    }
  return FALSE;
}

static GPtrArray *
fake_list (gpointer data, const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ftp_entry_free);
  gsize plen = strcmp (path, "/") == 0 ? 0 : strlen (path);

  for (gsize i = 0; i < G_N_ELEMENTS (fake_tree); i++)
    {
      const char *p = fake_tree[i].path;
      if (strncmp (p, path, plen) == 0 && p[plen] == '/' && strchr (p + plen + 1, '/') == NULL)
        g_ptr_array_add (entries, ftp_entry_new (p + plen + 1, fake_tree[i].is_dir,
                                                 fake_tree[i].size, NOW - 3600));
    }
  if (entries->len == 0 && plen != 0 && strcmp (path, "/pub") != 0)
    {
      g_ptr_array_unref (entries);
      return NULL;
    }
  return entries;
}

static const FtpBackend fake_backend = { fake_stat, fake_list };

typedef struct {
  FtpSession *s;
  GString    *reply;
  FtpAction   action;
} Fixture;

static void
fixture_setup_family (Fixture *f, int family)
{
  struct sockaddr_storage peer = { 0 }, local = { 0 };
  socklen_t len;

  if (family == AF_INET)
    {
      struct sockaddr_in *p = (struct sockaddr_in *) &peer, *l = (struct sockaddr_in *) &local;
      p->sin_family = l->sin_family = AF_INET;
      inet_pton (AF_INET, "192.0.2.10", &p->sin_addr);
      inet_pton (AF_INET, "192.0.2.1", &l->sin_addr);
      p->sin_port = htons (40000);
      l->sin_port = htons (21);
      len = sizeof (struct sockaddr_in);
    }
  else
    {
      struct sockaddr_in6 *p = (struct sockaddr_in6 *) &peer, *l = (struct sockaddr_in6 *) &local;
      p->sin6_family = l->sin6_family = AF_INET6;
      inet_pton (AF_INET6, "2001:db8::10", &p->sin6_addr);
      inet_pton (AF_INET6, "2001:db8::1", &l->sin6_addr);
      p->sin6_port = htons (40000);
      l->sin6_port = htons (21);
      len = sizeof (struct sockaddr_in6);
    }
  f->s = ftp_session_new (&fake_backend, NULL, (struct sockaddr *) &peer, len,
                          (struct sockaddr *) &local, len);
  f->reply = g_string_new (NULL);
  memset (&f->action, 0, sizeof f->action);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_family (f, GPOINTER_TO_INT (data) == 6 ? AF_INET6 : AF_INET);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ftp_action_clear (&f->action);
  ftp_session_free (f->s);
  g_string_free (f->reply, TRUE);
}

/* Sends @line, returns the reply text (valid until the next call). */
static const char *
cmd (Fixture *f, const char *line)
{
  g_string_truncate (f->reply, 0);
  ftp_session_handle_line (f->s, line, strlen (line), NOW, f->reply, &f->action);
  return f->reply->str;
}

static void
login (Fixture *f)
{
  g_assert_cmpstr (cmd (f, "USER anonymous"), ==, "331 Please specify the password.\r\n");
  g_assert_cmpstr (cmd (f, "PASS guest@"), ==, "230 Login successful.\r\n");
  g_assert_true (ftp_session_is_logged_in (f->s));
}

static void
test_login (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) greet = g_string_new (NULL);

  ftp_session_greet (f->s, "line one\nline two", greet);
  g_assert_cmpstr (greet->str, ==, "220-line one\r\n220 line two\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "RETR file.txt"), "530 "));
  g_assert_true (g_str_has_prefix (cmd (f, "CWD pub"), "530 "));
  g_assert_true (g_str_has_prefix (cmd (f, "LIST"), "530 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PASV"), "530 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PASS x"), "503 "));
  g_assert_true (g_str_has_prefix (cmd (f, "SYST"), "215 "));
  g_assert_true (g_str_has_prefix (cmd (f, "FEAT"), "211-"));
  g_assert_true (g_str_has_prefix (cmd (f, "USER root"), "530 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_NONE);
  g_assert_true (g_str_has_prefix (cmd (f, "user FTP"), "331 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PASS"), "230 "));
  g_assert_true (g_str_has_prefix (cmd (f, "USER bob"), "530 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PASS"), "230 "));
}

static void
test_login_failures (Fixture *f, gconstpointer data)
{
  for (guint i = 1; i < FTP_SESSION_MAX_LOGIN_FAILURES; i++)
    {
      cmd (f, "USER root");
      g_assert_cmpint (f->action.kind, ==, FTP_ACTION_NONE);
    }
  g_assert_true (g_str_has_prefix (cmd (f, "USER root"), "530 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_CLOSE);
}

static void
test_info (Fixture *f, gconstpointer data)
{
  login (f);
  g_assert_cmpstr (cmd (f, "FEAT"), ==,
                   "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;perm*;\r\n"
                   " PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n");
  g_assert_cmpstr (cmd (f, "OPTS UTF8 ON"), ==, "200 Always in UTF8 mode.\r\n");
  g_assert_cmpstr (cmd (f, "OPTS MLST type;size;"), ==, "200 MLST OPTS type;size;\r\n");
  g_assert_true (strstr (cmd (f, "FEAT"), " MLST type*;size*;modify;perm;\r\n") != NULL);
  g_assert_true (g_str_has_prefix (cmd (f, "OPTS FOO"), "501 "));
  g_assert_true (g_str_has_prefix (cmd (f, "HELP"), "214-"));
  g_assert_true (g_str_has_suffix (f->reply->str, "214 Help OK.\r\n"));
  g_assert_true (g_str_has_prefix (cmd (f, "STAT"), "211-"));
  g_assert_cmpstr (cmd (f, "NOOP"), ==, "200 NOOP ok.\r\n");
  g_assert_cmpstr (cmd (f, "TYPE I"), ==, "200 Switching to Binary mode.\r\n");
  g_assert_true (ftp_session_is_binary (f->s));
  g_assert_cmpstr (cmd (f, "TYPE A"), ==, "200 Switching to ASCII mode.\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "TYPE E"), "504 "));
  g_assert_true (g_str_has_prefix (cmd (f, "MODE S"), "200 "));
  g_assert_true (g_str_has_prefix (cmd (f, "MODE B"), "504 "));
  g_assert_true (g_str_has_prefix (cmd (f, "STRU F"), "200 "));
  g_assert_true (g_str_has_prefix (cmd (f, "STRU R"), "504 "));
  g_assert_true (g_str_has_prefix (cmd (f, "XYZZY"), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, ""), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, "AUTH TLS"), "502 "));
  g_assert_cmpstr (cmd (f, "QUIT"), ==, "221 Goodbye.\r\n");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_CLOSE);
}

static void
test_cwd (Fixture *f, gconstpointer data)
{
  login (f);
  g_assert_cmpstr (cmd (f, "PWD"), ==, "257 \"/\" is the current directory\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "CWD .."), "250 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/");
  g_assert_true (g_str_has_prefix (cmd (f, "CWD ../../.."), "250 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/");
  g_assert_true (g_str_has_prefix (cmd (f, "CWD pub"), "250 "));
  g_assert_cmpstr (cmd (f, "XPWD"), ==, "257 \"/pub\" is the current directory\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "CWD nope"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "CWD big.iso"), "550 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/pub");
  g_assert_true (g_str_has_prefix (cmd (f, "CDUP"), "250 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/");
  g_assert_true (g_str_has_prefix (cmd (f, "CDUP"), "250 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/");
  g_assert_true (g_str_has_prefix (cmd (f, "CWD /pub/../../pub"), "250 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/pub");
}

static void
test_size_mdtm_mlst (Fixture *f, gconstpointer data)
{
  char t[15];
  g_autofree char *mdtm = NULL, *mlst = NULL;

  login (f);
  g_assert_cmpstr (cmd (f, "SIZE file.txt"), ==, "213 1234\r\n");
  g_assert_cmpstr (cmd (f, "SIZE /pub/big.iso"), ==, "213 5000000\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "SIZE pub"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "SIZE nope"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "SIZE"), "550 "));
  ftp_format_time (t, NOW - 3600);
  mdtm = g_strdup_printf ("213 %s\r\n", t);
  g_assert_cmpstr (cmd (f, "MDTM file.txt"), ==, mdtm);
  g_assert_true (g_str_has_prefix (cmd (f, "MDTM 20200101000000 file.txt"), "550 "));
  mlst = g_strdup_printf ("250- Listing /pub/big.iso\r\n type=file;size=5000000;modify=%s;"
                          "perm=r; /pub/big.iso\r\n250 End\r\n", t);
  g_assert_cmpstr (cmd (f, "MLST pub/big.iso"), ==, mlst);
  g_assert_true (g_str_has_prefix (cmd (f, "MLST"), "250- Listing /\r\n type=dir;"));
  g_assert_true (g_str_has_prefix (cmd (f, "MLST nope"), "550 "));
}

static void
test_writes_refused (Fixture *f, gconstpointer data)
{
  static const char *const writes[] = {
    "STOR x", "STOU", "APPE x", "DELE file.txt", "MKD d", "XMKD d", "RMD pub", "XRMD pub",
    "RNFR file.txt", "RNTO y", "MFMT 20200101000000 file.txt",
  };

  login (f);
  for (gsize i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_assert_true (g_str_has_prefix (cmd (f, writes[i]), "550 "));
      g_assert_cmpint (f->action.kind, ==, FTP_ACTION_NONE);
    }
  g_assert_true (g_str_has_prefix (cmd (f, "SITE CHMOD 777 file.txt"), "502 "));
  g_assert_true (g_str_has_prefix (cmd (f, "SITE EXEC sh"), "502 "));
}

static void
test_passive (Fixture *f, gconstpointer data)
{
  login (f);
  g_assert_true (g_str_has_prefix (cmd (f, "RETR file.txt"), "425 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_NONE);
  g_assert_cmpstr (cmd (f, "PASV"), ==, "");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_PASSIVE);
  g_assert_false (f->action.extended);
  g_string_truncate (f->reply, 0);
  ftp_session_passive_opened (f->s, 30001, f->reply);
  g_assert_cmpstr (f->reply->str, ==, "227 Entering Passive Mode (192,0,2,1,117,49).\r\n");
  g_assert_cmpint (ftp_session_get_data_mode (f->s), ==, FTP_DATA_PASSIVE);

  g_assert_cmpstr (cmd (f, "REST 100"), ==, "350 Restart position accepted (100).\r\n");
  g_assert_cmpstr (cmd (f, "RETR pub/big.iso"), ==, "");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_RETR);
  g_assert_cmpstr (f->action.path, ==, "/pub/big.iso");
  g_assert_cmpuint (f->action.offset, ==, 100);
  ftp_session_set_transfer_active (f->s, TRUE);
  g_assert_cmpstr (cmd (f, "ABOR"), ==, "");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_ABORT);
  ftp_session_set_transfer_active (f->s, FALSE);
  ftp_session_data_done (f->s);
  g_assert_true (g_str_has_prefix (cmd (f, "ABOR"), "225 "));
  g_assert_true (g_str_has_prefix (cmd (f, "RETR file.txt"), "425 "));

  /* REST is forgotten by any command but RETR. */
  cmd (f, "REST 5");
  cmd (f, "EPSV");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_PASSIVE);
  g_assert_true (f->action.extended);
  g_string_truncate (f->reply, 0);
  ftp_session_passive_opened (f->s, 30002, f->reply);
  g_assert_cmpstr (f->reply->str, ==, "229 Entering Extended Passive Mode (|||30002|)\r\n");
  cmd (f, "RETR file.txt");
  g_assert_cmpuint (f->action.offset, ==, 0);
  g_assert_true (g_str_has_prefix (cmd (f, "REST x"), "501 "));
  g_assert_true (g_str_has_prefix (cmd (f, "REST -1"), "501 "));

  g_assert_true (g_str_has_prefix (cmd (f, "EPSV 2"), "522 "));
  cmd (f, "EPSV 1");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_PASSIVE);
  g_assert_true (g_str_has_prefix (cmd (f, "EPSV 3"), "501 "));
  g_assert_cmpstr (cmd (f, "EPSV ALL"), ==, "200 EPSV ALL ok.\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "PASV"), "503 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,10,20,0"), "503 "));
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |1|192.0.2.10|5120|"), "503 "));
  cmd (f, "EPSV");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_PASSIVE);
}

static void
test_passive_ipv6 (Fixture *f, gconstpointer data)
{
  login (f);
  g_assert_true (g_str_has_prefix (cmd (f, "PASV"), "425 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_NONE);
  g_assert_true (g_str_has_prefix (cmd (f, "EPSV 1"), "522 "));
  cmd (f, "EPSV 2");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_PASSIVE);
  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,10,20,0"), "522 "));
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |2|2001:db8::99|5000|"), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |2|2001:db8::10|5000|"), "200 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_ACTIVE);
}

static void
test_active (Fixture *f, gconstpointer data)
{
  socklen_t len = 0;
  const struct sockaddr *a;

  login (f);
  /* Bounce attempts: another host, a privileged port. */
  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,99,20,0"), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,10,0,25"), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,10,3,255"), "500 ")); /* 1023 */
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |1|198.51.100.1|2000|"), "500 "));
  g_assert_true (g_str_has_prefix (cmd (f, "PORT x"), "501 "));
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |2|::1|2000|"), "522 "));
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |9|x|2000|"), "522 "));
  g_assert_cmpint (ftp_session_get_data_mode (f->s), ==, FTP_DATA_NONE);

  g_assert_true (g_str_has_prefix (cmd (f, "PORT 192,0,2,10,4,0"), "200 "));
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_ACTIVE);
  a = ftp_session_get_active_address (f->s, &len);
  g_assert_nonnull (a);
  g_assert_cmpuint (ftp_address_get_port (a), ==, 1024);
  g_assert_true (g_str_has_prefix (cmd (f, "EPRT |1|192.0.2.10|5120|"), "200 "));
  a = ftp_session_get_active_address (f->s, &len);
  g_assert_cmpuint (ftp_address_get_port (a), ==, 5120);
  cmd (f, "RETR file.txt");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_RETR);
}

static void
test_listings (Fixture *f, gconstpointer data)
{
  const char *text;

  login (f);
  cmd (f, "PORT 192,0,2,10,4,0");
  cmd (f, "LIST -la");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_SEND);
  g_assert_cmpstr (f->action.path, ==, "/");
  text = g_bytes_get_data (f->action.data, NULL);
  g_assert_true (g_str_has_prefix (text, "-r--r--r--    1 ftp      ftp              1234 "));
  g_assert_true (strstr (text, " file.txt\r\ndr-xr-xr-x    2 ftp") != NULL);
  g_assert_true (g_str_has_suffix (text, " pub\r\n"));

  cmd (f, "NLST pub");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_SEND);
  text = g_bytes_get_data (f->action.data, NULL);
  /* prefixed like the argument (so RETR takes them as they are); the name
   * holding a newline is left out */
  g_assert_cmpstr (text, ==, "pub/big.iso\r\npub/we\"ird\r\n");
  cmd (f, "NLST");
  g_assert_cmpstr (g_bytes_get_data (f->action.data, NULL), ==, "file.txt\r\npub\r\n");
  cmd (f, "NLST /pub/");
  text = g_bytes_get_data (f->action.data, NULL);
  g_assert_true (g_str_has_prefix (text, "/pub/big.iso\r\n"));

  /* Globs in the last component (LIST, NLST, not MLSD). */
  cmd (f, "NLST pub/*.iso");
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_SEND);
  g_assert_cmpstr (g_bytes_get_data (f->action.data, NULL), ==, "pub/big.iso\r\n");
  cmd (f, "LIST -l pub/b?g*");
  text = g_bytes_get_data (f->action.data, NULL);
  g_assert_true (g_str_has_suffix (text, " big.iso\r\n"));
  g_assert_true (strchr (text, '\n') == text + strlen (text) - 1);
  cmd (f, "NLST f*");
  g_assert_cmpstr (g_bytes_get_data (f->action.data, NULL), ==, "file.txt\r\n");
  g_assert_true (g_str_has_prefix (cmd (f, "NLST *.nothing"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "MLSD pub/*"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "NLST nope/*"), "550 "));
  /* not UTF-8: no globbing (GLib's matcher would abort) */
  g_assert_true (g_str_has_prefix (cmd (f, "NLST \xff\xfe*"), "550 "));

  cmd (f, "LIST pub/big.iso");
  text = g_bytes_get_data (f->action.data, NULL);
  g_assert_true (g_str_has_suffix (text, " big.iso\r\n"));
  g_assert_true (strchr (text, '\n') == text + strlen (text) - 1);

  cmd (f, "MLSD /pub");
  text = g_bytes_get_data (f->action.data, NULL);
  g_assert_true (g_str_has_prefix (text, "type=file;size=5000000;modify="));
  g_assert_true (strstr (text, ";perm=r; we\"ird\r\n") != NULL);
  g_assert_true (g_str_has_prefix (cmd (f, "MLSD file.txt"), "501 "));
  g_assert_true (g_str_has_prefix (cmd (f, "LIST nope"), "550 "));
  g_assert_true (g_str_has_prefix (cmd (f, "MLSD ../../.."), "") );
  g_assert_cmpint (f->action.kind, ==, FTP_ACTION_SEND);
  g_assert_cmpstr (f->action.path, ==, "/");

  ftp_session_data_done (f->s);
  g_assert_true (g_str_has_prefix (cmd (f, "LIST"), "425 "));
  g_assert_true (g_str_has_prefix (cmd (f, "STAT pub"), "213-Status follows:\r\n-r--r--r--"));
  g_assert_true (g_str_has_suffix (f->reply->str, "213 End of status\r\n"));
}

static void
test_injection (Fixture *f, gconstpointer data)
{
  login (f);
  g_string_truncate (f->reply, 0);
  ftp_session_handle_line (f->s, "CWD pub\0/etc", 12, NOW, f->reply, &f->action);
  g_assert_true (g_str_has_prefix (f->reply->str, "501 "));
  g_assert_true (g_str_has_prefix (cmd (f, "RETR a\rDELE b"), "501 "));
  g_assert_cmpstr (ftp_session_get_cwd (f->s), ==, "/");
  g_assert_true (g_str_has_prefix (cmd (f, "PWD\t"), "501 "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func, data) \
  g_test_add (path, Fixture, GINT_TO_POINTER (data), fixture_setup, func, fixture_teardown)
  ADD ("/ftp/session/login", test_login, 4);
  ADD ("/ftp/session/login-failures", test_login_failures, 4);
  ADD ("/ftp/session/info", test_info, 4);
  ADD ("/ftp/session/cwd", test_cwd, 4);
  ADD ("/ftp/session/size-mdtm-mlst", test_size_mdtm_mlst, 4);
  ADD ("/ftp/session/writes-refused", test_writes_refused, 4);
  ADD ("/ftp/session/passive", test_passive, 4);
  ADD ("/ftp/session/passive-ipv6", test_passive_ipv6, 6);
  ADD ("/ftp/session/active", test_active, 4);
  ADD ("/ftp/session/listings", test_listings, 4);
  ADD ("/ftp/session/injection", test_injection, 4);
#undef ADD
  return g_test_run ();
}
