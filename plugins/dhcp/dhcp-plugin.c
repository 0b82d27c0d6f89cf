/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dhcp plugin: glue between the net service and the pure server logic.
 *
 * Every datagram on port 67 (shared with proxydhcp) is parsed and handed to
 * dhcp_server_handle(). OFFERs, NAKs and INFORM ACKs go out at once. An ACK
 * that binds a lease waits: its lease record is appended to the store, and
 * a flush source at the network's own priority starts one write + fdatasync
 * (in the store's worker thread) for everything appended in this main-loop
 * iteration; the ACKs go out when it completes. While a flush runs, new ACKs
 * gather for the next one, so the batch grows with the load (group commit)
 * and the main loop never blocks on the disk. A failed flush sends nothing:
 * the client retries, and the error is logged at most once a minute.
 *
 * ping-check: a fresh address is probed with one ICMP echo (raw socket,
 * opened at start while privileged) before it is first offered; the request
 * is kept and handled again when the echo is answered (the address is
 * quarantined and another one probed) or `ping-timeout` passes (offered).
 *
 * Reload restarts the instance (reload_prepare is NULL): stop drains the
 * pending ACKs, the new instance replays the journal. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <pxed/pxed.h>

#include "dhcp-config.h"
#include "dhcp-server.h"

#define DHCP_IFACE_CACHE_US (2 * G_USEC_PER_SEC)
#define DHCP_EXPIRE_INTERVAL_S 10
#define DHCP_ERROR_LOG_US (60 * G_USEC_PER_SEC)
#define DHCP_COMPACT_MIN 10000

typedef struct {
  guint32 addr;
  guint   mtu;
  char    name[IF_NAMESIZE];
  gint64  checked_us;
} DhcpIface;

typedef struct {
  PxedDatagram       dgram;   /* shallow copy without data: endpoint, ifindex, local */
  struct sockaddr_in to;
  GBytes            *reply;
  char              *mac;
  guint32            addr;
  char              *hostname;   /* for the lease log line, or NULL */
  gint               arch;       /* option 93, -1 unknown */
  guint32            lease_time;
} DhcpPending;

typedef struct _DhcpProbe DhcpProbe;

struct _PxedPlugin {
  PxedHost       *host;
  gboolean        ping_check;
  guint           ping_timeout_ms;
  int             icmp_fd;
  GSource        *icmp_source;
  GHashTable     *probes;      /* addr -> DhcpProbe* */
  guint16         echo_seq;
  char           *instance;
  char          **listen;
  gboolean        memory_store;
  DhcpServer     *server;
  DhcpLeaseStore *store;
  GPtrArray      *subs;        /* PxedUdpSubscription* */
  GPtrArray      *waiting;     /* DhcpPending* for the next flush */
  GPtrArray      *in_flight;   /* DhcpPending* of the running flush */
  gboolean        flushing;
  GSource        *flush_source;
  GSource        *expire_source;
  GHashTable     *ifaces;      /* ifindex -> DhcpIface* */
  gint64          error_logged_us;
  guint64         n_unsent;
  gboolean        stopping;
  PxedDoneFunc    done;
  gpointer        done_data;
};

struct _DhcpProbe {
  PxedPlugin   *plugin;
  guint32       addr;
  PxedDatagram  dgram;  /* data points into @data */
  GBytes       *data;
  GSource      *timer;
};

static void
dhcp_probe_free (DhcpProbe *probe)
{
  if (probe->timer != NULL)
    {
      g_source_destroy (probe->timer);
      g_source_unref (probe->timer);
    }
  g_bytes_unref (probe->data);
  g_free (probe);
}

static void
dhcp_pending_free (DhcpPending *p)
{
  g_bytes_unref (p->reply);
  g_free (p->mac);
  g_free (p->hostname);
  g_free (p);
}

static gint64
wall_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- Reservations from the core inventory ---------------------------------- */

static gboolean
dhcp_plugin_lookup_mac (gpointer data, const char *mac, guint32 *addr, char **hostname)
{
  PxedPlugin *self = data;
  const PxedInventoryHost *h = pxed_inventory_lookup_mac (self->host, mac);

  if (h == NULL)
    return FALSE;
  *addr = 0;
  if (h->ip != NULL && inet_pton (AF_INET, h->ip, addr) != 1)
    *addr = 0;
  *hostname = g_strdup (h->name);
  return TRUE;
}

static char *
dhcp_plugin_lookup_ip (gpointer data, guint32 addr)
{
  PxedPlugin *self = data;
  char buf[INET_ADDRSTRLEN];
  const PxedInventoryHost *h;

  inet_ntop (AF_INET, &addr, buf, sizeof buf);
  h = pxed_inventory_lookup_ip (self->host, buf);
  return h != NULL ? g_strdup (h->mac) : NULL;
}

/* ---- Sending ------------------------------------------------------------------- */

static void
dhcp_plugin_send (PxedPlugin *self, const PxedDatagram *dgram, const struct sockaddr_in *to,
                  GBytes *reply)
{
  g_autoptr(GError) error = NULL;

  if (!pxed_net_udp_reply (dgram, (const struct sockaddr *) to, sizeof *to,
                           g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error))
    g_debug ("%s", error->message);
}

static void
dhcp_plugin_record (PxedPlugin *self, const char *mac, guint32 addr, const char *stage)
{
  PxedClientFacts facts = { 0 };
  char buf[INET_ADDRSTRLEN];

  if (mac == NULL)
    return;
  facts.mac = (char *) mac;
  facts.arch = -1;
  if (addr != 0)
    {
      inet_ntop (AF_INET, &addr, buf, sizeof buf);
      facts.ip = buf;
    }
  facts.stage = (char *) stage;
  pxed_clients_update (self->host, &facts);
}

/* One line at message level per lease event: what an admin greps for. */
static void
dhcp_plugin_log_lease (PxedPlugin *self, const char *mac, guint32 addr, const char *hostname,
                       gint arch, guint32 lease_time)
{
  char ip[INET_ADDRSTRLEN];
  g_autofree char *arch_str = NULL;

  if (arch >= 0)
    arch_str = g_strdup_printf ("%d", arch);
  else
    {
      /* an installed OS sends no option 93; its firmware did, earlier */
      g_autoptr(PxedClientFacts) known = mac != NULL ? pxed_clients_lookup_mac (self->host, mac)
                                                     : NULL;

      if (known != NULL && known->arch >= 0)
        arch_str = g_strdup_printf ("none, firmware %d", known->arch);
      else
        arch_str = g_strdup ("none");
    }
  inet_ntop (AF_INET, &addr, ip, sizeof ip);
  g_message ("%s: lease %s to %s (%s, arch %s) for %us", self->instance, ip,
             mac != NULL ? mac : "?", hostname != NULL ? hostname : "no hostname", arch_str,
             lease_time);
}

static void
dhcp_plugin_log_event (PxedPlugin *self, const DhcpOutcome *out, const char *mac,
                       const DhcpMessage *msg)
{
  char ip[INET_ADDRSTRLEN];
  guint32 want = 0;

  if (!dhcp_message_get_ip (msg, DHCP_OPT_REQUESTED_IP, &want))
    want = msg->ciaddr;
  inet_ntop (AF_INET, out->client_addr != 0 ? &out->client_addr : &want, ip, sizeof ip);
  switch (out->event)
    {
    case DHCP_LEASE_EVENT_RELEASE:
      g_message ("%s: release of %s by %s", self->instance, ip, mac != NULL ? mac : "?");
      break;
    case DHCP_LEASE_EVENT_DECLINE:
      g_message ("%s: decline of %s by %s: address in use elsewhere, quarantined for %us",
                 self->instance, ip, mac != NULL ? mac : "?", out->lease_time);
      break;
    case DHCP_LEASE_EVENT_NAK:
      g_message ("%s: NAK to %s for %s: %s", self->instance, mac != NULL ? mac : "?",
                 want != 0 ? ip : "no address", out->reason != NULL ? out->reason : "refused");
      break;
    case DHCP_LEASE_EVENT_ACK:  /* logged once durable, by dhcp_plugin_flushed() */
    case DHCP_LEASE_EVENT_NONE:
    default:
      break;
    }
}

static void dhcp_plugin_schedule_flush (PxedPlugin *self);

static void
dhcp_plugin_maybe_done (PxedPlugin *self)
{
  if (self->stopping && !self->flushing && self->waiting->len == 0 && self->done != NULL)
    {
      PxedDoneFunc done = self->done;
      /* held until the last ACK went out through them */
      g_ptr_array_set_size (self->subs, 0);
      self->done = NULL;
      done (self->done_data);
    }
}

static void
dhcp_plugin_flushed (const GError *error, gpointer user_data)
{
  PxedPlugin *self = user_data;
  g_autoptr(GPtrArray) batch = g_steal_pointer (&self->in_flight);

  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) dhcp_pending_free);
  self->flushing = FALSE;
  if (error != NULL)
    {
      gint64 now = g_get_monotonic_time ();

      self->n_unsent += batch->len;
      if (self->error_logged_us == 0 || now - self->error_logged_us >= DHCP_ERROR_LOG_US)
        {
          g_warning ("%s: leases not durable, %" G_GUINT64_FORMAT " ACK(s) withheld: %s",
                     self->instance, self->n_unsent, error->message);
          self->error_logged_us = now;
          self->n_unsent = 0;
        }
    }
  else
    {
      if (self->error_logged_us != 0)
        {
          g_message ("%s: lease store writable again", self->instance);
          self->error_logged_us = 0;
        }
      for (guint i = 0; i < batch->len; i++)
        {
          DhcpPending *p = g_ptr_array_index (batch, i);
          dhcp_plugin_send (self, &p->dgram, &p->to, p->reply);
          dhcp_plugin_record (self, p->mac, p->addr, "dhcp-ack");
          if (p->addr != 0)
            dhcp_plugin_log_lease (self, p->mac, p->addr, p->hostname, p->arch, p->lease_time);
        }
    }
  if (self->waiting->len > 0 || dhcp_lease_store_has_pending (self->store))
    dhcp_plugin_schedule_flush (self);
  dhcp_plugin_maybe_done (self);
}

