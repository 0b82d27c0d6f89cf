/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pxed-host-private.h"

G_BEGIN_DECLS

/* How pxed_content_open() resolves a path beneath a root. AUTO uses
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) and falls back to the
 * component walk when the kernel (or a seccomp filter) refuses openat2.
 * Tests and fuzzers force either path so the same hostile table runs
 * through both. Not for plugins. */
typedef enum {
  PXED_CONTENT_RESOLVE_AUTO = 0,
  PXED_CONTENT_RESOLVE_OPENAT2,
  PXED_CONTENT_RESOLVE_WALK,
} PxedContentResolveMode;

void pxed_content_set_resolve_mode (PxedContentResolveMode mode);
/* The mode AUTO settled on (OPENAT2 or WALK) once a root has been opened. */
PxedContentResolveMode pxed_content_get_resolve_mode (void);

/* Number of distinct files currently held open (shared) by @svc. */
guint pxed_content_service_get_n_open (PxedContentService *svc);

G_END_DECLS
