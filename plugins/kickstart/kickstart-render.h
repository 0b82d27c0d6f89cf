/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "gen-common.h"

G_BEGIN_DECLS

/* Every kickstart of one inventory snapshot, prepared at load time:
 * plaintext passwords hashed (SHA-512 crypt, fresh salt), templates read,
 * and each profile rendered once and checked, so a broken profile is a
 * located configuration error and never a broken install. */
typedef struct _KsCompiled KsCompiled;

KsCompiled    *ks_compile            (PxedInventory *inv, GError **error);
void           ks_compiled_free      (KsCompiled *ks);
PxedInventory *ks_compiled_get_inventory (KsCompiled *ks);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsCompiled, ks_compiled_free)

/* Renders "ks/<profile>.cfg", "ks/<mac>.cfg" or "ks.cfg" (the requesting
 * machine, from @facts). Unknown names give PXED_CONTENT_ERROR_NOT_FOUND. */
GBytes *ks_render (KsCompiled *ks, const char *path, const GenFacts *facts, GError **error);

/* Renders the kickstart of @profile for @host (may be NULL). */
char   *ks_render_profile (KsCompiled *ks, const PxedProfile *profile,
                           const PxedInventoryHost *host, const GenFacts *facts, GError **error);

/* The output checker: sections opened and closed, single-use commands once,
 * required commands (lang, keyboard, timezone, rootpw) present. */
gboolean ks_check (const char *text, GError **error);

/* A value as a kickstart argument: bare when it is safe, else single-quoted
 * (shlex rules). Returns a new string. */
char   *ks_quote (const char *value);

/* SHA-512 crypt of @plaintext with a fresh random salt. */
char   *ks_hash_password (const char *plaintext, GError **error);

G_END_DECLS
