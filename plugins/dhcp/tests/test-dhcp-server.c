/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <string.h>

#include "dhcp-server.h"

#define NOW 1764000000

static guint32
ip (const char *s)
{
  guint32 a = 0;

  g_assert_cmpint (inet_pton (AF_INET, s, &a), ==, 1);
  return a;
}

static char *
ip_str (guint32 a)
{
  char buf[INET_ADDRSTRLEN];

  inet_ntop (AF_INET, &a, buf, sizeof buf);
  return g_strdup (buf);
}

typedef struct {
  DhcpServer *server;
  DhcpLeaseStore *store;
  GHashTable *reservations; /* mac -> "ip hostname" */
  DhcpArrival arrival;
  char *tmpdir;
} Fixture;

static gboolean
res_lookup_mac (gpointer data, const char *mac, guint32 *addr, char **hostname)
{
  Fixture *f = data;
  const char *v = g_hash_table_lookup (f->reservations, mac);
  g_auto(GStrv) parts = NULL;

  if (v == NULL)
    return FALSE;
  parts = g_strsplit (v, " ", 2);
  *addr = ip (parts[0]);
  *hostname = g_strdup (parts[1]);
  return TRUE;
}

static char *
res_lookup_ip (gpointer data, guint32 addr)
{
  Fixture *f = data;
  GHashTableIter iter;
  gpointer k, v;
  g_autofree char *s = ip_str (addr);

  g_hash_table_iter_init (&iter, f->reservations);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (g_str_has_prefix (v, s) && ((const char *) v)[strlen (s)] == ' ')
      return g_strdup (k);
  return NULL;
}

static DhcpSubnet *
make_subnet (const char *net, guint prefix, const char *start, const char *end)
{
  DhcpSubnet *s = dhcp_subnet_new ();
  DhcpRange r = { g_ntohl (ip (start)), g_ntohl (ip (end)) };
  guint32 net_host = g_ntohl (ip (net));
  guint32 router = g_htonl (net_host + 1);
  guint32 dns = ip ("198.51.100.53");

  s->name = g_strdup_printf ("%s/%u", net, prefix);
  s->network = ip (net);
  s->prefix = prefix;
  s->netmask = g_htonl (prefix == 0 ? 0 : 0xffffffffu << (32 - prefix));
  g_array_append_val (s->ranges, r);
  g_array_append_val (s->routers, router);
  g_array_append_val (s->dns, dns);
  s->domain = g_strdup ("example.test");
  s->lease_time = 3000;
  s->max_lease_time = 6000;
  return s;
}

static DhcpServerConfig *
make_config (Fixture *f, gboolean authoritative, guint pool_size)
{
  DhcpServerConfig *c = dhcp_server_config_new ();
  DhcpSubnet *s1;
  char end[32];

  g_snprintf (end, sizeof end, "192.0.2.%u", 99 + pool_size);
  s1 = make_subnet ("192.0.2.0", 24, "192.0.2.100", end);
  s1->authoritative = authoritative;
  s1->options[224] = g_bytes_new ("private", 7);
  g_ptr_array_add (c->subnets, s1);
  g_ptr_array_add (c->subnets, make_subnet ("198.51.100.0", 24, "198.51.100.10", "198.51.100.20"));
  c->boot = dhcp_boot_table_new ();
  dhcp_boot_table_set_ipxe_script (c->boot, "http://{next-server}/boot.ipxe");
  c->reservations.lookup_mac = res_lookup_mac;
  c->reservations.lookup_ip = res_lookup_ip;
  c->reservations.data = f;
  return c;
}

static void
fixture_setup_full (Fixture *f, gboolean authoritative, guint pool_size, DhcpLeaseStore *store)
{
  f->reservations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->store = store != NULL ? store : dhcp_lease_store_new_memory ();
  f->server = dhcp_server_new (make_config (f, authoritative, pool_size), f->store);
  f->arrival.server_addr = ip ("192.0.2.1");
  f->arrival.ifname = "veth0";
  f->arrival.mtu = 1500;
  f->arrival.now = NOW;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_full (f, TRUE, 50, NULL);
}

static void
fixture_setup_small (Fixture *f, gconstpointer data)
{
  fixture_setup_full (f, TRUE, 2, NULL);
}

