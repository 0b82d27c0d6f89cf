/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the proxyDHCP reply builder: every architecture, with and
 * without option 97, iPXE, HTTP boot, menus, non-PXE and malformed input. */
#include <arpa/inet.h>
#include <string.h>

#include "proxydhcp-reply.h"

#define SERVER "198.51.100.1"
#define CLIENT "198.51.100.50"

static const guint8 test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const guint8 test_uuid[17] = { 0, 0x8a, 0x6a, 0x7d, 0x3e, 0x2e, 0x2e, 0x4d, 0x1d,
                                      1, 2, 3, 4, 5, 6, 7, 8 };

static guint32
ip (const char *s)
{
  struct in_addr a;
  g_assert_cmpint (inet_pton (AF_INET, s, &a), ==, 1);
  return a.s_addr;
}

/* A raw client message: header, cookie, the options given as (code, len,
 * bytes...) in @opts, then END. */
static GByteArray *
request_new (guint8 op, guint8 type)
{
  GByteArray *a = g_byte_array_new ();
  guint8 hdr[240] = { 0 };
  guint8 t[3] = { 53, 1, type };

  hdr[0] = op;
  hdr[1] = 1;
  hdr[2] = 6;
  hdr[4] = 0xde; hdr[5] = 0xad; hdr[6] = 0xbe; hdr[7] = 0xef;
  memcpy (hdr + 28, test_mac, 6);
  hdr[236] = 99; hdr[237] = 130; hdr[238] = 83; hdr[239] = 99;
  g_byte_array_append (a, hdr, sizeof hdr);
  if (type != 0)
    g_byte_array_append (a, t, 3);
  return a;
}

static void
request_add (GByteArray *a, guint8 code, const void *data, gsize len)
{
  guint8 h[2] = { code, (guint8) len };
  g_byte_array_append (a, h, 2);
  g_byte_array_append (a, data, (guint) len);
}

static void
request_add_str (GByteArray *a, guint8 code, const char *s)
{
  request_add (a, code, s, strlen (s));
}

static void
request_end (GByteArray *a)
{
  guint8 end = 255;
  g_byte_array_append (a, &end, 1);
}

/* A PXE client's DISCOVER or REQUEST for @arch. */
static GByteArray *
pxe_request (guint8 type, guint16 arch, gboolean with_uuid, gboolean ipxe)
{
  GByteArray *a = request_new (DHCP_BOOTREQUEST, type);
  g_autofree char *vc = g_strdup_printf ("PXEClient:Arch:%05u:UNDI:003010", arch);
  guint8 a93[2] = { (guint8) (arch >> 8), (guint8) arch };
  guint8 prl[] = { 1, 3, 43, 60, 66, 67, 97 };

  request_add_str (a, 60, vc);
  request_add (a, 93, a93, 2);
  request_add (a, 55, prl, sizeof prl);
  if (with_uuid)
    request_add (a, 97, test_uuid, sizeof test_uuid);
  if (ipxe)
    request_add_str (a, 77, "iPXE");
  return a;
}

static DhcpMessage *
handle (const ProxyConfig *c, GByteArray *req, gboolean port_4011, guint32 peer, guint16 port,
        ProxyOutcome *out)
{
  ProxyArrival arr = { .server_addr = ip (SERVER), .peer_addr = peer, .peer_port = port,
                       .port_4011 = port_4011 };
  DhcpMessage *msg;
  g_autoptr(GError) error = NULL;

  request_end (req);
  proxy_handle (c, req->data, req->len, &arr, out);
  if (out->reply == NULL)
    return NULL;
  msg = dhcp_message_parse (g_bytes_get_data (out->reply, NULL), g_bytes_get_size (out->reply),
                            &error);
  g_assert_no_error (error);
  /* never an address, always our header fields */
  g_assert_cmpuint (msg->op, ==, DHCP_BOOTREPLY);
  g_assert_cmpuint (msg->yiaddr, ==, 0);
  g_assert_cmpuint (msg->xid, ==, 0xdeadbeef);
  g_assert_cmpmem (msg->chaddr, 6, test_mac, 6);
  g_assert_true (dhcp_message_get_ip (msg, 54, &(guint32) { 0 }));
  return msg;
}

static void
assert_server_id (const DhcpMessage *msg)
{
  guint32 sid = 0;
  g_assert_true (dhcp_message_get_ip (msg, 54, &sid));
  g_assert_cmpuint (sid, ==, ip (SERVER));
}

