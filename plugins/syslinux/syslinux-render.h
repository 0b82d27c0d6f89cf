/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "gen-common.h"

G_BEGIN_DECLS

typedef struct {
  const char        *ui;       /* "menu.c32", "vesamenu.c32", or NULL for no UI line */
  const char *const *efi_dirs; /* directories of syslinux.efi builds ("efi64", "efi32") */
} SyslinuxOptions;

/* Renders @path ("pxelinux.cfg/NAME" or "<efi-dir>/pxelinux.cfg/NAME") for a
 * machine with @facts, as a pure function of the inventory. NAME is looked up
 * in pxelinux's order: a UUID, "01-<mac>", the hex IP (and its prefixes),
 * "default". A per-machine name gets an answer only when the inventory names
 * that machine; everything else is PXED_CONTENT_ERROR_NOT_FOUND so pxelinux
 * falls through to "default". */
GBytes *syslinux_render (PxedInventory *inv, const SyslinuxOptions *opts, const char *path,
                         const GenFacts *facts, GError **error);

/* The inventory host a pxelinux.cfg file NAME designates, or NULL. Sets
 * *@is_default for "default". */
const PxedInventoryHost *syslinux_lookup_name (PxedInventory *inv, const char *name,
                                               gboolean *is_default);

G_END_DECLS
