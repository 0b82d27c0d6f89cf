/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "pxed-host-private.h"

typedef struct {
  guint     count;
  char     *last;
  guint     ifindex;
  char     *local;
  gboolean  reply;
} Received;

static void
on_datagram (const PxedDatagram *d, gpointer user_data)
{
  Received *r = user_data;

  r->count++;
  g_free (r->last);
  r->last = g_strndup ((const char *) d->data, d->len);
  r->ifindex = d->ifindex;
  g_free (r->local);
  r->local = pxed_net_address_to_string ((const struct sockaddr *) &d->local, d->local_len);
  if (r->reply)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (pxed_net_udp_reply (d, (const struct sockaddr *) &d->peer, d->peer_len, "pong", 4,
                                         &error));
      g_assert_no_error (error);
    }
}

static int
client_socket (guint16 *port_out)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct timeval tv = { 2, 0 };

  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  getsockname (fd, (struct sockaddr *) &sin, &len);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (port_out != NULL)
    *port_out = ntohs (sin.sin_port);
  return fd;
}

static guint16
free_udp_port (void)
{
  guint16 port;
  int fd = client_socket (&port);
  close (fd);
  return port;
}

static void
send_to (int fd, guint16 port, const char *msg)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  g_assert_cmpint (sendto (fd, msg, strlen (msg), 0, (struct sockaddr *) &to, sizeof to), ==,
                   (gssize) strlen (msg));
}

static void
iterate_until (guint *counter, guint target)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (*counter < target && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_net_parse_listen (void)
{
  static const struct {
    const char *text;
    const char *endpoint;
    const char *ifname;
  } good[] = {
    { "127.0.0.1:6969", "127.0.0.1:6969", "" },
    { "127.0.0.1", "127.0.0.1:69", "" },
    { "[::1]:6969", "[::1]:6969", "" },
    { "[::1]", "[::1]:69", "" },
    { "::1", "[::1]:69", "" },
    { "*:6969", "0.0.0.0:6969", "" },
    { ":6969", "0.0.0.0:6969", "" },
    { "eth0", "0.0.0.0:69", "eth0" },
    { "br-pxe.10:6969", "0.0.0.0:6969", "br-pxe.10" },
  };
  static const char *const bad[] = {
    "", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]x", "[127.0.0.1]:69",
    "averyveryverylonginterfacename", "eth 0", "eth0:69:70x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      PxedListenSpec spec;
      g_autoptr(GError) error = NULL;
      g_autofree char *ep = NULL;

      g_assert_true (pxed_net_parse_listen (good[i].text, 69, &spec, &error));
      g_assert_no_error (error);
      ep = pxed_net_endpoint_to_string ((struct sockaddr *) &spec.addr, spec.addr_len);
      g_assert_cmpstr (ep, ==, good[i].endpoint);
      g_assert_cmpstr (spec.ifname, ==, good[i].ifname);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PxedListenSpec spec;
      g_autoptr(GError) error = NULL;
      g_assert_false (pxed_net_parse_listen (bad[i], 69, &spec, &error));
      g_assert_error (error, PXED_NET_ERROR, PXED_NET_ERROR_INVALID_ADDRESS);
    }
}

/* Two subscribers of one port both receive every datagram, with the
 * destination address and arrival interface; a reply goes back. */
