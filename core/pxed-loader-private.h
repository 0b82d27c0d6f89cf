/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

G_BEGIN_DECLS

/* Finds, checks and loads plugin modules. A module is opened once, checked,
 * and made resident; its descriptor is cached by name. */
typedef struct _PxedLoader PxedLoader;

PxedLoader           *pxed_loader_new        (void);
void                  pxed_loader_free       (PxedLoader *loader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedLoader, pxed_loader_free)

/* Loads pxed-@name.so from @plugin_dir (cached after the first success). */
const PxedPluginInfo *pxed_loader_load       (PxedLoader *loader, const char *plugin_dir,
                                              const char *name, GError **error);
/* Loads the module at @path (name from its file stem). */
const PxedPluginInfo *pxed_loader_load_path  (PxedLoader *loader, const char *path,
                                              GError **error);
/* The path a loaded plugin came from. */
const char           *pxed_loader_get_path   (PxedLoader *loader, const char *name);
/* Every pxed-*.so in @plugin_dir, sorted. */
GPtrArray            *pxed_loader_scan       (const char *plugin_dir, GError **error);

/* The checks, exposed for tests. */
gboolean              pxed_loader_check_file (const char *path, GError **error);
gboolean              pxed_loader_check_info (const PxedPluginInfo *info, const char *expected_name,
                                              const char *path, GError **error);
/* "tftp" for ".../pxed-tftp.so", NULL when the file name is not pxed-NAME.so. */
char                 *pxed_loader_name_from_path (const char *path);

/* A PxedResolveFunc for pxed_config_load() (@user_data is the loader). */
const PxedPluginInfo *pxed_loader_resolve    (const char *plugin_dir, const char *name,
                                              gpointer user_data, GError **error);

const char           *pxed_plugin_kind_to_string (PxedPluginKind kind);

G_END_DECLS
