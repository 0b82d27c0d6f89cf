/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PXE awareness shared by the dhcp and proxydhcp plugins: what a request says
 * about the client (options 60, 77, 93, 94, 97, 175), the per-architecture
 * boot file table and the iPXE loop protection.
 *
 * Default boot files (RFC 4578 architecture numbers):
 *   0  BIOS                 pxelinux.0
 *   6  EFI IA32             efi32/syslinux.efi
 *   7  EFI BC (x86-64)      efi64/syslinux.efi   (what x86-64 firmware sends)
 *   9  EFI x86-64           efi64/syslinux.efi
 *   11 EFI ARM64            grubaa64.efi         (syslinux has no ARM64 build)
 *   16 EFI x86-64 HTTP      http://{next-server}/grubx64.efi  (HTTP boot has
 *   19 EFI ARM64 HTTP       http://{next-server}/grubaa64.efi  no PXE stack)
 * A client that is already iPXE (option 77 "iPXE" or option 175) gets the
 * `ipxe-script` URL when one is configured; otherwise its architecture's file,
 * unless that file is an iPXE binary, in which case no boot file at all (so it
 * never chain-loads itself forever). "{next-server}" in a file name is
 * replaced by the boot server's address. */
#pragma once

#include <glib.h>

#include "dhcp-codec.h"

G_BEGIN_DECLS

#define DHCP_ARCH_BIOS           0
#define DHCP_ARCH_EFI_IA32       6
#define DHCP_ARCH_EFI_BC         7
#define DHCP_ARCH_EFI_X64        9
#define DHCP_ARCH_EFI_ARM32      10
#define DHCP_ARCH_EFI_ARM64      11
#define DHCP_ARCH_EFI_X64_HTTP   16
#define DHCP_ARCH_EFI_ARM64_HTTP 19
/* Table key meaning "any architecture". */
#define DHCP_ARCH_ANY            (-1)

typedef struct {
  gint     arch;         /* option 93 (first entry) or from "PXEClient:Arch:NNNNN", -1 */
  gboolean pxe_client;   /* option 60 starts with "PXEClient" */
  gboolean http_client;  /* option 60 starts with "HTTPClient" */
  gboolean ipxe;         /* option 77 is "iPXE" (raw or RFC 3004) or option 175 present */
  char    *vendor_class; /* option 60, padding trimmed, or NULL */
  char    *user_class;   /* option 77 (printable form), or NULL */
  char    *uuid;         /* option 97 as 8-4-4-4-12 hex in the byte order sent, or NULL */
  guint8   ndi[3];       /* option 94: type, major, minor */
  gboolean has_ndi;
} DhcpPxeInfo;

void dhcp_pxe_info_init  (DhcpPxeInfo *info, const DhcpMessage *msg);
void dhcp_pxe_info_clear (DhcpPxeInfo *info);
/* Any sign of a network boot client: PXEClient, HTTPClient, iPXE or 93. */
gboolean dhcp_pxe_info_is_boot_client (const DhcpPxeInfo *info);

/* "bios", "efi-ia32", "efi-bc", "efi-x64" (7 and 9), "efi-arm32",
 * "efi-arm64", "efi-x64-http", "efi-arm64-http", "any", or a number 0..65535.
 * Writes up to 2 architectures; returns how many (0: unknown name). */
guint dhcp_pxe_parse_arch (const char *name, gint out[2]);

typedef struct _DhcpBootTable DhcpBootTable;

/* An empty table; dhcp_boot_table_new_default() has the defaults above. */
DhcpBootTable *dhcp_boot_table_new         (void);
DhcpBootTable *dhcp_boot_table_new_default (void);
void           dhcp_boot_table_free        (DhcpBootTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpBootTable, dhcp_boot_table_free)
/* @arch DHCP_ARCH_ANY sets the entry for every architecture. */
void        dhcp_boot_table_set             (DhcpBootTable *table, gint arch, const char *file);
const char *dhcp_boot_table_get             (const DhcpBootTable *table, gint arch);
void        dhcp_boot_table_set_ipxe_script (DhcpBootTable *table, const char *url);
const char *dhcp_boot_table_get_ipxe_script (const DhcpBootTable *table);

/* TRUE when @file names an iPXE binary (undionly.kpxe, ipxe.efi, snponly.efi…). */
gboolean dhcp_boot_file_is_ipxe_binary (const char *file);

/* The boot file for @info, from @tables in order (the first table with an
 * entry for the arch, then its "any" entry, wins), with {next-server}
 * replaced by @next_server. HTTP clients always get an http:// URL.
 * NULL when there is none (or iPXE loop protection refused it). */
char *dhcp_boot_choose (const DhcpBootTable *const *tables, guint n_tables,
                        const DhcpPxeInfo *info, const char *next_server);

/* ---- Option 43: PXE vendor options (PXE 2.1 section 2.4) ------------------ */

enum {
  DHCP_PXE_SUBOPT_DISCOVERY_CONTROL = 6,
  DHCP_PXE_SUBOPT_BOOT_SERVERS = 8,
  DHCP_PXE_SUBOPT_BOOT_MENU = 9,
  DHCP_PXE_SUBOPT_MENU_PROMPT = 10,
  DHCP_PXE_SUBOPT_BOOT_ITEM = 71,
};

/* Discovery control (sub-option 6) bits. */
#define DHCP_PXE_DISCOVERY_NO_BROADCAST 0x01
#define DHCP_PXE_DISCOVERY_NO_MULTICAST 0x02
#define DHCP_PXE_DISCOVERY_LIST_ONLY    0x04
#define DHCP_PXE_DISCOVERY_USE_FILE     0x08

typedef struct {
  guint16     type;        /* PXE boot server type; 0 is "local boot" */
  const char *description;
} DhcpPxeMenuEntry;

/* Builders: each appends sub-options to @vendor; dhcp_pxe_vendor_finish()
 * ends the list (255) and returns it as the value of option 43. */
void    dhcp_pxe_vendor_add_discovery_control (GByteArray *vendor, guint8 control);
/* Sub-option 8 (@server as the boot server of every entry but type 0) and
 * 9 (the menu). Entries past what fits one sub-option are left out. */
void    dhcp_pxe_vendor_add_menu      (GByteArray *vendor, const DhcpPxeMenuEntry *entries,
                                       guint n_entries, guint32 server);
/* Sub-option 10: @timeout seconds (255: wait for a key) and @prompt. */
void    dhcp_pxe_vendor_add_prompt    (GByteArray *vendor, guint8 timeout, const char *prompt);
/* Sub-option 71: the boot item (server type and layer) a client asked for. */
void    dhcp_pxe_vendor_add_boot_item (GByteArray *vendor, guint16 type, guint16 layer);
GBytes *dhcp_pxe_vendor_finish        (GByteArray *vendor);

/* The boot item (sub-option 71) in @msg's option 43; FALSE when absent or
 * when option 43 is not a well-formed sub-option list. */
gboolean dhcp_pxe_find_boot_item (const DhcpMessage *msg, guint16 *type, guint16 *layer);

G_END_DECLS