static void
assert_option_str (const DhcpMessage *msg, guint8 code, const char *expected)
{
  g_autofree char *s = dhcp_message_get_string (msg, code);
  g_assert_cmpstr (s, ==, expected);
}

static void
assert_vendor (const DhcpMessage *msg, const guint8 *expected, gsize len)
{
  gsize got = 0;
  const guint8 *p = dhcp_message_get_option (msg, 43, &got);

  if (expected == NULL)
    {
      g_assert_null (p);
      return;
    }
  g_assert_nonnull (p);
  g_assert_cmpmem (p, got, expected, len);
}

static void
test_bios_discover (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = pxe_request (DHCP_DISCOVER, 0, TRUE, FALSE);
  ProxyOutcome out;
  g_autoptr(DhcpMessage) msg = handle (c, req, FALSE, 0, 68, &out);
  static const guint8 vendor[] = { 6, 1, 3, 255 };
  gsize len;
  const guint8 *p;

  g_assert_nonnull (msg);
  g_assert_cmpuint (dhcp_message_get_type (msg), ==, DHCP_OFFER);
  assert_server_id (msg);
  assert_option_str (msg, 60, "PXEClient");
  p = dhcp_message_get_option (msg, 97, &len);
  g_assert_cmpmem (p, len, test_uuid, sizeof test_uuid);
  assert_vendor (msg, vendor, sizeof vendor);
  /* BIOS: the boot file comes from port 4011, siaddr 0 */
  g_assert_cmpuint (msg->siaddr, ==, 0);
  g_assert_cmpuint (msg->file[0], ==, 0);
  g_assert_false (dhcp_message_has_option (msg, 67));
  g_assert_cmpuint (out.dest_addr, ==, INADDR_BROADCAST);
  g_assert_cmpuint (out.dest_port, ==, 68);
  g_assert_cmpstr (out.stage, ==, "proxydhcp-offer");
  g_assert_cmpstr (out.mac, ==, "52:54:00:12:34:56");
  g_assert_cmpint (out.pxe.arch, ==, 0);
  g_assert_cmpstr (out.pxe.uuid, ==, "8a6a7d3e-2e2e-4d1d-0102-030405060708");
  proxy_outcome_clear (&out);
}

static void
test_no_uuid (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = pxe_request (DHCP_DISCOVER, 7, FALSE, FALSE);
  ProxyOutcome out;
  g_autoptr(DhcpMessage) msg = handle (c, req, FALSE, 0, 68, &out);

  g_assert_nonnull (msg);
  g_assert_false (dhcp_message_has_option (msg, 97));
  assert_option_str (msg, 60, "PXEClient");
  proxy_outcome_clear (&out);
}

/* Each architecture: the offer (boot file in it for all but BIOS) and the
 * 4011 answer agree on the file. */
static void
test_each_arch (void)
{
  static const struct { guint16 arch; const char *file; } cases[] = {
    { 0, "pxelinux.0" }, { 6, "efi32/syslinux.efi" }, { 7, "efi64/syslinux.efi" },
    { 9, "efi64/syslinux.efi" }, { 11, "grubaa64.efi" },
  };
  g_autoptr(ProxyConfig) c = proxy_config_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) disc = pxe_request (DHCP_DISCOVER, cases[i].arch, TRUE, FALSE);
      g_autoptr(GByteArray) req = pxe_request (DHCP_REQUEST, cases[i].arch, TRUE, FALSE);
      ProxyOutcome out;
      g_autoptr(DhcpMessage) offer = handle (c, disc, FALSE, 0, 68, &out);
      g_autoptr(DhcpMessage) ack = NULL;

      g_test_message ("arch %u", cases[i].arch);
      g_assert_nonnull (offer);
      if (cases[i].arch == 0)
        {
          g_assert_cmpuint (offer->siaddr, ==, 0);
          g_assert_cmpuint (offer->file[0], ==, 0);
          g_assert_true (dhcp_message_has_option (offer, 43));
        }
      else
        {
          g_assert_cmpuint (offer->siaddr, ==, ip (SERVER));
          g_assert_cmpstr ((const char *) offer->file, ==, cases[i].file);
          assert_option_str (offer, 67, cases[i].file);
          g_assert_false (dhcp_message_has_option (offer, 43));
        }
      proxy_outcome_clear (&out);

      ack = handle (c, req, TRUE, ip (CLIENT), 4011, &out);
      g_assert_nonnull (ack);
      g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
      assert_server_id (ack);
      assert_option_str (ack, 60, "PXEClient");
      g_assert_cmpuint (ack->siaddr, ==, ip (SERVER));
      g_assert_cmpstr ((const char *) ack->file, ==, cases[i].file);
      assert_option_str (ack, 67, cases[i].file);
      assert_option_str (ack, 66, SERVER);
      g_assert_true (dhcp_message_has_option (ack, 97));
      g_assert_cmpuint (out.dest_addr, ==, ip (CLIENT));
      g_assert_cmpuint (out.dest_port, ==, 4011);
      g_assert_cmpstr (out.stage, ==, "proxydhcp-ack");
      proxy_outcome_clear (&out);
    }
}

