/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-server.h"

#include <arpa/inet.h>
#include <string.h>

typedef struct {
  guint32        addr;          /* network order */
  DhcpLeaseState state;
  gint64         expires;       /* BOUND/DECLINED/FREE: end of lease or quarantine */
  gint64         offer_expires; /* OFFERED, or an offer on top of a BOUND lease */
  guint8         htype, hlen, hw[16];
  GBytes        *client_id;
  GBytes        *key;           /* in by_client; NULL for DECLINED */
  GBytes        *hwkey;         /* in by_hw; NULL for DECLINED */
  char          *hostname;
  DhcpSubnet    *subnet;
  gboolean       probing;       /* ping-check of a fresh address in progress */
} DhcpLease;

struct _DhcpServer {
  DhcpServerConfig *config;
  DhcpLeaseStore   *store;
  GHashTable       *by_addr;   /* GUINT_TO_POINTER (addr) -> DhcpLease (owned) */
  GHashTable       *by_client; /* GBytes -> DhcpLease */
  GHashTable       *by_hw;     /* GBytes -> DhcpLease */
  gint64            last_sweep;
};

/* ---- Config ---------------------------------------------------------------- */

DhcpSubnet *
dhcp_subnet_new (void)
{
  DhcpSubnet *s = g_new0 (DhcpSubnet, 1);

  s->ranges = g_array_new (FALSE, FALSE, sizeof (DhcpRange));
  s->routers = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->dns = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->ntp = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->lease_time = 3600;
  s->max_lease_time = 86400;
  s->authoritative = TRUE;
  return s;
}

void
dhcp_subnet_free (DhcpSubnet *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_array_unref (s->ranges);
  g_array_unref (s->routers);
  g_array_unref (s->dns);
  g_array_unref (s->ntp);
  g_free (s->domain);
  g_clear_pointer (&s->boot, dhcp_boot_table_free);
  for (guint i = 0; i < 256; i++)
    g_clear_pointer (&s->options[i], g_bytes_unref);
  g_free (s->interface);
  g_clear_pointer (&s->pool, dhcp_pool_free);
  g_free (s);
}

void
dhcp_subnet_finish (DhcpSubnet *s)
{
  g_clear_pointer (&s->pool, dhcp_pool_free);
  s->pool = dhcp_pool_new ((const DhcpRange *) (gpointer) s->ranges->data, s->ranges->len);
}

gboolean
dhcp_subnet_contains (const DhcpSubnet *s, guint32 addr)
{
  return (addr & s->netmask) == s->network;
}

static guint32
subnet_broadcast (const DhcpSubnet *s)
{
  return s->broadcast != 0 ? s->broadcast : (s->network | ~s->netmask);
}

DhcpServerConfig *
dhcp_server_config_new (void)
{
  DhcpServerConfig *c = g_new0 (DhcpServerConfig, 1);

  c->subnets = g_ptr_array_new_with_free_func ((GDestroyNotify) dhcp_subnet_free);
  c->boot_defaults = dhcp_boot_table_new_default ();
  c->offer_timeout = 30;
  c->decline_time = 600;
  return c;
}

void
dhcp_server_config_free (DhcpServerConfig *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->subnets);
  g_clear_pointer (&c->boot, dhcp_boot_table_free);
  g_clear_pointer (&c->boot_defaults, dhcp_boot_table_free);
  g_free (c);
}

void
dhcp_outcome_clear (DhcpOutcome *o)
{
  g_clear_pointer (&o->reply, g_bytes_unref);
  g_clear_pointer (&o->hostname, g_free);
  memset (o, 0, sizeof *o);
}

/* ---- Leases ------------------------------------------------------------------ */

static void
lease_free (DhcpLease *l)
{
  g_clear_pointer (&l->client_id, g_bytes_unref);
  g_clear_pointer (&l->key, g_bytes_unref);
  g_clear_pointer (&l->hwkey, g_bytes_unref);
  g_free (l->hostname);
  g_free (l);
}

static GBytes *
make_hwkey (guint8 htype, const guint8 *hw, guint8 hlen)
{
  guint8 buf[18];

  buf[0] = 'H';
  buf[1] = htype;
  memcpy (buf + 2, hw, MIN (hlen, 16));
  return g_bytes_new (buf, 2 + MIN (hlen, 16));
}

static GBytes *
make_key (GBytes *client_id, guint8 htype, const guint8 *hw, guint8 hlen)
{
  if (client_id != NULL && g_bytes_get_size (client_id) > 0)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (client_id, &len);
      g_autofree guint8 *buf = g_malloc (len + 1);
      buf[0] = 'C';
      memcpy (buf + 1, p, len);
      return g_bytes_new (buf, len + 1);
    }
  return make_hwkey (htype, hw, hlen);
}