static void
fixture_setup_lax (Fixture *f, gconstpointer data)
{
  fixture_setup_full (f, FALSE, 50, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  dhcp_server_free (f->server);
  dhcp_lease_store_free (f->store);
  g_hash_table_unref (f->reservations);
}

/* ---- requests ---- */

typedef struct {
  guint8 type;
  guint8 mac_last;
  const char *client_id; /* NULL: none */
  guint32 ciaddr, giaddr;
  guint32 requested, server_id;
  const char *vendor_class;
  gboolean ipxe;
  gint arch;
  const guint8 *prl;
  gsize n_prl;
  gboolean relay_info;
  guint8 op;
} Req;

static DhcpMessage *
build (const Req *r)
{
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (r->op != 0 ? r->op : DHCP_BOOTREQUEST, r->type);
  guint8 mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, r->mac_last };
  g_autoptr(GBytes) bytes = NULL;
  DhcpMessage *m;

  dhcp_builder_set_xid (b, 0x1000 + r->mac_last);
  dhcp_builder_set_chaddr (b, 1, mac, 6);
  dhcp_builder_set_flags (b, DHCP_FLAG_BROADCAST);
  dhcp_builder_set_ciaddr (b, r->ciaddr);
  dhcp_builder_set_giaddr (b, r->giaddr);
  dhcp_builder_set_max_size (b, 1500);
  if (r->client_id != NULL)
    dhcp_builder_set_option_str (b, DHCP_OPT_CLIENT_ID, r->client_id);
  if (r->requested != 0)
    dhcp_builder_set_option_ip (b, DHCP_OPT_REQUESTED_IP, r->requested);
  if (r->server_id != 0)
    dhcp_builder_set_option_ip (b, DHCP_OPT_SERVER_ID, r->server_id);
  if (r->vendor_class != NULL)
    dhcp_builder_set_option_str (b, DHCP_OPT_VENDOR_CLASS, r->vendor_class);
  if (r->ipxe)
    dhcp_builder_set_option_str (b, DHCP_OPT_USER_CLASS, "iPXE");
  if (r->arch > 0)
    dhcp_builder_set_option_u16 (b, DHCP_OPT_CLIENT_ARCH, (guint16) (r->arch - 1));
  if (r->prl != NULL)
    dhcp_builder_set_option (b, DHCP_OPT_PRL, r->prl, r->n_prl);
  if (r->relay_info)
    dhcp_builder_set_option (b, DHCP_OPT_RELAY_AGENT, "\x01\x04" "port", 6);
  bytes = dhcp_builder_encode (b, NULL);
  m = dhcp_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  g_assert_nonnull (m);
  return m;
}

/* Runs @r; returns the parsed reply or NULL. */
static DhcpMessage *
run (Fixture *f, const Req *r, DhcpOutcome *out_copy)
{
  g_autoptr(DhcpMessage) m = build (r);
  DhcpPxeInfo pxe;
  DhcpOutcome out;
  DhcpMessage *reply = NULL;

  dhcp_pxe_info_init (&pxe, m);
  dhcp_server_handle (f->server, m, &pxe, &f->arrival, &out);
  dhcp_pxe_info_clear (&pxe);
  if (out.reply != NULL)
    {
      g_autoptr(GError) error = NULL;
      reply = dhcp_message_parse (g_bytes_get_data (out.reply, NULL), g_bytes_get_size (out.reply), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (reply->op, ==, DHCP_BOOTREPLY);
      g_assert_cmpuint (reply->xid, ==, 0x1000u + r->mac_last);
      g_assert_cmpuint (dhcp_message_get_type (reply), ==, out.reply_type);
    }
  if (out_copy != NULL)
    *out_copy = out;
  else
    dhcp_outcome_clear (&out);
  return reply;
}

static guint32
dora (Fixture *f, guint8 mac_last, const char *client_id)
{
  Req d = { .type = DHCP_DISCOVER, .mac_last = mac_last, .client_id = client_id };
  g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
  Req q = { .type = DHCP_REQUEST, .mac_last = mac_last, .client_id = client_id };
  g_autoptr(DhcpMessage) ack = NULL;

  g_assert_nonnull (offer);
  q.requested = offer->yiaddr;
  q.server_id = f->arrival.server_addr;
  ack = run (f, &q, NULL);
  g_assert_nonnull (ack);
  g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
  g_assert_cmpuint (ack->yiaddr, ==, offer->yiaddr);
  return ack->yiaddr;
}

static void
test_dora (Fixture *f, gconstpointer data)
{
  Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) offer = run (f, &d, &out);
  g_autoptr(DhcpMessage) ack = NULL;
  guint32 v;
  DhcpLeaseState state;
  gint64 expires;
  g_autofree char *mac = NULL;

  g_assert_nonnull (offer);
  g_assert_cmpuint (out.reply_type, ==, DHCP_OFFER);
  g_assert_false (out.needs_commit);
  g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_NONE); /* an offer is no lease */
  g_assert_cmpuint (out.dest_addr, ==, 0xffffffff);
  g_assert_cmpuint (out.dest_port, ==, 68);
  dhcp_outcome_clear (&out);
  g_assert_cmpuint (offer->yiaddr, ==, ip ("192.0.2.100"));
  g_assert_cmpuint (offer->siaddr, ==, ip ("192.0.2.1"));
  g_assert_true (dhcp_message_get_ip (offer, DHCP_OPT_SERVER_ID, &v));
  g_assert_cmpuint (v, ==, ip ("192.0.2.1"));
  g_assert_true (dhcp_message_get_u32 (offer, DHCP_OPT_LEASE_TIME, &v));
  g_assert_cmpuint (v, ==, 3000);
  g_assert_true (dhcp_message_get_u32 (offer, DHCP_OPT_T1, &v));
  g_assert_cmpuint (v, ==, 1500);
  g_assert_true (dhcp_message_get_u32 (offer, DHCP_OPT_T2, &v));
  g_assert_cmpuint (v, ==, 2625);
  g_assert_true (dhcp_message_get_ip (offer, DHCP_OPT_SUBNET_MASK, &v));
  g_assert_cmpuint (v, ==, ip ("255.255.255.0"));
  g_assert_true (dhcp_message_get_ip (offer, DHCP_OPT_ROUTER, &v));
  g_assert_cmpuint (v, ==, ip ("192.0.2.1"));
  g_assert_true (dhcp_message_get_ip (offer, DHCP_OPT_BROADCAST, &v));
  g_assert_cmpuint (v, ==, ip ("192.0.2.255"));
  g_assert_true (dhcp_message_has_option (offer, DHCP_OPT_DNS));
  g_assert_true (dhcp_message_has_option (offer, DHCP_OPT_DOMAIN));
  /* no PRL: configured options go out too */
  g_assert_true (dhcp_message_has_option (offer, 224));
  g_assert_true (dhcp_server_get_lease (f->server, offer->yiaddr, &state, NULL, NULL));
  g_assert_cmpint (state, ==, DHCP_LEASE_OFFERED);
  g_assert_cmpuint (dhcp_lease_store_get_n_appended (f->store), ==, 0); /* offers are not stored */

  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = offer->yiaddr,
              .server_id = ip ("192.0.2.1") };
    ack = run (f, &q, &out);
  }
  g_assert_nonnull (ack);
  g_assert_cmpuint (out.reply_type, ==, DHCP_ACK);
  g_assert_true (out.needs_commit);
  g_assert_cmpuint (out.client_addr, ==, ip ("192.0.2.100"));
  g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_ACK);
  g_assert_cmpuint (out.lease_time, ==, 3000);
  dhcp_outcome_clear (&out);
  g_assert_cmpuint (dhcp_lease_store_get_n_appended (f->store), ==, 1);
  g_assert_true (dhcp_server_get_lease (f->server, ack->yiaddr, &state, &expires, &mac));
  g_assert_cmpint (state, ==, DHCP_LEASE_BOUND);
  g_assert_cmpint (expires, ==, NOW + 3000);
  g_assert_cmpstr (mac, ==, "52:54:00:00:00:01");

  /* a second client gets the next address */
  g_assert_cmpuint (dora (f, 2, NULL), ==, ip ("192.0.2.101"));
  /* the first asks again: same address */
  g_assert_cmpuint (dora (f, 1, NULL), ==, ip ("192.0.2.100"));
}

