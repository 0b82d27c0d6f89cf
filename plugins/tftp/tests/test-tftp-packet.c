/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "tftp-packet.h"

/* Builds a request: opcode then NUL-separated strings (each followed by NUL). */
static GByteArray *
build_req (guint opcode, ...)
{
  GByteArray *b = g_byte_array_new ();
  guint8 op[2] = { (guint8) (opcode >> 8), (guint8) opcode };
  va_list ap;
  const char *s;

  g_byte_array_append (b, op, 2);
  va_start (ap, opcode);
  while ((s = va_arg (ap, const char *)) != NULL)
    g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s) + 1);
  va_end (ap);
  return b;
}

static const TftpLimits default_limits = {
  .blksize_max = TFTP_BLKSIZE_MAX, .blksize_mtu = 0, .windowsize_max = 64, .allow_timeout = TRUE,
};

static void
test_parse_rrq (void)
{
  g_autoptr(GByteArray) b = build_req (1, "pxelinux.0", "OcTeT", "tsize", "0", "BLKSIZE", "1408", NULL);
  g_autoptr(GError) error = NULL;
  TftpRequest req;

  g_assert_true (tftp_request_parse (b->data, b->len, &req, &error));
  g_assert_no_error (error);
  g_assert_cmpint (req.opcode, ==, TFTP_OP_RRQ);
  g_assert_cmpint (req.mode, ==, TFTP_MODE_OCTET);
  g_assert_cmpstr (req.filename, ==, "pxelinux.0");
  g_assert_cmpuint (req.filename_len, ==, 10);
  g_assert_cmpuint (req.n_options, ==, 2);
  g_assert_cmpstr (req.options[1].name, ==, "BLKSIZE");
  g_assert_cmpstr (req.options[1].value, ==, "1408");
}

static void
test_parse_wrq_netascii (void)
{
  g_autoptr(GByteArray) b = build_req (2, "/etc/passwd", "netascii", NULL);
  TftpRequest req;

  g_assert_true (tftp_request_parse (b->data, b->len, &req, NULL));
  g_assert_cmpint (req.opcode, ==, TFTP_OP_WRQ);
  g_assert_cmpint (req.mode, ==, TFTP_MODE_NETASCII);
  g_assert_cmpuint (req.n_options, ==, 0);
}

static void
expect_parse_error (const guint8 *data, gsize len, TftpRequestError code)
{
  g_autoptr(GError) error = NULL;
  TftpRequest req;

  g_assert_false (tftp_request_parse (data, len, &req, &error));
  g_assert_error (error, TFTP_ERROR_QUARK, (gint) code);
  g_assert_cmpint (tftp_request_error_to_code (error), ==, TFTP_ERR_ILLEGAL_OP);
}

static void
test_parse_bad (void)
{
  static const guint8 empty[] = { 0 };
  static const guint8 op0[] = { 0, 0, 'a', 0, 'o', 'c', 't', 'e', 't', 0 };
  static const guint8 op7[] = { 0, 7, 'a', 0, 'o', 'c', 't', 'e', 't', 0 };
  static const guint8 ack[] = { 0, 4, 0, 1 };
  static const guint8 no_nul[] = { 0, 1, 'a', 'b', 'c' };
  static const guint8 no_mode_nul[] = { 0, 1, 'a', 0, 'o', 'c', 't' };
  static const guint8 empty_name[] = { 0, 1, 0, 'o', 'c', 't', 'e', 't', 0 };
  static const guint8 mode_mail[] = { 0, 1, 'a', 0, 'm', 'a', 'i', 'l', 0 };
  static const guint8 only_op[] = { 0, 1 };
  guint8 big[TFTP_REQUEST_MAX + 1];

  expect_parse_error (empty, 0, TFTP_REQUEST_ERROR_TRUNCATED);
  expect_parse_error (empty, 1, TFTP_REQUEST_ERROR_TRUNCATED);
  expect_parse_error (op0, sizeof op0, TFTP_REQUEST_ERROR_OPCODE);
  expect_parse_error (op7, sizeof op7, TFTP_REQUEST_ERROR_OPCODE);
  expect_parse_error (ack, sizeof ack, TFTP_REQUEST_ERROR_OPCODE);
  expect_parse_error (no_nul, sizeof no_nul, TFTP_REQUEST_ERROR_TRUNCATED);
  expect_parse_error (no_mode_nul, sizeof no_mode_nul, TFTP_REQUEST_ERROR_TRUNCATED);
  expect_parse_error (empty_name, sizeof empty_name, TFTP_REQUEST_ERROR_FILENAME);
  expect_parse_error (mode_mail, sizeof mode_mail, TFTP_REQUEST_ERROR_MODE);
  expect_parse_error (only_op, sizeof only_op, TFTP_REQUEST_ERROR_TRUNCATED);
  memset (big, 'a', sizeof big);
  big[0] = 0;
  big[1] = 1;
  expect_parse_error (big, sizeof big, TFTP_REQUEST_ERROR_TRUNCATED);
}

