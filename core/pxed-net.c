/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The net service: shared UDP endpoints with fan-out to every subscriber,
 * IP_PKTINFO for the arrival interface and destination address, replies out
 * of the arrival interface, and TCP listeners. Sockets are kept in a registry
 * keyed by (address, port, interface) so that two plugins share a port and a
 * reload that restarts an instance reuses sockets bound before privileges
 * were dropped. */
#include "pxed-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <ifaddrs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pxed/pxed.h>

#include "pxed-host-private.h"

#define UDP_BUFFER_SIZE 65536
#define UDP_BURST 64 /* datagrams read per wake-up before yielding to other sources */

typedef struct {
  PxedNet *net;
  char    *key;
  int      fd;
  guint    refcount; /* listeners using it */
} TcpSocket;

struct _PxedNet {
  GMainContext *context;
  GHashTable   *udp; /* key -> PxedUdpEndpoint */
  GHashTable   *tcp; /* key -> TcpSocket */
  guint         hold;
};

struct _PxedUdpEndpoint {
  PxedNet   *net;
  char      *key;
  int        fd;
  int        family;
  guint16    port;
  GSource   *source;
  GPtrArray *subs;        /* PxedUdpSubscription */
  guint      dispatching; /* > 0 while calling subscribers */
  guint8    *buffer;
};

struct _PxedUdpSubscription {
  PxedUdpEndpoint *endpoint;
  PxedUdpFunc      func;
  gpointer         user_data;
  gboolean         active;
};

struct _PxedTcpListener {
  PxedNet          *net;
  GPtrArray        *sockets; /* TcpSocket, borrowed refs */
  GArray           *fds;
  GPtrArray        *sources;
  PxedTcpAcceptFunc func;
  gpointer          user_data;
};

/* ---- addresses -------------------------------------------------------------- */

guint16
pxed_net_address_get_port (const struct sockaddr *addr)
{
  if (addr->sa_family == AF_INET)
    return ntohs (((const struct sockaddr_in *) addr)->sin_port);
  if (addr->sa_family == AF_INET6)
    return ntohs (((const struct sockaddr_in6 *) addr)->sin6_port);
  return 0;
}

static void
address_set_port (struct sockaddr *addr, guint16 port)
{
  if (addr->sa_family == AF_INET)
    ((struct sockaddr_in *) addr)->sin_port = htons (port);
  else if (addr->sa_family == AF_INET6)
    ((struct sockaddr_in6 *) addr)->sin6_port = htons (port);
}