static void
lease_unkey (DhcpServer *server, DhcpLease *l)
{
  if (l->key != NULL && g_hash_table_lookup (server->by_client, l->key) == l)
    g_hash_table_remove (server->by_client, l->key);
  if (l->hwkey != NULL && g_hash_table_lookup (server->by_hw, l->hwkey) == l)
    g_hash_table_remove (server->by_hw, l->hwkey);
  g_clear_pointer (&l->key, g_bytes_unref);
  g_clear_pointer (&l->hwkey, g_bytes_unref);
}

static void
lease_set_key (DhcpServer *server, DhcpLease *l, GBytes *key, GBytes *hwkey)
{
  DhcpLease *other;

  lease_unkey (server, l);
  l->key = g_bytes_ref (key);
  l->hwkey = g_bytes_ref (hwkey);
  other = g_hash_table_lookup (server->by_client, key);
  if (other != NULL && other != l)
    {
      /* an older record of the same client (replay): it loses its key */
      g_hash_table_remove (server->by_client, key);
      g_clear_pointer (&other->key, g_bytes_unref);
    }
  g_hash_table_insert (server->by_client, l->key, l);
  g_hash_table_insert (server->by_hw, l->hwkey, l);
}

/* Removes @l from every map and frees it. */
static void
lease_destroy (DhcpServer *server, DhcpLease *l)
{
  lease_unkey (server, l);
  if (g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (l->addr)) == l)
    g_hash_table_steal (server->by_addr, GUINT_TO_POINTER (l->addr));
  lease_free (l);
}

static void
lease_to_record (const DhcpLease *l, DhcpLeaseRecord *rec)
{
  memset (rec, 0, sizeof *rec);
  rec->addr = l->addr;
  rec->state = l->state == DHCP_LEASE_OFFERED ? DHCP_LEASE_FREE : l->state;
  rec->htype = l->htype;
  rec->hlen = l->hlen;
  memcpy (rec->hw, l->hw, 16);
  rec->client_id = l->client_id;
  rec->hostname = l->hostname;
  rec->expires = l->expires;
}

static void
lease_journal (DhcpServer *server, const DhcpLease *l)
{
  DhcpLeaseRecord rec;

  lease_to_record (l, &rec);
  dhcp_lease_store_append (server->store, &rec);
}

/* Address of @l goes back to its pool (it stays remembered as FREE). */
static void
lease_make_free (DhcpServer *server, DhcpLease *l)
{
  if (l->subnet != NULL && l->subnet->pool != NULL)
    dhcp_pool_release (l->subnet->pool, g_ntohl (l->addr));
  l->state = DHCP_LEASE_FREE;
  l->offer_expires = 0;
  l->probing = FALSE;
}

static char *
mac_to_string (guint8 hlen, const guint8 *hw)
{
  if (hlen != 6)
    return NULL;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", hw[0], hw[1], hw[2], hw[3], hw[4], hw[5]);
}

/* ---- Server ------------------------------------------------------------------ */

DhcpServer *
dhcp_server_new (DhcpServerConfig *config, DhcpLeaseStore *store)
{
  DhcpServer *server = g_new0 (DhcpServer, 1);

  server->config = config;
  server->store = store;
  server->by_addr = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify) lease_free);
  server->by_client = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  server->by_hw = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  for (guint i = 0; i < config->subnets->len; i++)
    {
      DhcpSubnet *s = g_ptr_array_index (config->subnets, i);
      if (s->pool == NULL)
        dhcp_subnet_finish (s);
    }
  return server;
}

void
dhcp_server_free (DhcpServer *server)
{
  if (server == NULL)
    return;
  g_hash_table_unref (server->by_client);
  g_hash_table_unref (server->by_hw);
  g_hash_table_unref (server->by_addr);
  dhcp_server_config_free (server->config);
  g_free (server);
}

guint
dhcp_server_get_n_leases (DhcpServer *server)
{
  return g_hash_table_size (server->by_addr);
}

static DhcpSubnet *
subnet_containing (DhcpServerConfig *config, guint32 addr)
{
  for (guint i = 0; i < config->subnets->len; i++)
    {
      DhcpSubnet *s = g_ptr_array_index (config->subnets, i);
      if (dhcp_subnet_contains (s, addr))
        return s;
    }
  return NULL;
}

/* Puts every lease into the pools of the config in force. */
static void
server_rehome (DhcpServer *server, gint64 now)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, server->by_addr);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DhcpLease *l = value;

      l->subnet = subnet_containing (server->config, l->addr);
      if (l->subnet == NULL)
        {
          g_ptr_array_add (gone, l);
          continue;
        }
      if ((l->state == DHCP_LEASE_BOUND || l->state == DHCP_LEASE_DECLINED) && l->expires <= now)
        {
          if (l->state == DHCP_LEASE_DECLINED)
            {
              g_ptr_array_add (gone, l);
              continue;
            }
          l->state = DHCP_LEASE_FREE;
        }
      if (l->state != DHCP_LEASE_FREE)
        dhcp_pool_take (l->subnet->pool, g_ntohl (l->addr));
    }
  for (guint i = 0; i < gone->len; i++)
    lease_destroy (server, g_ptr_array_index (gone, i));
}

