/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pxed-config.h"

#include <pxed/pxed.h>

#include "pxed-host-private.h"

PxedHost *
pxed_host_new (GMainContext *context)
{
  PxedHost *host = g_new0 (PxedHost, 1);

  host->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  host->state_dir = g_strdup (PXED_STATEDIR);
  host->net = pxed_net_new (host->context);
  host->content = pxed_content_service_new ();
  host->clients = pxed_clients_new (host->context);
  return host;
}

void
pxed_host_free (PxedHost *host)
{
  if (host == NULL)
    return;
  pxed_content_service_free (host->content);
  pxed_clients_free (host->clients);
  pxed_net_free (host->net);
  if (host->config != NULL)
    pxed_config_unref (host->config);
  g_main_context_unref (host->context);
  g_free (host->state_dir);
  g_free (host);
}

void
pxed_host_set_config (PxedHost *host, PxedConfig *config)
{
  const char *state_dir = pxed_section_get_string (pxed_config_get_core (config), "state-dir");

  pxed_config_ref (config);
  if (host->config != NULL)
    pxed_config_unref (host->config);
  host->config = config;
  host->generation++;
  if (state_dir != NULL)
    {
      g_free (host->state_dir);
      host->state_dir = g_strdup (state_dir);
    }
}

GMainContext *
pxed_host_get_context (PxedHost *host)
{
  return host->context;
}

const char *
pxed_host_get_state_dir (PxedHost *host)
{
  return host->state_dir;
}

guint64
pxed_host_get_generation (PxedHost *host)
{
  return host->generation;
}
