/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Code shared by the generator plugins (syslinux, grub, kickstart): who is
 * asking (request facts completed from the clients service), which inventory
 * host that is, the built-in template variables, and the render cache. */

#include <pxed/pxed.h>

G_BEGIN_DECLS

/* What a generator knows about the requesting machine. */
typedef struct {
  char *mac;  /* "aa:bb:cc:dd:ee:ff" or NULL */
  char *ip;   /* textual address or NULL */
  char *uuid; /* as the client sent it (option 97), or NULL */
  gint  arch; /* option 93, -1 unknown */
} GenFacts;

void gen_facts_init  (GenFacts *facts);
void gen_facts_clear (GenFacts *facts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GenFacts, gen_facts_clear)

/* Fills @facts from @request, completing what the transport did not know
 * (a TFTP request only knows the IP) from the clients service (@host may be
 * NULL in unit tests). */
void gen_facts_from_request (GenFacts *facts, PxedHost *host, const PxedRequestInfo *request);

/* The inventory host the facts name: by MAC, then by IP, then by UUID. */
const PxedInventoryHost *gen_facts_find_host (PxedInventory *inv, const GenFacts *facts);

/* Built-in template variables as NULL-terminated name/value pairs, for
 * pxed_inventory_expand(); values point into @facts, @host, @profile and
 * @install_url. @out must hold at least GEN_BUILTINS_MAX entries. */
#define GEN_BUILTINS_MAX 17
void gen_builtins_fill (const char **out, const GenFacts *facts, const PxedInventoryHost *host,
                        const PxedProfile *profile, const char *install_url, char *mac_dashes,
                        gsize mac_dashes_size);

/* Expands @text for (profile, host, facts); the result must be a single
 * line (no control characters) or it is refused. */
char *gen_expand (PxedInventory *inv, const char *text, const PxedProfile *profile,
                  const PxedInventoryHost *host, const GenFacts *facts, GError **error);

/* "aa-bb-cc-dd-ee-ff" from a normalised MAC. */
void gen_mac_dashes (const char *mac, char *out, gsize size);

/* ---- render cache --------------------------------------------------------------
 * Rendered bytes (or "not found") per (path, client facts), valid for one
 * configuration generation: a lookup with another generation empties it. */
typedef struct _GenCache GenCache;

GenCache *gen_cache_new    (guint max_entries);
void      gen_cache_free   (GenCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GenCache, gen_cache_free)
/* TRUE on a hit: *@bytes is a new reference, or NULL for a cached NOT_FOUND. */
gboolean  gen_cache_lookup (GenCache *cache, guint64 generation, const char *path,
                            const GenFacts *facts, GBytes **bytes);
/* @bytes NULL records NOT_FOUND. */
void      gen_cache_insert (GenCache *cache, guint64 generation, const char *path,
                            const GenFacts *facts, GBytes *bytes);
void      gen_cache_clear  (GenCache *cache);
guint     gen_cache_size   (GenCache *cache);

/* ---- the menu one machine sees ------------------------------------------------- */
typedef struct {
  const char        *label;
  const char        *text;
  const PxedProfile *profile; /* NULL for local boot */
  gboolean           local;
} GenEntry;

typedef struct {
  const char *title;         /* NULL: no menu configured (boot the default directly) */
  guint       timeout_ds;
  gboolean    prompt;
  const char *default_label; /* may be NULL */
  GenEntry    entries[64];
  guint       n_entries;
  char        extra_label[80];
} GenMenu;

/* The inventory's menu as @host (NULL: an unknown machine) sees it: the
 * host's profile becomes the default entry (added when the menu lacks it).
 * FALSE when there is nothing to boot (no menu and no profile). */
gboolean gen_menu_build (PxedInventory *inv, const PxedInventoryHost *host, GenMenu *menu);

/* ---- providers ------------------------------------------------------------------ */

/* A pure renderer: (inventory, path, facts) -> bytes. */
typedef GBytes *(*GenRenderFunc) (PxedInventory *inv, gpointer data, const char *path,
                                  const GenFacts *facts, GError **error);

/* The glue every generator shares: registers content providers for a set of
 * patterns, and per request completes the facts, takes the inventory in
 * force, consults the cache (keyed by path, facts and the configuration
 * generation) and renders on a miss. */
typedef struct _GenProvider GenProvider;

GenProvider *gen_provider_new    (PxedHost *host, const char *log_domain, const char *instance,
                                  GenRenderFunc render, gpointer render_data,
                                  guint cache_entries);
/* Registers @patterns (NULL-terminated); pxed_content_add_provider(). */
void         gen_provider_start  (GenProvider *gp, const char *const *patterns);
void         gen_provider_stop   (GenProvider *gp);
void         gen_provider_free   (GenProvider *gp);
/* The content render callback (exposed for tests and the bench). */
GBytes      *gen_provider_render (const char *path, const PxedRequestInfo *request,
                                  gpointer user_data, GError **error);
GenCache    *gen_provider_get_cache (GenProvider *gp);

/* Checks that every profile's kernel and initrd (expanded for an unknown
 * machine) exist as regular files beneath @root; a missing one is a config
 * error located at its key. */
gboolean gen_check_profile_files (PxedInventory *inv, const char *root, GError **error);

/* When @sec has `check-root`, gen_check_profile_files() on the inventory in
 * force of @host (none loaded: nothing to check). */
gboolean gen_check_section_files (PxedHost *host, const PxedSection *sec, GError **error);

/* Option-table rows shared by the generators. */
#define GEN_OPTION_CACHE_ENTRIES                                                          \
  { "cache-entries", PXED_OPTION_UINT, "4096", 1, 1000000, 0,                             \
    "rendered files kept per configuration generation", NULL }
#define GEN_OPTION_CHECK_ROOT                                                             \
  { "check-root", PXED_OPTION_PATH, NULL, 0, 0, 0,                                        \
    "when set, every profile's kernel and initrd must exist beneath this directory", NULL }

/* Sets PXED_CONTENT_ERROR_NOT_FOUND. */
void gen_set_not_found (GError **error, const char *path);

G_END_DECLS
