/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "dhcp-codec.h"

/* A raw BOOTREQUEST under construction. */
typedef struct {
  guint8 buf[2048];
  gsize len;
} Pkt;

static void
pkt_init (Pkt *p, guint8 type)
{
  memset (p, 0, sizeof *p);
  p->buf[0] = DHCP_BOOTREQUEST;
  p->buf[1] = 1;
  p->buf[2] = 6;
  p->buf[4] = 0x12; p->buf[5] = 0x34; p->buf[6] = 0x56; p->buf[7] = 0x78;
  p->buf[10] = 0x80;
  memcpy (p->buf + 28, "\x52\x54\x00\x12\x34\x56", 6);
  memcpy (p->buf + 236, "\x63\x82\x53\x63", 4);
  p->len = 240;
  if (type != 0)
    {
      p->buf[p->len++] = 53;
      p->buf[p->len++] = 1;
      p->buf[p->len++] = type;
    }
}

static void
pkt_opt (Pkt *p, guint8 code, const void *data, gsize len)
{
  p->buf[p->len++] = code;
  p->buf[p->len++] = (guint8) len;
  memcpy (p->buf + p->len, data, len);
  p->len += len;
}

static void
pkt_end (Pkt *p)
{
  p->buf[p->len++] = 255;
}

static void
test_parse_basic (void)
{
  Pkt p;
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpMessage) m = NULL;
  g_autofree char *mac = NULL;
  guint32 ip;

  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 50, "\xc0\x00\x02\x0a", 4);
  pkt_opt (&p, 55, "\x01\x03\x06", 3);
  pkt_end (&p);
  m = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpuint (m->op, ==, 1);
  g_assert_cmpuint (m->xid, ==, 0x12345678);
  g_assert_cmpuint (m->flags, ==, DHCP_FLAG_BROADCAST);
  g_assert_cmpuint (dhcp_message_get_type (m), ==, DHCP_DISCOVER);
  mac = dhcp_message_get_mac (m);
  g_assert_cmpstr (mac, ==, "52:54:00:12:34:56");
  g_assert_true (dhcp_message_get_ip (m, 50, &ip));
  g_assert_cmpuint (ip, ==, g_htonl (0xc000020a));
  g_assert_true (dhcp_message_has_option (m, 55));
  g_assert_false (dhcp_message_has_option (m, 61));
  g_assert_false (m->file_is_options);
  g_assert_cmpstr (dhcp_message_type_to_string (DHCP_ACK), ==, "ACK");
  g_assert_cmpstr (dhcp_message_type_to_string (77), ==, "UNKNOWN");
}

static void
expect_error (const guint8 *buf, gsize len, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpMessage) m = dhcp_message_parse (buf, len, &error);

  g_assert_null (m);
  g_assert_error (error, DHCP_CODEC_ERROR, code);
}

static void
test_parse_bad (void)
{
  Pkt p;

  /* truncated at every length below the cookie end */
  pkt_init (&p, DHCP_DISCOVER);
  for (gsize l = 0; l < 240; l++)
    expect_error (p.buf, l, DHCP_CODEC_ERROR_TRUNCATED);

  pkt_init (&p, DHCP_DISCOVER);
  p.buf[239] = 0x64;
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_COOKIE);

  pkt_init (&p, DHCP_DISCOVER);
  p.buf[2] = 17;
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_HLEN);

  /* option length past the end */
  pkt_init (&p, DHCP_DISCOVER);
  p.buf[p.len++] = 12;
  p.buf[p.len++] = 10;
  p.buf[p.len++] = 'a';
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OPTION);

  /* a code with no length byte */
  pkt_init (&p, DHCP_DISCOVER);
  p.buf[p.len++] = 12;
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OPTION);

  /* length byte of the message type itself cut */
  pkt_init (&p, 0);
  p.buf[p.len++] = 53;
  p.buf[p.len++] = 1;
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OPTION);
}