/* iPXE asks 4011 from port 68 with boot item 0x8000: the answer goes to
 * port 68 and echoes the item. */
static void
test_4011_from_68 (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = pxe_request (DHCP_REQUEST, 0, TRUE, FALSE);
  static const guint8 item[] = { 71, 4, 0x80, 0x00, 0x00, 0x00, 255 };
  ProxyOutcome out;
  g_autoptr(DhcpMessage) ack = NULL;

  request_add (req, 43, item, sizeof item);
  ack = handle (c, req, TRUE, ip (CLIENT), 68, &out);
  g_assert_nonnull (ack);
  g_assert_cmpstr ((const char *) ack->file, ==, "pxelinux.0");
  g_assert_cmpuint (ack->siaddr, ==, ip (SERVER));
  assert_vendor (ack, item, sizeof item);
  g_assert_cmpuint (out.dest_addr, ==, ip (CLIENT));
  g_assert_cmpuint (out.dest_port, ==, 68);
  g_assert_cmpuint (out.boot_item, ==, 0x8000);
  proxy_outcome_clear (&out);
}

static void
test_4011_inform_and_broadcast (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) inform = pxe_request (DHCP_INFORM, 7, FALSE, FALSE);
  g_autoptr(GByteArray) disc = pxe_request (DHCP_DISCOVER, 7, FALSE, FALSE);
  ProxyOutcome out;
  g_autoptr(DhcpMessage) ack = handle (c, inform, TRUE, 0, 4011, &out);

  /* from 0.0.0.0: broadcast back to the source port */
  g_assert_nonnull (ack);
  g_assert_cmpuint (out.dest_addr, ==, INADDR_BROADCAST);
  g_assert_cmpuint (out.dest_port, ==, 4011);
  proxy_outcome_clear (&out);

  g_assert_null (handle (c, disc, TRUE, ip (CLIENT), 4011, &out));
  g_assert_cmpstr (out.drop_reason, ==, "not a REQUEST or INFORM");
  proxy_outcome_clear (&out);
}

static void
test_ipxe (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) d1 = pxe_request (DHCP_DISCOVER, 0, TRUE, TRUE);
  g_autoptr(GByteArray) d2 = pxe_request (DHCP_DISCOVER, 7, TRUE, TRUE);
  g_autoptr(GByteArray) r2 = pxe_request (DHCP_REQUEST, 7, TRUE, TRUE);
  g_autoptr(GByteArray) d3 = pxe_request (DHCP_DISCOVER, 7, TRUE, TRUE);
  ProxyOutcome out;
  g_autoptr(DhcpMessage) m1 = NULL;
  g_autoptr(DhcpMessage) m3 = NULL;

  c->boot = dhcp_boot_table_new ();
  dhcp_boot_table_set (c->boot, 7, "ipxe.efi");
  dhcp_boot_table_set (c->boot, 0, "undionly.kpxe");

  /* No script: the iPXE binary is refused (loop protection), nothing sent. */
  g_assert_null (handle (c, d2, FALSE, 0, 68, &out));
  g_assert_nonnull (strstr (out.drop_reason, "loop"));
  g_assert_true (out.pxe.ipxe);
  proxy_outcome_clear (&out);
  g_assert_null (handle (c, r2, TRUE, ip (CLIENT), 68, &out));
  proxy_outcome_clear (&out);

  /* With a script: iPXE gets the script, in the offer too (BIOS included). */
  dhcp_boot_table_set_ipxe_script (c->boot, "http://{next-server}/boot.ipxe");
  m1 = handle (c, d1, FALSE, 0, 68, &out);
  g_assert_nonnull (m1);
  g_assert_cmpstr ((const char *) m1->file, ==, "http://198.51.100.1/boot.ipxe");
  g_assert_cmpuint (m1->siaddr, ==, ip (SERVER));
  {
    static const guint8 vendor[] = { 6, 1, 3 | 8, 255 };
    assert_vendor (m1, vendor, sizeof vendor);
  }
  proxy_outcome_clear (&out);
  m3 = handle (c, d3, FALSE, 0, 68, &out);
  g_assert_cmpstr ((const char *) m3->file, ==, "http://198.51.100.1/boot.ipxe");
  proxy_outcome_clear (&out);

  /* A plain PXE ROM still gets the iPXE binary. */
  {
    g_autoptr(GByteArray) r = pxe_request (DHCP_REQUEST, 7, TRUE, FALSE);
    g_autoptr(DhcpMessage) ack = handle (c, r, TRUE, ip (CLIENT), 4011, &out);
    g_assert_cmpstr ((const char *) ack->file, ==, "ipxe.efi");
    proxy_outcome_clear (&out);
  }
}