static void
test_parse_options_edge (void)
{
  g_autoptr(GByteArray) b = build_req (1, "f", "octet", "", "x", "blksize", "1024", NULL);
  TftpRequest req;
  g_autoptr(GByteArray) many = build_req (1, "f", "octet", NULL);
  static const guint8 tail[] = { 'o', 'r', 'p', 'h', 'a', 'n' };

  /* An empty option name is skipped; an orphan name (no value, no NUL) too. */
  g_byte_array_append (b, tail, sizeof tail);
  g_assert_true (tftp_request_parse (b->data, b->len, &req, NULL));
  g_assert_cmpuint (req.n_options, ==, 1);
  g_assert_cmpstr (req.options[0].name, ==, "blksize");

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("opt%u", i);

      g_byte_array_append (many, (const guint8 *) name, (guint) strlen (name) + 1);
      g_byte_array_append (many, (const guint8 *) "1", 2);
    }
  g_assert_true (tftp_request_parse (many->data, many->len, &req, NULL));
  g_assert_cmpuint (req.n_options, ==, TFTP_OPTIONS_MAX);
}

static void
test_option_uint (void)
{
  guint64 v = 0;

  g_assert_true (tftp_option_parse_uint ("0", &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (tftp_option_parse_uint ("65464", &v));
  g_assert_cmpuint (v, ==, 65464);
  g_assert_true (tftp_option_parse_uint ("4294967295", &v));
  g_assert_cmpuint (v, ==, 4294967295u);
  g_assert_false (tftp_option_parse_uint ("", &v));
  g_assert_false (tftp_option_parse_uint ("-1", &v));
  g_assert_false (tftp_option_parse_uint ("+1", &v));
  g_assert_false (tftp_option_parse_uint (" 1", &v));
  g_assert_false (tftp_option_parse_uint ("1k", &v));
  g_assert_false (tftp_option_parse_uint ("0x10", &v));
  g_assert_false (tftp_option_parse_uint ("12345678901", &v));
}

static void
negotiate (const TftpLimits *limits, guint64 size, TftpNegotiated *neg, ...)
{
  g_autoptr(GByteArray) b = build_req (1, "f", "octet", NULL);
  TftpRequest req;
  va_list ap;
  const char *s;

  va_start (ap, neg);
  while ((s = va_arg (ap, const char *)) != NULL)
    g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s) + 1);
  va_end (ap);
  g_assert_true (tftp_request_parse (b->data, b->len, &req, NULL));
  tftp_negotiate (&req, limits, size, neg);
}

