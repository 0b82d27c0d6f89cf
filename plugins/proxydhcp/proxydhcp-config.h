/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxydhcp plugin's configuration: option table and the parser that
 * turns a checked section into a ProxyConfig (used by validate and create). */
#pragma once

#include <pxed/pxed.h>

#include "dhcp-pxe-config.h"
#include "proxydhcp-reply.h"

G_BEGIN_DECLS

#define PROXY_DEFAULT_LISTEN      "0.0.0.0:67"
#define PROXY_DEFAULT_LISTEN_4011 "0.0.0.0:4011"

extern const PxedOptionSpec proxy_plugin_options[];

/* Parses every key except the listen lists, with located errors. */
ProxyConfig *proxy_config_parse (const PxedSection *sec, GError **error);

G_END_DECLS