static void
test_parse_tolerant (void)
{
  Pkt p;
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(DhcpMessage) m2 = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  /* no END, 300 pads, a zero-length option, data after END ignored */
  pkt_init (&p, DHCP_REQUEST);
  for (guint i = 0; i < 300; i++)
    p.buf[p.len++] = 0;
  pkt_opt (&p, 12, "", 0);
  m = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  g_assert_true (dhcp_message_has_option (m, 12));
  g_assert_nonnull (dhcp_message_get_option (m, 12, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_null (dhcp_message_get_string (m, 12));
  g_assert_cmpuint (dhcp_message_get_type (m), ==, DHCP_REQUEST);

  pkt_end (&p);
  p.buf[p.len++] = 12;
  p.buf[p.len++] = 200; /* garbage after END */
  m2 = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m2);
}

static void
test_parse_concat (void)
{
  Pkt p;
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *v;
  gsize len;

  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 43, "abc", 3);
  pkt_opt (&p, 12, "host", 4);
  pkt_opt (&p, 43, "def", 3);
  pkt_end (&p);
  m = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  v = dhcp_message_get_option (m, 43, &len);
  g_assert_cmpmem (v, len, "abcdef", 6);
}

static void
test_parse_types (void)
{
  Pkt p;
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  guint8 u8;
  guint16 u16;
  guint32 u32;

  pkt_init (&p, 0);
  pkt_opt (&p, 53, "\x09", 1); /* invalid type */
  pkt_opt (&p, 57, "\x05\xc0", 2);
  pkt_opt (&p, 51, "\x00\x00\x0e\x10", 4);
  pkt_opt (&p, 50, "\x01\x02\x03", 3); /* wrong length */
  pkt_end (&p);
  m = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dhcp_message_get_type (m), ==, 0);
  g_assert_true (dhcp_message_get_u8 (m, 53, &u8));
  g_assert_cmpuint (u8, ==, 9);
  g_assert_true (dhcp_message_get_u16 (m, 57, &u16));
  g_assert_cmpuint (u16, ==, 1472);
  g_assert_false (dhcp_message_get_u16 (m, 51, &u16));
  g_assert_true (dhcp_message_get_u32 (m, 51, &u32));
  g_assert_cmpuint (u32, ==, 3600);
  g_assert_false (dhcp_message_get_ip (m, 50, &u32));
  g_assert_false (dhcp_message_get_u8 (m, 99, &u8));
  g_assert_cmpuint (dhcp_message_get_max_reply_size (m), ==, 1444);
}

static void
test_parse_strings (void)
{
  Pkt p;
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vc = NULL;
  g_autofree char *hn = NULL;
  g_autofree char *dn = NULL;

  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 60, "PXEClient\0\xff\xff", 12);
  pkt_opt (&p, 12, "ab\0cd", 5);
  pkt_opt (&p, 15, "\0\0", 2);
  pkt_end (&p);
  m = dhcp_message_parse (p.buf, p.len, &error);
  g_assert_no_error (error);
  vc = dhcp_message_get_string (m, 60);
  g_assert_cmpstr (vc, ==, "PXEClient");
  hn = dhcp_message_get_string (m, 12);
  g_assert_cmpstr (hn, ==, "ab");
  dn = dhcp_message_get_string (m, 15);
  g_assert_null (dn);
  g_assert_cmpuint (dhcp_string_trim_len ((const guint8 *) "x\xff\xff", 3), ==, 1);
  g_assert_cmpuint (dhcp_string_trim_len ((const guint8 *) "\xff", 1), ==, 0);
}

static void
test_parse_overload (void)
{
  for (guint mode = 1; mode <= 3; mode++)
    {
      Pkt p;
      g_autoptr(DhcpMessage) m = NULL;
      g_autoptr(GError) error = NULL;
      guint8 ov = (guint8) mode;
      const guint8 *v;
      gsize len;

      pkt_init (&p, DHCP_DISCOVER);
      pkt_opt (&p, 52, &ov, 1);
      pkt_opt (&p, 43, "A", 1);
      pkt_end (&p);
      /* file: 43 "B", 12 "file-host", a nested 52 (ignored) */
      memcpy (p.buf + 108, "\x2b\x01" "B" "\x0c\x09" "file-host" "\x34\x01\x03" "\xff", 17);
      /* sname: 43 "C", 15 "dom" */
      memcpy (p.buf + 44, "\x2b\x01" "C" "\x0f\x03" "dom" "\xff", 9);
      m = dhcp_message_parse (p.buf, p.len, &error);
      g_assert_no_error (error);
      v = dhcp_message_get_option (m, 43, &len);
      if (mode == 1)
        g_assert_cmpmem (v, len, "AB", 2);
      else if (mode == 2)
        g_assert_cmpmem (v, len, "AC", 2);
      else
        g_assert_cmpmem (v, len, "ABC", 3); /* file before sname */
      g_assert_cmpint (m->file_is_options, ==, (mode & 1) != 0);
      g_assert_cmpint (m->sname_is_options, ==, (mode & 2) != 0);
      g_assert_cmpint (dhcp_message_has_option (m, 12), ==, (mode & 1) != 0);
      g_assert_cmpint (dhcp_message_has_option (m, 15), ==, (mode & 2) != 0);
      g_assert_false (dhcp_message_has_option (m, 52));
    }
}