static gboolean
dhcp_plugin_flush_cb (gpointer user_data)
{
  PxedPlugin *self = user_data;
  GPtrArray *tmp;

  g_clear_pointer (&self->flush_source, g_source_unref);
  if (self->flushing)
    return G_SOURCE_REMOVE; /* dhcp_plugin_flushed reschedules */
  tmp = self->in_flight;
  self->in_flight = self->waiting;
  self->waiting = tmp;
  self->flushing = TRUE;
  dhcp_lease_store_flush (self->store, dhcp_plugin_flushed, self);
  return G_SOURCE_REMOVE;
}

static void
dhcp_plugin_schedule_flush (PxedPlugin *self)
{
  if (self->flush_source != NULL || self->flushing)
    return;
  /* the network's priority: dispatched in the same iteration as the
   * datagrams that produced the ACKs, never starved by them */
  self->flush_source = g_idle_source_new ();
  g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->flush_source, dhcp_plugin_flush_cb, self, NULL);
  g_source_set_static_name (self->flush_source, "pxed-dhcp flush");
  g_source_attach (self->flush_source, pxed_host_get_context (self->host));
}

/* ---- Receiving ----------------------------------------------------------------- */

static const DhcpIface *
dhcp_plugin_iface (PxedPlugin *self, guint ifindex)
{
  DhcpIface *i = g_hash_table_lookup (self->ifaces, GUINT_TO_POINTER (ifindex));
  gint64 now = g_get_monotonic_time ();
  struct in_addr a;

  if (i != NULL && now - i->checked_us < DHCP_IFACE_CACHE_US)
    return i;
  if (i == NULL)
    {
      i = g_new0 (DhcpIface, 1);
      g_hash_table_insert (self->ifaces, GUINT_TO_POINTER (ifindex), i);
    }
  i->checked_us = now;
  i->addr = pxed_net_get_interface_ipv4 (ifindex, &a) ? a.s_addr : 0;
  i->mtu = pxed_net_get_interface_mtu (ifindex);
  if (if_indextoname (ifindex, i->name) == NULL)
    i->name[0] = '\0';
  return i;
}

