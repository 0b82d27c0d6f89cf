/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin loader: a module is pxed-NAME.so in the plugin directory,
 * exporting only pxed_plugin_get_info. Before it is opened the file must be
 * a regular file owned by root (or by the user running pxed) and writable by
 * nobody else; it is opened with local binding and every symbol resolved
 * now, its descriptor is checked (ABI, size, name, required fields), and it
 * is made resident: pxed never unloads a plugin. */
#include "pxed-config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxed/pxed.h>

#include "pxed-loader-private.h"

typedef struct {
  char                 *path;
  GModule              *module;
  const PxedPluginInfo *info;
} LoadedPlugin;

struct _PxedLoader {
  GHashTable *by_name; /* name -> LoadedPlugin */
};

/* The part of the descriptor this core reads: everything before reserved[]. */
#define PXED_PLUGIN_INFO_MIN_SIZE offsetof (PxedPluginInfo, reserved)

static void
loaded_plugin_free (LoadedPlugin *p)
{
  /* Modules are resident: the GModule handle is dropped, the code stays. */
  if (p->module != NULL)
    g_module_close (p->module);
  g_free (p->path);
  g_free (p);
}

PxedLoader *
pxed_loader_new (void)
{
  PxedLoader *loader = g_new0 (PxedLoader, 1);

  loader->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) loaded_plugin_free);
  return loader;
}

void
pxed_loader_free (PxedLoader *loader)
{
  if (loader == NULL)
    return;
  g_hash_table_unref (loader->by_name);
  g_free (loader);
}

const char *
pxed_plugin_kind_to_string (PxedPluginKind kind)
{
  switch (kind)
    {
    case PXED_PLUGIN_KIND_PROTOCOL:
      return "protocol";
    case PXED_PLUGIN_KIND_GENERATOR:
      return "generator";
    default:
      return "unknown";
    }
}

char *
pxed_loader_name_from_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  gsize len = strlen (base);

  if (!g_str_has_prefix (base, "pxed-") || !g_str_has_suffix (base, ".so") || len <= 8)
    return NULL;
  return g_strndup (base + 5, len - 8);
}

gboolean
pxed_loader_check_file (const char *path, GError **error)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      int saved = errno;
      g_set_error (error, PXED_PLUGIN_ERROR,
                   saved == ENOENT ? PXED_PLUGIN_ERROR_NOT_FOUND : PXED_PLUGIN_ERROR_FAILED,
                   "plugin %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_INSECURE,
                   "plugin %s: not a regular file; refusing to load it", path);
      return FALSE;
    }
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_INSECURE,
                   "plugin %s: owned by uid %u, not by root; refusing to load it", path,
                   (guint) st.st_uid);
      return FALSE;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_INSECURE,
                   "plugin %s: %s-writable (mode %04o); refusing to load it", path,
                   (st.st_mode & S_IWOTH) != 0 ? "world" : "group",
                   (guint) (st.st_mode & 07777));
      return FALSE;
    }
  if ((st.st_mode & (S_ISUID | S_ISGID)) != 0)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_INSECURE,
                   "plugin %s: setuid or setgid (mode %04o); refusing to load it", path,
                   (guint) (st.st_mode & 07777));
      return FALSE;
    }
  return TRUE;
}

gboolean
pxed_loader_check_info (const PxedPluginInfo *info, const char *expected_name, const char *path,
                        GError **error)
{
  if (info == NULL)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_DESCRIPTOR,
                   "plugin %s: pxed_plugin_get_info() returned no descriptor", path);
      return FALSE;
    }
  if (info->abi_major != PXED_PLUGIN_ABI_MAJOR || info->abi_minor > PXED_PLUGIN_ABI_MINOR)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_ABI,
                   "plugin %s: built for plugin ABI %u.%u, this pxed %s provides ABI %u.%u "
                   "(the major must be equal and the minor not newer); rebuild the plugin",
                   path, info->abi_major, info->abi_minor, PXED_VERSION, PXED_PLUGIN_ABI_MAJOR,
                   PXED_PLUGIN_ABI_MINOR);
      return FALSE;
    }
  if (info->info_size < PXED_PLUGIN_INFO_MIN_SIZE)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_DESCRIPTOR,
                   "plugin %s: descriptor size %u is smaller than the %u bytes ABI %u.%u needs",
                   path, info->info_size, (guint) PXED_PLUGIN_INFO_MIN_SIZE, info->abi_major,
                   info->abi_minor);
      return FALSE;
    }
  if (info->name == NULL || g_strcmp0 (info->name, expected_name) != 0)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NAME_MISMATCH,
                   "plugin %s: declares the name '%s' but its file name says '%s'", path,
                   info->name != NULL ? info->name : "(null)", expected_name);
      return FALSE;
    }
  if (info->kind != PXED_PLUGIN_KIND_PROTOCOL && info->kind != PXED_PLUGIN_KIND_GENERATOR)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_DESCRIPTOR,
                   "plugin %s: unknown plugin kind %d", path, (int) info->kind);
      return FALSE;
    }
  {
    const char *missing = info->summary == NULL ? "summary"
                          : info->version == NULL ? "version"
                          : info->license == NULL ? "license"
                          : info->create == NULL ? "create"
                          : info->start == NULL ? "start"
                          : info->stop == NULL ? "stop"
                          : info->destroy == NULL ? "destroy"
                          : (info->reload_prepare != NULL &&
                             (info->reload_commit == NULL || info->reload_abort == NULL))
                              ? "reload_commit/reload_abort"
                              : NULL;
    if (missing != NULL)
      {
        g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_DESCRIPTOR,
                     "plugin %s: descriptor lacks the required field '%s'", path, missing);
        return FALSE;
      }
  }
  return TRUE;
}

