/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* http-repo: the install tree, boot files and generated files over HTTP/1.1. */
#include <pxed/pxed.h>

#include "http-repo-server.h"

struct _PxedPlugin {
  PxedHost       *host;
  HttpRepoServer *server;
  GSource        *drain;
  PxedDoneFunc    done;
  gpointer        done_data;
};

static const PxedOptionSpec http_repo_options[] = {
  { "listen", PXED_OPTION_LIST, NULL, 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "addresses to listen on (ADDRESS:PORT, [IPV6]:PORT, INTERFACE); default all, port 80" },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, 0,
    "directory served; without it only generated files are served" },
  { "max-sessions", PXED_OPTION_UINT, "1024", 1, 1000000, 0,
    "most open connections; more are refused" },
  { "max-sessions-per-client", PXED_OPTION_UINT, "64", 1, 1000000, 0,
    "most open connections from one client address" },
  { "directory-listing", PXED_OPTION_BOOL, "false", 0, 0, 0,
    "answer a directory with an HTML listing (else 403)" },
  { "max-header-size", PXED_OPTION_SIZE, "8KiB", 1024, 1024 * 1024, 0,
    "largest request line plus headers; more gets 414 or 431" },
  { "max-headers", PXED_OPTION_UINT, "64", 1, 10000, 0,
    "most header fields in a request; more gets 431" },
  { "header-timeout", PXED_OPTION_DURATION, "10s", 1000, 3600 * 1000, 0,
    "close a connection idle this long while a request is being received" },
  { "keepalive-timeout", PXED_OPTION_DURATION, "60s", 1000, 3600 * 1000, 0,
    "close a connection idle this long between requests" },
  { "threads", PXED_OPTION_UINT, "1", 1, 64, 0,
    "HTTP worker threads (each serves every listening socket)" },
  { "access-log", PXED_OPTION_BOOL, "true", 0, 0, 0,
    "log one line per request at info level" },
  { NULL },
};

static gboolean
http_repo_validate (const PxedSection *sec, GError **error)
{
  const char *const *listen = pxed_section_get_strv (sec, "listen");

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      PxedListenSpec spec;

      if (!pxed_net_parse_listen (listen[i], 80, &spec, &local))
        {
          pxed_section_set_error (sec, "listen", error, "%s", local->message);
          return FALSE;
        }
    }
  return TRUE;
}

static guint
ms_to_s (guint64 ms)
{
  return (guint) MAX ((ms + 999) / 1000, 1);
}

static PxedPlugin *
http_repo_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = g_new0 (PxedPlugin, 1);
  const char *const *listen = pxed_section_get_strv (sec, "listen");
  HttpRepoConfig cfg = {
    .instance = g_strdup (pxed_section_get_instance (sec)),
    .listen = listen != NULL && listen[0] != NULL ? g_strdupv ((char **) listen) : NULL,
    .root = g_strdup (pxed_section_get_string (sec, "root")),
    .max_sessions = (guint) pxed_section_get_uint (sec, "max-sessions"),
    .max_sessions_per_client = (guint) pxed_section_get_uint (sec, "max-sessions-per-client"),
    .directory_listing = pxed_section_get_bool (sec, "directory-listing"),
    .max_header_size = pxed_section_get_size (sec, "max-header-size"),
    .max_headers = (guint) pxed_section_get_uint (sec, "max-headers"),
    .header_timeout_s = ms_to_s (pxed_section_get_duration_ms (sec, "header-timeout")),
    .keepalive_timeout_s = ms_to_s (pxed_section_get_duration_ms (sec, "keepalive-timeout")),
    .threads = (guint) pxed_section_get_uint (sec, "threads"),
    .access_log = pxed_section_get_bool (sec, "access-log"),
  };

  self->host = host;
  self->server = http_repo_server_new (host, &cfg);
  return self;
}

static gboolean
http_repo_start (PxedPlugin *self, GError **error)
{
  return http_repo_server_start (self->server, error);
}

static gboolean
http_repo_drain_check (gpointer user_data)
{
  PxedPlugin *self = user_data;

  if (http_repo_server_get_n_active (self->server) > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->drain, g_source_unref);
  if (self->done != NULL)
    self->done (self->done_data);
  return G_SOURCE_REMOVE;
}

static void
http_repo_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  /* no new connections; running requests (downloads) finish, the core
   * bounds this; idle keep-alive connections are closed by destroy */
  http_repo_server_quiesce (self->server);
  self->done = done;
  self->done_data = done_data;
  if (http_repo_server_get_n_active (self->server) == 0)
    {
      if (done != NULL)
        done (done_data);
      return;
    }
  self->drain = g_timeout_source_new (100);
  g_source_set_callback (self->drain, http_repo_drain_check, self, NULL);
  g_source_attach (self->drain, pxed_host_get_context (self->host));
}

static void
http_repo_destroy (PxedPlugin *self)
{
  if (self->drain != NULL)
    {
      g_source_destroy (self->drain);
      g_clear_pointer (&self->drain, g_source_unref);
    }
  g_clear_pointer (&self->server, http_repo_server_free);
  g_free (self);
}

static const PxedPluginInfo http_repo_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "http-repo",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "The install tree and generated files over HTTP/1.1",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = http_repo_options,
  .validate = http_repo_validate,
  .create = http_repo_create,
  .start = http_repo_start,
  /* reload: no reload_prepare, so the core restarts a changed instance */
  .stop = http_repo_stop,
  .destroy = http_repo_destroy,
};

PXED_PLUGIN_DEFINE (http_repo_info)