static void
server_load_record (const DhcpLeaseRecord *rec, gpointer data)
{
  DhcpServer *server = data;
  DhcpLease *l, *old;

  old = g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (rec->addr));
  if (old != NULL)
    lease_destroy (server, old);
  l = g_new0 (DhcpLease, 1);
  l->addr = rec->addr;
  l->state = rec->state;
  l->expires = rec->expires;
  l->htype = rec->htype;
  l->hlen = rec->hlen;
  memcpy (l->hw, rec->hw, 16);
  l->client_id = rec->client_id != NULL ? g_bytes_ref (rec->client_id) : NULL;
  l->hostname = g_strdup (rec->hostname);
  g_hash_table_insert (server->by_addr, GUINT_TO_POINTER (l->addr), l);
  if (l->state != DHCP_LEASE_DECLINED && l->hlen > 0)
    {
      g_autoptr(GBytes) key = make_key (l->client_id, l->htype, l->hw, l->hlen);
      g_autoptr(GBytes) hwkey = make_hwkey (l->htype, l->hw, l->hlen);
      DhcpLease *prev = g_hash_table_lookup (server->by_client, key);

      /* a client holds one lease: a newer record for it frees the older one */
      if (prev != NULL && prev != l && prev->state == DHCP_LEASE_BOUND)
        prev->state = DHCP_LEASE_FREE;
      lease_set_key (server, l, key, hwkey);
    }
}

gboolean
dhcp_server_load (DhcpServer *server, gint64 now, GError **error)
{
  if (!dhcp_lease_store_load (server->store, server_load_record, server, error))
    return FALSE;
  server_rehome (server, now);
  server->last_sweep = now;
  return TRUE;
}

void
dhcp_server_set_config (DhcpServer *server, DhcpServerConfig *config, gint64 now)
{
  for (guint i = 0; i < config->subnets->len; i++)
    {
      DhcpSubnet *s = g_ptr_array_index (config->subnets, i);
      if (s->pool == NULL)
        dhcp_subnet_finish (s);
    }
  dhcp_server_config_free (server->config);
  server->config = config;
  server_rehome (server, now);
}

void
dhcp_server_expire (DhcpServer *server, gint64 now)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();

  server->last_sweep = now;
  g_hash_table_iter_init (&iter, server->by_addr);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DhcpLease *l = value;

      switch (l->state)
        {
        case DHCP_LEASE_OFFERED:
          if (l->offer_expires <= now)
            {
              l->probing = FALSE;
              lease_make_free (server, l);
            }
          break;
        case DHCP_LEASE_BOUND:
          if (l->offer_expires != 0 && l->offer_expires <= now)
            l->offer_expires = 0;
          if (l->expires <= now)
            lease_make_free (server, l);
          break;
        case DHCP_LEASE_DECLINED:
          if (l->expires <= now)
            g_ptr_array_add (gone, l);
          break;
        case DHCP_LEASE_FREE:
        default:
          break;
        }
    }
  for (guint i = 0; i < gone->len; i++)
    {
      DhcpLease *l = g_ptr_array_index (gone, i);
      DhcpSubnet *s = l->subnet;
      guint32 addr = l->addr;
      lease_destroy (server, l);
      if (s != NULL)
        dhcp_pool_release (s->pool, g_ntohl (addr));
    }
}

GPtrArray *
dhcp_server_snapshot (DhcpServer *server)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, server->by_addr);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DhcpLease *l = value;
      DhcpLeaseRecord *rec;

      if (l->state == DHCP_LEASE_OFFERED)
        continue;
      rec = g_new0 (DhcpLeaseRecord, 1);
      lease_to_record (l, rec); /* borrows strings: use before the next request */
      g_ptr_array_add (out, rec);
    }
  return out;
}

gboolean
dhcp_server_get_lease (DhcpServer *server, guint32 addr, DhcpLeaseState *state, gint64 *expires,
                       char **mac)
{
  DhcpLease *l = g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (addr));

  if (l == NULL)
    return FALSE;
  if (state != NULL)
    *state = l->state;
  if (expires != NULL)
    *expires = l->expires;
  if (mac != NULL)
    *mac = mac_to_string (l->hlen, l->hw);
  return TRUE;
}

/* ---- Request handling -------------------------------------------------------- */