static void
test_negotiate (void)
{
  TftpNegotiated neg;
  TftpLimits lim = default_limits;
  g_autofree char *text = NULL;

  /* No options: no OACK, RFC 1350 defaults. */
  negotiate (&lim, 100, &neg, NULL);
  g_assert_false (tftp_negotiated_needs_oack (&neg));
  g_assert_cmpuint (neg.blksize, ==, 512);
  g_assert_cmpuint (neg.windowsize, ==, 1);

  /* OVMF: tsize + blksize 1468 + windowsize 4. */
  negotiate (&lim, 12345, &neg, "tsize", "0", "blksize", "1468", "windowsize", "4", NULL);
  g_assert_true (tftp_negotiated_needs_oack (&neg));
  g_assert_true (neg.has_tsize && neg.has_blksize && neg.has_windowsize);
  g_assert_cmpuint (neg.tsize, ==, 12345);
  g_assert_cmpuint (neg.blksize, ==, 1468);
  g_assert_cmpuint (neg.windowsize, ==, 4);
  text = tftp_negotiated_to_string (&neg);
  g_assert_cmpstr (text, ==, "blksize=1468 tsize=12345 windowsize=4");

  /* Out of range or not numbers: ignored, never clamped. */
  negotiate (&lim, 1, &neg, "blksize", "7", "windowsize", "0", "timeout", "0", NULL);
  g_assert_false (tftp_negotiated_needs_oack (&neg));
  negotiate (&lim, 1, &neg, "blksize", "65465", "windowsize", "65536", "timeout", "256", NULL);
  g_assert_false (tftp_negotiated_needs_oack (&neg));
  negotiate (&lim, 1, &neg, "blksize", "abc", "tsize", "-1", "timeout", "1.5", NULL);
  g_assert_false (tftp_negotiated_needs_oack (&neg));
  g_assert_cmpuint (neg.blksize, ==, 512);

  /* Unknown options are ignored; names are case-insensitive; the first wins. */
  negotiate (&lim, 1, &neg, "multicast", "", "BlkSize", "8", "blksize", "1024", NULL);
  g_assert_true (neg.has_blksize);
  g_assert_cmpuint (neg.blksize, ==, 8);

  /* Limits: configured maximum, MTU, windowsize maximum. */
  lim.blksize_max = 1468;
  negotiate (&lim, 1, &neg, "blksize", "65464", "windowsize", "1000", "timeout", "3", NULL);
  g_assert_cmpuint (neg.blksize, ==, 1468);
  g_assert_cmpuint (neg.windowsize, ==, 64);
  g_assert_true (neg.has_timeout);
  g_assert_cmpuint (neg.timeout_s, ==, 3);
  lim.blksize_mtu = 1200;
  negotiate (&lim, 1, &neg, "blksize", "1468", NULL);
  g_assert_cmpuint (neg.blksize, ==, 1200);
  lim.windowsize_max = 1;
  lim.allow_timeout = FALSE;
  negotiate (&lim, 1, &neg, "windowsize", "4", "timeout", "3", NULL);
  g_assert_false (tftp_negotiated_needs_oack (&neg));
}

static void
test_negotiate_netascii_no_tsize (void)
{
  g_autoptr(GByteArray) b = build_req (1, "f", "netascii", "tsize", "0", "blksize", "1024", NULL);
  TftpRequest req;
  TftpNegotiated neg;

  g_assert_true (tftp_request_parse (b->data, b->len, &req, NULL));
  tftp_negotiate (&req, &default_limits, 99, &neg);
  g_assert_false (neg.has_tsize);
  g_assert_true (neg.has_blksize);
}

