/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin module with a symbol no library provides: with immediate binding
 * the loader must refuse it instead of crashing later. */
#include <pxed/pxed.h>

extern int pxed_symbol_that_does_not_exist (void);

static const PxedPluginInfo unresolved_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "unresolved",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "needs a missing symbol",
  .version = "1.0",
  .license = "LGPL-2.1-or-later",
};

G_MODULE_EXPORT const PxedPluginInfo *pxed_plugin_get_info (void);
G_MODULE_EXPORT const PxedPluginInfo *
pxed_plugin_get_info (void)
{
  return pxed_symbol_that_does_not_exist () ? &unresolved_info : NULL;
}
