/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PXE keys the dhcp and proxydhcp plugins share in their YAML, parsed
 * once for both with located errors:
 *
 *   boot-file:   FILE                        every architecture
 *   boot-files:  {ARCH: FILE, ...}           per architecture (dhcp_pxe_parse_arch names)
 *   ipxe-script: URL                         for clients that are already iPXE
 *   next-server: IPv4                        the boot (TFTP) server
 *
 * Which of them a mapping may hold is the caller's business (the core checks
 * a section's keys against the plugin's option table; subnets and menu items
 * check their own). */
#pragma once

#include <pxed/pxed.h>

#include "dhcp-pxe.h"

G_BEGIN_DECLS

/* Option table entries for the section-level keys, identical in both plugins. */
#define DHCP_PXE_CONFIG_OPTION_BOOT_FILES                                                       \
  { "boot-files", PXED_OPTION_MAP, NULL, 0, 0, 0,                                               \
    "boot file per client architecture (bios, efi-ia32, efi-x64, efi-arm64, efi-x64-http, "    \
    "efi-arm64-http, any, or a number); {next-server} is replaced", NULL }
#define DHCP_PXE_CONFIG_OPTION_IPXE_SCRIPT                                                      \
  { "ipxe-script", PXED_OPTION_STRING, NULL, 0, 0, 0,                                           \
    "boot file (URL) for clients that are already iPXE, so they never chain-load iPXE again",  \
    NULL }

/* The scalar of @node, or NULL with a located "expected a string" error. */
const char *dhcp_pxe_config_node_string (const PxedNode *node, GError **error);

/* An IPv4 address (network order) from @node. */
gboolean dhcp_pxe_config_node_ipv4 (const PxedNode *node, guint32 *out, GError **error);

/* Fills @table from a mapping "architecture: file". */
gboolean dhcp_pxe_config_parse_boot_files (const PxedNode *node, DhcpBootTable *table,
                                           GError **error);

/* Reads `boot-file`, `boot-files` and `ipxe-script` from the mapping @map
 * (each optional; an empty ipxe-script counts as absent) into *@table, which
 * is created when one of them is present and left alone otherwise. */
gboolean dhcp_pxe_config_parse_boot (const PxedNode *map, DhcpBootTable **table, GError **error);

/* Reads `next-server` from the mapping @map when present: a unicast IPv4
 * address (network order) into *@out; *@out is left alone when absent. */
gboolean dhcp_pxe_config_parse_next_server (const PxedNode *map, guint32 *out, GError **error);

G_END_DECLS
