/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PxedConfig: CONFIG_DIR/pxed.yaml and the conf.d/ *.yaml files of the
 * vendor, runtime and admin (CONFIG_DIR) tiers loaded into one immutable,
 * reference-counted snapshot. */
#include "pxed-config.h"

#include <string.h>
#include <sys/stat.h>

#include "pxed-section-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pxed-config"

const PxedOptionSpec pxed_core_options[] = {
  { "state-dir", PXED_OPTION_PATH, PXED_STATEDIR, 0, 0, 0,
    "Directory for persistent state (leases)", NULL, { NULL } },
  { "user", PXED_OPTION_STRING, NULL, 0, 0, 0,
    "User to run as after binding sockets (unset: keep the starting user)", NULL, { NULL } },
  { "group", PXED_OPTION_STRING, NULL, 0, 0, 0,
    "Group to run as after binding sockets (unset: the user's primary group)", NULL, { NULL } },
  { "log-level", PXED_OPTION_STRING, "message", 0, 0, 0,
    "Least severe messages logged", "error|warning|message|info|debug", { NULL } },
  { "debug-domains", PXED_OPTION_LIST, NULL, 0, 0, 0,
    "Log domains shown at debug level (such as pxed-tftp)", NULL, { NULL } },
  { "plugin-dir", PXED_OPTION_PATH, PXED_PLUGINDIR, 0, 0, 0,
    "Directory searched for pxed-NAME.so plugins", NULL, { NULL } },
  { "drain-timeout", PXED_OPTION_DURATION, "10s", 0, 10 * 60 * 1000, 0,
    "How long running transfers may take to finish at shutdown", NULL, { NULL } },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
};

/* Keys every plugin file may carry besides the plugin's own. */
static const char *const plugin_core_keys[] = { "plugin", "enabled", NULL };
/* Keys of a conf.d file that names no plugin. */
static const char *const inventory_keys[] = { "hosts", "profiles", "menu", "vars", NULL };

struct _PxedConfig {
  gatomicrefcount ref;
  char           *dir;
  char           *plugin_dir;
  PxedSection    *core;
  GPtrArray      *sections;  /* of PxedSection, enabled instances in file order */
  GPtrArray      *documents; /* of PxedDocument, kept alive for the inventory */
  PxedInventory  *inventory;
};

/* One claim of an exclusive resource. */
typedef struct {
  char *instance;
  char *file;
  guint line;
  guint column;
  gboolean is_default;
} Claim;

static void
claim_free (gpointer data)
{
  Claim *claim = data;

  g_free (claim->instance);
  g_free (claim->file);
  g_free (claim);
}

static void
pxed_config_free (PxedConfig *config)
{
  g_clear_pointer (&config->inventory, pxed_inventory_unref);
  g_clear_pointer (&config->sections, g_ptr_array_unref);
  g_clear_pointer (&config->core, pxed_section_unref);
  g_clear_pointer (&config->documents, g_ptr_array_unref);
  g_free (config->plugin_dir);
  g_free (config->dir);
  g_free (config);
}

PxedConfig *
pxed_config_ref (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_atomic_ref_count_inc (&config->ref);
  return config;
}

void
pxed_config_unref (PxedConfig *config)
{
  g_return_if_fail (config != NULL);
  if (g_atomic_ref_count_dec (&config->ref))
    pxed_config_free (config);
}

