/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "gen-common.h"

G_BEGIN_DECLS

typedef struct {
  const char *prefix; /* directory of grub.cfg as GRUB asks for it ("grub"), "" for the root */
} GrubOptions;

/* Renders "PREFIX/grub.cfg", "PREFIX/grub.cfg-01-<mac-with-dashes>" or
 * "PREFIX/grub.cfg-<mac>" for a machine with @facts. grub.cfg is the
 * requester's own menu when the inventory names it; for a machine whose MAC
 * is not known it also chains to grub.cfg-$net_default_mac first. Per-MAC
 * names of machines the inventory does not name are NOT_FOUND. */
GBytes *grub_render (PxedInventory *inv, const GrubOptions *opts, const char *path,
                     const GenFacts *facts, GError **error);

/* A GRUB script word: single-quoted, embedded quotes as '\''. */
char   *grub_quote (const char *value);

G_END_DECLS