static void
test_build (void)
{
  TftpNegotiated neg = { .blksize = 1432, .has_blksize = TRUE, .tsize = 4096, .has_tsize = TRUE,
                         .windowsize = 4, .has_windowsize = TRUE };
  static const guint8 expect_oack[] = "\0\6blksize\0" "1432\0tsize\0" "4096\0windowsize\0" "4";
  static const guint8 expect_err[] = "\0\5\0\1File not found";
  guint8 buf[128];
  gsize n;
  TftpPacket pkt;

  n = tftp_build_oack (&neg, buf, sizeof buf);
  g_assert_cmpmem (buf, n, expect_oack, sizeof expect_oack);
  g_assert_cmpuint (tftp_build_oack (&neg, buf, 10), ==, 0);

  n = tftp_build_error (TFTP_ERR_NOT_FOUND, "File not found", buf, sizeof buf);
  g_assert_cmpmem (buf, n, expect_err, sizeof expect_err);
  g_assert_true (tftp_packet_parse (buf, n, &pkt));
  g_assert_cmpint (pkt.opcode, ==, TFTP_OP_ERROR);
  g_assert_cmpuint (pkt.error_code, ==, 1);

  n = tftp_build_ack (0xfffe, buf, sizeof buf);
  g_assert_true (tftp_packet_parse (buf, n, &pkt));
  g_assert_cmpint (pkt.opcode, ==, TFTP_OP_ACK);
  g_assert_cmpuint (pkt.block, ==, 0xfffe);

  tftp_build_data_header (0x1234, buf);
  g_assert_cmpuint (buf[0], ==, 0);
  g_assert_cmpuint (buf[1], ==, 3);
  g_assert_cmpuint (buf[2], ==, 0x12);
  g_assert_cmpuint (buf[3], ==, 0x34);
}

static void
test_packet_parse_bad (void)
{
  static const guint8 short_ack[] = { 0, 4, 0 };
  static const guint8 rrq[] = { 0, 1, 'a', 0, 'o', 'c', 't', 'e', 't', 0 };
  static const guint8 op9[] = { 0, 9, 0, 0 };
  TftpPacket pkt;

  g_assert_false (tftp_packet_parse (short_ack, 0, &pkt));
  g_assert_false (tftp_packet_parse (short_ack, 1, &pkt));
  g_assert_false (tftp_packet_parse (short_ack, sizeof short_ack, &pkt));
  g_assert_false (tftp_packet_parse (rrq, sizeof rrq, &pkt));
  g_assert_false (tftp_packet_parse (op9, sizeof op9, &pkt));
}

static void
test_netascii (void)
{
  static const char in[] = "a\nb\rc\r\n";
  static const guint8 expect[] = { 'a', '\r', '\n', 'b', '\r', '\0', 'c', '\r', '\0', '\r', '\n' };
  g_autoptr(GBytes) enc = tftp_netascii_encode ((const guint8 *) in, strlen (in));
  g_autoptr(GByteArray) dec = g_byte_array_new ();
  gsize n;
  const guint8 *p = g_bytes_get_data (enc, &n);
  gboolean cr = FALSE;
  static const guint8 bad[] = { '\r', 'x' };

  g_assert_cmpmem (p, n, expect, sizeof expect);
  /* Decoding split at a CR keeps the CR pending. */
  g_assert_true (tftp_netascii_decode (p, 5, dec, &cr));
  g_assert_true (cr);
  g_assert_true (tftp_netascii_decode (p + 5, n - 5, dec, &cr));
  g_assert_false (cr);
  g_assert_cmpmem (dec->data, dec->len, in, strlen (in));
  cr = FALSE;
  g_assert_false (tftp_netascii_decode (bad, sizeof bad, dec, &cr));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp/packet/parse-rrq", test_parse_rrq);
  g_test_add_func ("/tftp/packet/parse-wrq-netascii", test_parse_wrq_netascii);
  g_test_add_func ("/tftp/packet/parse-bad", test_parse_bad);
  g_test_add_func ("/tftp/packet/parse-options-edge", test_parse_options_edge);
  g_test_add_func ("/tftp/packet/option-uint", test_option_uint);
  g_test_add_func ("/tftp/packet/negotiate", test_negotiate);
  g_test_add_func ("/tftp/packet/negotiate-netascii", test_negotiate_netascii_no_tsize);
  g_test_add_func ("/tftp/packet/build", test_build);
  g_test_add_func ("/tftp/packet/packet-parse-bad", test_packet_parse_bad);
  g_test_add_func ("/tftp/packet/netascii", test_netascii);
  return g_test_run ();
}