static void
test_parse_overload_bad (void)
{
  Pkt p;

  /* invalid values */
  for (guint bad = 0; bad < 3; bad++)
    {
      const guint8 vals[] = { 0, 4, 255 };
      pkt_init (&p, DHCP_DISCOVER);
      pkt_opt (&p, 52, &vals[bad], 1);
      pkt_end (&p);
      expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OVERLOAD);
    }
  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 52, "\x01\x01", 2);
  pkt_end (&p);
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OVERLOAD);

  /* overload pointing at garbage: a file name, not options */
  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 52, "\x01", 1);
  pkt_end (&p);
  memset (p.buf + 108, 'x', 128);
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OPTION);

  /* sname: an option running past the 64 bytes */
  pkt_init (&p, DHCP_DISCOVER);
  pkt_opt (&p, 52, "\x02", 1);
  pkt_end (&p);
  p.buf[44 + 60] = 12;
  p.buf[44 + 61] = 5;
  expect_error (p.buf, p.len, DHCP_CODEC_ERROR_BAD_OPTION);
}

static void
test_max_size (void)
{
  struct { const char *v; gsize expect; } cases[] = {
    { NULL, 548 }, { "\x05\xc0", 1444 }, { "\x01\x2c", 548 }, { "\x02\x40", 548 },
    { "\xff\xff", 65507 }, { "\x05\xdc", 1472 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Pkt p;
      g_autoptr(DhcpMessage) m = NULL;

      pkt_init (&p, DHCP_DISCOVER);
      if (cases[i].v != NULL)
        pkt_opt (&p, 57, cases[i].v, 2);
      pkt_end (&p);
      m = dhcp_message_parse (p.buf, p.len, NULL);
      g_assert_cmpuint (dhcp_message_get_max_reply_size (m), ==, cases[i].expect);
    }
}

static DhcpMessage *
roundtrip (DhcpBuilder *b, GBytes **out_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = dhcp_builder_encode (b, &error);
  DhcpMessage *m;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  m = dhcp_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  if (out_bytes != NULL)
    *out_bytes = g_bytes_ref (bytes);
  return m;
}

static void
test_encode_roundtrip (void)
{
  Pkt p;
  g_autoptr(DhcpMessage) req = NULL;
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_OFFER);
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *file = NULL;
  guint32 v;

  pkt_init (&p, DHCP_DISCOVER);
  p.buf[24] = 203; p.buf[25] = 0; p.buf[26] = 113; p.buf[27] = 1; /* giaddr */
  p.buf[3] = 1;
  pkt_end (&p);
  req = dhcp_message_parse (p.buf, p.len, NULL);
  dhcp_builder_copy_request (b, req);
  dhcp_builder_set_yiaddr (b, g_htonl (0xc000020a));
  dhcp_builder_set_siaddr (b, g_htonl (0xc0000201));
  g_assert_true (dhcp_builder_set_file (b, "pxelinux.0"));
  g_assert_true (dhcp_builder_set_sname (b, "boot"));
  dhcp_builder_set_option_ip (b, 54, g_htonl (0xc0000201));
  dhcp_builder_set_option_u32 (b, 51, 3600);
  dhcp_builder_set_option_u16 (b, 57, 1500);
  dhcp_builder_set_option_str (b, 15, "example.org");
  g_assert_true (dhcp_builder_has_option (b, 15));
  dhcp_builder_unset_option (b, 15);
  g_assert_false (dhcp_builder_has_option (b, 15));
  m = roundtrip (b, &bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 300); /* BOOTP minimum */
  g_assert_cmpuint (m->op, ==, DHCP_BOOTREPLY);
  g_assert_cmpuint (m->xid, ==, 0x12345678);
  g_assert_cmpuint (m->flags, ==, DHCP_FLAG_BROADCAST);
  g_assert_cmpuint (m->hops, ==, 1);
  g_assert_cmpuint (m->giaddr, ==, g_htonl (0xcb007101));
  g_assert_cmpuint (m->yiaddr, ==, g_htonl (0xc000020a));
  g_assert_cmpuint (m->siaddr, ==, g_htonl (0xc0000201));
  g_assert_cmpmem (m->chaddr, 6, "\x52\x54\x00\x12\x34\x56", 6);
  file = g_strndup ((const char *) m->file, 128);
  g_assert_cmpstr (file, ==, "pxelinux.0");
  g_assert_cmpuint (dhcp_message_get_type (m), ==, DHCP_OFFER);
  g_assert_true (dhcp_message_get_u32 (m, 51, &v));
  g_assert_cmpuint (v, ==, 3600);
  g_assert_false (dhcp_message_has_option (m, 15));
}

