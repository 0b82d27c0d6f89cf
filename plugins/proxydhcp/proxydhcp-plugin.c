/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxydhcp plugin: PXE 2.1 proxyDHCP beside a DHCP server pxed does not
 * own (or beside pxed's own dhcp plugin: both subscribe to port 67 through
 * the net service and each answers only what is its own).
 *
 * All protocol decisions live in proxydhcp-reply.c; this file subscribes to
 * the `listen` (port 67) and `listen-4011` endpoints, works out our address
 * on the arrival interface, sends what the logic built and records what it
 * learned in the clients service. */
#include <arpa/inet.h>
#include <string.h>

#include <pxed/pxed.h>

#include "proxydhcp-config.h"
#include "proxydhcp-reply.h"

typedef struct {
  ProxyConfig *cfg;
  char       **listen;
  char       **listen_4011;
  GPtrArray   *subs;      /* PxedUdpSubscription*, NULL: keep the current ones */
} ProxyPrepared;

struct _PxedPlugin {
  PxedHost    *host;
  char        *instance;
  ProxyConfig *cfg;
  char       **listen;
  char       **listen_4011;
  GPtrArray   *subs;      /* PxedUdpSubscription* */
};

static char **
section_strv (const PxedSection *sec, const char *key, const char *fallback)
{
  const char *const *v = pxed_section_get_strv (sec, key);

  if (v != NULL)
    return g_strdupv ((char **) v);
  if (pxed_section_has (sec, key))
    return g_new0 (char *, 1); /* written as an empty list */
  return g_strsplit (fallback, ",", -1);
}

