/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ftp: an anonymous, read-only FTP server on the content tree (the seed's
 * vsftpd). Reload: limits, timeouts and the banner apply to new sessions; a
 * changed root is opened in prepare, a changed listen list rebound in commit
 * (transfers already running finish on what they opened). */
#include <string.h>

#include <pxed/pxed.h>

#include "ftp-server.h"

#define FTP_DEFAULT_PORT 21

struct _PxedPlugin {
  PxedHost        *host;
  char            *instance;
  char           **listen;
  char            *root_dir;
  FtpServerConfig  cfg;
  PxedContentRoot *root;
  GPtrArray       *listeners; /* PxedTcpListener* */
  FtpServer       *server;
};

static const PxedOptionSpec ftp_options[] = {
  { "listen", PXED_OPTION_LIST, "0.0.0.0:21", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "Addresses to answer on: ADDRESS:PORT, [IPV6]:PORT or INTERFACE (default port 21)", NULL },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, PXED_OPTION_FLAG_REQUIRED,
    "Directory served read-only to anonymous users", NULL },
  { "max-sessions", PXED_OPTION_UINT, "200", 1, 100000, 0,
    "Most concurrent control connections; more get 421", NULL },
  { "max-sessions-per-client", PXED_OPTION_UINT, "16", 1, 100000, 0,
    "Most concurrent control connections from one client address", NULL },
  { "passive-ports", PXED_OPTION_STRING, "", 0, 0, 0,
    "Port range for passive data connections, \"30000-30100\"; empty: any free port", NULL },
  { "idle-timeout", PXED_OPTION_DURATION, "5m", 1000, 86400000, 0,
    "Close a logged-in control connection idle this long", NULL },
  { "login-timeout", PXED_OPTION_DURATION, "30s", 1000, 3600000, 0,
    "Close a connection that has not logged in within this time", NULL },
  { "data-timeout", PXED_OPTION_DURATION, "60s", 1000, 3600000, 0,
    "Abort a data connection that makes no progress (or is not opened) this long", NULL },
  { "banner", PXED_OPTION_STRING, "pxed FTP server ready.", 0, 0, 0,
    "Greeting text (220 reply); several lines are separated by newlines", NULL },
  { NULL }
};

static gboolean
ftp_config_read (const PxedSection *sec, FtpServerConfig *cfg, GError **error)
{
  const char *ports = pxed_section_get_string (sec, "passive-ports");
  const char *banner = pxed_section_get_string (sec, "banner");

  memset (cfg, 0, sizeof *cfg);
  cfg->max_sessions = (guint) pxed_section_get_uint (sec, "max-sessions");
  cfg->max_sessions_per_client = (guint) pxed_section_get_uint (sec, "max-sessions-per-client");
  cfg->idle_timeout_ms = (guint) pxed_section_get_duration_ms (sec, "idle-timeout");
  cfg->login_timeout_ms = (guint) pxed_section_get_duration_ms (sec, "login-timeout");
  cfg->data_timeout_ms = (guint) pxed_section_get_duration_ms (sec, "data-timeout");
  if (cfg->max_sessions == 0)
    cfg->max_sessions = 200;
  if (cfg->max_sessions_per_client == 0)
    cfg->max_sessions_per_client = 16;
  if (cfg->idle_timeout_ms == 0)
    cfg->idle_timeout_ms = 300000;
  if (cfg->login_timeout_ms == 0)
    cfg->login_timeout_ms = 30000;
  if (cfg->data_timeout_ms == 0)
    cfg->data_timeout_ms = 60000;
  if (!ftp_parse_passive_ports (ports, &cfg->passive_min, &cfg->passive_max))
    {
      pxed_section_set_error (sec, "passive-ports", error,
                              "expected a port range LOW-HIGH within 1024-65535");
      return FALSE;
    }
  cfg->banner = g_strdup (banner != NULL ? banner : "pxed FTP server ready.");
  return TRUE;
}

static char **
ftp_listen_list (const PxedSection *sec)
{
  const char *const *listen = pxed_section_get_strv (sec, "listen");
  char **out;

  if (listen != NULL && listen[0] != NULL)
    return g_strdupv ((char **) listen);
  out = g_new0 (char *, 2);
  out[0] = g_strdup ("0.0.0.0:21");
  return out;
}

static gboolean
ftp_validate (const PxedSection *sec, GError **error)
{
  const char *const *listen = pxed_section_get_strv (sec, "listen");
  FtpServerConfig cfg;
  gboolean ok;

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      PxedListenSpec spec;
      g_autoptr(GError) local_error = NULL;

      if (!pxed_net_parse_listen (listen[i], FTP_DEFAULT_PORT, &spec, &local_error))
        {
          pxed_section_set_error (sec, "listen", error, "%s", local_error->message);
          return FALSE;
        }
    }
  ok = ftp_config_read (sec, &cfg, error);
  ftp_server_config_clear (&cfg);
  return ok;
}

static PxedPlugin *
ftp_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  g_autofree PxedPlugin *self = g_new0 (PxedPlugin, 1);

  if (!ftp_config_read (sec, &self->cfg, error))
    return NULL;
  self->host = host;
  self->instance = g_strdup (pxed_section_get_instance (sec));
  self->listen = ftp_listen_list (sec);
  self->root_dir = g_strdup (pxed_section_get_string (sec, "root"));
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_tcp_listener_free);
  return g_steal_pointer (&self);
}