/* Returns the option codes in wire order of the options field. */
static GArray *
wire_codes (GBytes *bytes)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  GArray *a = g_array_new (FALSE, FALSE, 1);

  for (gsize pos = 240; pos < len && d[pos] != 255;)
    {
      if (d[pos] == 0)
        {
          pos++;
          continue;
        }
      g_array_append_val (a, d[pos]);
      pos += 2 + d[pos + 1];
    }
  return a;
}

static void
test_encode_order (void)
{
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
  g_autoptr(DhcpMessage) m = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) codes = NULL;
  const guint8 prl[] = { 67, 3, 1, 3, 6, 200 };
  const guint8 expect[] = { 53, 54, 67, 3, 1, 6, 15, 51, 82 };

  dhcp_builder_set_option (b, 82, "\x01\x02\x61\x62", 4);
  dhcp_builder_set_option_u32 (b, 51, 60);
  dhcp_builder_set_option_str (b, 15, "d");
  dhcp_builder_set_option_ip (b, 6, 1);
  dhcp_builder_set_option_ip (b, 1, 2);
  dhcp_builder_set_option_ip (b, 3, 3);
  dhcp_builder_set_option_str (b, 67, "f");
  dhcp_builder_set_option_ip (b, 54, 4);
  dhcp_builder_set_option_str (b, 66, "tftp");
  dhcp_builder_set_only_if_requested (b, 66, TRUE);
  dhcp_builder_set_request_list (b, prl, sizeof prl);
  m = roundtrip (b, &bytes);
  codes = wire_codes (bytes);
  g_assert_cmpmem (codes->data, codes->len, expect, sizeof expect);

  /* without a request list, only-if-requested options go out too */
  {
    g_autoptr(DhcpBuilder) b2 = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
    g_autoptr(DhcpMessage) m2 = NULL;

    dhcp_builder_set_option_str (b2, 66, "tftp");
    dhcp_builder_set_only_if_requested (b2, 66, TRUE);
    m2 = roundtrip (b2, NULL);
    g_assert_true (dhcp_message_has_option (m2, 66));
  }
}

static void
test_encode_long_option (void)
{
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
  g_autoptr(DhcpMessage) m = NULL;
  guint8 big[600];
  const guint8 *v;
  gsize len;

  for (guint i = 0; i < sizeof big; i++)
    big[i] = (guint8) i;
  dhcp_builder_set_max_size (b, 1500);
  dhcp_builder_set_option (b, 43, big, sizeof big);
  dhcp_builder_set_option (b, 77, NULL, 0);
  m = roundtrip (b, NULL);
  v = dhcp_message_get_option (m, 43, &len);
  g_assert_cmpmem (v, len, big, sizeof big);
  g_assert_nonnull (dhcp_message_get_option (m, 77, &len));
  g_assert_cmpuint (len, ==, 0);
}