const PxedPluginInfo *
pxed_loader_load_path (PxedLoader *loader, const char *path, GError **error)
{
  g_autofree char *name = pxed_loader_name_from_path (path);
  g_autoptr(GError) local_error = NULL;
  const PxedPluginInfo *(*get_info) (void) = NULL;
  const PxedPluginInfo *info;
  LoadedPlugin *p;
  GModule *module;

  if (name == NULL)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_FAILED,
                   "plugin %s: file name is not pxed-NAME.so", path);
      return NULL;
    }
  p = g_hash_table_lookup (loader->by_name, name);
  if (p != NULL)
    {
      if (g_strcmp0 (p->path, path) == 0)
        return p->info;
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_FAILED,
                   "plugin %s: a plugin named '%s' is already loaded from %s", path, name, p->path);
      return NULL;
    }
  if (!pxed_loader_check_file (path, error))
    return NULL;
  /* Local binding; no G_MODULE_BIND_LAZY, so every symbol resolves now. */
  module = g_module_open_full (path, G_MODULE_BIND_LOCAL, &local_error);
  if (module == NULL)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_MODULE, "plugin %s: %s", path,
                   local_error->message);
      return NULL;
    }
  if (!g_module_symbol (module, PXED_PLUGIN_ENTRY_SYMBOL, (gpointer *) &get_info) || get_info == NULL)
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_MODULE,
                   "plugin %s: does not export %s()", path, PXED_PLUGIN_ENTRY_SYMBOL);
      g_module_close (module);
      return NULL;
    }
  info = get_info ();
  if (!pxed_loader_check_info (info, name, path, error))
    {
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  p = g_new0 (LoadedPlugin, 1);
  p->path = g_strdup (path);
  p->module = module;
  p->info = info;
  g_hash_table_insert (loader->by_name, g_strdup (name), p);
  g_debug ("loaded plugin %s %s from %s", info->name, info->version, path);
  return info;
}

const PxedPluginInfo *
pxed_loader_load (PxedLoader *loader, const char *plugin_dir, const char *name, GError **error)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  LoadedPlugin *p = g_hash_table_lookup (loader->by_name, name);

  if (p != NULL)
    return p->info;
  for (const char *c = name; *c != '\0'; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '-') || name[0] == '-')
      {
        g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND,
                     "'%s' is not a valid plugin name (expected [a-z][a-z0-9-]*)", name);
        return NULL;
      }
  if (*name == '\0' || g_ascii_isdigit (name[0]))
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND,
                   "'%s' is not a valid plugin name (expected [a-z][a-z0-9-]*)", name);
      return NULL;
    }
  file = g_strdup_printf ("pxed-%s.so", name);
  path = g_build_filename (plugin_dir, file, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND,
                   "unknown plugin '%s' (no %s in %s)", name, file, plugin_dir);
      return NULL;
    }
  return pxed_loader_load_path (loader, path, error);
}

const char *
pxed_loader_get_path (PxedLoader *loader, const char *name)
{
  LoadedPlugin *p = g_hash_table_lookup (loader->by_name, name);
  return p != NULL ? p->path : NULL;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
pxed_loader_scan (const char *plugin_dir, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (plugin_dir, 0, error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "pxed-") && g_str_has_suffix (name, ".so"))
      g_ptr_array_add (paths, g_build_filename (plugin_dir, name, NULL));
  g_ptr_array_sort (paths, compare_paths);
  return g_steal_pointer (&paths);
}

const PxedPluginInfo *
pxed_loader_resolve (const char *plugin_dir, const char *name, gpointer user_data, GError **error)
{
  return pxed_loader_load (user_data, plugin_dir, name, error);
}