static gboolean
plugin_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64 || !g_ascii_islower (name[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-')
      return FALSE;
  return TRUE;
}

/* Records the claims of @sec on its exclusive resources; the second claim of
 * one resource by two instances of one plugin is an error. */
static gboolean
config_claim_resources (GHashTable *claims, const PxedSection *sec, GError **error)
{
  for (const PxedOptionSpec *spec = sec->options; spec != NULL && spec->key != NULL; spec++)
    {
      const PxedSectionValue *v;
      g_autoptr(GPtrArray) values = NULL;
      g_autoptr(GPtrArray) nodes = NULL;

      if (!(spec->flags & PXED_OPTION_FLAG_EXCLUSIVE))
        continue;
      v = g_hash_table_lookup (sec->values, spec->key);
      if (v == NULL || !v->set)
        continue;
      values = g_ptr_array_new_with_free_func (g_free);
      nodes = g_ptr_array_new ();
      if (spec->type == PXED_OPTION_LIST)
        {
          for (guint i = 0; v->strv != NULL && v->strv[i] != NULL; i++)
            {
              g_ptr_array_add (values, g_strdup (v->strv[i]));
              g_ptr_array_add (nodes, v->item_nodes != NULL && i < v->item_nodes->len
                                        ? g_ptr_array_index (v->item_nodes, i)
                                        : NULL);
            }
        }
      else if (spec->type == PXED_OPTION_UINT || spec->type == PXED_OPTION_DURATION ||
               spec->type == PXED_OPTION_SIZE)
        {
          g_ptr_array_add (values, g_strdup_printf ("%" G_GUINT64_FORMAT, v->number));
          g_ptr_array_add (nodes, (gpointer) v->node);
        }
      else if (v->text != NULL)
        {
          g_ptr_array_add (values, g_strdup (v->text));
          g_ptr_array_add (nodes, (gpointer) v->node);
        }

      for (guint i = 0; i < values->len; i++)
        {
          const char *value = g_ptr_array_index (values, i);
          const PxedNode *node = g_ptr_array_index (nodes, i);
          g_autofree char *claim_key =
            g_strdup_printf ("%s\x1f%s\x1f%s", sec->plugin, spec->key, value);
          const Claim *first = g_hash_table_lookup (claims, claim_key);
          Claim *claim;

          if (first != NULL)
            {
              g_autofree char *q = NULL;

              if (g_str_equal (first->instance, sec->instance))
                continue; /* listed twice by one instance: harmless */
              q = pxed_config_quote_text (node != NULL ? pxed_node_get_scalar (node) : value);
              pxed_node_set_error (node != NULL ? node : sec->root, error,
                                   PXED_CONFIG_ERROR_CONFLICT,
                                   "%s: %s%s is already claimed by instance '%s' (%s:%u:%u%s)",
                                   spec->key, q, node == NULL ? " (the default)" : "",
                                   first->instance, first->file, first->line, first->column,
                                   first->is_default ? ", by default" : "");
              return FALSE;
            }
          claim = g_new0 (Claim, 1);
          claim->instance = g_strdup (sec->instance);
          claim->file = g_strdup (pxed_section_get_file (sec));
          claim->line = pxed_node_get_line (node != NULL ? node : sec->root);
          claim->column = pxed_node_get_column (node != NULL ? node : sec->root);
          claim->is_default = node == NULL;
          g_hash_table_insert (claims, g_steal_pointer (&claim_key), claim);
        }
    }
  return TRUE;
}

static gboolean
config_add_inventory (PxedConfig *config, const PxedNode *root, GError **error)
{
  for (guint i = 0; i < pxed_node_get_n_items (root); i++)
    {
      const char *key = pxed_node_get_key (root, i);

      if (!g_strv_contains (inventory_keys, key))
        {
          static const char *const candidates[] = { "hosts", "profiles", "menu", "vars", "plugin",
                                                    NULL };
          const char *hint = pxed_config_suggest_key (key, candidates);
          g_autofree char *q = pxed_config_quote_text (key);

          if (hint != NULL)
            pxed_node_set_error (pxed_node_get_key_node (root, i), error,
                                 PXED_CONFIG_ERROR_UNKNOWN_KEY,
                                 "unknown key %s in an inventory file (did you mean '%s'?)", q,
                                 hint);
          else
            pxed_node_set_error (pxed_node_get_key_node (root, i), error,
                                 PXED_CONFIG_ERROR_UNKNOWN_KEY,
                                 "unknown key %s (a conf.d file names a plugin with "
                                 "'plugin: NAME', or holds only hosts, profiles and menu)",
                                 q);
          return FALSE;
        }
    }
  return pxed_inventory_add (config->inventory, root, error);
}

/* A conf.d file that names a plugin. Returns FALSE on error; *out_sec is
 * left NULL for a disabled instance. */
static gboolean
config_load_instance (PxedConfig *config, PxedDocument *doc, const char *instance,
                      const PxedNode *plugin_node, PxedPluginResolveFunc resolve,
                      gpointer user_data, PxedSection **out_sec, GError **error)
{
  const PxedNode *root = pxed_document_get_root (doc);
  const PxedNode *enabled_node = pxed_node_lookup (root, "enabled");
  const PxedPluginInfo *info;
  const char *name;
  gboolean enabled = TRUE;
  g_autoptr(GError) local = NULL;
  g_autoptr(PxedSection) sec = NULL;

  *out_sec = NULL;
  if (pxed_node_get_kind (plugin_node) != PXED_NODE_SCALAR || pxed_node_is_null (plugin_node))
    {
      g_autofree char *what = pxed_config_describe_node (plugin_node);

      pxed_node_set_error (plugin_node, error, PXED_CONFIG_ERROR_TYPE,
                           "plugin: expected a plugin name, got %s", what);
      return FALSE;
    }
  name = pxed_node_get_scalar (plugin_node);
  if (!plugin_name_is_valid (name))
    {
      g_autofree char *q = pxed_config_quote_text (name);

      pxed_node_set_error (plugin_node, error, PXED_CONFIG_ERROR_INVALID,
                           "plugin: expected a plugin name (lower-case letters, digits and "
                           "'-'), got %s",
                           q);
      return FALSE;
    }
  if (enabled_node != NULL)
    {
      if (pxed_node_get_kind (enabled_node) != PXED_NODE_SCALAR ||
          !pxed_parse_bool (pxed_node_get_scalar (enabled_node), &enabled))
        {
          g_autofree char *what = pxed_config_describe_node (enabled_node);

          pxed_node_set_error (enabled_node, error, PXED_CONFIG_ERROR_TYPE,
                               "enabled: expected a boolean (true or false), got %s", what);
          return FALSE;
        }
    }
  if (!enabled)
    {
      g_debug ("%s: instance '%s' of plugin '%s' is disabled", pxed_node_get_file (root), instance,
               name);
      return TRUE;
    }

  info = resolve (config->plugin_dir, name, user_data, &local);
  if (info == NULL)
    {
      pxed_node_set_error (plugin_node, error,
                           g_error_matches (local, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND)
                             ? PXED_CONFIG_ERROR_UNKNOWN_PLUGIN
                             : PXED_CONFIG_ERROR_INVALID,
                           "%s",
                           local != NULL ? local->message : "plugin not found");
      return FALSE;
    }

  sec = pxed_section_new (doc, root, name, instance, info->options, plugin_core_keys, error);
  if (sec == NULL)
    return FALSE;
  g_clear_error (&local);
  if (info->validate != NULL && !info->validate (sec, &local))
    {
      const char *file = pxed_node_get_file (root);

      if (local == NULL)
        pxed_node_set_error (root, error, PXED_CONFIG_ERROR_INVALID,
                             "plugin '%s' refused this configuration", name);
      else if (g_str_has_prefix (local->message, file))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        pxed_node_set_error (root, error,
                             local->domain == PXED_CONFIG_ERROR ? local->code
                                                                : PXED_CONFIG_ERROR_INVALID,
                             "plugin '%s': %s", name, local->message);
      return FALSE;
    }
  *out_sec = g_steal_pointer (&sec);
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* TRUE when @path (followed through symlinks) is an empty regular file or
 * /dev/null: such a conf.d file masks its name in every earlier tier. */
static gboolean
config_file_is_mask (const char *path)
{
  struct stat st, null_st;

  if (stat (path, &st) != 0)
    return FALSE;
  if (S_ISREG (st.st_mode))
    return st.st_size == 0;
  return S_ISCHR (st.st_mode) && stat ("/dev/null", &null_st) == 0 &&
         st.st_rdev == null_st.st_rdev;
}

/* Adds the .yaml files of @confd to @files (name -> full path), replacing an
 * earlier tier's file of the same name; an absent directory holds none. */
static gboolean
config_list_tier (const char *confd, GHashTable *files, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  dir = g_dir_open (confd, 0, &local);
  if (dir == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        return TRUE;
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED, "%s: %s", confd,
                   local->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (name[0] == '.' || !g_str_has_suffix (name, ".yaml"))
        continue;
      path = g_build_filename (confd, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      g_hash_table_insert (files, g_strdup (name), g_steal_pointer (&path));
    }
  return TRUE;
}

/* The conf.d files of every tier (vendor, runtime, admin; NULL tiers are
 * skipped), merged by name: a later tier's file replaces an earlier one, and
 * a name whose winning file is a mask is dropped. Returns the full paths in
 * byte order of the file names. */
static GPtrArray *
config_list_files (const char *const *tiers, guint n_tiers, GError **error)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < n_tiers; i++)
    {
      g_autofree char *confd = NULL;

      if (tiers[i] == NULL)
        continue;
      confd = g_build_filename (tiers[i], "conf.d", NULL);
      if (!config_list_tier (confd, files, error))
        return NULL;
    }
  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (config_file_is_mask (value))
        g_debug ("%s: masked (empty or /dev/null)", (const char *) value);
      else
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup (g_hash_table_lookup (files, g_ptr_array_index (names, i))));
  return g_steal_pointer (&paths);
}