typedef struct {
  DhcpServer          *server;
  const DhcpMessage   *req;
  const DhcpPxeInfo   *pxe;
  const DhcpArrival   *arrival;
  DhcpOutcome         *out;
  guint8               type;
  GBytes              *client_id;
  GBytes              *key;
  GBytes              *hwkey;
  char                *mac;
  DhcpSubnet          *subnet;
  DhcpLease           *lease;      /* the client's, or NULL */
  guint32              reserved;   /* fixed address from the inventory, 0 none */
  char                *reserved_hostname;
} Ctx;

static void
ctx_clear (Ctx *c)
{
  g_clear_pointer (&c->client_id, g_bytes_unref);
  g_clear_pointer (&c->key, g_bytes_unref);
  g_clear_pointer (&c->hwkey, g_bytes_unref);
  g_clear_pointer (&c->mac, g_free);
  g_clear_pointer (&c->reserved_hostname, g_free);
}

static DhcpLease *
find_lease (Ctx *c)
{
  DhcpServer *server = c->server;
  DhcpLease *l = g_hash_table_lookup (server->by_client, c->key);

  if (l != NULL)
    return l;
  /* same machine, another identifier (firmware, iPXE, OS): same lease */
  l = g_hash_table_lookup (server->by_hw, c->hwkey);
  if (l != NULL && c->req->hlen > 0)
    {
      g_clear_pointer (&l->client_id, g_bytes_unref);
      l->client_id = c->client_id != NULL ? g_bytes_ref (c->client_id) : NULL;
      lease_set_key (server, l, c->key, c->hwkey);
      return l;
    }
  return NULL;
}

static DhcpSubnet *
select_subnet (Ctx *c)
{
  DhcpServerConfig *config = c->server->config;
  const DhcpArrival *a = c->arrival;

  if (c->req->giaddr != 0)
    return subnet_containing (config, c->req->giaddr);
  if (a->ifname != NULL)
    for (guint i = 0; i < config->subnets->len; i++)
      {
        DhcpSubnet *s = g_ptr_array_index (config->subnets, i);
        if (s->interface != NULL && g_str_equal (s->interface, a->ifname))
          return s;
      }
  if (a->server_addr != 0)
    {
      DhcpSubnet *s = subnet_containing (config, a->server_addr);
      /* a subnet bound to another interface is not served here */
      if (s != NULL && (s->interface == NULL || a->ifname == NULL))
        return s;
    }
  if (c->type == DHCP_INFORM && c->req->ciaddr != 0)
    return subnet_containing (config, c->req->ciaddr);
  return NULL;
}

static gboolean
reserved_for_other (Ctx *c, guint32 addr)
{
  const DhcpReservations *r = &c->server->config->reservations;
  g_autofree char *owner = NULL;

  if (r->lookup_ip == NULL)
    return FALSE;
  owner = r->lookup_ip (r->data, addr);
  return owner != NULL && (c->mac == NULL || g_ascii_strcasecmp (owner, c->mac) != 0);
}

/* Can the client have @addr in subnet @s? */
static gboolean
addr_available (Ctx *c, DhcpSubnet *s, guint32 addr)
{
  DhcpLease *l;

  if (!dhcp_subnet_contains (s, addr) || addr == s->network || addr == subnet_broadcast (s))
    return FALSE;
  l = g_hash_table_lookup (c->server->by_addr, GUINT_TO_POINTER (addr));
  if (l != NULL && l != c->lease && l->state != DHCP_LEASE_FREE)
    return FALSE;
  if (addr == c->reserved)
    return TRUE;
  if (!dhcp_pool_contains (s->pool, g_ntohl (addr)))
    return FALSE;
  return !reserved_for_other (c, addr);
}

/* Gives @addr (available) to the client: its lease moves there or is made. */
static DhcpLease *
lease_assign (Ctx *c, DhcpSubnet *s, guint32 addr)
{
  DhcpServer *server = c->server;
  DhcpLease *l = c->lease;
  DhcpLease *other = g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (addr));

  if (other != NULL && other != l)
    lease_destroy (server, other); /* only a remembered FREE one */
  dhcp_pool_take (s->pool, g_ntohl (addr));
  if (l != NULL && l->addr != addr)
    {
      gboolean was_bound = l->state == DHCP_LEASE_BOUND;
      if (l->state != DHCP_LEASE_FREE)
        lease_make_free (server, l);
      if (was_bound)
        lease_journal (server, l); /* the old address is free */
      g_hash_table_steal (server->by_addr, GUINT_TO_POINTER (l->addr));
      l->addr = addr;
      l->state = DHCP_LEASE_FREE;
      l->expires = 0;
      g_hash_table_insert (server->by_addr, GUINT_TO_POINTER (addr), l);
    }
  if (l == NULL)
    {
      l = g_new0 (DhcpLease, 1);
      l->addr = addr;
      l->state = DHCP_LEASE_FREE;
      l->client_id = c->client_id != NULL ? g_bytes_ref (c->client_id) : NULL;
      g_hash_table_insert (server->by_addr, GUINT_TO_POINTER (addr), l);
      lease_set_key (server, l, c->key, c->hwkey);
      c->lease = l;
    }
  l->htype = c->req->htype;
  l->hlen = c->req->hlen;
  memcpy (l->hw, c->req->chaddr, 16);
  l->subnet = s;
  return l;
}