static void dhcp_plugin_probe_start (PxedPlugin *self, const PxedDatagram *dgram, guint32 addr);

static void
dhcp_plugin_process (PxedPlugin *self, const PxedDatagram *dgram)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpMessage) msg = NULL;
  DhcpPxeInfo pxe;
  DhcpArrival arrival = { 0 };
  DhcpOutcome out;
  const DhcpIface *iface;
  g_autofree char *mac = NULL;
  struct sockaddr_in to = { 0 };
  gint arch;

  if (self->stopping || dgram->peer.ss_family != AF_INET)
    return;
  msg = dhcp_message_parse (dgram->data, dgram->len, &error);
  if (msg == NULL)
    {
      g_debug ("%s: dropped a malformed datagram: %s", self->instance, error->message);
      return;
    }
  if (msg->op != DHCP_BOOTREQUEST)
    {
      g_debug ("%s: dropped a BOOTREPLY sent to the server port", self->instance);
      return;
    }
  iface = dhcp_plugin_iface (self, dgram->ifindex);
  arrival.server_addr = iface->addr;
  if (dgram->local.ss_family == AF_INET)
    {
      guint32 local = ((const struct sockaddr_in *) &dgram->local)->sin_addr.s_addr;
      guint32 h = g_ntohl (local);
      /* unicast to one of our addresses (relay, renewal): answer as that one */
      if (local != 0 && h != G_MAXUINT32 && (h >> 28) != 14)
        arrival.server_addr = local;
    }
  arrival.ifname = iface->name[0] != '\0' ? iface->name : NULL;
  arrival.mtu = iface->mtu;
  arrival.now = wall_now ();

  dhcp_pxe_info_init (&pxe, msg);
  dhcp_server_handle (self->server, msg, &pxe, &arrival, &out);
  mac = dhcp_message_get_mac (msg);

  if (dhcp_pxe_info_is_boot_client (&pxe) || pxe.uuid != NULL)
    {
      PxedClientFacts facts = { 0 };
      facts.mac = mac;
      facts.arch = pxe.arch;
      facts.uuid = pxe.uuid;
      facts.vendor_class = pxe.vendor_class;
      facts.user_class = pxe.user_class;
      facts.hostname = out.hostname;
      if (mac != NULL)
        pxed_clients_update (self->host, &facts);
    }
  arch = pxe.arch;
  dhcp_pxe_info_clear (&pxe);
  dhcp_plugin_log_event (self, &out, mac, msg);
  if (out.probe_addr != 0)
    dhcp_plugin_probe_start (self, dgram, out.probe_addr);

  /* records without a reply (RELEASE, DECLINE) get written too */
  if (dhcp_lease_store_has_pending (self->store))
    dhcp_plugin_schedule_flush (self);
  if (out.reply == NULL)
    {
      if (out.drop_reason != NULL)
        g_debug ("%s: %s from %s: %s", self->instance,
                 dhcp_message_type_to_string (dhcp_message_get_type (msg)), mac != NULL ? mac : "?",
                 out.drop_reason);
      dhcp_outcome_clear (&out);
      return;
    }

  to.sin_family = AF_INET;
  to.sin_addr.s_addr = out.dest_addr;
  to.sin_port = g_htons (out.dest_port);
  if (out.needs_commit)
    {
      DhcpPending *p = g_new0 (DhcpPending, 1);

      p->dgram = *dgram;
      p->dgram.data = NULL;
      p->dgram.len = 0;
      p->to = to;
      p->reply = g_steal_pointer (&out.reply);
      p->mac = g_steal_pointer (&mac);
      p->addr = out.client_addr;
      p->hostname = g_steal_pointer (&out.hostname);
      p->arch = arch;
      p->lease_time = out.lease_time;
      g_ptr_array_add (self->waiting, p);
      dhcp_plugin_schedule_flush (self);
    }
  else
    {
      dhcp_plugin_send (self, dgram, &to, out.reply);
      if (out.reply_type == DHCP_OFFER)
        dhcp_plugin_record (self, mac, out.client_addr, "dhcp-offer");
    }
  dhcp_outcome_clear (&out);
}