static void
test_net_udp_fanout (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(GError) error = NULL;
  guint16 port = free_udp_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  Received a = { .reply = TRUE }, b = { 0 };
  PxedUdpSubscription *sa, *sb;
  int fd = client_socket (NULL);
  char buf[16] = "";

  sa = pxed_net_udp_subscribe (host, listen, 0, on_datagram, &a, &error);
  g_assert_no_error (error);
  sb = pxed_net_udp_subscribe (host, listen, 0, on_datagram, &b, &error);
  g_assert_no_error (error);

  send_to (fd, port, "one");
  send_to (fd, port, "two");
  iterate_until (&b.count, 2);
  g_assert_cmpuint (a.count, ==, 2);
  g_assert_cmpuint (b.count, ==, 2);
  g_assert_cmpstr (b.last, ==, "two");
  g_assert_cmpstr (b.local, ==, "127.0.0.1");
  g_assert_cmpuint (b.ifindex, ==, if_nametoindex ("lo"));
  g_assert_cmpint (recv (fd, buf, sizeof buf - 1, 0), ==, 4);
  g_assert_cmpstr (buf, ==, "pong");

  /* After one unsubscribes the other still receives. */
  pxed_net_udp_unsubscribe (sa);
  send_to (fd, port, "three");
  iterate_until (&b.count, 3);
  g_assert_cmpuint (a.count, ==, 2);
  g_assert_cmpuint (b.count, ==, 3);
  pxed_net_udp_unsubscribe (sb);
  /* The socket is closed with its last subscriber: the port is free again. */
  {
    int again = socket (AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    g_assert_cmpint (bind (again, (struct sockaddr *) &sin, sizeof sin), ==, 0);
    close (again);
  }
  close (fd);
  g_free (a.last);
  g_free (a.local);
  g_free (b.last);
  g_free (b.local);
}

/* While held, an endpoint without subscribers keeps its socket, and a new
 * subscriber gets the same one (a restarted instance after the privilege drop). */
static void
test_net_udp_hold (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(GError) error = NULL;
  guint16 port = free_udp_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  Received r = { 0 };
  PxedUdpSubscription *sub;
  int fd = client_socket (NULL);

  sub = pxed_net_udp_subscribe (host, listen, 0, on_datagram, &r, &error);
  g_assert_no_error (error);
  pxed_net_hold (host->net);
  pxed_net_udp_unsubscribe (sub);
  /* Still bound: binding the port elsewhere fails. */
  {
    int other = socket (AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    g_assert_cmpint (bind (other, (struct sockaddr *) &sin, sizeof sin), ==, -1);
    close (other);
  }
  sub = pxed_net_udp_subscribe (host, listen, 0, on_datagram, &r, &error);
  g_assert_no_error (error);
  pxed_net_release (host->net);
  send_to (fd, port, "held");
  iterate_until (&r.count, 1);
  g_assert_cmpstr (r.last, ==, "held");
  pxed_net_udp_unsubscribe (sub);
  close (fd);
  g_free (r.last);
  g_free (r.local);
}

static void
unsubscribe_self (const PxedDatagram *d, gpointer user_data)
{
  PxedUdpSubscription **sub = user_data;
  pxed_net_udp_unsubscribe (*sub);
  *sub = NULL;
}

static void
test_net_udp_unsubscribe_in_callback (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(GError) error = NULL;
  guint16 port = free_udp_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  PxedUdpSubscription *sub;
  int fd = client_socket (NULL);
  gint64 deadline;

  sub = pxed_net_udp_subscribe (host, listen, 0, unsubscribe_self, &sub, &error);
  g_assert_no_error (error);
  send_to (fd, port, "x");
  send_to (fd, port, "y");
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (sub != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (sub);
  close (fd);
}

static void
test_net_bind_error (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(GError) error = NULL;
  Received r = { 0 };

  /* 192.0.2.1 is not an address of this machine. */
  g_assert_null (pxed_net_udp_subscribe (host, "192.0.2.1:6969", 0, on_datagram, &r, &error));
  g_assert_error (error, PXED_NET_ERROR, PXED_NET_ERROR_BIND);
  g_assert_cmpstr (error->message, ==, "cannot bind UDP 192.0.2.1:6969: Cannot assign requested address");
}

static guint accepted;

static void
on_accept (int fd, const struct sockaddr *peer, socklen_t peer_len, gpointer user_data)
{
  g_autofree char *who = pxed_net_address_to_string (peer, peer_len);
  g_assert_cmpstr (who, ==, "127.0.0.1");
  accepted++;
  g_assert_cmpint (write (fd, "hi", 2), ==, 2);
  close (fd);
}

static void
test_net_tcp_listen (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedTcpListener) l = pxed_net_tcp_listen (host, "127.0.0.1", 0, on_accept, NULL, &error);
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  const int *fds;
  guint n;
  int c;
  char buf[4] = "";

  g_assert_no_error (error);
  fds = pxed_net_tcp_listener_get_fds (l, &n);
  g_assert_cmpuint (n, ==, 1);
  getsockname (fds[0], (struct sockaddr *) &sin, &len);
  c = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (connect (c, (struct sockaddr *) &sin, len), ==, 0);
  iterate_until (&accepted, 1);
  g_assert_cmpuint (accepted, ==, 1);
  g_assert_cmpint (read (c, buf, 2), ==, 2);
  g_assert_cmpstr (buf, ==, "hi");
  close (c);
}

static void
test_net_ephemeral (void)
{
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons (69),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  g_autoptr(GError) error = NULL;
  int fd = pxed_net_udp_socket_ephemeral ((struct sockaddr *) &local, sizeof local, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  getsockname (fd, (struct sockaddr *) &bound, &len);
  g_assert_cmpuint (bound.sin_addr.s_addr, ==, htonl (INADDR_LOOPBACK));
  g_assert_cmpuint (ntohs (bound.sin_port), !=, 69);
  g_assert_cmpuint (ntohs (bound.sin_port), !=, 0);
  close (fd);
}

static void
test_net_interface (void)
{
  struct in_addr a;
  guint lo = if_nametoindex ("lo");

  g_assert_true (pxed_net_get_interface_ipv4 (lo, &a));
  g_assert_cmpuint (a.s_addr, ==, htonl (INADDR_LOOPBACK));
  g_assert_cmpuint (pxed_net_get_interface_mtu (lo), >=, 1500);
  g_assert_false (pxed_net_get_interface_ipv4 (999999, &a));
  g_assert_cmpuint (pxed_net_get_interface_mtu (999999), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/listen/parse", test_net_parse_listen);
  g_test_add_func ("/net/udp/fanout", test_net_udp_fanout);
  g_test_add_func ("/net/udp/hold", test_net_udp_hold);
  g_test_add_func ("/net/udp/unsubscribe-in-callback", test_net_udp_unsubscribe_in_callback);
  g_test_add_func ("/net/udp/bind-error", test_net_bind_error);
  g_test_add_func ("/net/tcp/listen", test_net_tcp_listen);
  g_test_add_func ("/net/udp/ephemeral", test_net_ephemeral);
  g_test_add_func ("/net/interface", test_net_interface);
  return g_test_run ();
}