static void
test_same_mac_other_id (Fixture *f, gconstpointer data)
{
  /* iPXE sends 61; syslinux.efi makes the firmware ask again without it */
  guint32 a = dora (f, 7, "\x01RT\x00\x00\x00\x07");
  guint32 b = dora (f, 7, NULL);
  guint32 c = dora (f, 7, "other-id");

  g_assert_cmpuint (a, ==, b);
  g_assert_cmpuint (a, ==, c);
  g_assert_cmpuint (dhcp_server_get_n_leases (f->server), ==, 1);
}

static void
test_client_id_over_chaddr (Fixture *f, gconstpointer data)
{
  /* one identifier moving between NICs keeps its lease */
  guint32 a = dora (f, 1, "machine-A");
  guint32 b;
  Req d = { .type = DHCP_DISCOVER, .mac_last = 9, .client_id = "machine-A" };
  g_autoptr(DhcpMessage) offer = run (f, &d, NULL);

  g_assert_cmpuint (offer->yiaddr, ==, a);
  b = dora (f, 2, "machine-B");
  g_assert_cmpuint (a, !=, b);
}

static void
test_other_server (Fixture *f, gconstpointer data)
{
  Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
  g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
  Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = offer->yiaddr,
            .server_id = ip ("192.0.2.254") };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) none = run (f, &q, &out);
  DhcpLeaseState state;

  g_assert_null (none);
  g_assert_cmpstr (out.drop_reason, ==, "REQUEST for another server");
  dhcp_outcome_clear (&out);
  g_assert_true (dhcp_server_get_lease (f->server, offer->yiaddr, &state, NULL, NULL));
  g_assert_cmpint (state, ==, DHCP_LEASE_FREE);
  /* the address is free again, yet the client would get it back first */
  g_assert_cmpuint (dora (f, 1, NULL), ==, offer->yiaddr);
}

static void
test_selecting_wrong_address (Fixture *f, gconstpointer data)
{
  Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
  g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
  Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("192.0.2.140"),
            .server_id = ip ("192.0.2.1") };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) nak = run (f, &q, &out);

  g_assert_nonnull (nak);
  g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
  g_assert_cmpuint (nak->yiaddr, ==, 0);
  g_assert_false (out.needs_commit);
  g_assert_cmpuint (out.dest_addr, ==, 0xffffffff);
  g_assert_true (dhcp_message_has_option (nak, DHCP_OPT_SERVER_ID));
  g_assert_false (dhcp_message_has_option (nak, DHCP_OPT_LEASE_TIME));
  g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_NAK);
  g_assert_cmpstr (out.reason, ==, "offered address no longer available");
  dhcp_outcome_clear (&out);
}