static void
dhcp_plugin_receive (const PxedDatagram *dgram, gpointer user_data)
{
  dhcp_plugin_process (user_data, dgram);
}

/* ---- ping-check ------------------------------------------------------------------ */

static void
dhcp_plugin_probe_finish (PxedPlugin *self, guint32 addr, gboolean in_use)
{
  DhcpProbe *probe = NULL;

  if (!g_hash_table_steal_extended (self->probes, GUINT_TO_POINTER (addr), NULL, (gpointer *) &probe))
    return;
  if (in_use)
    {
      char buf[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &addr, buf, sizeof buf);
      g_message ("%s: %s answers ICMP echo but has no lease here: quarantined", self->instance, buf);
    }
  dhcp_server_probe_done (self->server, addr, in_use, wall_now ());
  if (!self->stopping)
    dhcp_plugin_process (self, &probe->dgram);
  dhcp_probe_free (probe);
}

static gboolean
dhcp_plugin_probe_timeout (gpointer user_data)
{
  DhcpProbe *probe = user_data;

  g_clear_pointer (&probe->timer, g_source_unref);
  dhcp_plugin_probe_finish (probe->plugin, probe->addr, FALSE);
  return G_SOURCE_REMOVE;
}

static guint16
icmp_checksum (const guint8 *p, gsize len)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (guint32) (p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (guint32) (p[len - 1] << 8);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

static void
dhcp_plugin_probe_start (PxedPlugin *self, const PxedDatagram *dgram, guint32 addr)
{
  DhcpProbe *probe;
  guint8 echo[16] = { ICMP_ECHO, 0, 0, 0 };
  struct sockaddr_in to = { 0 };
  guint16 sum, id = (guint16) (getpid () & 0xffff);

  if (g_hash_table_contains (self->probes, GUINT_TO_POINTER (addr)))
    return;
  probe = g_new0 (DhcpProbe, 1);
  probe->plugin = self;
  probe->addr = addr;
  probe->data = g_bytes_new (dgram->data, dgram->len);
  probe->dgram = *dgram;
  probe->dgram.data = g_bytes_get_data (probe->data, NULL);
  g_hash_table_insert (self->probes, GUINT_TO_POINTER (addr), probe);

  echo[4] = (guint8) (id >> 8);
  echo[5] = (guint8) id;
  self->echo_seq++;
  echo[6] = (guint8) (self->echo_seq >> 8);
  echo[7] = (guint8) self->echo_seq;
  memcpy (echo + 8, "pxed-dhc", 8);
  sum = icmp_checksum (echo, sizeof echo);
  echo[2] = (guint8) (sum >> 8);
  echo[3] = (guint8) sum;
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = addr;
  if (sendto (self->icmp_fd, echo, sizeof echo, 0, (struct sockaddr *) &to, sizeof to) < 0)
    {
      g_debug ("%s: ICMP echo: %s; offering without probe", self->instance, g_strerror (errno));
      dhcp_plugin_probe_finish (self, addr, FALSE);
      return;
    }
  probe->timer = g_timeout_source_new (self->ping_timeout_ms);
  g_source_set_callback (probe->timer, dhcp_plugin_probe_timeout, probe, NULL);
  g_source_set_static_name (probe->timer, "pxed-dhcp probe");
  g_source_attach (probe->timer, pxed_host_get_context (self->host));
}

static gboolean
dhcp_plugin_icmp_cb (gint fd, GIOCondition condition, gpointer user_data)
{
  PxedPlugin *self = user_data;
  guint16 id = (guint16) (getpid () & 0xffff);

  for (guint burst = 0; burst < 64; burst++)
    {
      guint8 buf[512];
      struct sockaddr_in from;
      socklen_t from_len = sizeof from;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len);
      gsize ihl;

      if (n < 0)
        break;
      if (n < 20)
        continue;
      ihl = (gsize) (buf[0] & 0x0f) * 4;
      if (ihl < 20 || (gsize) n < ihl + 8)
        continue;
      if (buf[ihl] != ICMP_ECHOREPLY || ((buf[ihl + 4] << 8) | buf[ihl + 5]) != id)
        continue;
      dhcp_plugin_probe_finish (self, from.sin_addr.s_addr, TRUE);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Housekeeping ---------------------------------------------------------------- */

static void
dhcp_plugin_maybe_compact (PxedPlugin *self, gboolean force)
{
  guint n = dhcp_server_get_n_leases (self->server);
  g_autoptr(GPtrArray) snap = NULL;

  if (!force && dhcp_lease_store_get_n_appended (self->store) < MAX (DHCP_COMPACT_MIN, 2 * n))
    return;
  snap = dhcp_server_snapshot (self->server);
  dhcp_lease_store_compact (self->store, snap);
}

static gboolean
dhcp_plugin_expire_cb (gpointer user_data)
{
  PxedPlugin *self = user_data;

  dhcp_server_expire (self->server, wall_now ());
  dhcp_plugin_maybe_compact (self, FALSE);
  return G_SOURCE_CONTINUE;
}

/* ---- Plugin vfuncs ------------------------------------------------------------------ */

static gboolean
dhcp_plugin_validate (const PxedSection *sec, GError **error)
{
  g_autoptr(DhcpServerConfig) config = dhcp_config_parse (sec, error);

  return config != NULL;
}

static PxedPlugin *
dhcp_plugin_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  g_autoptr(DhcpServerConfig) config = dhcp_config_parse (sec, error);
  PxedPlugin *self;
  const char *const *listen;

  if (config == NULL)
    return NULL;
  self = g_new0 (PxedPlugin, 1);
  self->host = host;
  self->instance = g_strdup (pxed_section_get_instance (sec));
  listen = pxed_section_get_strv (sec, "listen");
  self->listen = g_strdupv ((char **) listen);
  self->memory_store = g_strcmp0 (pxed_section_get_string (sec, "lease-store"), "memory") == 0;
  self->ping_check = config->ping_check;
  self->ping_timeout_ms = (guint) pxed_section_get_duration_ms (sec, "ping-timeout");
  self->icmp_fd = -1;
  self->probes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) dhcp_probe_free);
  config->reservations.lookup_mac = dhcp_plugin_lookup_mac;
  config->reservations.lookup_ip = dhcp_plugin_lookup_ip;
  config->reservations.data = self;
  if (self->memory_store)
    self->store = dhcp_lease_store_new_memory ();
  else
    {
      g_autofree char *name = g_strdup_printf ("dhcp-%s.leases", self->instance);
      g_autofree char *path = g_build_filename (pxed_host_get_state_dir (host), name, NULL);
      self->store = dhcp_lease_store_new_journal (path, pxed_host_get_context (host));
    }
  self->server = dhcp_server_new (g_steal_pointer (&config), self->store);
  self->subs = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_udp_unsubscribe);
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) dhcp_pending_free);
  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) dhcp_pending_free);
  self->ifaces = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return self;
}