static guint32
choose_address (Ctx *c, gboolean *fresh)
{
  DhcpServer *server = c->server;
  DhcpSubnet *s = c->subnet;
  guint32 req_ip;
  guint32 parked[64];
  guint n_parked = 0;
  guint32 found = 0;

  *fresh = FALSE;
  if (c->reserved != 0 && addr_available (c, s, c->reserved))
    return c->reserved;
  if (c->lease != NULL && c->lease->subnet == s && addr_available (c, s, c->lease->addr))
    return c->lease->addr;
  *fresh = TRUE;
  if (dhcp_message_get_ip (c->req, DHCP_OPT_REQUESTED_IP, &req_ip) && addr_available (c, s, req_ip))
    return req_ip;

  for (guint attempt = 0; attempt < 2 && found == 0; attempt++)
    {
      guint32 host;

      while (n_parked < G_N_ELEMENTS (parked) && dhcp_pool_alloc (s->pool, &host))
        {
          guint32 a = g_htonl (host);
          DhcpLease *l = g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (a));

          if (reserved_for_other (c, a) || (l != NULL && l->state != DHCP_LEASE_FREE) ||
              a == s->network || a == subnet_broadcast (s))
            {
              parked[n_parked++] = host;
              continue;
            }
          dhcp_pool_release (s->pool, host); /* lease_assign takes it */
          found = a;
          break;
        }
      /* an exhausted pool: reclaim expired leases, at most once a second */
      if (found == 0 && attempt == 0 && c->arrival->now > server->last_sweep)
        dhcp_server_expire (server, c->arrival->now);
      else
        break;
    }
  for (guint i = 0; i < n_parked; i++)
    dhcp_pool_release (s->pool, parked[i]);
  return found;
}

static guint32
lease_time_for (Ctx *c)
{
  guint32 t = c->subnet->lease_time;
  guint32 want;

  if (dhcp_message_get_u32 (c->req, DHCP_OPT_LEASE_TIME, &want) && want > 0)
    t = want;
  return MIN (t, MAX (c->subnet->max_lease_time, 1));
}

static void
set_ip_list (DhcpBuilder *b, guint8 code, GArray *list)
{
  if (list != NULL && list->len > 0)
    dhcp_builder_set_option (b, code, list->data, list->len * sizeof (guint32));
}

