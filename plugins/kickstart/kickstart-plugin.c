/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kickstart: ks/<profile>.cfg, ks/<mac>.cfg and ks.cfg rendered per machine
 * from the inventory. A generator: it opens no sockets. */
#include <pxed/pxed.h>

#include "gen-common.h"
#include "kickstart-render.h"

struct _PxedPlugin {
  PxedHost    *host;
  KsCompiled  *compiled; /* for the inventory it was built from */
  GenProvider *provider;
};

static const PxedOptionSpec kickstart_options[] = {
  GEN_OPTION_CACHE_ENTRIES,
  { NULL },
};

/* Kickstarts are prepared per inventory snapshot: passwords hashed, templates
 * read, every profile checked. */
static KsCompiled *
kickstart_compiled_for (PxedPlugin *self, PxedInventory *inv, GError **error)
{
  KsCompiled *ks;
  if (self->compiled != NULL && ks_compiled_get_inventory (self->compiled) == inv)
    return self->compiled;
  ks = ks_compile (inv, error);
  if (ks == NULL)
    return NULL;
  g_clear_pointer (&self->compiled, ks_compiled_free);
  self->compiled = ks;
  return ks;
}

static GBytes *
kickstart_render_cb (PxedInventory *inv, gpointer data, const char *path, const GenFacts *facts,
                     GError **error)
{
  PxedPlugin *self = data;
  g_autoptr(GError) local = NULL;
  KsCompiled *ks = kickstart_compiled_for (self, inv, &local);
  if (ks == NULL)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED, "%s", local->message);
      return NULL;
    }
  return ks_render (ks, path, facts, error);
}

static PxedPlugin *
kickstart_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = g_new0 (PxedPlugin, 1);
  g_autoptr(PxedInventory) inv = pxed_inventory_get_current (host);

  self->host = host;
  /* With the configuration known (daemon start, --check-config), a broken
   * profile is a located configuration error now. */
  if (inv != NULL && kickstart_compiled_for (self, inv, error) == NULL)
    {
      g_free (self);
      return NULL;
    }
  self->provider = gen_provider_new (host, G_LOG_DOMAIN, pxed_section_get_instance (sec),
                                     kickstart_render_cb, self,
                                     (guint) pxed_section_get_uint (sec, "cache-entries"));
  return self;
}

static gboolean
kickstart_start (PxedPlugin *self, GError **error)
{
  static const char *const patterns[] = { "ks/*.cfg", "ks.cfg", NULL };
  g_autoptr(PxedInventory) inv = pxed_inventory_get_current (self->host);

  /* Created before the configuration was installed: prepare it now. */
  if (inv != NULL && kickstart_compiled_for (self, inv, error) == NULL)
    return FALSE;
  gen_provider_start (self->provider, patterns);
  g_info ("serving ks/<profile>.cfg, ks/<mac>.cfg and ks.cfg");
  return TRUE;
}

static void
kickstart_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  gen_provider_stop (self->provider);
  if (done != NULL)
    done (done_data);
}

static void
kickstart_destroy (PxedPlugin *self)
{
  gen_provider_free (self->provider);
  g_clear_pointer (&self->compiled, ks_compiled_free);
  g_free (self);
}

static const PxedPluginInfo kickstart_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "kickstart",
  .kind = PXED_PLUGIN_KIND_GENERATOR,
  .summary = "Kickstart files rendered per machine from the inventory",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = kickstart_options,
  .create = kickstart_create,
  .start = kickstart_start,
  .stop = kickstart_stop,
  .destroy = kickstart_destroy,
};

PXED_PLUGIN_DEFINE (kickstart_info)
