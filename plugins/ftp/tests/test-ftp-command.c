/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ftp-command.h"
#include "ftp-listing.h"

static void
test_reader_lines (void)
{
  g_autoptr(FtpLineReader) r = ftp_line_reader_new ();
  const char input[] = "USER anonymous\r\nPASS x\nNOOP";
  const char *line;
  gsize len = 0;

  g_assert_cmpuint (ftp_line_reader_feed (r, (const guint8 *) input, strlen (input)), ==,
                    strlen (input));
  line = ftp_line_reader_next (r, &len, NULL);
  g_assert_cmpstr (line, ==, "USER anonymous");
  g_assert_cmpuint (len, ==, 14);
  line = ftp_line_reader_next (r, &len, NULL);
  g_assert_cmpstr (line, ==, "PASS x");
  g_assert_null (ftp_line_reader_next (r, &len, NULL));
  g_assert_false (ftp_line_reader_has_line (r));
  ftp_line_reader_feed (r, (const guint8 *) "\r\n", 2);
  g_assert_true (ftp_line_reader_has_line (r));
  line = ftp_line_reader_next (r, &len, NULL);
  g_assert_cmpstr (line, ==, "NOOP");
}

static void
test_reader_telnet (void)
{
  g_autoptr(FtpLineReader) r = ftp_line_reader_new ();
  /* IAC IP IAC DM ABOR (RFC 959 4.1.3), IAC WILL x, IAC IAC -> 0xff. */
  const guint8 input[] = { 0xff, 0xf4, 0xff, 0xf2, 'A', 'B', 'O', 'R', '\r', '\n',
                           0xff, 0xfb, 0x01, 'R', 'E', 'T', 'R', ' ', 0xff, 0xff, '\r', '\n' };
  const char *line;
  gsize len = 0;

  ftp_line_reader_feed (r, input, 5); /* split inside the telnet sequence */
  ftp_line_reader_feed (r, input + 5, sizeof input - 5);
  line = ftp_line_reader_next (r, &len, NULL);
  g_assert_cmpstr (line, ==, "ABOR");
  line = ftp_line_reader_next (r, &len, NULL);
  g_assert_cmpuint (len, ==, 6);
  g_assert_cmpint (memcmp (line, "RETR \xff", 6), ==, 0);
}

static void
test_reader_overlong (void)
{
  g_autoptr(FtpLineReader) r = ftp_line_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc (FTP_LINE_MAX * 3);
  gsize taken, len = 0;

  memset (big, 'A', FTP_LINE_MAX * 3);
  taken = ftp_line_reader_feed (r, big, FTP_LINE_MAX * 3);
  g_assert_cmpuint (taken, <, FTP_LINE_MAX * 3);
  g_assert_cmpuint (ftp_line_reader_room (r), ==, 0);
  g_assert_true (ftp_line_reader_has_line (r));
  g_assert_null (ftp_line_reader_next (r, &len, &error));
  g_assert_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* Exactly FTP_LINE_MAX is fine, one more is not, even when terminated. */
  memset (big, 'B', FTP_LINE_MAX + 1);
  big[FTP_LINE_MAX] = '\n';
  ftp_line_reader_feed (r, big, FTP_LINE_MAX + 1);
  g_assert_nonnull (ftp_line_reader_next (r, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, FTP_LINE_MAX);
  big[FTP_LINE_MAX] = 'B';
  big[FTP_LINE_MAX + 1] = '\n';
  ftp_line_reader_feed (r, big, FTP_LINE_MAX + 2);
  g_assert_null (ftp_line_reader_next (r, &len, &error));
  g_assert_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_TOO_LONG);
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  FtpCommand cmd;

  g_assert_true (ftp_command_parse ("retr a b", 8, &cmd, NULL));
  g_assert_cmpint (cmd.verb, ==, FTP_VERB_RETR);
  g_assert_cmpstr (cmd.name, ==, "RETR");
  g_assert_cmpstr (cmd.arg, ==, "a b");
  g_assert_true (ftp_command_parse ("XPWD", 4, &cmd, NULL));
  g_assert_cmpint (cmd.verb, ==, FTP_VERB_PWD);
  g_assert_cmpstr (cmd.arg, ==, "");
  g_assert_true (ftp_command_parse ("FOOBAR x", 8, &cmd, NULL));
  g_assert_cmpint (cmd.verb, ==, FTP_VERB_UNKNOWN);
  g_assert_cmpstr (cmd.name, ==, "");
  g_assert_true (ftp_command_parse ("CWD  spaced ", 12, &cmd, NULL));
  g_assert_cmpstr (cmd.arg, ==, " spaced ");

  g_assert_false (ftp_command_parse ("", 0, &cmd, &error));
  g_assert_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (ftp_command_parse ("RETR a\0b", 8, &cmd, &error));
  g_assert_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ftp_command_parse ("RETR a\rDELE b", 13, &cmd, &error));
  g_assert_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ftp_verb_allowed_during_transfer (FTP_VERB_ABOR));
  g_assert_false (ftp_verb_allowed_during_transfer (FTP_VERB_RETR));
  g_assert_false (ftp_verb_allowed_during_transfer (FTP_VERB_QUIT));
}