static void
test_encode_overload (void)
{
  char name[40];
  guint8 prl[40];

  /* 548 bytes: options field holds 307 bytes; 12 options of 38 bytes need
   * the file and sname fields too. */
  for (guint with_file = 0; with_file < 2; with_file++)
    {
      g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
      g_autoptr(DhcpMessage) m = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint n_present = 0;

      dhcp_builder_set_option_ip (b, 54, 0x01020304);
      if (with_file)
        dhcp_builder_set_file (b, "pxelinux.0");
      for (guint i = 0; i < 12; i++)
        {
          memset (name, 'a' + (char) i, sizeof name);
          dhcp_builder_set_option (b, (guint8) (200 + i), name, 36);
          prl[i] = (guint8) (200 + i);
        }
      dhcp_builder_set_request_list (b, prl, 12);
      m = roundtrip (b, &bytes);
      g_assert_cmpuint (g_bytes_get_size (bytes), <=, 548);
      for (guint i = 0; i < 12; i++)
        {
          gsize len;
          const guint8 *v = dhcp_message_get_option (m, (guint8) (200 + i), &len);
          if (v != NULL)
            {
              memset (name, 'a' + (char) i, sizeof name);
              g_assert_cmpmem (v, len, name, 36);
              n_present++;
            }
        }
      if (!with_file)
        {
          /* 304 - 9 = 295: 7 in the options field, 3 in file, 1 in sname */
          g_assert_true (m->file_is_options);
          g_assert_true (m->sname_is_options);
          g_assert_cmpuint (n_present, ==, 11);
        }
      else
        {
          g_autofree char *file = g_strndup ((const char *) m->file, 128);
          g_assert_false (m->file_is_options);
          g_assert_true (m->sname_is_options);
          g_assert_cmpstr (file, ==, "pxelinux.0");
          g_assert_cmpuint (n_present, ==, 8);
        }
      /* the dropped ones are the last of the request list */
      g_assert_true (dhcp_message_has_option (m, 200));
      g_assert_false (dhcp_message_has_option (m, 211));
    }

  /* a bigger limit: all in the options field, no overload */
  {
    g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
    g_autoptr(DhcpMessage) m = NULL;

    dhcp_builder_set_max_size (b, 1444);
    for (guint i = 0; i < 12; i++)
      {
        memset (name, 'a' + (char) i, sizeof name);
        dhcp_builder_set_option (b, (guint8) (200 + i), name, 36);
      }
    m = roundtrip (b, NULL);
    g_assert_false (m->file_is_options);
    g_assert_false (m->sname_is_options);
    for (guint i = 0; i < 12; i++)
      g_assert_true (dhcp_message_has_option (m, (guint8) (200 + i)));
  }
}

static void
test_encode_too_large (void)
{
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 big[400] = { 0 };

  dhcp_builder_set_option (b, 82, big, sizeof big);
  bytes = dhcp_builder_encode (b, &error);
  g_assert_null (bytes);
  g_assert_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_TOO_LARGE);
}

static void
test_encode_fields (void)
{
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_NAK);
  char longname[200];

  memset (longname, 'x', sizeof longname);
  longname[128] = '\0';
  g_assert_false (dhcp_builder_set_file (b, longname));
  longname[127] = '\0';
  g_assert_true (dhcp_builder_set_file (b, longname));
  longname[64] = '\0';
  g_assert_false (dhcp_builder_set_sname (b, longname));
  g_assert_true (dhcp_builder_set_sname (b, NULL));
  dhcp_builder_set_xid (b, 7);
  dhcp_builder_set_flags (b, 0);
  dhcp_builder_set_ciaddr (b, 5);
  dhcp_builder_set_giaddr (b, 6);
  dhcp_builder_set_chaddr (b, 1, (const guint8 *) "\x01\x02\x03\x04\x05\x06", 6);
  {
    g_autoptr(DhcpMessage) m = roundtrip (b, NULL);
    g_assert_cmpuint (m->xid, ==, 7);
    g_assert_cmpuint (m->ciaddr, ==, 5);
    g_assert_cmpuint (m->giaddr, ==, 6);
    g_assert_cmpuint (dhcp_message_get_type (m), ==, DHCP_NAK);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/codec/parse-basic", test_parse_basic);
  g_test_add_func ("/dhcp/codec/parse-bad", test_parse_bad);
  g_test_add_func ("/dhcp/codec/parse-tolerant", test_parse_tolerant);
  g_test_add_func ("/dhcp/codec/parse-concat", test_parse_concat);
  g_test_add_func ("/dhcp/codec/parse-types", test_parse_types);
  g_test_add_func ("/dhcp/codec/parse-strings", test_parse_strings);
  g_test_add_func ("/dhcp/codec/parse-overload", test_parse_overload);
  g_test_add_func ("/dhcp/codec/parse-overload-bad", test_parse_overload_bad);
  g_test_add_func ("/dhcp/codec/max-size", test_max_size);
  g_test_add_func ("/dhcp/codec/encode-roundtrip", test_encode_roundtrip);
  g_test_add_func ("/dhcp/codec/encode-order", test_encode_order);
  g_test_add_func ("/dhcp/codec/encode-long-option", test_encode_long_option);
  g_test_add_func ("/dhcp/codec/encode-overload", test_encode_overload);
  g_test_add_func ("/dhcp/codec/encode-too-large", test_encode_too_large);
  g_test_add_func ("/dhcp/codec/encode-fields", test_encode_fields);
  return g_test_run ();
}
