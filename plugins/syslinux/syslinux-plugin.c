/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* syslinux: pxelinux.cfg/ files for pxelinux.0 and syslinux.efi, rendered
 * per machine from the inventory. A generator: it opens no sockets. */
#include <string.h>

#include <pxed/pxed.h>

#include "gen-common.h"
#include "syslinux-render.h"

struct _PxedPlugin {
  PxedHost        *host;
  SyslinuxOptions  opts;
  char            *ui;
  char           **efi_dirs;
  char           **patterns;
  GenProvider     *provider;
};

static const PxedOptionSpec syslinux_options[] = {
  { "ui", PXED_OPTION_STRING, "menu.c32", 0, 0, 0,
    "menu module named on the UI line (none: no UI line)", "menu.c32|vesamenu.c32|none" },
  { "efi-dirs", PXED_OPTION_LIST, NULL, 0, 0, 0,
    "directories of syslinux.efi builds whose pxelinux.cfg/ is generated too (default efi64, efi32)",
    NULL },
  GEN_OPTION_CHECK_ROOT,
  GEN_OPTION_CACHE_ENTRIES,
  { NULL },
};

static gboolean
syslinux_validate (const PxedSection *sec, GError **error)
{
  const char *const *dirs = pxed_section_get_strv (sec, "efi-dirs");
  for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++)
    {
      const char *d = dirs[i];
      if (*d == '\0' || strchr (d, '/') != NULL || strchr (d, '*') != NULL
          || strchr (d, '?') != NULL || g_str_equal (d, "..") || g_str_equal (d, "."))
        {
          pxed_section_set_error (sec, "efi-dirs", error,
                                  "'%s' must be a plain directory name such as efi64", d);
          return FALSE;
        }
    }
  return TRUE;
}

static GBytes *
syslinux_render_cb (PxedInventory *inv, gpointer data, const char *path, const GenFacts *facts,
                    GError **error)
{
  PxedPlugin *self = data;
  return syslinux_render (inv, &self->opts, path, facts, error);
}

static PxedPlugin *
syslinux_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = NULL;
  const char *ui = pxed_section_get_string (sec, "ui");
  const char *const *dirs = pxed_section_get_strv (sec, "efi-dirs");
  static const char *const default_dirs[] = { "efi64", "efi32", NULL };
  g_autoptr(GPtrArray) patterns = NULL;

  /* Boot files named by the profiles must exist (when asked to check). */
  if (!gen_check_section_files (host, sec, error))
    return NULL;
  self = g_new0 (PxedPlugin, 1);
  patterns = g_ptr_array_new ();

  self->host = host;
  self->ui = g_strdup (ui != NULL && !g_str_equal (ui, "none") ? ui : NULL);
  self->efi_dirs = g_strdupv ((char **) (dirs != NULL ? dirs : default_dirs));
  self->opts.ui = self->ui;
  self->opts.efi_dirs = (const char *const *) self->efi_dirs;

  g_ptr_array_add (patterns, g_strdup ("pxelinux.cfg/*"));
  for (guint i = 0; self->efi_dirs[i] != NULL; i++)
    g_ptr_array_add (patterns, g_strdup_printf ("%s/pxelinux.cfg/*", self->efi_dirs[i]));
  g_ptr_array_add (patterns, NULL);
  self->patterns = (char **) g_ptr_array_free (g_steal_pointer (&patterns), FALSE);

  self->provider = gen_provider_new (host, G_LOG_DOMAIN, pxed_section_get_instance (sec),
                                     syslinux_render_cb, self,
                                     (guint) pxed_section_get_uint (sec, "cache-entries"));
  return self;
}

static gboolean
syslinux_start (PxedPlugin *self, GError **error)
{
  gen_provider_start (self->provider, (const char *const *) self->patterns);
  g_info ("serving pxelinux.cfg/ (UI %s)", self->ui != NULL ? self->ui : "none");
  return TRUE;
}

static void
syslinux_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  gen_provider_stop (self->provider);
  if (done != NULL)
    done (done_data);
}

static void
syslinux_destroy (PxedPlugin *self)
{
  gen_provider_free (self->provider);
  g_strfreev (self->patterns);
  g_strfreev (self->efi_dirs);
  g_free (self->ui);
  g_free (self);
}

static const PxedPluginInfo syslinux_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "syslinux",
  .kind = PXED_PLUGIN_KIND_GENERATOR,
  .summary = "pxelinux.cfg/ boot menus rendered per machine from the inventory",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = syslinux_options,
  .validate = syslinux_validate,
  .create = syslinux_create,
  .start = syslinux_start,
  .stop = syslinux_stop,
  .destroy = syslinux_destroy,
};

PXED_PLUGIN_DEFINE (syslinux_info)
