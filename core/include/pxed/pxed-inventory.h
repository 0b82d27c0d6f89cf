/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

#include "pxed-plugin.h"
#include "pxed-section.h"

G_BEGIN_DECLS

/* The inventory: `hosts:`, `profiles:` and `menu:` from conf.d files that
 * name no plugin. Read-only views into the configuration snapshot in force. */

typedef struct {
  const char     *name;       /* profile key */
  const char     *label;      /* menu label */
  const char     *kernel;
  const char     *initrd;
  const char     *append;     /* kernel arguments */
  const char     *install_url; /* install source (repo/url) */
  const PxedNode *kickstart;  /* structured kickstart settings, or NULL */
  const char     *kickstart_template; /* template file path, or NULL */
  const PxedNode *vars;       /* mapping of variables, or NULL */
  const PxedNode *node;       /* the whole profile mapping */
  gpointer        reserved[4];
} PxedProfile;

typedef struct {
  const char     *name;       /* hostname */
  const char     *mac;        /* normalised "aa:bb:cc:dd:ee:ff" */
  const char     *ip;         /* fixed address or NULL */
  const char     *uuid;       /* or NULL */
  const char     *profile;    /* profile name or NULL */
  const PxedNode *vars;
  const PxedNode *node;
  gpointer        reserved[4];
} PxedInventoryHost;

typedef struct {
  const char     *label;      /* entry label */
  const char     *profile;    /* profile name, or NULL for local boot */
  gboolean        local;      /* boot from the local disk */
  const char     *text;       /* MENU LABEL; defaults to the profile's label */
} PxedMenuEntry;

typedef struct {
  const char          *title;
  guint                timeout_ds;  /* tenths of a second, syslinux style */
  const char          *default_label;
  const PxedMenuEntry *entries;
  guint                n_entries;
  const PxedNode      *node;
  /* Added by the generators issue (additive). */
  gboolean             prompt;      /* show the boot: prompt (PROMPT 1) */
  gpointer             reserved[4];
} PxedMenu;

const PxedInventoryHost *pxed_inventory_lookup_mac  (PxedHost *host, const char *mac);
const PxedInventoryHost *pxed_inventory_lookup_ip   (PxedHost *host, const char *ip);
const PxedInventoryHost *pxed_inventory_lookup_uuid (PxedHost *host, const char *uuid);
const PxedProfile       *pxed_inventory_get_profile (PxedHost *host, const char *name);
/* All profiles in file order. */
const PxedProfile *const *pxed_inventory_get_profiles (PxedHost *host, guint *n_profiles);
const PxedInventoryHost *const *pxed_inventory_get_hosts (PxedHost *host, guint *n_hosts);
/* The menu, or NULL when none is configured. */
const PxedMenu          *pxed_inventory_get_menu    (PxedHost *host);

/* ---- Snapshots (added by the generators issue) ------------------------------
 *
 * The inventory of one configuration snapshot, immutable and reference
 * counted. A generator takes a reference for the duration of a render so a
 * reload in between cannot pull the data from under it, and renders as a pure
 * function of (inventory, request facts). */
typedef struct _PxedInventory PxedInventory;

/* A new reference to the inventory in force, or NULL without configuration. */
PxedInventory *pxed_inventory_get_current (PxedHost *host);
PxedInventory *pxed_inventory_ref    (PxedInventory *inv);
void           pxed_inventory_unref  (PxedInventory *inv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedInventory, pxed_inventory_unref)

/* Lookups on one snapshot. MACs and UUIDs may be written in any usual form
 * (':' '-' '.' or no separators, any case). A UUID matches both as written
 * (SMBIOS order) and in the raw option-97 byte order pxelinux uses. */
const PxedInventoryHost *pxed_inventory_find_mac     (PxedInventory *inv, const char *mac);
const PxedInventoryHost *pxed_inventory_find_ip      (PxedInventory *inv, const char *ip);
const PxedInventoryHost *pxed_inventory_find_uuid    (PxedInventory *inv, const char *uuid);
const PxedProfile       *pxed_inventory_find_profile (PxedInventory *inv, const char *name);
const PxedProfile *const *pxed_inventory_list_profiles (PxedInventory *inv, guint *n);
const PxedInventoryHost *const *pxed_inventory_list_hosts (PxedInventory *inv, guint *n);
const PxedMenu          *pxed_inventory_menu         (PxedInventory *inv);
/* The top-level `vars:` mapping (shared by every host and profile), or NULL. */
const PxedNode          *pxed_inventory_get_vars     (PxedInventory *inv);

/* ---- Template variables -------------------------------------------------------
 *
 * `${name}` in profile fields (kernel, initrd, append, install-url) and in
 * kickstart templates; `$$` is a literal '$'. Names are [A-Za-z0-9_-]+.
 * A name resolves, first match wins, in: @builtins (NULL-terminated
 * name/value pairs), the host's vars, the profile's vars, the top-level vars.
 * Built-in names known to the inventory: mac, mac-dashes, ip, hostname,
 * uuid, profile, install-url (see docs/inventory.md). */

/* Expands @text. Unknown names and malformed references fail with
 * PXED_CONFIG_ERROR_INVALID; the message names the variable. */
char *pxed_inventory_expand (PxedInventory *inv, const char *text,
                             const PxedProfile *profile, const PxedInventoryHost *host,
                             const char *const *builtins, GError **error);

/* TRUE when @name is one of the built-in variable names above. */
gboolean pxed_inventory_is_builtin_var (const char *name);

/* Checks every `${name}` of @text without expanding: each must be a
 * built-in, a name in @extra (NULL-terminated, may be NULL), or defined in
 * the profile's or the top-level vars. On failure sets a located error at
 * @where. */
gboolean pxed_inventory_check_template (PxedInventory *inv, const char *text,
                                        const PxedProfile *profile,
                                        const char *const *extra,
                                        const PxedNode *where, GError **error);

/* Canonical forms: "aa:bb:cc:dd:ee:ff" and lower-case "8-4-4-4-12" UUIDs,
 * or NULL when @text is not one. The swapped UUID converts between SMBIOS
 * order and option 97's raw byte order (first three fields byte-swapped). */
char *pxed_inventory_normalize_mac  (const char *text);
char *pxed_inventory_normalize_uuid (const char *text);
char *pxed_inventory_swap_uuid      (const char *uuid);

G_END_DECLS
