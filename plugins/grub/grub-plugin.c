/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* grub: grub.cfg and per-machine grub.cfg-01-<mac> / grub.cfg-<mac> for
 * UEFI machines, from the same menu and profiles as syslinux. */
#include <string.h>

#include <pxed/pxed.h>

#include "gen-common.h"
#include "grub-render.h"

struct _PxedPlugin {
  PxedHost    *host;
  GrubOptions  opts;
  char        *prefix;
  char        *patterns[3];
  GenProvider *provider;
};

static const PxedOptionSpec grub_options[] = {
  { "prefix", PXED_OPTION_STRING, "grub", 0, 0, 0,
    "directory GRUB loads grub.cfg from, relative to the served root (\"\" for the root)", NULL },
  GEN_OPTION_CHECK_ROOT,
  GEN_OPTION_CACHE_ENTRIES,
  { NULL },
};

static gboolean
grub_validate (const PxedSection *sec, GError **error)
{
  const char *prefix = pxed_section_get_string (sec, "prefix");
  if (prefix != NULL
      && (prefix[0] == '/' || strstr (prefix, "..") != NULL || strpbrk (prefix, "*?\\") != NULL
          || (prefix[0] != '\0' && prefix[strlen (prefix) - 1] == '/')))
    {
      pxed_section_set_error (sec, "prefix", error,
                              "expected a relative directory such as grub, without '..', "
                              "wildcards or a trailing '/'");
      return FALSE;
    }
  return TRUE;
}

static GBytes *
grub_render_cb (PxedInventory *inv, gpointer data, const char *path, const GenFacts *facts,
                GError **error)
{
  PxedPlugin *self = data;
  return grub_render (inv, &self->opts, path, facts, error);
}

static PxedPlugin *
grub_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = NULL;
  const char *prefix = pxed_section_get_string (sec, "prefix");
  const char *sep;

  /* Boot files named by the profiles must exist (when asked to check). */
  if (!gen_check_section_files (host, sec, error))
    return NULL;
  self = g_new0 (PxedPlugin, 1);

  self->host = host;
  self->prefix = g_strdup (prefix != NULL ? prefix : "grub");
  self->opts.prefix = self->prefix;
  sep = self->prefix[0] != '\0' ? "/" : "";
  self->patterns[0] = g_strdup_printf ("%s%sgrub.cfg", self->prefix, sep);
  self->patterns[1] = g_strdup_printf ("%s%sgrub.cfg-*", self->prefix, sep);
  self->patterns[2] = NULL;
  self->provider = gen_provider_new (host, G_LOG_DOMAIN, pxed_section_get_instance (sec),
                                     grub_render_cb, self,
                                     (guint) pxed_section_get_uint (sec, "cache-entries"));
  return self;
}

static gboolean
grub_start (PxedPlugin *self, GError **error)
{
  gen_provider_start (self->provider, (const char *const *) self->patterns);
  g_info ("serving %s and %s", self->patterns[0], self->patterns[1]);
  return TRUE;
}

static void
grub_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  gen_provider_stop (self->provider);
  if (done != NULL)
    done (done_data);
}

static void
grub_destroy (PxedPlugin *self)
{
  gen_provider_free (self->provider);
  g_free (self->patterns[0]);
  g_free (self->patterns[1]);
  g_free (self->prefix);
  g_free (self);
}

static const PxedPluginInfo grub_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "grub",
  .kind = PXED_PLUGIN_KIND_GENERATOR,
  .summary = "grub.cfg boot menus for UEFI machines, rendered per machine from the inventory",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = grub_options,
  .validate = grub_validate,
  .create = grub_create,
  .start = grub_start,
  .stop = grub_stop,
  .destroy = grub_destroy,
};

PXED_PLUGIN_DEFINE (grub_info)