static gboolean
check_listen (const PxedSection *sec, const char *key, guint16 port, GError **error)
{
  const char *const *listen = pxed_section_get_strv (sec, key);

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      PxedListenSpec spec;
      g_autoptr(GError) local_error = NULL;

      if (!pxed_net_parse_listen (listen[i], port, &spec, &local_error))
        {
          pxed_section_set_error (sec, key, error, "%s", local_error->message);
          return FALSE;
        }
      if (spec.addr.ss_family != AF_INET)
        {
          pxed_section_set_error (sec, key, error, "'%s': proxyDHCP is IPv4 only", listen[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
proxy_validate (const PxedSection *sec, GError **error)
{
  g_autoptr(ProxyConfig) cfg = NULL;

  if (!check_listen (sec, "listen", DHCP_SERVER_PORT, error) ||
      !check_listen (sec, "listen-4011", DHCP_PXE_PORT, error))
    return FALSE;
  cfg = proxy_config_parse (sec, error);
  return cfg != NULL;
}

/* ---- datagrams ---------------------------------------------------------------- */

static void
proxy_datagram (PxedPlugin *self, const PxedDatagram *dgram, gboolean port_4011)
{
  const struct sockaddr_in *peer = (const struct sockaddr_in *) &dgram->peer;
  const struct sockaddr_in *local = (const struct sockaddr_in *) &dgram->local;
  ProxyArrival arr = { 0 };
  ProxyOutcome out;
  g_autofree char *peer_str = NULL;
  g_autofree char *ip = NULL;

  if (dgram->peer.ss_family != AF_INET)
    return;
  arr.peer_addr = peer->sin_addr.s_addr;
  arr.peer_port = ntohs (peer->sin_port);
  arr.port_4011 = port_4011;
  if (dgram->local.ss_family == AF_INET && local->sin_addr.s_addr != INADDR_ANY &&
      local->sin_addr.s_addr != INADDR_BROADCAST && !IN_MULTICAST (ntohl (local->sin_addr.s_addr)) &&
      (ntohl (local->sin_addr.s_addr) & 0xff) != 0xff)
    arr.server_addr = local->sin_addr.s_addr;
  else
    {
      struct in_addr a;
      if (dgram->ifindex != 0 && pxed_net_get_interface_ipv4 (dgram->ifindex, &a))
        arr.server_addr = a.s_addr;
    }

  proxy_handle (self->cfg, dgram->data, dgram->len, &arr, &out);
  peer_str = pxed_net_endpoint_to_string ((const struct sockaddr *) &dgram->peer, dgram->peer_len);
  if (arr.peer_addr != 0)
    ip = pxed_net_address_to_string ((const struct sockaddr *) &dgram->peer, dgram->peer_len);

  if (out.parsed && (out.pxe.pxe_client || out.pxe.http_client) && (out.mac != NULL || ip != NULL))
    {
      PxedClientFacts facts = {
        .mac = out.mac,
        .ip = port_4011 ? ip : NULL,
        .arch = out.pxe.arch,
        .uuid = out.pxe.uuid,
        .vendor_class = out.pxe.vendor_class,
        .user_class = out.pxe.user_class,
        .stage = (char *) out.stage,
      };
      pxed_clients_update (self->host, &facts);
    }

  if (out.reply == NULL)
    {
      g_debug ("%s: %s%s%s from %s (port %s) dropped: %s", self->instance,
               out.parsed ? dhcp_message_type_to_string (out.request_type) : "datagram",
               out.mac != NULL ? " of " : "", out.mac != NULL ? out.mac : "", peer_str,
               port_4011 ? "4011" : "67",
               out.drop_reason != NULL ? out.drop_reason : "not answered");
    }
  else
    {
      struct sockaddr_in to = { .sin_family = AF_INET };
      g_autoptr(GError) error = NULL;
      char dest[INET_ADDRSTRLEN], server[INET_ADDRSTRLEN];

      to.sin_addr.s_addr = out.dest_addr;
      to.sin_port = htons (out.dest_port);
      inet_ntop (AF_INET, &out.dest_addr, dest, sizeof dest);
      inet_ntop (AF_INET, &out.boot_server, server, sizeof server);
      if (!pxed_net_udp_reply (dgram, (const struct sockaddr *) &to, sizeof to,
                               g_bytes_get_data (out.reply, NULL), g_bytes_get_size (out.reply),
                               &error))
        PXED_LOG_CLIENT (G_LOG_LEVEL_WARNING, self->instance, out.mac, ip, "%s", error->message);
      else if (out.boot_file != NULL)
        PXED_LOG_CLIENT (port_4011 ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_INFO, self->instance,
                         out.mac, ip, "%s: arch %d%s, boot file %s from %s, to %s:%u",
                         out.stage, out.pxe.arch, out.pxe.ipxe ? " (iPXE)" : "", out.boot_file,
                         server, dest, out.dest_port);
      else
        PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, self->instance, out.mac, ip,
                         "%s: arch %d%s, boot file at port 4011, to %s:%u", out.stage,
                         out.pxe.arch, out.pxe.ipxe ? " (iPXE)" : "", dest, out.dest_port);
    }
  proxy_outcome_clear (&out);
}

static void
proxy_67_cb (const PxedDatagram *dgram, gpointer user_data)
{
  proxy_datagram (user_data, dgram, FALSE);
}

static void
proxy_4011_cb (const PxedDatagram *dgram, gpointer user_data)
{
  proxy_datagram (user_data, dgram, TRUE);
}

static GPtrArray *
subscribe_all (PxedPlugin *self, char **listen, char **listen_4011, GError **error)
{
  g_autoptr(GPtrArray) subs = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_udp_unsubscribe);

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      PxedUdpSubscription *sub = pxed_net_udp_subscribe (self->host, listen[i], DHCP_SERVER_PORT,
                                                         proxy_67_cb, self, error);
      if (sub == NULL)
        return NULL;
      g_ptr_array_add (subs, sub);
    }
  for (guint i = 0; listen_4011 != NULL && listen_4011[i] != NULL; i++)
    {
      PxedUdpSubscription *sub = pxed_net_udp_subscribe (self->host, listen_4011[i], DHCP_PXE_PORT,
                                                         proxy_4011_cb, self, error);
      if (sub == NULL)
        return NULL;
      g_ptr_array_add (subs, sub);
    }
  return g_steal_pointer (&subs);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static PxedPlugin *
proxy_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  g_autoptr(ProxyConfig) cfg = proxy_config_parse (sec, error);
  PxedPlugin *self;

  if (cfg == NULL)
    return NULL;
  self = g_new0 (PxedPlugin, 1);
  self->host = host;
  self->instance = g_strdup (pxed_section_get_instance (sec));
  self->cfg = g_steal_pointer (&cfg);
  self->listen = section_strv (sec, "listen", PROXY_DEFAULT_LISTEN);
  self->listen_4011 = section_strv (sec, "listen-4011", PROXY_DEFAULT_LISTEN_4011);
  return self;
}

static gboolean
proxy_start (PxedPlugin *self, GError **error)
{
  g_autofree char *l67 = g_strjoinv (" ", self->listen);
  g_autofree char *l4011 = g_strjoinv (" ", self->listen_4011);

  self->subs = subscribe_all (self, self->listen, self->listen_4011, error);
  if (self->subs == NULL)
    return FALSE;
  g_info ("%s: proxyDHCP on %s, boot requests on %s", self->instance, l67,
          l4011[0] != '\0' ? l4011 : "(none)");
  return TRUE;
}

static void
proxy_prepared_free (ProxyPrepared *p)
{
  if (p == NULL)
    return;
  proxy_config_free (p->cfg);
  g_strfreev (p->listen);
  g_strfreev (p->listen_4011);
  g_clear_pointer (&p->subs, g_ptr_array_unref);
  g_free (p);
}

static gpointer
proxy_reload_prepare (PxedPlugin *self, const PxedSection *sec, GError **error)
{
  g_autoptr(ProxyConfig) cfg = proxy_config_parse (sec, error);
  ProxyPrepared *p;

  if (cfg == NULL)
    return NULL;
  p = g_new0 (ProxyPrepared, 1);
  p->cfg = g_steal_pointer (&cfg);
  p->listen = section_strv (sec, "listen", PROXY_DEFAULT_LISTEN);
  p->listen_4011 = section_strv (sec, "listen-4011", PROXY_DEFAULT_LISTEN_4011);
  if (!g_strv_equal ((const char *const *) p->listen, (const char *const *) self->listen) ||
      !g_strv_equal ((const char *const *) p->listen_4011, (const char *const *) self->listen_4011))
    {
      /* Subscribed before the old ones go: a shared endpoint stays open. */
      p->subs = subscribe_all (self, p->listen, p->listen_4011, error);
      if (p->subs == NULL)
        {
          proxy_prepared_free (p);
          return NULL;
        }
    }
  return p;
}

static void
proxy_reload_commit (PxedPlugin *self, gpointer prepared)
{
  ProxyPrepared *p = prepared;

  proxy_config_free (self->cfg);
  self->cfg = g_steal_pointer (&p->cfg);
  if (p->subs != NULL)
    {
      g_clear_pointer (&self->subs, g_ptr_array_unref);
      self->subs = g_steal_pointer (&p->subs);
      g_strfreev (self->listen);
      g_strfreev (self->listen_4011);
      self->listen = g_steal_pointer (&p->listen);
      self->listen_4011 = g_steal_pointer (&p->listen_4011);
    }
  proxy_prepared_free (p);
}

static void
proxy_reload_abort (PxedPlugin *self, gpointer prepared)
{
  (void) self;
  proxy_prepared_free (prepared);
}

static void
proxy_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  /* Nothing outlives a datagram: done at once. */
  g_clear_pointer (&self->subs, g_ptr_array_unref);
  done (done_data);
}

static void
proxy_destroy (PxedPlugin *self)
{
  g_clear_pointer (&self->subs, g_ptr_array_unref);
  proxy_config_free (self->cfg);
  g_strfreev (self->listen);
  g_strfreev (self->listen_4011);
  g_free (self->instance);
  g_free (self);
}

static const PxedPluginInfo proxy_plugin_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "proxydhcp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "PXE 2.1 proxyDHCP beside a DHCP server pxed does not own",
  .version = "0.1",
  .license = "LGPL-2.1-or-later",
  .options = proxy_plugin_options,
  .validate = proxy_validate,
  .create = proxy_create,
  .start = proxy_start,
  .reload_prepare = proxy_reload_prepare,
  .reload_commit = proxy_reload_commit,
  .reload_abort = proxy_reload_abort,
  .stop = proxy_stop,
  .destroy = proxy_destroy,
};

PXED_PLUGIN_DEFINE (proxy_plugin_info)