static char *
clean_hostname (const char *h)
{
  GString *s;

  if (h == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (const char *p = h; *p != '\0' && s->len < 63; p++)
    if (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_')
      g_string_append_c (s, *p);
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

/* Builds and encodes a reply of @type for address @yiaddr. */
static void
reply (Ctx *c, guint8 type, guint32 yiaddr, guint32 lease_time)
{
  const DhcpMessage *req = c->req;
  DhcpSubnet *s = c->subnet;
  g_autoptr(DhcpBuilder) b = dhcp_builder_new (DHCP_BOOTREPLY, type);
  g_autoptr(GError) error = NULL;
  guint32 server_id = c->arrival->server_addr;
  gsize max_size, prl_len;
  const guint8 *prl;
  const guint8 *relay;
  gsize relay_len;

  dhcp_builder_copy_request (b, req);
  dhcp_builder_set_option_ip (b, DHCP_OPT_SERVER_ID, server_id);
  relay = dhcp_message_get_option (req, DHCP_OPT_RELAY_AGENT, &relay_len);
  if (relay != NULL)
    dhcp_builder_set_option (b, DHCP_OPT_RELAY_AGENT, relay, relay_len);
  prl = dhcp_message_get_option (req, DHCP_OPT_PRL, &prl_len);
  if (prl != NULL)
    dhcp_builder_set_request_list (b, prl, prl_len);
  max_size = dhcp_message_get_max_reply_size (req);
  if (c->arrival->mtu > 576)
    max_size = MIN (max_size, c->arrival->mtu - DHCP_IP_UDP_OVERHEAD);
  dhcp_builder_set_max_size (b, max_size);

  if (type == DHCP_NAK)
    {
      if (req->giaddr != 0)
        dhcp_builder_set_flags (b, req->flags | DHCP_FLAG_BROADCAST);
      dhcp_builder_set_option_str (b, DHCP_OPT_MESSAGE, "address not available");
    }
  else
    {
      guint32 next_server = s->next_server != 0 ? s->next_server : server_id;
      char next_str[INET_ADDRSTRLEN];
      const DhcpBootTable *tables[3] = { s->boot, c->server->config->boot,
                                         c->server->config->boot_defaults };
      g_autofree char *file = NULL;
      g_autofree char *hostname = NULL;

      inet_ntop (AF_INET, &next_server, next_str, sizeof next_str);
      dhcp_builder_set_yiaddr (b, yiaddr);
      if (type == DHCP_ACK && req->ciaddr != 0)
        dhcp_builder_set_ciaddr (b, req->ciaddr);
      dhcp_builder_set_siaddr (b, next_server); /* iPXE ignores option 66 */
      if (lease_time > 0)
        {
          dhcp_builder_set_option_u32 (b, DHCP_OPT_LEASE_TIME, lease_time);
          dhcp_builder_set_option_u32 (b, DHCP_OPT_T1, lease_time / 2);
          dhcp_builder_set_option_u32 (b, DHCP_OPT_T2, (guint32) ((guint64) lease_time * 7 / 8));
        }
      dhcp_builder_set_option_ip (b, DHCP_OPT_SUBNET_MASK, s->netmask);
      set_ip_list (b, DHCP_OPT_ROUTER, s->routers);
      set_ip_list (b, DHCP_OPT_DNS, s->dns);
      set_ip_list (b, DHCP_OPT_NTP, s->ntp);
      if (s->domain != NULL)
        dhcp_builder_set_option_str (b, DHCP_OPT_DOMAIN, s->domain);
      dhcp_builder_set_option_ip (b, DHCP_OPT_BROADCAST, subnet_broadcast (s));
      hostname = g_strdup (c->reserved_hostname);
      if (hostname == NULL && c->lease != NULL && c->lease->hostname != NULL)
        hostname = g_strdup (c->lease->hostname);
      if (hostname != NULL)
        {
          dhcp_builder_set_option_str (b, DHCP_OPT_HOSTNAME, hostname);
          dhcp_builder_set_only_if_requested (b, DHCP_OPT_HOSTNAME, TRUE);
        }
      for (guint code = 1; code < 255; code++)
        {
          if (s->options[code] == NULL || code == DHCP_OPT_OVERLOAD)
            continue;
          dhcp_builder_set_option (b, (guint8) code, g_bytes_get_data (s->options[code], NULL),
                                   g_bytes_get_size (s->options[code]));
          dhcp_builder_set_only_if_requested (b, (guint8) code, TRUE);
        }
      if (dhcp_pxe_info_is_boot_client (c->pxe) || dhcp_message_requested (req, DHCP_OPT_BOOTFILE))
        file = dhcp_boot_choose (tables, 3, c->pxe, next_str);
      if (file != NULL)
        {
          gboolean in_field = dhcp_builder_set_file (b, file);
          dhcp_builder_set_option_str (b, DHCP_OPT_BOOTFILE, file);
          /* option 67 when asked for, or when the name does not fit `file` */
          dhcp_builder_set_only_if_requested (b, DHCP_OPT_BOOTFILE, in_field);
          dhcp_builder_set_option_str (b, DHCP_OPT_TFTP_SERVER, next_str);
          dhcp_builder_set_only_if_requested (b, DHCP_OPT_TFTP_SERVER, TRUE);
        }
      if (c->pxe->http_client)
        dhcp_builder_set_option_str (b, DHCP_OPT_VENDOR_CLASS, "HTTPClient");
      c->out->client_addr = yiaddr;
      g_free (c->out->hostname);
      c->out->hostname = g_steal_pointer (&hostname);
    }

  c->out->reply = dhcp_builder_encode (b, &error);
  if (c->out->reply == NULL)
    {
      c->out->drop_reason = "reply does not fit the client's size limit";
      return;
    }
  c->out->reply_type = type;
  dhcp_message_reply_destination (req, type == DHCP_NAK, &c->out->dest_addr, &c->out->dest_port);
}

static void
nak (Ctx *c, const char *why)
{
  reply (c, DHCP_NAK, 0, 0);
  if (c->out->reply != NULL)
    {
      c->out->event = DHCP_LEASE_EVENT_NAK;
      c->out->reason = why;
    }
}

static void
nak_or_ignore (Ctx *c, const char *why)
{
  if (c->subnet != NULL && c->subnet->authoritative)
    nak (c, why);
  else
    c->out->drop_reason = why;
}

static void
handle_discover (Ctx *c)
{
  gboolean fresh = FALSE;
  guint32 addr;
  DhcpLease *l;
  guint32 lt = lease_time_for (c);

  if (c->lease != NULL && c->lease->probing)
    {
      c->out->drop_reason = "address probe in progress";
      return;
    }
  addr = choose_address (c, &fresh);
  if (addr == 0)
    {
      c->out->drop_reason = "no free address in the pool";
      return;
    }
  l = lease_assign (c, c->subnet, addr);
  if (l->state != DHCP_LEASE_BOUND)
    l->state = DHCP_LEASE_OFFERED;
  l->offer_expires = c->arrival->now + c->server->config->offer_timeout;
  if (fresh && c->server->config->ping_check && l->state == DHCP_LEASE_OFFERED)
    {
      /* reserved for the client while nobody answers an ICMP echo */
      l->probing = TRUE;
      c->out->probe_addr = addr;
      c->out->drop_reason = "probing the address before offering it";
      return;
    }
  reply (c, DHCP_OFFER, addr, lt);
}

void
dhcp_server_probe_done (DhcpServer *server, guint32 addr, gboolean in_use, gint64 now)
{
  DhcpLease *l = g_hash_table_lookup (server->by_addr, GUINT_TO_POINTER (addr));

  if (l == NULL || !l->probing)
    return;
  l->probing = FALSE;
  if (!in_use)
    return;
  /* someone we do not know uses it: quarantine, like a DECLINE */
  g_info ("address in use by an unknown host; quarantined");
  lease_unkey (server, l);
  g_clear_pointer (&l->client_id, g_bytes_unref);
  g_clear_pointer (&l->hostname, g_free);
  l->hlen = 0;
  memset (l->hw, 0, sizeof l->hw);
  l->state = DHCP_LEASE_DECLINED;
  l->offer_expires = 0;
  l->expires = now + server->config->decline_time;
  lease_journal (server, l);
}

static void
commit_ack (Ctx *c, guint32 addr)
{
  DhcpLease *l = lease_assign (c, c->subnet, addr);
  guint32 lt = lease_time_for (c);
  g_autofree char *hn = NULL;

  l->state = DHCP_LEASE_BOUND;
  l->offer_expires = 0;
  l->expires = c->arrival->now + lt;
  hn = g_strdup (c->reserved_hostname);
  if (hn == NULL)
    {
      g_autofree char *sent = dhcp_message_get_string (c->req, DHCP_OPT_HOSTNAME);
      hn = clean_hostname (sent);
    }
  if (hn != NULL)
    {
      g_free (l->hostname);
      l->hostname = g_steal_pointer (&hn);
    }
  lease_journal (c->server, l);
  reply (c, DHCP_ACK, addr, lt);
  c->out->needs_commit = c->out->reply != NULL;
  if (c->out->reply != NULL)
    {
      c->out->event = DHCP_LEASE_EVENT_ACK;
      c->out->lease_time = lt;
    }
}

static void
handle_request (Ctx *c)
{
  const DhcpMessage *req = c->req;
  guint32 server_id, want = 0;
  gboolean has_sid = dhcp_message_get_ip (req, DHCP_OPT_SERVER_ID, &server_id);
  gboolean has_want = dhcp_message_get_ip (req, DHCP_OPT_REQUESTED_IP, &want);
  DhcpLease *l = c->lease;

  if (has_sid)
    {
      /* SELECTING */
      if (server_id != c->arrival->server_addr)
        {
          /* the client chose another server: our offer is void */
          if (l != NULL && l->state == DHCP_LEASE_OFFERED)
            lease_make_free (c->server, l);
          else if (l != NULL)
            l->offer_expires = 0;
          c->out->drop_reason = "REQUEST for another server";
          return;
        }
      if (!has_want)
        want = req->ciaddr;
      if (l != NULL && l->addr == want && l->subnet == c->subnet && !l->probing &&
          (l->state == DHCP_LEASE_OFFERED || l->state == DHCP_LEASE_BOUND ||
           (l->state == DHCP_LEASE_FREE && addr_available (c, c->subnet, want))))
        commit_ack (c, want);
      else if (l == NULL && want != 0 && (c->reserved == 0 || want == c->reserved) &&
               addr_available (c, c->subnet, want))
        commit_ack (c, want); /* our offer was lost (restart): the address is still free */
      else
        nak (c, "offered address no longer available");
      return;
    }

  /* INIT-REBOOT (requested address) or RENEWING/REBINDING (ciaddr) */
  if (req->ciaddr != 0)
    want = req->ciaddr;
  else if (!has_want)
    {
      c->out->drop_reason = "REQUEST without server id, requested address or ciaddr";
      return;
    }
  if (!dhcp_subnet_contains (c->subnet, want))
    {
      nak_or_ignore (c, "requested address is on another network");
      return;
    }
  if (c->reserved != 0 && want != c->reserved)
    {
      nak_or_ignore (c, "client has another reserved address");
      return;
    }
  if ((l != NULL && l->addr == want && l->state != DHCP_LEASE_FREE && !l->probing) ||
      addr_available (c, c->subnet, want))
    {
      commit_ack (c, want);
      return;
    }
  nak_or_ignore (c, "requested address is not ours to give");
}

static gboolean
server_id_is_ours (Ctx *c)
{
  guint32 sid;

  return !dhcp_message_get_ip (c->req, DHCP_OPT_SERVER_ID, &sid) || sid == c->arrival->server_addr;
}

static void
handle_decline (Ctx *c)
{
  DhcpLease *l = c->lease;
  guint32 addr;

  if (!server_id_is_ours (c) || !dhcp_message_get_ip (c->req, DHCP_OPT_REQUESTED_IP, &addr) ||
      l == NULL || l->addr != addr || l->state == DHCP_LEASE_FREE)
    {
      c->out->drop_reason = "DECLINE for an address the client does not hold";
      return;
    }
  /* quarantine: the address is in use by someone we do not know */
  lease_unkey (c->server, l);
  g_clear_pointer (&l->client_id, g_bytes_unref);
  g_clear_pointer (&l->hostname, g_free);
  l->hlen = 0;
  memset (l->hw, 0, sizeof l->hw);
  l->state = DHCP_LEASE_DECLINED;
  l->offer_expires = 0;
  l->expires = c->arrival->now + c->server->config->decline_time;
  c->lease = NULL;
  lease_journal (c->server, l);
  c->out->client_addr = addr;
  c->out->drop_reason = "DECLINE: address quarantined";
  c->out->event = DHCP_LEASE_EVENT_DECLINE;
  c->out->lease_time = c->server->config->decline_time;
}

static void
handle_release (Ctx *c)
{
  DhcpLease *l = c->lease;

  if (!server_id_is_ours (c) || l == NULL || l->addr != c->req->ciaddr ||
      l->state == DHCP_LEASE_FREE)
    {
      c->out->drop_reason = "RELEASE for an address the client does not hold";
      return;
    }
  lease_make_free (c->server, l);
  l->expires = c->arrival->now;
  lease_journal (c->server, l);
  c->out->client_addr = l->addr;
  c->out->drop_reason = "RELEASE: address freed";
  c->out->event = DHCP_LEASE_EVENT_RELEASE;
}

static void
handle_inform (Ctx *c)
{
  reply (c, DHCP_ACK, 0, 0);
  /* RFC 2131 4.3.5: to ciaddr, or to the relay */
}

void
dhcp_server_handle (DhcpServer *server, const DhcpMessage *req, const DhcpPxeInfo *pxe,
                    const DhcpArrival *arrival, DhcpOutcome *out)
{
  Ctx c = { 0 };
  gsize cid_len;
  const guint8 *cid;
  const DhcpReservations *r = &server->config->reservations;

  memset (out, 0, sizeof *out);
  if (req->op != DHCP_BOOTREQUEST)
    {
      out->drop_reason = "not a BOOTREQUEST";
      return;
    }
  c.type = dhcp_message_get_type (req);
  if (c.type == 0 || c.type == DHCP_OFFER || c.type == DHCP_ACK || c.type == DHCP_NAK)
    {
      out->drop_reason = "not a client message type";
      return;
    }
  cid = dhcp_message_get_option (req, DHCP_OPT_CLIENT_ID, &cid_len);
  if ((cid == NULL || cid_len == 0) && req->hlen == 0)
    {
      out->drop_reason = "no client identifier and no hardware address";
      return;
    }
  if (arrival->server_addr == 0)
    {
      out->drop_reason = "no IPv4 address on the arrival interface";
      return;
    }
  c.server = server;
  c.req = req;
  c.pxe = pxe;
  c.arrival = arrival;
  c.out = out;
  c.client_id = cid != NULL && cid_len > 0 ? g_bytes_new (cid, cid_len) : NULL;
  c.key = make_key (c.client_id, req->htype, req->chaddr, req->hlen);
  c.hwkey = make_hwkey (req->htype, req->chaddr, req->hlen);
  c.mac = dhcp_message_get_mac (req);
  c.subnet = select_subnet (&c);
  if (c.subnet == NULL)
    {
      out->drop_reason = "no subnet for this request";
      ctx_clear (&c);
      return;
    }
  if (c.mac != NULL && r->lookup_mac != NULL)
    {
      guint32 fixed = 0;
      char *hn = NULL;
      if (r->lookup_mac (r->data, c.mac, &fixed, &hn) && fixed != 0 &&
          dhcp_subnet_contains (c.subnet, fixed))
        c.reserved = fixed;
      c.reserved_hostname = hn;
    }
  c.lease = c.type == DHCP_INFORM ? NULL : find_lease (&c);

  switch (c.type)
    {
    case DHCP_DISCOVER: handle_discover (&c); break;
    case DHCP_REQUEST:  handle_request (&c); break;
    case DHCP_DECLINE:  handle_decline (&c); break;
    case DHCP_RELEASE:  handle_release (&c); break;
    case DHCP_INFORM:   handle_inform (&c); break;
    default: break;
    }
  ctx_clear (&c);
}