static gboolean
dhcp_plugin_start (PxedPlugin *self, GError **error)
{
  if (!self->memory_store)
    {
      if (g_mkdir_with_parents (pxed_host_get_state_dir (self->host), 0750) < 0)
        {
          int e = errno;
          g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "cannot create state directory %s: %s",
                       pxed_host_get_state_dir (self->host), g_strerror (e));
          return FALSE;
        }
    }
  if (self->ping_check)
    {
      self->icmp_fd = socket (AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
      if (self->icmp_fd < 0)
        {
          int e = errno;
          g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO,
                       "ping-check needs a raw ICMP socket (CAP_NET_RAW): %s", g_strerror (e));
          return FALSE;
        }
      self->icmp_source = g_unix_fd_source_new (self->icmp_fd, G_IO_IN);
      g_source_set_callback (self->icmp_source, G_SOURCE_FUNC (dhcp_plugin_icmp_cb), self, NULL);
      g_source_set_static_name (self->icmp_source, "pxed-dhcp icmp");
      g_source_attach (self->icmp_source, pxed_host_get_context (self->host));
    }
  if (!dhcp_server_load (self->server, wall_now (), error))
    return FALSE;
  g_info ("%s: %u lease(s) loaded", self->instance, dhcp_server_get_n_leases (self->server));
  /* a clean journal: drops torn lines and history */
  dhcp_plugin_maybe_compact (self, TRUE);
  if (!self->memory_store && !dhcp_lease_store_flush_sync (self->store, error))
    return FALSE;
  for (guint i = 0; self->listen != NULL && self->listen[i] != NULL; i++)
    {
      PxedUdpSubscription *sub = pxed_net_udp_subscribe (self->host, self->listen[i], DHCP_SERVER_PORT,
                                                         dhcp_plugin_receive, self, error);
      if (sub == NULL)
        return FALSE;
      g_ptr_array_add (self->subs, sub);
    }
  self->expire_source = g_timeout_source_new_seconds (DHCP_EXPIRE_INTERVAL_S);
  g_source_set_callback (self->expire_source, dhcp_plugin_expire_cb, self, NULL);
  g_source_set_static_name (self->expire_source, "pxed-dhcp expire");
  g_source_attach (self->expire_source, pxed_host_get_context (self->host));
  return TRUE;
}