static void
test_selecting_after_restart (Fixture *f, gconstpointer data)
{
  /* no record of the offer (offers are not journaled): a free address is
   * ACKed, one held by another client is NAKed */
  guint32 b = dora (f, 2, NULL);
  Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("192.0.2.140"),
            .server_id = ip ("192.0.2.1") };
  g_autoptr(DhcpMessage) ack = run (f, &q, NULL);
  Req q2 = { .type = DHCP_REQUEST, .mac_last = 3, .requested = b, .server_id = ip ("192.0.2.1") };
  g_autoptr(DhcpMessage) nak = run (f, &q2, NULL);

  g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
  g_assert_cmpuint (ack->yiaddr, ==, ip ("192.0.2.140"));
  g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
}

static void
test_init_reboot (Fixture *f, gconstpointer data)
{
  guint32 a = dora (f, 1, NULL);
  guint32 b = dora (f, 2, NULL);
  g_autoptr(DhcpMessage) r1 = NULL;
  g_autoptr(DhcpMessage) r2 = NULL;
  g_autoptr(DhcpMessage) r3 = NULL;
  g_autoptr(DhcpMessage) r4 = NULL;
  g_autoptr(DhcpMessage) r5 = NULL;

  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = a };
    r1 = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (r1), ==, DHCP_ACK);
    g_assert_cmpuint (r1->yiaddr, ==, a);
  }
  {
    /* wrong network (moved laptop): NAK */
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("203.0.113.5") };
    DhcpOutcome out;
    r2 = run (f, &q, &out);
    g_assert_cmpuint (dhcp_message_get_type (r2), ==, DHCP_NAK);
    g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_NAK);
    g_assert_cmpstr (out.reason, ==, "requested address is on another network");
    dhcp_outcome_clear (&out);
  }
  {
    /* another client's address: NAK */
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = b };
    r3 = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (r3), ==, DHCP_NAK);
  }
  {
    /* outside every range but on the subnet: not ours to give */
    Req q = { .type = DHCP_REQUEST, .mac_last = 3, .requested = ip ("192.0.2.20") };
    r4 = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (r4), ==, DHCP_NAK);
  }
  {
    /* a free pool address we have no record of (lease file lost): ACK */
    Req q = { .type = DHCP_REQUEST, .mac_last = 4, .requested = ip ("192.0.2.120") };
    r5 = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (r5), ==, DHCP_ACK);
    g_assert_cmpuint (r5->yiaddr, ==, ip ("192.0.2.120"));
  }
}

static void
test_not_authoritative (Fixture *f, gconstpointer data)
{
  Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("203.0.113.5") };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) r = run (f, &q, &out);

  g_assert_null (r);
  g_assert_nonnull (out.drop_reason);
  dhcp_outcome_clear (&out);
  /* but a REQUEST naming us with another address than offered is still NAKed */
  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    Req q2 = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("192.0.2.140"),
               .server_id = ip ("192.0.2.1") };
    g_autoptr(DhcpMessage) nak = run (f, &q2, NULL);
    g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
  }
}

static void
test_renew_rebind (Fixture *f, gconstpointer data)
{
  guint32 a = dora (f, 1, NULL);
  DhcpOutcome out;
  gint64 expires;

  f->arrival.now = NOW + 1500;
  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .ciaddr = a };
    g_autoptr(DhcpMessage) ack = run (f, &q, &out);
    g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
    g_assert_cmpuint (ack->ciaddr, ==, a);
    g_assert_cmpuint (ack->yiaddr, ==, a);
    g_assert_true (out.needs_commit);
    g_assert_cmpuint (out.dest_addr, ==, a); /* unicast to ciaddr */
    g_assert_cmpuint (out.dest_port, ==, 68);
    dhcp_outcome_clear (&out);
  }
  g_assert_true (dhcp_server_get_lease (f->server, a, NULL, &expires, NULL));
  g_assert_cmpint (expires, ==, NOW + 1500 + 3000);
  /* rebinding after expiry: the address is still free, so ACK */
  f->arrival.now = NOW + 10000;
  dhcp_server_expire (f->server, f->arrival.now);
  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .ciaddr = a };
    g_autoptr(DhcpMessage) ack = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
  }
  /* renewing an address someone else holds: NAK */
  {
    guint32 b = dora (f, 2, NULL);
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .ciaddr = b };
    g_autoptr(DhcpMessage) nak = run (f, &q, &out);
    g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
    g_assert_cmpuint (out.dest_addr, ==, 0xffffffff);
    dhcp_outcome_clear (&out);
  }
  /* lease time: the client's wish, capped at max */
  {
    g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREQUEST, DHCP_REQUEST);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(DhcpMessage) m = NULL;
    g_autoptr(DhcpMessage) ack = NULL;
    DhcpPxeInfo pxe;
    guint32 lt;

    dhcp_builder_set_xid (b, 0x1001);
    dhcp_builder_set_chaddr (b, 1, (const guint8 *) "\x52\x54\x00\x00\x00\x01", 6);
    dhcp_builder_set_ciaddr (b, a);
    dhcp_builder_set_option_u32 (b, DHCP_OPT_LEASE_TIME, 100000);
    bytes = dhcp_builder_encode (b, NULL);
    m = dhcp_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
    dhcp_pxe_info_init (&pxe, m);
    dhcp_server_handle (f->server, m, &pxe, &f->arrival, &out);
    dhcp_pxe_info_clear (&pxe);
    ack = dhcp_message_parse (g_bytes_get_data (out.reply, NULL), g_bytes_get_size (out.reply), NULL);
    g_assert_true (dhcp_message_get_u32 (ack, DHCP_OPT_LEASE_TIME, &lt));
    g_assert_cmpuint (lt, ==, 6000);
    dhcp_outcome_clear (&out);
  }
}

