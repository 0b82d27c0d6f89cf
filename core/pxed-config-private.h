/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "pxed-inventory-private.h"

G_BEGIN_DECLS

/* An immutable, reference-counted configuration snapshot: pxed.yaml (the
 * core section), every enabled conf.d instance in lexical file order, and the
 * inventory. Reload builds a new one and swaps. */
typedef struct _PxedConfig PxedConfig;

/* Finds the descriptor of plugin @name in @plugin_dir (loading it when
 * needed). The error message names what was searched. */
typedef const PxedPluginInfo *(*PxedPluginResolveFunc) (const char *plugin_dir, const char *name,
                                                        gpointer user_data, GError **error);

/* Option table of pxed.yaml. */
extern const PxedOptionSpec pxed_core_options[];

/* Loads CONFIG_DIR/pxed.yaml (optional) and CONFIG_DIR/conf.d/ *.yaml.
 * @plugin_dir_override, when not NULL, wins over pxed.yaml's plugin-dir.
 * Every error is one line "FILE:LINE:COL: message". */
PxedConfig        *pxed_config_load              (const char *config_dir,
                                                  const char *plugin_dir_override,
                                                  PxedPluginResolveFunc resolve,
                                                  gpointer user_data, GError **error);
/* The same with the lower conf.d tiers: @vendor_dir/conf.d, then
 * @runtime_dir/conf.d, then CONFIG_DIR/conf.d (NULL or absent tiers hold no
 * files). A file of the same name in a later tier replaces the earlier one;
 * one that is empty or a symlink to /dev/null masks the name. pxed.yaml is
 * read from @config_dir only. */
PxedConfig        *pxed_config_load_tiers        (const char *config_dir,
                                                  const char *vendor_dir,
                                                  const char *runtime_dir,
                                                  const char *plugin_dir_override,
                                                  PxedPluginResolveFunc resolve,
                                                  gpointer user_data, GError **error);
PxedConfig        *pxed_config_ref               (PxedConfig *config);
void               pxed_config_unref             (PxedConfig *config);
const char        *pxed_config_get_dir           (PxedConfig *config);
/* pxed.yaml checked against pxed_core_options (defaults when the file is absent). */
const PxedSection *pxed_config_get_core          (PxedConfig *config);
const char        *pxed_config_get_plugin_dir    (PxedConfig *config);
guint              pxed_config_get_n_sections    (PxedConfig *config);
/* The i-th enabled instance; pxed_section_get_plugin() names its plugin. */
const PxedSection *pxed_config_get_section       (PxedConfig *config, guint i);
const PxedSection *pxed_config_find_section      (PxedConfig *config, const char *instance);
PxedInventory     *pxed_config_get_inventory     (PxedConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedConfig, pxed_config_unref)

/* Used by the config loader and by tests: parse one YAML file/buffer into a
 * node tree, refusing syntax errors, duplicate keys and aliases. The returned
 * root stays valid until the document is unreffed. */
typedef struct _PxedDocument PxedDocument;
PxedDocument      *pxed_document_load_file (const char *path, GError **error);
PxedDocument      *pxed_document_load_data (const char *display_name, const char *data,
                                            gsize len, GError **error);
const PxedNode    *pxed_document_get_root  (PxedDocument *doc);
PxedDocument      *pxed_document_ref       (PxedDocument *doc);
void               pxed_document_unref     (PxedDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedDocument, pxed_document_unref)

/* Checks @root (a mapping) against @options: unknown keys (with a "did you
 * mean" suggestion), types, ranges, required keys, choices. Keys in
 * @extra_keys (NULL-terminated, may be NULL) are allowed without checks.
 * Returns a section that keeps @doc alive. */
PxedSection       *pxed_section_new        (PxedDocument *doc, const PxedNode *root,
                                            const char *plugin, const char *instance,
                                            const PxedOptionSpec *options,
                                            const char *const *extra_keys, GError **error);

/* Parsers shared by the schema and the CLI (--describe prints ranges with them). */
gboolean           pxed_parse_duration_ms  (const char *text, guint64 *out);
gboolean           pxed_parse_size         (const char *text, guint64 *out);
gboolean           pxed_parse_bool         (const char *text, gboolean *out);
gboolean           pxed_parse_uint         (const char *text, guint64 *out);
const char        *pxed_option_type_to_string (PxedOptionType type);

G_END_DECLS