static void
test_port (void)
{
  struct sockaddr_storage ss;
  socklen_t len = 0;
  gboolean bad = FALSE;
  char text[INET6_ADDRSTRLEN];

  g_assert_true (ftp_parse_port ("127,0,0,1,4,1", &ss, &len));
  g_assert_cmpint (ss.ss_family, ==, AF_INET);
  g_assert_cmpuint (ftp_address_get_port ((struct sockaddr *) &ss), ==, 1025);
  inet_ntop (AF_INET, &((struct sockaddr_in *) &ss)->sin_addr, text, sizeof text);
  g_assert_cmpstr (text, ==, "127.0.0.1");
  g_assert_false (ftp_parse_port ("127,0,0,1,4", &ss, &len));
  g_assert_false (ftp_parse_port ("127,0,0,1,4,256", &ss, &len));
  g_assert_false (ftp_parse_port ("127,0,0,1,4,1,", &ss, &len));
  g_assert_false (ftp_parse_port ("-1,0,0,1,4,1", &ss, &len));
  g_assert_false (ftp_parse_port ("", &ss, &len));

  g_assert_true (ftp_parse_eprt ("|1|192.0.2.7|5282|", &ss, &len, &bad));
  g_assert_cmpint (ss.ss_family, ==, AF_INET);
  g_assert_cmpuint (ftp_address_get_port ((struct sockaddr *) &ss), ==, 5282);
  g_assert_true (ftp_parse_eprt ("!2!::1!65535!", &ss, &len, &bad));
  g_assert_cmpint (ss.ss_family, ==, AF_INET6);
  g_assert_true (ftp_parse_eprt ("|2|::ffff:192.0.2.1|2000|", &ss, &len, &bad));
  g_assert_cmpint (ss.ss_family, ==, AF_INET); /* unmapped */
  g_assert_false (ftp_parse_eprt ("|3|x|1|", &ss, &len, &bad));
  g_assert_true (bad);
  g_assert_false (ftp_parse_eprt ("|1|::1|1|", &ss, &len, &bad));
  g_assert_false (bad);
  g_assert_false (ftp_parse_eprt ("|1|192.0.2.1|65536|", &ss, &len, &bad));
  g_assert_false (ftp_parse_eprt ("|1|192.0.2.1|1", &ss, &len, &bad));
  g_assert_false (ftp_parse_eprt ("|1|192.0.2.1|1|x", &ss, &len, &bad));
  g_assert_false (ftp_parse_eprt ("", &ss, &len, &bad));
}