static void
test_decline (Fixture *f, gconstpointer data)
{
  guint32 a = dora (f, 1, NULL);
  DhcpLeaseState state;
  guint32 b;

  {
    Req q = { .type = DHCP_DECLINE, .mac_last = 1, .requested = a, .server_id = ip ("192.0.2.1") };
    DhcpOutcome out;
    g_autoptr(DhcpMessage) none = run (f, &q, &out);
    g_assert_null (none);
    g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_DECLINE);
    g_assert_cmpuint (out.client_addr, ==, a);
    g_assert_cmpuint (out.lease_time, ==, 600);
    dhcp_outcome_clear (&out);
  }
  g_assert_true (dhcp_server_get_lease (f->server, a, &state, NULL, NULL));
  g_assert_cmpint (state, ==, DHCP_LEASE_DECLINED);
  /* never re-offered: not to the same client, not to another */
  b = dora (f, 1, NULL);
  g_assert_cmpuint (b, !=, a);
  for (guint i = 10; i < 20; i++)
    g_assert_cmpuint (dora (f, (guint8) i, NULL), !=, a);
  /* a DECLINE for an address the client does not hold changes nothing */
  {
    Req q = { .type = DHCP_DECLINE, .mac_last = 2, .requested = b };
    g_autoptr(DhcpMessage) none = run (f, &q, NULL);
    g_assert_true (dhcp_server_get_lease (f->server, b, &state, NULL, NULL));
    g_assert_cmpint (state, ==, DHCP_LEASE_BOUND);
  }
  /* after the quarantine the address comes back */
  dhcp_server_expire (f->server, NOW + 601);
  g_assert_false (dhcp_server_get_lease (f->server, a, NULL, NULL, NULL));
}

static void
test_release (Fixture *f, gconstpointer data)
{
  guint32 a = dora (f, 1, NULL);
  DhcpLeaseState state;
  guint64 n = dhcp_lease_store_get_n_appended (f->store);

  {
    /* from another client: ignored */
    Req q = { .type = DHCP_RELEASE, .mac_last = 2, .ciaddr = a };
    g_autoptr(DhcpMessage) none = run (f, &q, NULL);
    g_assert_true (dhcp_server_get_lease (f->server, a, &state, NULL, NULL));
    g_assert_cmpint (state, ==, DHCP_LEASE_BOUND);
  }
  {
    Req q = { .type = DHCP_RELEASE, .mac_last = 1, .ciaddr = a, .server_id = ip ("192.0.2.1") };
    DhcpOutcome out;
    g_autoptr(DhcpMessage) none = run (f, &q, &out);
    g_assert_null (none);
    g_assert_cmpint (out.event, ==, DHCP_LEASE_EVENT_RELEASE);
    g_assert_cmpuint (out.client_addr, ==, a);
    dhcp_outcome_clear (&out);
  }
  g_assert_true (dhcp_server_get_lease (f->server, a, &state, NULL, NULL));
  g_assert_cmpint (state, ==, DHCP_LEASE_FREE);
  g_assert_cmpuint (dhcp_lease_store_get_n_appended (f->store), ==, n + 1);
  /* the client comes back to its old address */
  g_assert_cmpuint (dora (f, 1, NULL), ==, a);
}

static void
test_inform (Fixture *f, gconstpointer data)
{
  const guint8 prl[] = { 6, 15, 1 };
  Req q = { .type = DHCP_INFORM, .mac_last = 1, .ciaddr = ip ("192.0.2.50"), .prl = prl, .n_prl = 3 };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) ack = run (f, &q, &out);

  g_assert_cmpuint (dhcp_message_get_type (ack), ==, DHCP_ACK);
  g_assert_cmpuint (ack->yiaddr, ==, 0);
  g_assert_false (dhcp_message_has_option (ack, DHCP_OPT_LEASE_TIME));
  g_assert_true (dhcp_message_has_option (ack, DHCP_OPT_DNS));
  g_assert_false (dhcp_message_has_option (ack, 224)); /* not requested */
  g_assert_false (out.needs_commit);
  g_assert_cmpuint (out.dest_addr, ==, ip ("192.0.2.50"));
  g_assert_cmpuint (dhcp_server_get_n_leases (f->server), ==, 0);
  dhcp_outcome_clear (&out);
}