static void
test_http_client (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = request_new (DHCP_BOOTREQUEST, DHCP_DISCOVER);
  guint8 a93[2] = { 0, 16 };
  ProxyOutcome out;
  g_autoptr(DhcpMessage) msg = NULL;

  request_add_str (req, 60, "HTTPClient:Arch:00016:UNDI:003001");
  request_add (req, 93, a93, 2);
  msg = handle (c, req, FALSE, 0, 68, &out);
  g_assert_nonnull (msg);
  assert_option_str (msg, 60, "HTTPClient");
  g_assert_cmpstr ((const char *) msg->file, ==, "http://198.51.100.1/grubx64.efi");
  g_assert_false (dhcp_message_has_option (msg, 43));
  proxy_outcome_clear (&out);
}

static void
test_not_pxe (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) plain = request_new (DHCP_BOOTREQUEST, DHCP_DISCOVER);
  g_autoptr(GByteArray) msft = request_new (DHCP_BOOTREQUEST, DHCP_DISCOVER);
  g_autoptr(GByteArray) only93 = request_new (DHCP_BOOTREQUEST, DHCP_DISCOVER);
  g_autoptr(GByteArray) req67 = pxe_request (DHCP_REQUEST, 0, TRUE, FALSE);
  guint8 a93[2] = { 0, 7 };
  ProxyOutcome out;

  g_assert_null (handle (c, plain, FALSE, 0, 68, &out));
  g_assert_cmpstr (out.drop_reason, ==, "not a PXE client");
  proxy_outcome_clear (&out);
  request_add_str (msft, 60, "MSFT 5.0");
  g_assert_null (handle (c, msft, FALSE, 0, 68, &out));
  proxy_outcome_clear (&out);
  request_add (only93, 93, a93, 2);
  g_assert_null (handle (c, only93, FALSE, 0, 68, &out));
  proxy_outcome_clear (&out);
  /* a REQUEST on 67 belongs to the real DHCP server */
  g_assert_null (handle (c, req67, FALSE, 0, 68, &out));
  g_assert_nonnull (strstr (out.drop_reason, "DISCOVER"));
  proxy_outcome_clear (&out);
}

