/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

G_BEGIN_DECLS

/* The inventory of one configuration snapshot (immutable once finished).
 * PxedInventory, its ref/unref and the pxed_inventory_find_*() lookups on one
 * snapshot are public (pxed/pxed-inventory.h); the builder is core-only. */

PxedInventory *pxed_inventory_new    (void);
/* Adds the hosts:, profiles:, menu: and vars: keys of one conf.d mapping that
 * names no plugin. Errors are located ("FILE:LINE:COL: ..."). */
gboolean       pxed_inventory_add    (PxedInventory *inv, const PxedNode *root, GError **error);
/* Cross-checks (hosts name existing profiles, no duplicate MAC/IP/name, the
 * menu names existing profiles, template variables are defined) and freezes
 * the inventory. */
gboolean       pxed_inventory_finish (PxedInventory *inv, GError **error);
/* Same as pxed_inventory_add() on @doc's root, and keeps @doc alive as long
 * as the inventory (whose nodes point into it). Tests and benches use it. */
typedef struct _PxedDocument PxedDocument;
gboolean       pxed_inventory_add_document (PxedInventory *inv, PxedDocument *doc, GError **error);
/* TRUE when both inventories hold the same hosts, profiles, menu and vars
 * (file marks ignored). A reload can use it to decide whether generator
 * instances must re-validate (kickstarts are checked when they are created). */
gboolean       pxed_inventory_equal (PxedInventory *a, PxedInventory *b);
/* TRUE once pxed_inventory_finish() succeeded. */
gboolean       pxed_inventory_is_finished (PxedInventory *inv);

G_END_DECLS