static void
test_relay (Fixture *f, gconstpointer data)
{
  Req d = { .type = DHCP_DISCOVER, .mac_last = 1, .giaddr = ip ("198.51.100.1"), .relay_info = TRUE };
  DhcpOutcome out;
  g_autoptr(DhcpMessage) offer = run (f, &d, &out);
  const guint8 *v;
  gsize len;
  guint32 mask;

  g_assert_nonnull (offer);
  g_assert_cmpuint (offer->yiaddr, ==, ip ("198.51.100.10"));
  g_assert_cmpuint (offer->giaddr, ==, ip ("198.51.100.1"));
  g_assert_cmpuint (out.dest_addr, ==, ip ("198.51.100.1"));
  g_assert_cmpuint (out.dest_port, ==, 67);
  v = dhcp_message_get_option (offer, DHCP_OPT_RELAY_AGENT, &len);
  g_assert_cmpmem (v, len, "\x01\x04" "port", 6);
  g_assert_true (dhcp_message_get_ip (offer, DHCP_OPT_SUBNET_MASK, &mask));
  /* 82 is the last option on the wire */
  {
    gsize n;
    const guint8 *d2 = g_bytes_get_data (out.reply, &n);
    gsize pos = 240, last = 0;
    while (pos < n && d2[pos] != 255)
      {
        if (d2[pos] == 0) { pos++; continue; }
        last = d2[pos];
        pos += 2 + d2[pos + 1];
      }
    g_assert_cmpuint (last, ==, 82);
  }
  dhcp_outcome_clear (&out);
  /* a relay for a subnet we do not serve: dropped */
  {
    Req d2 = { .type = DHCP_DISCOVER, .mac_last = 2, .giaddr = ip ("203.0.113.1") };
    g_autoptr(DhcpMessage) none = run (f, &d2, NULL);
    g_assert_null (none);
  }
}

static void
test_reservation (Fixture *f, gconstpointer data)
{
  g_autoptr(DhcpMessage) offer = NULL;
  const guint8 prl[] = { 12, 1 };

  g_hash_table_insert (f->reservations, g_strdup ("52:54:00:00:00:05"), g_strdup ("192.0.2.10 node5"));
  g_hash_table_insert (f->reservations, g_strdup ("52:54:00:00:00:06"), g_strdup ("192.0.2.100 node6"));
  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 5, .prl = prl, .n_prl = 2 };
    g_autofree char *hn = NULL;
    offer = run (f, &d, NULL);
    g_assert_cmpuint (offer->yiaddr, ==, ip ("192.0.2.10")); /* outside the range: fine */
    hn = dhcp_message_get_string (offer, DHCP_OPT_HOSTNAME);
    g_assert_cmpstr (hn, ==, "node5");
  }
  g_assert_cmpuint (dora (f, 5, NULL), ==, ip ("192.0.2.10"));
  /* .100 is reserved for node6: a dynamic client skips it */
  g_assert_cmpuint (dora (f, 1, NULL), ==, ip ("192.0.2.101"));
  g_assert_cmpuint (dora (f, 6, NULL), ==, ip ("192.0.2.100"));
  /* the reserved client asking for another address is told no */
  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 5, .requested = ip ("192.0.2.130") };
    g_autoptr(DhcpMessage) nak = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
  }
  /* a dynamic client asking for a reserved address is told no */
  {
    Req q = { .type = DHCP_REQUEST, .mac_last = 1, .requested = ip ("192.0.2.10") };
    g_autoptr(DhcpMessage) nak = run (f, &q, NULL);
    g_assert_cmpuint (dhcp_message_get_type (nak), ==, DHCP_NAK);
  }
}

static void
test_pool_full (Fixture *f, gconstpointer data)
{
  DhcpOutcome out;

  dora (f, 1, NULL);
  dora (f, 2, NULL);
  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 3 };
    g_autoptr(DhcpMessage) none = run (f, &d, &out);
    g_assert_null (none);
    g_assert_cmpstr (out.drop_reason, ==, "no free address in the pool");
    dhcp_outcome_clear (&out);
  }
  /* an unanswered offer expires after offer-timeout */
  f->arrival.now = NOW + 1;
  {
    Req d = { .type = DHCP_RELEASE, .mac_last = 2, .ciaddr = ip ("192.0.2.101") };
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
  }
  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 3 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_assert_cmpuint (offer->yiaddr, ==, ip ("192.0.2.101"));
  }
  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 4 };
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
    g_assert_null (none);
  }
  f->arrival.now = NOW + 40;
  {
    /* client 3 never requested: its offer lapsed, the address is free */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 4 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_assert_nonnull (offer);
    g_assert_cmpuint (offer->yiaddr, ==, ip ("192.0.2.101"));
  }
  /* leases expire: after 3000 s everything is free */
  f->arrival.now = NOW + 4000;
  dhcp_server_expire (f->server, f->arrival.now);
  g_assert_cmpuint (dora (f, 9, NULL), !=, 0);
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  DhcpOutcome out;

  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 1, .op = DHCP_BOOTREPLY };
    g_autoptr(DhcpMessage) none = run (f, &d, &out);
    g_assert_null (none);
    g_assert_cmpstr (out.drop_reason, ==, "not a BOOTREQUEST");
    dhcp_outcome_clear (&out);
  }
  {
    Req d = { .type = DHCP_OFFER, .mac_last = 1 };
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
    g_assert_null (none);
  }
  {
    Req d = { .type = 0, .mac_last = 1 };
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
    g_assert_null (none);
  }
  {
    /* REQUEST with nothing to go by */
    Req d = { .type = DHCP_REQUEST, .mac_last = 1 };
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
    g_assert_null (none);
  }
  {
    /* arrival on an interface with no address */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
    f->arrival.server_addr = 0;
    g_autoptr(DhcpMessage) none = run (f, &d, NULL);
    g_assert_null (none);
    f->arrival.server_addr = ip ("192.0.2.1");
  }
  /* the next good DISCOVER is answered */
  g_assert_cmpuint (dora (f, 1, NULL), !=, 0);
}

