/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

#include "pxed-plugin.h"

G_BEGIN_DECLS

/* The service host every plugin instance receives. All services run on the
 * host's main context; none of them may be used from another thread unless
 * documented otherwise. */
GMainContext *pxed_host_get_context   (PxedHost *host);
/* The writable state directory (leases, caches). */
const char   *pxed_host_get_state_dir (PxedHost *host);
/* Monotonic id of the configuration snapshot in force; changes on reload. */
guint64       pxed_host_get_generation (PxedHost *host);

G_END_DECLS