PxedConfig *
pxed_config_load (const char *config_dir, const char *plugin_dir_override,
                  PxedPluginResolveFunc resolve, gpointer user_data, GError **error)
{
  return pxed_config_load_tiers (config_dir, NULL, NULL, plugin_dir_override, resolve, user_data,
                                 error);
}

/* Loads one conf.d file into @config. A file with an error adds nothing (no
 * instance, no claim, no inventory); a YAML error ends this file only. */
static gboolean
config_load_file (PxedConfig *config, const char *path, GHashTable *claims,
                  PxedPluginResolveFunc resolve, gpointer user_data, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *instance = g_strndup (name, strlen (name) - strlen (".yaml"));
  g_autoptr(PxedDocument) doc = NULL;
  g_autoptr(PxedSection) sec = NULL;
  const PxedNode *root;
  const PxedNode *plugin_node;

  doc = pxed_document_load_file (path, error);
  if (doc == NULL)
    return FALSE;
  root = pxed_document_get_root (doc);
  if (pxed_node_get_kind (root) != PXED_NODE_MAPPING)
    {
      g_autofree char *what = pxed_config_describe_node (root);

      pxed_node_set_error (root, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a mapping of keys at the top level, got %s", what);
      return FALSE;
    }
  plugin_node = pxed_node_lookup (root, "plugin");
  if (plugin_node == NULL)
    {
      if (!config_add_inventory (config, root, error))
        return FALSE;
      g_ptr_array_add (config->documents, g_steal_pointer (&doc));
      return TRUE;
    }
  if (!config_load_instance (config, doc, instance, plugin_node, resolve, user_data, &sec, error))
    return FALSE;
  if (sec == NULL)
    return TRUE; /* disabled */
  if (!config_claim_resources (claims, sec, error))
    return FALSE;
  g_ptr_array_add (config->sections, g_steal_pointer (&sec));
  return TRUE;
}

PxedConfig *
pxed_config_load_tiers (const char *config_dir, const char *vendor_dir, const char *runtime_dir,
                        const char *plugin_dir_override, PxedPluginResolveFunc resolve,
                        gpointer user_data, GError **error)
{
  const char *tiers[] = { vendor_dir, runtime_dir, config_dir };
  g_autoptr(PxedConfig) config = NULL;
  g_autoptr(PxedDocument) core_doc = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) claims = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autofree char *core_path = NULL;
  GError *local = NULL;

  g_return_val_if_fail (config_dir != NULL, NULL);
  g_return_val_if_fail (resolve != NULL, NULL);

  if (!g_file_test (config_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED,
                   "%s: configuration directory not found", config_dir);
      return NULL;
    }

  config = g_new0 (PxedConfig, 1);
  g_atomic_ref_count_init (&config->ref);
  config->dir = g_strdup (config_dir);
  config->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_section_unref);
  config->documents = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_document_unref);
  config->inventory = pxed_inventory_new ();

  /* pxed.yaml: optional; defaults when absent. Its errors are reported with
   * those of conf.d when the plugin directory is known without it. */
  core_path = g_build_filename (config_dir, "pxed.yaml", NULL);
  if (g_file_test (core_path, G_FILE_TEST_EXISTS))
    core_doc = pxed_document_load_file (core_path, &local);
  else
    core_doc = pxed_document_load_data (core_path, "", 0, &local);
  if (core_doc != NULL)
    config->core = pxed_section_new (core_doc, pxed_document_get_root (core_doc), NULL, "pxed",
                                     pxed_core_options, NULL, &local);
  if (config->core == NULL)
    {
      g_ptr_array_add (errors, local);
      if (plugin_dir_override == NULL)
        {
          pxed_config_errors_finish (errors, error);
          return NULL;
        }
    }
  config->plugin_dir = g_strdup (plugin_dir_override != NULL
                                   ? plugin_dir_override
                                   : pxed_section_get_string (config->core, "plugin-dir"));

  /* conf.d of every tier, merged by file name, in byte order. Every file is
   * checked, so that one run reports every error. */
  local = NULL;
  files = config_list_files (tiers, G_N_ELEMENTS (tiers), &local);
  if (files == NULL)
    {
      g_ptr_array_add (errors, local);
      pxed_config_errors_finish (errors, error);
      return NULL;
    }
  claims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, claim_free);
  for (guint i = 0; i < files->len; i++)
    {
      local = NULL;
      const char *path = g_ptr_array_index (files, i);

      if (!config_load_file (config, path, claims, resolve, user_data, &local))
        g_ptr_array_add (errors, local != NULL ? local
                                               : g_error_new (PXED_CONFIG_ERROR,
                                                              PXED_CONFIG_ERROR_FAILED,
                                                              "%s: not loaded", path));
    }
  local = NULL;
  /* Cross-file checks of the inventory only make sense on complete input. */
  if (errors->len == 0 && !pxed_inventory_finish (config->inventory, &local))
    g_ptr_array_add (errors, local);
  if (!pxed_config_errors_finish (errors, error))
    return NULL;
  return g_steal_pointer (&config);
}

const char *
pxed_config_get_dir (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  return config->dir;
}

const PxedSection *
pxed_config_get_core (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  return config->core;
}

const char *
pxed_config_get_plugin_dir (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  return config->plugin_dir;
}

guint
pxed_config_get_n_sections (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, 0);
  return config->sections->len;
}

const PxedSection *
pxed_config_get_section (PxedConfig *config, guint i)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (i < config->sections->len, NULL);
  return g_ptr_array_index (config->sections, i);
}

const PxedSection *
pxed_config_find_section (PxedConfig *config, const char *instance)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (instance != NULL, NULL);
  for (guint i = 0; i < config->sections->len; i++)
    {
      const PxedSection *sec = g_ptr_array_index (config->sections, i);

      if (g_str_equal (pxed_section_get_instance (sec), instance))
        return sec;
    }
  return NULL;
}

PxedInventory *
pxed_config_get_inventory (PxedConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  return config->inventory;
}