static void
test_pxe_boot_file (Fixture *f, gconstpointer data)
{
  const guint8 prl[] = { 1, 3, 66, 67 };
  g_autofree char *file = NULL;
  g_autofree char *opt67 = NULL;
  g_autofree char *opt66 = NULL;

  {
    Req d = { .type = DHCP_DISCOVER, .mac_last = 1, .vendor_class = "PXEClient:Arch:00007:UNDI:003016",
              .arch = 7 + 1, .prl = prl, .n_prl = 4 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    file = g_strndup ((const char *) offer->file, 128);
    g_assert_cmpstr (file, ==, "efi64/syslinux.efi");
    opt67 = dhcp_message_get_string (offer, DHCP_OPT_BOOTFILE);
    g_assert_cmpstr (opt67, ==, "efi64/syslinux.efi");
    opt66 = dhcp_message_get_string (offer, DHCP_OPT_TFTP_SERVER);
    g_assert_cmpstr (opt66, ==, "192.0.2.1");
    g_assert_cmpuint (offer->siaddr, ==, ip ("192.0.2.1"));
    g_assert_false (dhcp_message_has_option (offer, DHCP_OPT_VENDOR_CLASS));
  }
  {
    /* BIOS without a request list: file field only */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 2, .vendor_class = "PXEClient:Arch:00000:UNDI:002001" };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_autofree char *f2 = g_strndup ((const char *) offer->file, 128);
    g_assert_cmpstr (f2, ==, "pxelinux.0");
  }
  {
    /* not a boot client: no file, but siaddr */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 3 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_assert_cmpuint (offer->file[0], ==, 0);
    g_assert_cmpuint (offer->siaddr, ==, ip ("192.0.2.1"));
  }
  {
    /* iPXE with a script configured: the script, never the binary */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 4, .vendor_class = "PXEClient:Arch:00000:UNDI:002001",
              .ipxe = TRUE };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_autofree char *f2 = g_strndup ((const char *) offer->file, 128);
    g_assert_cmpstr (f2, ==, "http://192.0.2.1/boot.ipxe");
  }
  {
    /* HTTP boot: URL in the file and 60 HTTPClient echoed */
    Req d = { .type = DHCP_DISCOVER, .mac_last = 5, .vendor_class = "HTTPClient:Arch:00016:UNDI:003000",
              .arch = 16 + 1 };
    g_autoptr(DhcpMessage) offer = run (f, &d, NULL);
    g_autofree char *f2 = g_strndup ((const char *) offer->file, 128);
    g_autofree char *vc = dhcp_message_get_string (offer, DHCP_OPT_VENDOR_CLASS);
    g_assert_cmpstr (f2, ==, "http://192.0.2.1/grubx64.efi");
    g_assert_cmpstr (vc, ==, "HTTPClient");
  }
}

static void
test_ping_check (void)
{
  Fixture f = { 0 };
  Req d = { .type = DHCP_DISCOVER, .mac_last = 1 };
  DhcpOutcome out;
  guint32 first;

  fixture_setup_full (&f, TRUE, 50, NULL);
  /* the server's config is private: rebuild it with ping-check on */
  {
    DhcpServerConfig *c = make_config (&f, TRUE, 50);
    c->ping_check = TRUE;
    dhcp_server_set_config (f.server, c, NOW);
  }
  {
    g_autoptr(DhcpMessage) none = run (&f, &d, &out);
    g_assert_null (none);
    g_assert_cmpuint (out.probe_addr, ==, ip ("192.0.2.100"));
    first = out.probe_addr;
    dhcp_outcome_clear (&out);
  }
  {
    /* the client retransmits while the probe runs: nothing, no second probe */
    g_autoptr(DhcpMessage) none = run (&f, &d, &out);
    g_assert_null (none);
    g_assert_cmpuint (out.probe_addr, ==, 0);
    dhcp_outcome_clear (&out);
  }
  {
    /* another client does not get the address being probed */
    Req d2 = { .type = DHCP_DISCOVER, .mac_last = 2 };
    g_autoptr(DhcpMessage) none = run (&f, &d2, &out);
    g_assert_cmpuint (out.probe_addr, ==, ip ("192.0.2.101"));
    dhcp_outcome_clear (&out);
  }
  /* someone answered: quarantined, the request handled again probes another */
  dhcp_server_probe_done (f.server, first, TRUE, NOW);
  {
    DhcpLeaseState state;
    g_autoptr(DhcpMessage) none = run (&f, &d, &out);
    g_assert_true (dhcp_server_get_lease (f.server, first, &state, NULL, NULL));
    g_assert_cmpint (state, ==, DHCP_LEASE_DECLINED);
    g_assert_cmpuint (out.probe_addr, ==, ip ("192.0.2.102"));
    dhcp_outcome_clear (&out);
  }
  /* silence: offered, and not probed again later */
  dhcp_server_probe_done (f.server, ip ("192.0.2.102"), FALSE, NOW);
  {
    g_autoptr(DhcpMessage) offer = run (&f, &d, &out);
    g_assert_nonnull (offer);
    g_assert_cmpuint (offer->yiaddr, ==, ip ("192.0.2.102"));
    g_assert_cmpuint (out.probe_addr, ==, 0);
    dhcp_outcome_clear (&out);
  }
  g_assert_cmpuint (dora (&f, 1, NULL), ==, ip ("192.0.2.102"));
  fixture_teardown (&f, NULL);
}