static void
test_malformed (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  ProxyArrival arr = { .server_addr = ip (SERVER), .peer_addr = ip (CLIENT), .peer_port = 68 };
  ProxyOutcome out;

  for (guint port = 0; port < 2; port++)
    {
      g_autoptr(GByteArray) good = pxe_request (DHCP_REQUEST, 0, TRUE, FALSE);
      g_autoptr(GByteArray) reply_op = pxe_request (DHCP_DISCOVER, 0, TRUE, FALSE);
      g_autoptr(GByteArray) overrun = NULL;
      g_autoptr(GByteArray) bad43 = pxe_request (DHCP_REQUEST, 0, TRUE, FALSE);
      guint8 junk[300];
      guint8 broken43[] = { 71, 9, 0x80 };

      arr.port_4011 = port == 1;
      request_end (good);
      /* truncated at every length below the cookie */
      for (gsize l = 0; l < 240; l += 7)
        {
          proxy_handle (c, good->data, l, &arr, &out);
          g_assert_null (out.reply);
          proxy_outcome_clear (&out);
        }
      /* wrong magic cookie */
      good->data[236] = 0;
      proxy_handle (c, good->data, good->len, &arr, &out);
      g_assert_null (out.reply);
      proxy_outcome_clear (&out);
      /* hlen > 16 */
      good->data[236] = 99;
      good->data[2] = 17;
      proxy_handle (c, good->data, good->len, &arr, &out);
      g_assert_null (out.reply);
      proxy_outcome_clear (&out);
      /* op BOOTREPLY from a client */
      reply_op->data[0] = DHCP_BOOTREPLY;
      request_end (reply_op);
      proxy_handle (c, reply_op->data, reply_op->len, &arr, &out);
      g_assert_null (out.reply);
      g_assert_cmpstr (out.drop_reason, ==, "not a BOOTREQUEST");
      proxy_outcome_clear (&out);
      /* an option running past the end */
      overrun = pxe_request (DHCP_DISCOVER, 0, TRUE, FALSE);
      {
        guint8 h[3] = { 60, 200, 'P' };
        g_byte_array_append (overrun, h, 3);
      }
      proxy_handle (c, overrun->data, overrun->len, &arr, &out);
      g_assert_null (out.reply);
      proxy_outcome_clear (&out);
      /* random junk */
      for (guint i = 0; i < 64; i++)
        {
          for (guint k = 0; k < sizeof junk; k++)
            junk[k] = (guint8) g_test_rand_int ();
          proxy_handle (c, junk, sizeof junk, &arr, &out);
          proxy_outcome_clear (&out);
        }
      /* a broken option 43 in a 4011 request: answered without an item */
      request_add (bad43, 43, broken43, sizeof broken43);
      request_end (bad43);
      proxy_handle (c, bad43->data, bad43->len, &arr, &out);
      if (port == 1)
        {
          g_assert_nonnull (out.reply);
          g_assert_cmpuint (out.boot_item, ==, 0);
        }
      proxy_outcome_clear (&out);
    }
}

static void
test_no_server_address (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = pxe_request (DHCP_DISCOVER, 0, TRUE, FALSE);
  ProxyArrival arr = { 0 };
  ProxyOutcome out;

  request_end (req);
  proxy_handle (c, req->data, req->len, &arr, &out);
  g_assert_null (out.reply);
  proxy_outcome_clear (&out);
}

static void
test_next_server_and_relay (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  g_autoptr(GByteArray) req = pxe_request (DHCP_DISCOVER, 7, TRUE, FALSE);
  ProxyOutcome out;
  g_autoptr(DhcpMessage) msg = NULL;
  guint32 relay = ip ("203.0.113.1");

  c->next_server = ip ("192.0.2.10");
  memcpy (req->data + 24, &relay, 4);
  msg = handle (c, req, FALSE, relay, 67, &out);
  g_assert_nonnull (msg);
  g_assert_cmpuint (msg->siaddr, ==, ip ("192.0.2.10"));
  assert_server_id (msg);
  g_assert_cmpuint (out.dest_addr, ==, relay);
  g_assert_cmpuint (out.dest_port, ==, 67);
  proxy_outcome_clear (&out);
}

static void
test_file_in_offer_modes (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  ProxyOutcome out;
  gint bios = 0;

  for (guint mode = 0; mode < 3; mode++)
    {
      g_autoptr(GByteArray) b = pxe_request (DHCP_DISCOVER, 0, TRUE, FALSE);
      g_autoptr(GByteArray) e = pxe_request (DHCP_DISCOVER, 7, TRUE, FALSE);
      g_autoptr(DhcpMessage) mb = NULL;
      g_autoptr(DhcpMessage) me = NULL;

      c->file_in_offer = mode == 0 ? PROXY_FILE_IN_OFFER_ALWAYS
                         : mode == 1 ? PROXY_FILE_IN_OFFER_NEVER : PROXY_FILE_IN_OFFER_ARCHS;
      if (mode == 2)
        g_array_append_val (c->file_in_offer_archs, bios);
      mb = handle (c, b, FALSE, 0, 68, &out);
      proxy_outcome_clear (&out);
      me = handle (c, e, FALSE, 0, 68, &out);
      proxy_outcome_clear (&out);
      g_assert_cmpstr ((const char *) mb->file, ==, mode != 1 ? "pxelinux.0" : "");
      g_assert_cmpstr ((const char *) me->file, ==, mode == 0 ? "efi64/syslinux.efi" : "");
      if (mode != 1)
        {
          static const guint8 vendor[] = { 6, 1, 3 | 8, 255 };
          assert_vendor (mb, vendor, sizeof vendor);
          g_assert_cmpuint (mb->siaddr, ==, ip (SERVER));
        }
      else
        g_assert_cmpuint (mb->siaddr, ==, 0);
    }
}