static GPtrArray *
ftp_listen_all (PxedPlugin *self, char **listen, FtpServer *server, GError **error)
{
  g_autoptr(GPtrArray) listeners =
    g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_tcp_listener_free);

  for (guint i = 0; listen[i] != NULL; i++)
    {
      PxedTcpListener *l = pxed_net_tcp_listen (self->host, listen[i], FTP_DEFAULT_PORT,
                                                ftp_server_accept, server, error);
      if (l == NULL)
        {
          g_prefix_error (error, "listen %s: ", listen[i]);
          return NULL;
        }
      g_ptr_array_add (listeners, l);
    }
  return g_steal_pointer (&listeners);
}

static gboolean
ftp_start (PxedPlugin *self, GError **error)
{
  GPtrArray *listeners;

  if (self->root_dir == NULL)
    {
      g_set_error_literal (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_MISSING, "root is required");
      return FALSE;
    }
  self->root = pxed_content_root_new (self->host, self->root_dir, error);
  if (self->root == NULL)
    return FALSE;
  self->server = ftp_server_new (self->host, self->instance, self->root, &self->cfg);
  listeners = ftp_listen_all (self, self->listen, self->server, error);
  if (listeners == NULL)
    return FALSE;
  g_ptr_array_unref (self->listeners);
  self->listeners = listeners;
  g_info ("serving %s read-only on %u address(es)", self->root_dir, listeners->len);
  return TRUE;
}

typedef struct {
  FtpServerConfig  cfg;
  char           **listen;
  char            *root_dir;
  PxedContentRoot *root;      /* NULL: unchanged */
  gboolean         listen_changed;
} FtpPrepared;

static void
ftp_prepared_free (FtpPrepared *p)
{
  ftp_server_config_clear (&p->cfg);
  g_strfreev (p->listen);
  g_free (p->root_dir);
  g_clear_pointer (&p->root, pxed_content_root_unref);
  g_free (p);
}

static gpointer
ftp_reload_prepare (PxedPlugin *self, const PxedSection *sec, GError **error)
{
  FtpPrepared *p = g_new0 (FtpPrepared, 1);

  if (!ftp_config_read (sec, &p->cfg, error))
    goto fail;
  p->listen = ftp_listen_list (sec);
  p->root_dir = g_strdup (pxed_section_get_string (sec, "root"));
  if (g_strcmp0 (p->root_dir, self->root_dir) != 0)
    {
      p->root = pxed_content_root_new (self->host, p->root_dir, error);
      if (p->root == NULL)
        goto fail;
    }
  p->listen_changed = !g_strv_equal ((const char *const *) p->listen,
                                     (const char *const *) self->listen);
  return p;

fail:
  ftp_prepared_free (p);
  return NULL;
}

static void
ftp_reload_commit (PxedPlugin *self, gpointer prepared)
{
  FtpPrepared *p = prepared;

  ftp_server_set_config (self->server, &p->cfg);
  ftp_server_config_clear (&self->cfg);
  self->cfg = p->cfg;
  memset (&p->cfg, 0, sizeof p->cfg);
  g_strfreev (self->listen);
  self->listen = g_steal_pointer (&p->listen);
  if (p->listen_changed)
    {
      /* The core holds the net service's sockets during commit, so
       * addresses kept in the new list keep their (privileged) sockets. */
      g_ptr_array_set_size (self->listeners, 0);
      for (guint i = 0; self->listen[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          PxedTcpListener *l = pxed_net_tcp_listen (self->host, self->listen[i], FTP_DEFAULT_PORT,
                                                    ftp_server_accept, self->server, &error);
          if (l == NULL)
            g_warning ("listen %s: %s", self->listen[i], error->message);
          else
            g_ptr_array_add (self->listeners, l);
        }
    }
  if (p->root != NULL)
    {
      g_clear_pointer (&self->root, pxed_content_root_unref);
      self->root = g_steal_pointer (&p->root);
      g_free (self->root_dir);
      self->root_dir = g_steal_pointer (&p->root_dir);
      ftp_server_set_root (self->server, self->root);
    }
  ftp_prepared_free (p);
  g_info ("configuration reloaded; running sessions keep their settings");
}

static void
ftp_reload_abort (PxedPlugin *self, gpointer prepared)
{
  ftp_prepared_free (prepared);
}

static void
ftp_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  g_ptr_array_set_size (self->listeners, 0);
  if (self->server == NULL)
    {
      done (done_data);
      return;
    }
  if (ftp_server_get_n_sessions (self->server) > 0)
    g_info ("stopping: %u session(s) open", ftp_server_get_n_sessions (self->server));
  ftp_server_stop (self->server, done, done_data);
}

static void
ftp_destroy (PxedPlugin *self)
{
  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_pointer (&self->server, ftp_server_free);
  g_clear_pointer (&self->root, pxed_content_root_unref);
  ftp_server_config_clear (&self->cfg);
  g_strfreev (self->listen);
  g_free (self->root_dir);
  g_free (self->instance);
  g_free (self);
}

static const PxedPluginInfo ftp_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "ftp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "Anonymous read-only FTP server (RFC 959, 2389, 2428, 3659) for the content tree",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = ftp_options,
  .validate = ftp_validate,
  .create = ftp_create,
  .start = ftp_start,
  .reload_prepare = ftp_reload_prepare,
  .reload_commit = ftp_reload_commit,
  .reload_abort = ftp_reload_abort,
  .stop = ftp_stop,
  .destroy = ftp_destroy,
};

PXED_PLUGIN_DEFINE (ftp_info)