char *
pxed_net_address_to_string (const struct sockaddr *addr, socklen_t len)
{
  char buf[INET6_ADDRSTRLEN] = "";

  if (addr->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    inet_ntop (AF_INET, &((const struct sockaddr_in *) addr)->sin_addr, buf, sizeof buf);
  else if (addr->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct in6_addr *a6 = &((const struct sockaddr_in6 *) addr)->sin6_addr;
      if (IN6_IS_ADDR_V4MAPPED (a6))
        inet_ntop (AF_INET, &a6->s6_addr[12], buf, sizeof buf);
      else
        inet_ntop (AF_INET6, a6, buf, sizeof buf);
    }
  else
    return g_strdup ("?");
  return g_strdup (buf);
}

char *
pxed_net_endpoint_to_string (const struct sockaddr *addr, socklen_t len)
{
  g_autofree char *host = pxed_net_address_to_string (addr, len);

  if (addr->sa_family == AF_INET6 && strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, pxed_net_address_get_port (addr));
  return g_strdup_printf ("%s:%u", host, pxed_net_address_get_port (addr));
}

gboolean
pxed_net_address_equal (const struct sockaddr *a, const struct sockaddr *b)
{
  if (a->sa_family != b->sa_family)
    return FALSE;
  if (a->sa_family == AF_INET)
    {
      const struct sockaddr_in *x = (const void *) a, *y = (const void *) b;
      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
  if (a->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *x = (const void *) a, *y = (const void *) b;
      return x->sin6_port == y->sin6_port &&
             memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
  return FALSE;
}

static gboolean
parse_port (const char *text, guint16 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &v, NULL))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
parse_ip (const char *text, guint16 port, PxedListenSpec *out)
{
  struct sockaddr_in *sin = (struct sockaddr_in *) &out->addr;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &out->addr;

  memset (&out->addr, 0, sizeof out->addr);
  if (g_str_equal (text, "*"))
    text = "0.0.0.0";
  if (inet_pton (AF_INET, text, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons (port);
      out->addr_len = sizeof *sin;
      return TRUE;
    }
  if (inet_pton (AF_INET6, text, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (port);
      out->addr_len = sizeof *sin6;
      return TRUE;
    }
  return FALSE;
}

static gboolean
valid_ifname (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len >= IF_NAMESIZE)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("._-@", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
pxed_net_parse_listen (const char *text, guint16 default_port, PxedListenSpec *out,
                       GError **error)
{
  g_autofree char *host = NULL;
  guint16 port = default_port;
  const char *colon;

  memset (out, 0, sizeof *out);
  if (text == NULL || *text == '\0')
    goto invalid;

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');
      if (end == NULL)
        goto invalid;
      host = g_strndup (text + 1, end - text - 1);
      if (end[1] == ':')
        {
          if (!parse_port (end + 2, &port))
            goto invalid;
        }
      else if (end[1] != '\0')
        goto invalid;
      if (!parse_ip (host, port, out) || out->addr.ss_family != AF_INET6)
        goto invalid;
      return TRUE;
    }

  colon = strrchr (text, ':');
  if (colon != NULL && strchr (text, ':') != colon)
    {
      /* Several colons and no brackets: a bare IPv6 address. */
      if (!parse_ip (text, port, out))
        goto invalid;
      return TRUE;
    }
  if (colon != NULL)
    {
      host = g_strndup (text, colon - text);
      if (!parse_port (colon + 1, &port))
        goto invalid;
    }
  else
    host = g_strdup (text);
  if (*host == '\0')
    {
      g_free (host);
      host = g_strdup ("0.0.0.0");
    }

  if (parse_ip (host, port, out))
    return TRUE;
  if (!valid_ifname (host))
    goto invalid;
  /* An interface: all IPv4 addresses of it. */
  parse_ip ("0.0.0.0", port, out);
  g_strlcpy (out->ifname, host, sizeof out->ifname);
  return TRUE;

invalid:
  g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_INVALID_ADDRESS,
               "'%s' is not ADDRESS[:PORT], [IPV6][:PORT] or INTERFACE[:PORT]",
               text != NULL ? text : "");
  return FALSE;
}

static char *
listen_key (const char *proto, const PxedListenSpec *spec)
{
  g_autofree char *ep = pxed_net_endpoint_to_string ((const struct sockaddr *) &spec->addr,
                                                     spec->addr_len);
  return g_strdup_printf ("%s %s%%%s", proto, ep, spec->ifname);
}

static int
open_bound_socket (const PxedListenSpec *spec, int type, GError **error)
{
  int family = spec->addr.ss_family;
  int fd = socket (family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  g_autofree char *ep = NULL;

  if (fd < 0)
    {
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND, "socket: %s", g_strerror (errno));
      return -1;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (type == SOCK_DGRAM)
    {
      int rcvbuf = 4 << 20; /* DHCP/TFTP bursts while the loop is busy */
      setsockopt (fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
      if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
      if (family == AF_INET)
        setsockopt (fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
      else
        setsockopt (fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
  if (spec->ifname[0] != '\0' &&
      setsockopt (fd, SOL_SOCKET, SO_BINDTODEVICE, spec->ifname, strlen (spec->ifname)) < 0)
    {
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND, "cannot bind to interface %s: %s",
                   spec->ifname, g_strerror (errno));
      close (fd);
      return -1;
    }
  if (bind (fd, (const struct sockaddr *) &spec->addr, spec->addr_len) < 0)
    {
      int saved = errno;
      ep = pxed_net_endpoint_to_string ((const struct sockaddr *) &spec->addr, spec->addr_len);
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND, "cannot bind %s %s%s%s: %s",
                   type == SOCK_DGRAM ? "UDP" : "TCP", ep, spec->ifname[0] ? " on " : "",
                   spec->ifname, g_strerror (saved));
      close (fd);
      return -1;
    }
  return fd;
}

/* ---- UDP ---------------------------------------------------------------------- */

static void
udp_endpoint_free (PxedUdpEndpoint *ep)
{
  if (ep->source != NULL)
    {
      g_source_destroy (ep->source);
      g_source_unref (ep->source);
    }
  if (ep->fd >= 0)
    close (ep->fd);
  g_ptr_array_unref (ep->subs);
  g_free (ep->buffer);
  g_free (ep->key);
  g_free (ep);
}

static void
udp_endpoint_parse_cmsg (struct msghdr *msg, PxedDatagram *d, guint16 local_port)
{
  for (struct cmsghdr *c = CMSG_FIRSTHDR (msg); c != NULL; c = CMSG_NXTHDR (msg, c))
    {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
        {
          struct in_pktinfo pi;
          struct sockaddr_in *sin = (struct sockaddr_in *) &d->local;
          memcpy (&pi, CMSG_DATA (c), sizeof pi);
          d->ifindex = (guint) pi.ipi_ifindex;
          sin->sin_family = AF_INET;
          sin->sin_addr = pi.ipi_addr;
          sin->sin_port = htons (local_port);
          d->local_len = sizeof *sin;
        }
      else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
        {
          struct in6_pktinfo pi;
          struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &d->local;
          memcpy (&pi, CMSG_DATA (c), sizeof pi);
          d->ifindex = (guint) pi.ipi6_ifindex;
          sin6->sin6_family = AF_INET6;
          sin6->sin6_addr = pi.ipi6_addr;
          sin6->sin6_port = htons (local_port);
          d->local_len = sizeof *sin6;
        }
    }
}

static void
udp_endpoint_prune (PxedUdpEndpoint *ep)
{
  for (guint i = ep->subs->len; i > 0; i--)
    {
      PxedUdpSubscription *sub = g_ptr_array_index (ep->subs, i - 1);
      if (!sub->active)
        g_ptr_array_remove_index (ep->subs, i - 1);
    }
}

static void udp_endpoint_maybe_close (PxedUdpEndpoint *ep);

static gboolean
udp_endpoint_readable (gint fd, GIOCondition cond, gpointer user_data)
{
  PxedUdpEndpoint *ep = user_data;
  guint16 local_port = ep->port;

  for (guint burst = 0; burst < UDP_BURST; burst++)
    {
      PxedDatagram d = { 0 };
      union {
        char buf[CMSG_SPACE (sizeof (struct in6_pktinfo)) + CMSG_SPACE (sizeof (struct in_pktinfo))];
        struct cmsghdr align;
      } control;
      struct iovec iov = { ep->buffer, UDP_BUFFER_SIZE };
      struct msghdr msg = {
        .msg_name = &d.peer,
        .msg_namelen = sizeof d.peer,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof control.buf,
      };
      ssize_t n = recvmsg (fd, &msg, 0);

      if (n < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            g_debug ("recvmsg on %s: %s", ep->key, g_strerror (errno));
          break;
        }
      d.peer_len = msg.msg_namelen;
      d.data = ep->buffer;
      d.len = (gsize) n;
      d.endpoint = ep;
      if ((msg.msg_flags & MSG_TRUNC) != 0)
        {
          g_debug ("dropping truncated datagram on %s", ep->key);
          continue;
        }
      udp_endpoint_parse_cmsg (&msg, &d, local_port);

      /* Every subscriber sees every datagram. Subscribers may unsubscribe
       * (themselves or others) from the callback: they are only marked. */
      ep->dispatching++;
      for (guint i = 0; i < ep->subs->len; i++)
        {
          PxedUdpSubscription *sub = g_ptr_array_index (ep->subs, i);
          if (sub->active)
            sub->func (&d, sub->user_data);
        }
      ep->dispatching--;
      udp_endpoint_prune (ep);
      if (ep->subs->len == 0)
        break;
    }
  if (ep->dispatching == 0 && ep->subs->len == 0)
    udp_endpoint_maybe_close (ep); /* the last subscriber left; may free @ep */
  return G_SOURCE_CONTINUE;
}

static void
udp_endpoint_maybe_close (PxedUdpEndpoint *ep)
{
  if (ep->subs->len > 0 || ep->dispatching > 0 || ep->net->hold > 0)
    return;
  g_hash_table_remove (ep->net->udp, ep->key);
}

PxedUdpSubscription *
pxed_net_udp_subscribe (PxedHost *host, const char *listen, guint16 default_port,
                        PxedUdpFunc func, gpointer user_data, GError **error)
{
  PxedNet *net = host->net;
  PxedListenSpec spec;
  g_autofree char *key = NULL;
  PxedUdpEndpoint *ep;
  PxedUdpSubscription *sub;

  if (!pxed_net_parse_listen (listen, default_port, &spec, error))
    return NULL;
  key = listen_key ("udp", &spec);
  ep = g_hash_table_lookup (net->udp, key);
  if (ep == NULL)
    {
      int fd = open_bound_socket (&spec, SOCK_DGRAM, error);
      if (fd < 0)
        return NULL;
      ep = g_new0 (PxedUdpEndpoint, 1);
      ep->net = net;
      ep->key = g_strdup (key);
      ep->fd = fd;
      ep->family = spec.addr.ss_family;
      {
        struct sockaddr_storage bound;
        socklen_t bound_len = sizeof bound;
        if (getsockname (fd, (struct sockaddr *) &bound, &bound_len) == 0)
          ep->port = pxed_net_address_get_port ((struct sockaddr *) &bound);
      }
      ep->subs = g_ptr_array_new_with_free_func (g_free);
      ep->buffer = g_malloc (UDP_BUFFER_SIZE);
      ep->source = g_unix_fd_source_new (fd, G_IO_IN);
      g_source_set_callback (ep->source, G_SOURCE_FUNC (udp_endpoint_readable), ep, NULL);
      g_source_attach (ep->source, net->context);
      g_hash_table_insert (net->udp, ep->key, ep);
      g_debug ("listening on %s", key);
    }
  sub = g_new0 (PxedUdpSubscription, 1);
  sub->endpoint = ep;
  sub->func = func;
  sub->user_data = user_data;
  sub->active = TRUE;
  g_ptr_array_add (ep->subs, sub);
  return sub;
}

void
pxed_net_udp_unsubscribe (PxedUdpSubscription *sub)
{
  PxedUdpEndpoint *ep;

  if (sub == NULL)
    return;
  ep = sub->endpoint;
  sub->active = FALSE;
  if (ep->dispatching > 0)
    return; /* pruned after dispatch */
  udp_endpoint_prune (ep);
  udp_endpoint_maybe_close (ep);
}

static gboolean
ipv4_is_unicast (struct in_addr a)
{
  guint32 h = ntohl (a.s_addr);
  return h != INADDR_ANY && h != INADDR_BROADCAST && !IN_MULTICAST (h);
}

gboolean
pxed_net_udp_reply (const PxedDatagram *request, const struct sockaddr *to, socklen_t to_len,
                    const void *data, gsize len, GError **error)
{
  PxedUdpEndpoint *ep = request->endpoint;
  union {
    char buf[CMSG_SPACE (sizeof (struct in6_pktinfo))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { (void *) data, len };
  struct msghdr msg = {
    .msg_name = (void *) to,
    .msg_namelen = to_len,
    .msg_iov = &iov,
    .msg_iovlen = 1,
  };

  memset (&control, 0, sizeof control);
  if (request->ifindex != 0 && ep->family == AF_INET && to->sa_family == AF_INET)
    {
      struct cmsghdr *c;
      struct in_pktinfo pi = { 0 };
      const struct sockaddr_in *local = (const struct sockaddr_in *) &request->local;

      pi.ipi_ifindex = (int) request->ifindex;
      if (request->local.ss_family == AF_INET && ipv4_is_unicast (local->sin_addr))
        pi.ipi_spec_dst = local->sin_addr;
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof pi);
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN (sizeof pi);
      memcpy (CMSG_DATA (c), &pi, sizeof pi);
    }
  else if (request->ifindex != 0 && ep->family == AF_INET6 && to->sa_family == AF_INET6)
    {
      struct cmsghdr *c;
      struct in6_pktinfo pi = { 0 };
      const struct sockaddr_in6 *local = (const struct sockaddr_in6 *) &request->local;

      pi.ipi6_ifindex = request->ifindex;
      if (request->local.ss_family == AF_INET6 && !IN6_IS_ADDR_MULTICAST (&local->sin6_addr))
        pi.ipi6_addr = local->sin6_addr;
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof pi);
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN (sizeof pi);
      memcpy (CMSG_DATA (c), &pi, sizeof pi);
    }

  if (sendmsg (ep->fd, &msg, MSG_NOSIGNAL) < 0)
    {
      int saved = errno;
      g_autofree char *dest = pxed_net_endpoint_to_string (to, to_len);
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_SEND, "sending to %s: %s", dest,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

int
pxed_net_udp_socket_ephemeral (const struct sockaddr *local, socklen_t local_len, GError **error)
{
  struct sockaddr_storage addr;
  int fd;

  memset (&addr, 0, sizeof addr);
  memcpy (&addr, local, MIN ((gsize) local_len, sizeof addr));
  address_set_port ((struct sockaddr *) &addr, 0);
  /* A request that arrived at a broadcast or multicast address is answered
   * from the interface's own address: bind the wildcard. */
  if (addr.ss_family == AF_INET &&
      !ipv4_is_unicast (((struct sockaddr_in *) &addr)->sin_addr))
    ((struct sockaddr_in *) &addr)->sin_addr.s_addr = htonl (INADDR_ANY);
  else if (addr.ss_family == AF_INET6 &&
           IN6_IS_ADDR_MULTICAST (&((struct sockaddr_in6 *) &addr)->sin6_addr))
    ((struct sockaddr_in6 *) &addr)->sin6_addr = in6addr_any;

  fd = socket (addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, local_len) < 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND, "ephemeral UDP socket: %s",
                   g_strerror (saved));
      return -1;
    }
  return fd;
}

gboolean
pxed_net_get_interface_ipv4 (guint ifindex, struct in_addr *out)
{
  char name[IF_NAMESIZE];
  struct ifaddrs *list = NULL;
  gboolean found = FALSE;

  if (if_indextoname (ifindex, name) == NULL || getifaddrs (&list) < 0)
    return FALSE;
  for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
    if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET && g_str_equal (i->ifa_name, name))
      {
        *out = ((struct sockaddr_in *) i->ifa_addr)->sin_addr;
        found = TRUE;
        break;
      }
  freeifaddrs (list);
  return found;
}

guint
pxed_net_get_interface_mtu (guint ifindex)
{
  struct ifreq ifr;
  int fd;
  guint mtu = 0;

  memset (&ifr, 0, sizeof ifr);
  if (if_indextoname (ifindex, ifr.ifr_name) == NULL)
    return 0;
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  if (ioctl (fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
    mtu = (guint) ifr.ifr_mtu;
  close (fd);
  return mtu;
}

/* ---- TCP ---------------------------------------------------------------------- */

static void
tcp_socket_free (TcpSocket *s)
{
  if (s->fd >= 0)
    close (s->fd);
  g_free (s->key);
  g_free (s);
}

static gboolean
tcp_listener_readable (gint fd, GIOCondition cond, gpointer user_data)
{
  PxedTcpListener *l = user_data;

  for (guint burst = 0; burst < 64; burst++)
    {
      struct sockaddr_storage peer;
      socklen_t peer_len = sizeof peer;
      int conn = accept4 (fd, (struct sockaddr *) &peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (conn < 0)
        {
          if (errno == EMFILE || errno == ENFILE)
            g_warning ("accept: %s", g_strerror (errno));
          break;
        }
      l->func (conn, (struct sockaddr *) &peer, peer_len, l->user_data);
    }
  return G_SOURCE_CONTINUE;
}

PxedTcpListener *
pxed_net_tcp_listen (PxedHost *host, const char *listen_text, guint16 default_port,
                     PxedTcpAcceptFunc func, gpointer user_data, GError **error)
{
  PxedNet *net = host->net;
  PxedListenSpec spec;
  g_autofree char *key = NULL;
  TcpSocket *s;
  PxedTcpListener *l;

  if (!pxed_net_parse_listen (listen_text, default_port, &spec, error))
    return NULL;
  key = listen_key ("tcp", &spec);
  s = g_hash_table_lookup (net->tcp, key);
  if (s == NULL)
    {
      int fd = open_bound_socket (&spec, SOCK_STREAM, error);
      if (fd < 0)
        return NULL;
      if (listen (fd, 1024) < 0)
        {
          g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND, "listen on %s: %s", listen_text,
                       g_strerror (errno));
          close (fd);
          return NULL;
        }
      s = g_new0 (TcpSocket, 1);
      s->net = net;
      s->key = g_strdup (key);
      s->fd = fd;
      g_hash_table_insert (net->tcp, s->key, s);
    }
  else if (s->refcount > 0)
    {
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND,
                   "TCP %s is already in use by another instance", listen_text);
      return NULL;
    }
  s->refcount++;

  l = g_new0 (PxedTcpListener, 1);
  l->net = net;
  l->sockets = g_ptr_array_new ();
  l->fds = g_array_new (FALSE, FALSE, sizeof (int));
  l->sources = g_ptr_array_new ();
  l->func = func;
  l->user_data = user_data;
  g_ptr_array_add (l->sockets, s);
  g_array_append_val (l->fds, s->fd);
  if (func != NULL)
    {
      GSource *src = g_unix_fd_source_new (s->fd, G_IO_IN);
      g_source_set_callback (src, G_SOURCE_FUNC (tcp_listener_readable), l, NULL);
      g_source_attach (src, net->context);
      g_ptr_array_add (l->sources, src);
    }
  return l;
}

const int *
pxed_net_tcp_listener_get_fds (PxedTcpListener *listener, guint *n_fds)
{
  *n_fds = listener->fds->len;
  return (const int *) (gpointer) listener->fds->data;
}

void
pxed_net_tcp_listener_free (PxedTcpListener *l)
{
  if (l == NULL)
    return;
  for (guint i = 0; i < l->sources->len; i++)
    {
      GSource *src = g_ptr_array_index (l->sources, i);
      g_source_destroy (src);
      g_source_unref (src);
    }
  for (guint i = 0; i < l->sockets->len; i++)
    {
      TcpSocket *s = g_ptr_array_index (l->sockets, i);
      if (--s->refcount == 0 && l->net->hold == 0)
        g_hash_table_remove (l->net->tcp, s->key);
    }
  g_ptr_array_unref (l->sources);
  g_ptr_array_unref (l->sockets);
  g_array_unref (l->fds);
  g_free (l);
}

/* ---- service -------------------------------------------------------------------- */

PxedNet *
pxed_net_new (GMainContext *context)
{
  PxedNet *net = g_new0 (PxedNet, 1);

  net->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  net->udp = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) udp_endpoint_free);
  net->tcp = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tcp_socket_free);
  return net;
}

void
pxed_net_free (PxedNet *net)
{
  if (net == NULL)
    return;
  g_hash_table_unref (net->udp);
  g_hash_table_unref (net->tcp);
  g_main_context_unref (net->context);
  g_free (net);
}

void
pxed_net_hold (PxedNet *net)
{
  net->hold++;
}

void
pxed_net_release (PxedNet *net)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (net->hold > 0);
  if (--net->hold > 0)
    return;
  g_hash_table_iter_init (&iter, net->udp);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PxedUdpEndpoint *ep = value;
      if (ep->subs->len == 0 && ep->dispatching == 0)
        g_hash_table_iter_remove (&iter);
    }
  g_hash_table_iter_init (&iter, net->tcp);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TcpSocket *s = value;
      if (s->refcount == 0)
        g_hash_table_iter_remove (&iter);
    }
}
