/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dhcp plugin's configuration: option table and the parser that turns a
 * checked section into a DhcpServerConfig (used by validate and create). */
#pragma once

#include <pxed/pxed.h>

#include "dhcp-pxe-config.h"
#include "dhcp-server.h"

G_BEGIN_DECLS

extern const PxedOptionSpec dhcp_plugin_options[];

/* Parses every key (including the structured `subnets`, `boot-files`,
 * `options`), with located errors. Reservations are left unset. */
DhcpServerConfig *dhcp_config_parse (const PxedSection *sec, GError **error);

/* "30s", "50m", "1h", "2d", "3000" (seconds). FALSE when not a duration. */
gboolean dhcp_config_parse_seconds (const char *text, guint32 *out);

G_END_DECLS