static void
test_journal_reload (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dhcp-server-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "leases", NULL);
  guint32 addrs[20];
  Fixture f = { 0 };

  fixture_setup_full (&f, TRUE, 50, dhcp_lease_store_new_journal (path, NULL));
  g_assert_true (dhcp_server_load (f.server, NOW, NULL));
  for (guint i = 0; i < 20; i++)
    addrs[i] = dora (&f, (guint8) (i + 1), NULL);
  {
    Req q = { .type = DHCP_RELEASE, .mac_last = 20, .ciaddr = addrs[19] };
    g_autoptr(DhcpMessage) none = run (&f, &q, NULL);
    Req q2 = { .type = DHCP_DECLINE, .mac_last = 19, .requested = addrs[18] };
    g_autoptr(DhcpMessage) none2 = run (&f, &q2, NULL);
  }
  g_assert_true (dhcp_lease_store_flush_sync (f.store, NULL));
  fixture_teardown (&f, NULL);

  /* restart: every bound lease is held, the declined one quarantined */
  fixture_setup_full (&f, TRUE, 50, dhcp_lease_store_new_journal (path, NULL));
  g_assert_true (dhcp_server_load (f.server, NOW + 10, NULL));
  for (guint i = 0; i < 18; i++)
    {
      DhcpLeaseState state;
      g_assert_true (dhcp_server_get_lease (f.server, addrs[i], &state, NULL, NULL));
      g_assert_cmpint (state, ==, DHCP_LEASE_BOUND);
    }
  /* new clients never get a held address */
  for (guint i = 100; i < 125; i++)
    {
      guint32 a = dora (&f, (guint8) i, NULL);
      for (guint k = 0; k < 19; k++)
        g_assert_cmpuint (a, !=, addrs[k]);
    }
  /* old clients get theirs back (INIT-REBOOT and DISCOVER) */
  for (guint i = 0; i < 18; i++)
    g_assert_cmpuint (dora (&f, (guint8) (i + 1), NULL), ==, addrs[i]);
  /* compaction keeps the state */
  {
    g_autoptr(GPtrArray) snap = dhcp_server_snapshot (f.server);
    dhcp_lease_store_compact (f.store, snap);
    g_assert_true (dhcp_lease_store_flush_sync (f.store, NULL));
  }
  fixture_teardown (&f, NULL);
  fixture_setup_full (&f, TRUE, 50, dhcp_lease_store_new_journal (path, NULL));
  g_assert_true (dhcp_server_load (f.server, NOW + 20, NULL));
  for (guint i = 0; i < 18; i++)
    {
      DhcpLeaseState state;
      g_assert_true (dhcp_server_get_lease (f.server, addrs[i], &state, NULL, NULL));
      g_assert_cmpint (state, ==, DHCP_LEASE_BOUND);
    }
  fixture_teardown (&f, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

#define ADD(name, setup, func) \
  g_test_add (name, Fixture, NULL, setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/dhcp/server/dora", fixture_setup, test_dora);
  ADD ("/dhcp/server/same-mac-other-id", fixture_setup, test_same_mac_other_id);
  ADD ("/dhcp/server/client-id-over-chaddr", fixture_setup, test_client_id_over_chaddr);
  ADD ("/dhcp/server/other-server", fixture_setup, test_other_server);
  ADD ("/dhcp/server/selecting-wrong-address", fixture_setup, test_selecting_wrong_address);
  ADD ("/dhcp/server/selecting-after-restart", fixture_setup, test_selecting_after_restart);
  ADD ("/dhcp/server/init-reboot", fixture_setup, test_init_reboot);
  ADD ("/dhcp/server/not-authoritative", fixture_setup_lax, test_not_authoritative);
  ADD ("/dhcp/server/renew-rebind", fixture_setup, test_renew_rebind);
  ADD ("/dhcp/server/decline", fixture_setup, test_decline);
  ADD ("/dhcp/server/release", fixture_setup, test_release);
  ADD ("/dhcp/server/inform", fixture_setup, test_inform);
  ADD ("/dhcp/server/relay", fixture_setup, test_relay);
  ADD ("/dhcp/server/reservation", fixture_setup, test_reservation);
  ADD ("/dhcp/server/pool-full", fixture_setup_small, test_pool_full);
  ADD ("/dhcp/server/bad-input", fixture_setup, test_bad_input);
  ADD ("/dhcp/server/pxe-boot-file", fixture_setup, test_pxe_boot_file);
  g_test_add_func ("/dhcp/server/journal-reload", test_journal_reload);
  g_test_add_func ("/dhcp/server/ping-check", test_ping_check);
  return g_test_run ();
}