static void
test_menu (void)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  ProxyMenuItem *item;
  g_autoptr(GByteArray) disc = pxe_request (DHCP_DISCOVER, 7, TRUE, FALSE);
  g_autoptr(GByteArray) ipxe = pxe_request (DHCP_DISCOVER, 0, TRUE, TRUE);
  g_autoptr(GByteArray) req = pxe_request (DHCP_REQUEST, 7, TRUE, FALSE);
  static const guint8 pick[] = { 71, 4, 0x80, 0x02, 0x00, 0x00, 255 };
  static const guint8 expect[] = {
    6, 1, 7,
    8, 7, 0x80, 0x02, 1, 198, 51, 100, 1,
    9, 20, 0x00, 0x00, 5, 'L', 'o', 'c', 'a', 'l', 0x80, 0x02, 9, 'I', 'n', 's', 't', 'a', 'l',
           'l', ' ', 'X',
    10, 6, 5, 'B', 'o', 'o', 't', '?',
    255,
  };
  ProxyOutcome out;
  g_autoptr(DhcpMessage) offer = NULL;
  g_autoptr(DhcpMessage) ack = NULL;
  g_autoptr(DhcpMessage) ioffer = NULL;

  c->menu_prompt = g_strdup ("Boot?");
  c->menu_timeout = 5;
  g_ptr_array_add (c->menu_items, proxy_menu_item_new (0, "Local"));
  item = proxy_menu_item_new (0x8002, "Install X");
  item->boot = dhcp_boot_table_new ();
  dhcp_boot_table_set (item->boot, 7, "x/grubx64.efi");
  g_ptr_array_add (c->menu_items, item);

  offer = handle (c, disc, FALSE, 0, 68, &out);
  g_assert_nonnull (offer);
  assert_vendor (offer, expect, sizeof expect);
  g_assert_cmpuint (offer->file[0], ==, 0); /* the menu must be shown */
  g_assert_cmpuint (offer->siaddr, ==, 0);
  proxy_outcome_clear (&out);

  request_add (req, 43, pick, sizeof pick);
  ack = handle (c, req, TRUE, ip (CLIENT), 4011, &out);
  g_assert_cmpstr ((const char *) ack->file, ==, "x/grubx64.efi");
  assert_vendor (ack, pick, sizeof pick);
  proxy_outcome_clear (&out);

  /* iPXE never sees the menu */
  dhcp_boot_table_set_ipxe_script (c->boot_defaults, "boot.ipxe");
  ioffer = handle (c, ipxe, FALSE, 0, 68, &out);
  {
    static const guint8 vendor[] = { 6, 1, 3 | 8, 255 };
    assert_vendor (ioffer, vendor, sizeof vendor);
  }
  proxy_outcome_clear (&out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxydhcp/reply/bios-discover", test_bios_discover);
  g_test_add_func ("/proxydhcp/reply/no-uuid", test_no_uuid);
  g_test_add_func ("/proxydhcp/reply/each-arch", test_each_arch);
  g_test_add_func ("/proxydhcp/reply/4011-from-68", test_4011_from_68);
  g_test_add_func ("/proxydhcp/reply/4011-inform-broadcast", test_4011_inform_and_broadcast);
  g_test_add_func ("/proxydhcp/reply/ipxe", test_ipxe);
  g_test_add_func ("/proxydhcp/reply/http-client", test_http_client);
  g_test_add_func ("/proxydhcp/reply/not-pxe", test_not_pxe);
  g_test_add_func ("/proxydhcp/reply/malformed", test_malformed);
  g_test_add_func ("/proxydhcp/reply/no-server-address", test_no_server_address);
  g_test_add_func ("/proxydhcp/reply/next-server-relay", test_next_server_and_relay);
  g_test_add_func ("/proxydhcp/reply/file-in-offer-modes", test_file_in_offer_modes);
  g_test_add_func ("/proxydhcp/reply/menu", test_menu);
  return g_test_run ();
}
