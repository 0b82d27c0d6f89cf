/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs pxed's log writer: filters by level and per-domain debug list,
 * then writes to the journal when stderr is connected to it
 * (JOURNAL_STREAM), else one readable line per message on stderr.
 * PXED_DEBUG (comma-separated domains, or "all") adds debug domains. */
void     pxed_log_init              (void);
/* "error", "warning", "message", "info" or "debug". */
gboolean pxed_log_set_level         (const char *level);
/* Domains shown at debug level whatever the level ("all" for every one). */
void     pxed_log_set_debug_domains (const char *const *domains);
/* Formats one message the way the text writer does (tests use it). */
char    *pxed_log_format_line       (GLogLevelFlags level, const char *domain,
                                     const char *instance, const char *ip,
                                     const char *message);

G_END_DECLS
