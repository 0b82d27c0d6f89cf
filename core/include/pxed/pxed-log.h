/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Logs with the structured fields PXED_INSTANCE, PXED_CLIENT_MAC and
 * PXED_CLIENT_IP (each may be NULL). Plugins otherwise use g_message(),
 * g_info() and g_debug() under their own G_LOG_DOMAIN ("pxed-<name>"). */
void  pxed_log_client (const char *domain, GLogLevelFlags level, const char *instance,
                       const char *mac, const char *ip, const char *format, ...)
                       G_GNUC_PRINTF (6, 7);

#define PXED_LOG_CLIENT(level, instance, mac, ip, ...) \
  pxed_log_client (G_LOG_DOMAIN, (level), (instance), (mac), (ip), __VA_ARGS__)

/* A printable copy of client-supplied bytes for logs: non-printable bytes
 * become \xNN, and the result is cut at @max_len characters. */
char *pxed_log_sanitize (const char *data, gsize len, gsize max_len);

G_END_DECLS
