/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "pxed-host-private.h"
#include "pxed-loader-private.h"

G_BEGIN_DECLS

/* The running service: plugin instances of the configuration in force and
 * their lifecycle (start, reload with prepare/commit/abort, drain on stop). */
typedef struct _PxedDaemon PxedDaemon;

PxedDaemon *pxed_daemon_new      (const char *config_dir, const char *plugin_dir_override,
                                  const char *log_level_override);
void        pxed_daemon_free     (PxedDaemon *daemon);
/* The vendor and runtime conf.d tiers read below the config dir (base
 * directories holding conf.d/; NULL: none), at load and at every reload. */
void        pxed_daemon_set_config_tiers (PxedDaemon *daemon, const char *vendor_dir,
                                          const char *runtime_dir);
/* Loads and validates the configuration and creates every instance (no
 * sockets). With @check_only the instances are destroyed again. */
gboolean    pxed_daemon_load     (PxedDaemon *daemon, gboolean check_only, GError **error);
/* Starts the instances, drops privileges, notifies READY=1 and runs the main
 * loop until a SIGTERM/SIGINT drain finished. Returns the exit status. */
int         pxed_daemon_run      (PxedDaemon *daemon, int ready_fd);
/* Starts only the generator instances (for `pxed render`). */
gboolean    pxed_daemon_start_generators (PxedDaemon *daemon, GError **error);
PxedHost   *pxed_daemon_get_host (PxedDaemon *daemon);
PxedLoader *pxed_daemon_get_loader (PxedDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedDaemon, pxed_daemon_free)

/* Sends @state to $NOTIFY_SOCKET when set (sd_notify protocol). */
void        pxed_notify          (const char *state);

G_END_DECLS
