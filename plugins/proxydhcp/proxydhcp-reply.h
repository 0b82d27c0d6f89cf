/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxyDHCP service (PXE 2.1) as pure logic: a function from (request
 * bytes, arrival facts, configuration) to a reply and its destination,
 * testable without sockets. It never assigns an address.
 *
 * Port 67: a DHCPDISCOVER from a PXE client (option 60 "PXEClient…" or
 * "HTTPClient…") gets an OFFER with yiaddr 0, options 53, 54, 60 and 97 (echoed)
 * and, for PXE clients that need it, option 43 (discovery control, boot
 * menu, prompt). Everything else (non-PXE clients, REQUESTs, which belong to
 * the real DHCP server) is dropped.
 *
 * Port 4011: a DHCPREQUEST or DHCPINFORM from a PXE client gets an ACK with
 * siaddr, the boot file (BOOTP `file`, option 67 when asked for or when it
 * does not fit the field) and option 43 echoing the PXE boot item (sub-option
 * 71), sent back to the address and port it came from.
 *
 * The boot file comes from the shared table of dhcp-pxe (same architecture
 * table and iPXE loop protection as the dhcp plugin). A client for which no
 * boot file exists gets no answer at all, so it goes on with whatever the
 * real DHCP server offered instead of waiting on a proxy with nothing to
 * give.
 *
 * The port-67 offer also carries siaddr and the boot file ("boot file in
 * offer") for clients that never ask port 4011. Mode "auto" does it for:
 * HTTP boot clients (no 4011 step exists for them), clients that are already
 * iPXE (they use the offer when the 4011 request goes unanswered) and EFI PXE
 * clients (EDK2 asks 4011 anyway; firmware that does not boots from the
 * offer). It does not do it for BIOS PXE ROMs (the PXE 2.1 flow they were
 * built for: discovery control 3, then 4011; every observed ROM asks 4011),
 * nor when a boot menu is sent (a boot file in the offer would let clients
 * skip the menu). With the boot file, siaddr is set and, for BIOS, discovery
 * control gets bit 3 ("boot the file in the offer"); without it siaddr is 0,
 * as real proxies send it. */
#pragma once

#include <glib.h>

#include "dhcp-codec.h"
#include "dhcp-pxe.h"

G_BEGIN_DECLS

typedef enum {
  PROXY_FILE_IN_OFFER_AUTO = 0, /* HTTP, iPXE and EFI clients; see above */
  PROXY_FILE_IN_OFFER_ALWAYS,
  PROXY_FILE_IN_OFFER_NEVER,
  PROXY_FILE_IN_OFFER_ARCHS,    /* the architectures listed */
} ProxyFileInOffer;

typedef struct {
  guint16        type;        /* PXE boot server type; 0 is "local boot" */
  char          *description;
  DhcpBootTable *boot;        /* this item's boot files, or NULL: the instance's */
} ProxyMenuItem;

typedef struct {
  DhcpBootTable   *boot;            /* boot-files + ipxe-script, or NULL */
  DhcpBootTable   *boot_defaults;   /* built-in table */
  guint32          next_server;     /* network order; 0: our address on the arrival interface */
  ProxyFileInOffer file_in_offer;
  GArray          *file_in_offer_archs; /* gint, for PROXY_FILE_IN_OFFER_ARCHS */
  char            *menu_prompt;     /* NULL: no prompt */
  guint8           menu_timeout;    /* seconds; 255 waits for a key */
  GPtrArray       *menu_items;      /* ProxyMenuItem; empty: no menu */
} ProxyConfig;

ProxyConfig   *proxy_config_new       (void);
void           proxy_config_free      (ProxyConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProxyConfig, proxy_config_free)
ProxyMenuItem *proxy_menu_item_new    (guint16 type, const char *description);
void           proxy_menu_item_free   (ProxyMenuItem *item);

/* What the transport knows about a request's arrival. */
typedef struct {
  guint32  server_addr; /* our address on the arrival interface (network order), 0 unknown */
  guint32  peer_addr;   /* source address (network order) */
  guint16  peer_port;   /* source port (host order) */
  gboolean port_4011;   /* arrived on a listen-4011 endpoint */
} ProxyArrival;

typedef struct {
  GBytes      *reply;       /* NULL: nothing to send */
  guint32      dest_addr;   /* network order */
  guint16      dest_port;   /* host order */
  guint8       request_type;
  const char  *stage;       /* "proxydhcp-offer" / "proxydhcp-ack" when answered */
  const char  *drop_reason; /* why nothing is sent, for the debug log */
  char        *mac;         /* the client's MAC (hlen 6), or NULL */
  char        *boot_file;   /* what was sent, or NULL */
  guint32      boot_server; /* siaddr sent (network order) */
  guint16      boot_item;   /* sub-option 71 type the client asked for, 0 none */
  gboolean     parsed;      /* pxe is valid */
  DhcpPxeInfo  pxe;
} ProxyOutcome;

void proxy_outcome_clear (ProxyOutcome *outcome);

/* Handles one datagram. Never fails: anything that is not ours or not valid
 * ends with outcome->reply NULL and a drop_reason. */
void proxy_handle (const ProxyConfig *config, const guint8 *data, gsize len,
                   const ProxyArrival *arrival, ProxyOutcome *outcome);

/* TRUE when @info's offer carries the boot file under @config. */
gboolean proxy_file_in_offer (const ProxyConfig *config, const DhcpPxeInfo *info);

/* Option 43 of an offer for @info (NULL: none). Exposed for tests. */
GBytes *proxy_build_vendor_options (const ProxyConfig *config, const DhcpPxeInfo *info,
                                    gboolean file_in_offer, guint32 boot_server);

G_END_DECLS
