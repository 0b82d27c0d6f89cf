/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCPv4 server as pure logic: a function from (request, arrival facts,
 * now) to a reply and lease store appends, testable without sockets.
 *
 * Leases are looked up by client identifier (option 61) when the client sent
 * one, else by hardware address; a client whose identifier is unknown but
 * whose MAC holds a lease gets that lease (one machine = one MAC on a PXE
 * network: firmware, iPXE and the installed OS may send different
 * identifiers, and syslinux.efi's second DHCP sends no PXE options at all). */
#pragma once

#include <glib.h>

#include "dhcp-codec.h"
#include "dhcp-lease-store.h"
#include "dhcp-pool.h"
#include "dhcp-pxe.h"

G_BEGIN_DECLS

typedef struct {
  char          *name;          /* "192.0.2.0/24" as configured */
  guint32        network;       /* network byte order */
  guint32        netmask;       /* network byte order */
  guint          prefix;
  GArray        *ranges;        /* DhcpRange, host order */
  GArray        *routers;       /* guint32, network order */
  GArray        *dns;
  GArray        *ntp;
  guint32        broadcast;     /* 0: derived */
  char          *domain;
  guint32        lease_time;    /* seconds */
  guint32        max_lease_time;
  guint32        next_server;   /* 0: the server's own address */
  DhcpBootTable *boot;          /* boot-file (any) + boot-files, or NULL */
  GBytes        *options[256];  /* `options:` from config, sent when requested */
  gboolean       authoritative;
  char          *interface;     /* or NULL */
  /* runtime */
  DhcpPool      *pool;
} DhcpSubnet;

DhcpSubnet *dhcp_subnet_new  (void);
void        dhcp_subnet_free (DhcpSubnet *subnet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpSubnet, dhcp_subnet_free)
/* Creates the pool from the ranges. */
void        dhcp_subnet_finish (DhcpSubnet *subnet);
gboolean    dhcp_subnet_contains (const DhcpSubnet *subnet, guint32 addr);

/* Reservations (the core inventory in the plugin, a table in tests). */
typedef struct {
  /* A fixed address (network order) and hostname for @mac; FALSE when none. */
  gboolean    (*lookup_mac) (gpointer data, const char *mac, guint32 *addr, char **hostname);
  /* The MAC an address is reserved for, or NULL. */
  char       *(*lookup_ip)  (gpointer data, guint32 addr);
  gpointer      data;
} DhcpReservations;

typedef struct {
  GPtrArray     *subnets;          /* DhcpSubnet */
  DhcpBootTable *boot;             /* global boot-files + ipxe-script, or NULL */
  DhcpBootTable *boot_defaults;    /* built-in table */
  guint32        offer_timeout;    /* seconds an offered address stays reserved */
  guint32        decline_time;     /* quarantine of a declined address */
  gboolean       ping_check;       /* probe a fresh address before offering it */
  DhcpReservations reservations;
} DhcpServerConfig;

DhcpServerConfig *dhcp_server_config_new  (void);
void              dhcp_server_config_free (DhcpServerConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpServerConfig, dhcp_server_config_free)

/* What the transport knows about a request's arrival. */
typedef struct {
  guint32     server_addr;  /* our address on the arrival interface (network order), 0 unknown */
  const char *ifname;       /* arrival interface name, or NULL */
  guint       mtu;          /* 0 unknown */
  gint64      now;          /* seconds since the epoch */
} DhcpArrival;

/* What a request did to a lease, for the plugin's one log line per event. */
typedef enum {
  DHCP_LEASE_EVENT_NONE = 0,
  DHCP_LEASE_EVENT_ACK,      /* client_addr bound for lease_time */
  DHCP_LEASE_EVENT_NAK,      /* reason says why */
  DHCP_LEASE_EVENT_RELEASE,  /* client_addr freed */
  DHCP_LEASE_EVENT_DECLINE,  /* client_addr quarantined for lease_time */
} DhcpLeaseEvent;

typedef struct {
  GBytes  *reply;        /* NULL: nothing to send */
  guint8   reply_type;   /* DHCP_OFFER, DHCP_ACK, DHCP_NAK */
  guint32  dest_addr;    /* network order */
  guint16  dest_port;
  gboolean needs_commit; /* send only after the lease store flushed */
  guint32  client_addr;  /* the address leased/offered (network order), 0 none */
  char    *hostname;     /* the client's hostname (reservation or option 12) */
  const char *drop_reason; /* why nothing is sent, for the debug log */
  DhcpLeaseEvent event;
  guint32  lease_time;   /* ACK: seconds granted; DECLINE: quarantine */
  const char *reason;    /* NAK: why */
  guint32  probe_addr;   /* ping-check: probe this address (network order), then
                          * call dhcp_server_probe_done() and handle the request again */
} DhcpOutcome;

void dhcp_outcome_clear (DhcpOutcome *outcome);

typedef struct _DhcpServer DhcpServer;

/* Takes @config; @store is borrowed. */
DhcpServer *dhcp_server_new    (DhcpServerConfig *config, DhcpLeaseStore *store);
void        dhcp_server_free   (DhcpServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpServer, dhcp_server_free)
/* Replays stored leases (call before serving). */
gboolean    dhcp_server_load   (DhcpServer *server, gint64 now, GError **error);
/* Swaps in a new configuration, keeping leases that still fit a subnet. */
void        dhcp_server_set_config (DhcpServer *server, DhcpServerConfig *config, gint64 now);

void        dhcp_server_handle (DhcpServer *server, const DhcpMessage *request,
                                const DhcpPxeInfo *pxe, const DhcpArrival *arrival,
                                DhcpOutcome *outcome);
/* The result of probing @addr: in use (someone answered the ICMP echo) puts
 * it in quarantine; free makes it offerable. */
void        dhcp_server_probe_done (DhcpServer *server, guint32 addr, gboolean in_use, gint64 now);
/* Expires offers, leases and quarantines (O(leases); run from a timer). */
void        dhcp_server_expire (DhcpServer *server, gint64 now);
/* Every lease worth keeping (bound, declined, remembered), for compaction. */
GPtrArray  *dhcp_server_snapshot (DhcpServer *server);
guint       dhcp_server_get_n_leases (DhcpServer *server);

/* Looks up the lease of an address (network order) for tests and status. */
gboolean    dhcp_server_get_lease (DhcpServer *server, guint32 addr, DhcpLeaseState *state,
                                   gint64 *expires, char **mac);

G_END_DECLS
