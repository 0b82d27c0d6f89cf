/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pxed-plugin.h"

G_BEGIN_DECLS

/* A parsed `listen` item: "ADDRESS:PORT", "[IPV6]:PORT", "ADDRESS",
 * "INTERFACE" or "INTERFACE:PORT". */
typedef struct {
  struct sockaddr_storage addr; /* wildcard when only an interface was named */
  socklen_t               addr_len;
  char                    ifname[IF_NAMESIZE]; /* "" when not bound to an interface */
} PxedListenSpec;

gboolean pxed_net_parse_listen (const char *text, guint16 default_port, PxedListenSpec *out,
                                GError **error);

/* ---- UDP: shared endpoints with fan-out ---------------------------------- */

typedef struct _PxedUdpEndpoint PxedUdpEndpoint;
typedef struct _PxedUdpSubscription PxedUdpSubscription;

/* One received datagram, valid only during the callback. */
typedef struct {
  const guint8           *data;
  gsize                   len;
  struct sockaddr_storage peer;   /* the sender */
  socklen_t               peer_len;
  struct sockaddr_storage local;  /* destination address and port (IP_PKTINFO) */
  socklen_t               local_len;
  guint                   ifindex; /* arrival interface */
  PxedUdpEndpoint        *endpoint;
} PxedDatagram;

typedef void (*PxedUdpFunc) (const PxedDatagram *dgram, gpointer user_data);

/* Subscribes to datagrams arriving at @listen. Two subscriptions to the same
 * (address, port, interface) share one socket and both see every datagram. */
PxedUdpSubscription *pxed_net_udp_subscribe   (PxedHost *host, const char *listen,
                                               guint16 default_port, PxedUdpFunc func,
                                               gpointer user_data, GError **error);
void                 pxed_net_udp_unsubscribe (PxedUdpSubscription *sub);

/* Sends a reply from the endpoint @request arrived on, out of its arrival
 * interface (broadcast included), from its local address when that is a
 * unicast address. */
gboolean pxed_net_udp_reply (const PxedDatagram *request, const struct sockaddr *to,
                             socklen_t to_len, const void *data, gsize len, GError **error);

/* The first IPv4 address of interface @ifindex, in network byte order; FALSE when none. */
gboolean pxed_net_get_interface_ipv4 (guint ifindex, struct in_addr *out);
/* The MTU of interface @ifindex, or 0 when unknown. */
guint    pxed_net_get_interface_mtu  (guint ifindex);

/* A non-blocking, close-on-exec UDP socket bound to @local's address with an
 * ephemeral port (a TFTP transfer's own TID). */
int      pxed_net_udp_socket_ephemeral (const struct sockaddr *local, socklen_t local_len,
                                        GError **error);

/* ---- TCP listeners -------------------------------------------------------- */

typedef struct _PxedTcpListener PxedTcpListener;

/* Called with a new non-blocking, close-on-exec connected socket that the
 * callee now owns. */
typedef void (*PxedTcpAcceptFunc) (int fd, const struct sockaddr *peer, socklen_t peer_len,
                                   gpointer user_data);

/* Listens on @listen. With a NULL @func the caller polls the listening
 * sockets itself (pxed_net_tcp_listener_get_fds). */
PxedTcpListener *pxed_net_tcp_listen             (PxedHost *host, const char *listen,
                                                  guint16 default_port, PxedTcpAcceptFunc func,
                                                  gpointer user_data, GError **error);
/* The listening sockets (still owned by the listener). */
const int       *pxed_net_tcp_listener_get_fds   (PxedTcpListener *listener, guint *n_fds);
void             pxed_net_tcp_listener_free      (PxedTcpListener *listener);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedTcpListener, pxed_net_tcp_listener_free)

/* Text form of an address without port ("192.0.2.1", "2001:db8::1"). */
char    *pxed_net_address_to_string (const struct sockaddr *addr, socklen_t len);
/* Text form with port ("192.0.2.1:69", "[2001:db8::1]:69"). */
char    *pxed_net_endpoint_to_string (const struct sockaddr *addr, socklen_t len);
/* Port of an AF_INET/AF_INET6 address in host order, 0 otherwise. */
guint16  pxed_net_address_get_port (const struct sockaddr *addr);
/* TRUE when both addresses have the same family, address and port. */
gboolean pxed_net_address_equal (const struct sockaddr *a, const struct sockaddr *b);

G_END_DECLS