static void
test_rest (void)
{
  guint64 v = 0;

  g_assert_true (ftp_parse_rest ("0", &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (ftp_parse_rest ("9223372036854775807", &v));
  g_assert_cmpuint (v, ==, G_MAXINT64);
  g_assert_false (ftp_parse_rest ("9223372036854775808", &v));
  g_assert_false (ftp_parse_rest ("99999999999999999999999", &v));
  g_assert_false (ftp_parse_rest ("-1", &v));
  g_assert_false (ftp_parse_rest ("", &v));
  g_assert_false (ftp_parse_rest ("12a", &v));
}

static void
test_path_join (void)
{
  static const struct {
    const char *cwd, *arg, *expect;
  } cases[] = {
    { "/", "", "/" },
    { "/", "..", "/" },
    { "/", "../../etc/passwd", "/etc/passwd" },
    { "/a/b", "..", "/a" },
    { "/a/b", "../../..", "/" },
    { "/a", "b/./c//d/", "/a/b/c/d" },
    { "/a", "/x", "/x" },
    { "/a", "\\..\\..\\x", "/x" },
    { "/a", "b\\..\\c", "/a/c" },
    { "/", "...", "/..." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *p = ftp_path_join (cases[i].cwd, cases[i].arg);
      g_assert_cmpstr (p, ==, cases[i].expect);
    }
  {
    g_autofree char *longarg = g_strnfill (FTP_PATH_MAX + 10, 'x');
    g_assert_null (ftp_path_join ("/", longarg));
  }
  g_assert_cmpstr (ftp_path_basename ("/a/b"), ==, "b");
  g_assert_cmpstr (ftp_path_basename ("/"), ==, "");
}

static void
test_listing_format (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  FtpEntry file = { (char *) "vmlinuz", FALSE, 1234, 1795990440 }; /* 2026-11-30 ... */
  FtpEntry dir = { (char *) "images", TRUE, 4096, 946684800 };     /* 2000-01-01 00:00 */
  g_autofree char *feat = NULL;
  char t[15];

  ftp_format_list_line (out, &file, 1795990440 + 60);
  g_assert_true (g_str_has_prefix (out->str, "-r--r--r--    1 ftp      ftp              1234 "));
  g_assert_true (g_str_has_suffix (out->str, " vmlinuz\r\n"));
  g_assert_nonnull (strchr (out->str, ':')); /* recent: time shown */
  g_string_truncate (out, 0);
  ftp_format_list_line (out, &dir, 1795990440);
  g_assert_cmpstr (out->str, ==, "dr-xr-xr-x    2 ftp      ftp              4096 Jan  1  2000 images\r\n");
  g_string_truncate (out, 0);
  ftp_format_facts (out, &dir, FTP_FACT_ALL);
  g_assert_cmpstr (out->str, ==, "type=dir;size=4096;modify=20000101000000;perm=el; ");
  g_string_truncate (out, 0);
  ftp_format_facts (out, &file, FTP_FACT_TYPE | FTP_FACT_SIZE);
  g_assert_cmpstr (out->str, ==, "type=file;size=1234; ");
  ftp_format_time (t, 0);
  g_assert_cmpstr (t, ==, "19700101000000");
  feat = ftp_format_mlst_feature (FTP_FACT_TYPE | FTP_FACT_PERM);
  g_assert_cmpstr (feat, ==, "type*;size;modify;perm*;");
  g_assert_cmpuint (ftp_parse_facts ("Type;SIZE;bogus;"), ==, FTP_FACT_TYPE | FTP_FACT_SIZE);
  g_assert_false (ftp_name_is_listable ("a\r\nb"));
  g_assert_true (ftp_name_is_listable ("a b"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ftp/command/reader-lines", test_reader_lines);
  g_test_add_func ("/ftp/command/reader-telnet", test_reader_telnet);
  g_test_add_func ("/ftp/command/reader-overlong", test_reader_overlong);
  g_test_add_func ("/ftp/command/parse", test_parse);
  g_test_add_func ("/ftp/command/port", test_port);
  g_test_add_func ("/ftp/command/rest", test_rest);
  g_test_add_func ("/ftp/listing/path-join", test_path_join);
  g_test_add_func ("/ftp/listing/format", test_listing_format);
  return g_test_run ();
}