static void
dhcp_plugin_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  self->stopping = TRUE; /* new datagrams are ignored from now on */
  g_hash_table_remove_all (self->probes);
  self->done = done;
  self->done_data = done_data;
  if (self->waiting->len > 0 || dhcp_lease_store_has_pending (self->store))
    dhcp_plugin_schedule_flush (self);
  dhcp_plugin_maybe_done (self);
}

static void
dhcp_plugin_destroy (PxedPlugin *self)
{
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_source_unref (self->flush_source);
    }
  if (self->expire_source != NULL)
    {
      g_source_destroy (self->expire_source);
      g_source_unref (self->expire_source);
    }
  g_hash_table_unref (self->probes);
  if (self->icmp_source != NULL)
    {
      g_source_destroy (self->icmp_source);
      g_source_unref (self->icmp_source);
    }
  if (self->icmp_fd >= 0)
    close (self->icmp_fd);
  g_ptr_array_unref (self->subs);
  /* the store finishes queued writes (their callbacks are dropped) */
  dhcp_lease_store_free (self->store);
  dhcp_server_free (self->server);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->in_flight);
  g_hash_table_unref (self->ifaces);
  g_strfreev (self->listen);
  g_free (self->instance);
  g_free (self);
}

static const PxedPluginInfo dhcp_plugin_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "dhcp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "DHCPv4 server for PXE networks with a crash-safe lease journal",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = dhcp_plugin_options,
  .validate = dhcp_plugin_validate,
  .create = dhcp_plugin_create,
  .start = dhcp_plugin_start,
  .reload_prepare = NULL,
  .stop = dhcp_plugin_stop,
  .destroy = dhcp_plugin_destroy,
};

PXED_PLUGIN_DEFINE (dhcp_plugin_info)
