/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The FTP I/O layer: control connections, passive listeners, active
 * connects and transfers, all non-blocking on the host's main context. File
 * data goes out with sendfile() from the content service's descriptor in
 * bounded chunks; generated files and listings from their bytes. */
#include "ftp-server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ftp-session.h"

/* Reply backlog above which no more commands are read (STAT of a huge
 * directory, a client that never reads). */
#define OUT_HIGH_WATER (256 * 1024)
/* Bytes sent per wake-up of one transfer before yielding to others. */
#define SEND_BUDGET (16 * 1024 * 1024)
#define SWEEP_INTERVAL_MS 1000

typedef struct _FtpConn FtpConn;

struct _FtpServer {
  PxedHost        *host;
  GMainContext    *context;
  char            *instance;
  PxedContentRoot *root;
  FtpServerConfig  cfg;
  GList           *conns;         /* FtpConn* */
  guint            n_conns;
  GHashTable      *per_client;    /* client ip -> count */
  guint            passive_next;
  GSource         *sweeper;
  gboolean         stopping;
  PxedDoneFunc     done;
  gpointer         done_data;
  GSource         *done_idle;
};

typedef struct {
  char        *path;        /* virtual path, for logs */
  gboolean     is_retr;
  PxedContent *content;     /* RETR */
  int          src_fd;      /* sendfile source or -1 */
  GBytes      *bytes;       /* listing or generated file */
  guint64      start;       /* REST offset */
  guint64      pos;
  guint64      end;
  gint64       started_us;
  char        *opening;     /* 150 reply text */
  gboolean     running;     /* data connection up, 150 sent */
} FtpTransfer;

struct _FtpConn {
  gint             ref;
  FtpServer       *server;
  GList           *link;
  gboolean         closed;
  char            *ip;
  FtpSession      *session;
  FtpLineReader   *reader;

  int              fd;
  GSource         *watch;
  GString         *out;
  gsize            out_pos;
  gboolean         close_after_flush;
  gint64           last_activity;
  char            *held;        /* a command waiting for the transfer to end */
  gsize            held_len;

  int              pasv_fd;
  GSource         *pasv_watch;
  int              data_fd;
  GSource         *data_watch;
  gboolean         connecting;  /* active connect in progress */
  gint64           data_since;  /* listener opened / connect started / last progress */
  FtpTransfer     *xfer;
};

static void conn_close (FtpConn *c);
static void conn_process (FtpConn *c);
static void conn_flush (FtpConn *c);
static void conn_update_events (FtpConn *c);
static void conn_begin_transfer (FtpConn *c);

/* ---- A GSource watching one fd, with changeable events ------------------------ */

typedef gboolean (*WatchFunc) (FtpConn *c, GIOCondition revents);

typedef struct {
  GSource   source;
  gpointer  tag;
  WatchFunc func;
  FtpConn  *conn;
} Watch;

static gboolean
watch_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Watch *w = (Watch *) source;

  return w->func (w->conn, g_source_query_unix_fd (source, w->tag));
}

static GSourceFuncs watch_funcs = { NULL, NULL, watch_dispatch, NULL, NULL, NULL };

static GSource *
watch_new (FtpConn *c, int fd, GIOCondition events, WatchFunc func)
{
  GSource *source = g_source_new (&watch_funcs, sizeof (Watch));
  Watch *w = (Watch *) source;

  w->func = func;
  w->conn = c;
  w->tag = g_source_add_unix_fd (source, fd, events);
  g_source_set_name (source, "pxed-ftp");
  /* Never dispatched recursively (no nested loops); without this GLib
   * removes and re-adds the fd around every dispatch, waking itself up. */
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, c->server->context);
  return source;
}

static void
watch_set_events (GSource *source, GIOCondition events)
{
  Watch *w = (Watch *) source;

  if (source != NULL)
    g_source_modify_unix_fd (source, w->tag, events);
}

static void
watch_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
fd_clear (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* ---- Configuration ---------------------------------------------------------------- */

void
ftp_server_config_clear (FtpServerConfig *cfg)
{
  g_clear_pointer (&cfg->banner, g_free);
}

static gboolean
parse_port_number (const char *text, guint16 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1024, 65535, &v, NULL))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

gboolean
ftp_parse_passive_ports (const char *text, guint16 *min, guint16 *max)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL || *text == '\0')
    {
      *min = *max = 0;
      return TRUE;
    }
  parts = g_strsplit (text, "-", 3);
  if (parts[1] == NULL)
    {
      if (!parse_port_number (g_strstrip (parts[0]), min))
        return FALSE;
      *max = *min;
      return TRUE;
    }
  if (parts[2] != NULL || !parse_port_number (g_strstrip (parts[0]), min) ||
      !parse_port_number (g_strstrip (parts[1]), max) || *min > *max)
    return FALSE;
  return TRUE;
}

/* ---- The content backend of sessions ---------------------------------------------------- */

static gboolean
backend_stat (gpointer data, const char *path, FtpEntry *out)
{
  FtpConn *c = data;
  FtpServer *server = c->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedContent) content = NULL;
  PxedRequestInfo req = { "ftp", c->ip, NULL, -1, { NULL } };

  if (server->root != NULL && pxed_content_is_dir (server->root, path + 1))
    {
      g_autofree char *real = g_build_filename (pxed_content_root_get_dir (server->root), path + 1,
                                                NULL);
      struct stat st;

      out->name = g_strdup (ftp_path_basename (path));
      out->is_dir = TRUE;
      out->size = 0;
      /* Metadata only, of a directory the content service just found beneath the root. */
      out->mtime = stat (real, &st) == 0 ? (gint64) st.st_mtim.tv_sec : 0;
      return TRUE;
    }
  /* A directory only generators fill (pxelinux.cfg/, ks/): clients such as
   * curl CWD into every component of a path before RETR. */
  if (pxed_content_is_generated_dir (server->host, path + 1))
    {
      out->name = g_strdup (ftp_path_basename (path));
      out->is_dir = TRUE;
      out->size = 0;
      out->mtime = g_get_real_time () / G_USEC_PER_SEC;
      return TRUE;
    }
  content = pxed_content_open (server->host, server->root, path + 1, &req, &error);
  if (content == NULL)
    {
      g_debug ("%s: %s: %s", c->ip, path, error->message);
      return FALSE;
    }
  out->name = g_strdup (ftp_path_basename (path));
  out->is_dir = FALSE;
  out->size = pxed_content_get_size (content);
  out->mtime = pxed_content_get_mtime (content);
  return TRUE;
}

static GPtrArray *
backend_list (gpointer data, const char *path)
{
  FtpConn *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GPtrArray *out;

  if (c->server->root != NULL)
    entries = pxed_content_list_dir (c->server->root, path + 1, &error);
  if (entries == NULL)
    {
      /* Generated files cannot be enumerated: their directory lists empty. */
      if (pxed_content_is_generated_dir (c->server->host, path + 1))
        return g_ptr_array_new_with_free_func ((GDestroyNotify) ftp_entry_free);
      g_debug ("%s: list %s: %s", c->ip, path, error != NULL ? error->message : "no root");
      return NULL;
    }
  out = g_ptr_array_new_full (entries->len, (GDestroyNotify) ftp_entry_free);
  for (guint i = 0; i < entries->len; i++)
    {
      PxedDirEntry *e = g_ptr_array_index (entries, i);
      FtpEntry *fe = g_new (FtpEntry, 1);
      fe->name = g_steal_pointer (&e->name);
      fe->is_dir = e->is_dir;
      fe->size = e->size;
      fe->mtime = e->mtime;
      g_ptr_array_add (out, fe);
    }
  return out;
}

static const FtpBackend content_backend = { backend_stat, backend_list };

/* ---- Connection lifetime ------------------------------------------------------------------ */

static FtpConn *
conn_ref (FtpConn *c)
{
  c->ref++;
  return c;
}

static void
transfer_free (FtpTransfer *x)
{
  if (x == NULL)
    return;
  g_free (x->path);
  g_clear_pointer (&x->content, pxed_content_unref);
  g_clear_pointer (&x->bytes, g_bytes_unref);
  g_free (x->opening);
  g_free (x);
}

static void
server_done_idle_cb (gpointer data)
{
  FtpServer *server = data;
  PxedDoneFunc done = server->done;

  g_clear_pointer (&server->done_idle, g_source_unref);
  server->done = NULL;
  if (done != NULL)
    done (server->done_data);
}

static void
conn_unref (FtpConn *c)
{
  FtpServer *server = c->server;

  if (--c->ref > 0)
    return;
  transfer_free (c->xfer);
  ftp_session_free (c->session);
  ftp_line_reader_free (c->reader);
  if (c->out != NULL)
    g_string_free (c->out, TRUE);
  g_free (c->held);
  g_free (c->ip);
  g_free (c);
  if (server->stopping && server->n_conns == 0 && server->done != NULL && server->done_idle == NULL)
    {
      server->done_idle = g_idle_source_new ();
      g_source_set_callback (server->done_idle, G_SOURCE_FUNC (server_done_idle_cb), server, NULL);
      g_source_attach (server->done_idle, server->context);
    }
}

static void
conn_drop_data (FtpConn *c)
{
  watch_clear (&c->pasv_watch);
  fd_clear (&c->pasv_fd);
  watch_clear (&c->data_watch);
  fd_clear (&c->data_fd);
  c->connecting = FALSE;
}

static void
transfer_log (FtpConn *c, FtpTransfer *x, const char *status)
{
  gint64 us = MAX (g_get_monotonic_time () - x->started_us, 1);
  guint64 bytes = x->pos - x->start;
  double secs = (double) us / G_USEC_PER_SEC;

  if (!x->is_retr)
    {
      g_debug ("%s: listing %s %s, %" G_GUINT64_FORMAT " bytes", c->ip, x->path, status, bytes);
      return;
    }
  /* The transfer log: one line per RETR, like vsftpd's xferlog. */
  PXED_LOG_CLIENT (G_LOG_LEVEL_MESSAGE, c->server->instance, NULL, c->ip,
                   "RETR %s %s: %" G_GUINT64_FORMAT " bytes (from offset %" G_GUINT64_FORMAT
                   ") in %.3f s, %.1f MB/s",
                   x->path, status, bytes, x->start, secs, (double) bytes / secs / 1e6);
}

/* Ends the current transfer with @reply (NULL: none) and resumes command
 * processing. */
static void
conn_end_transfer (FtpConn *c, const char *status, const char *reply)
{
  FtpTransfer *x = c->xfer;

  if (x == NULL)
    return;
  c->xfer = NULL;
  if (x->running || x->is_retr)
    transfer_log (c, x, status);
  transfer_free (x);
  conn_drop_data (c);
  ftp_session_set_transfer_active (c->session, FALSE);
  ftp_session_data_done (c->session);
  if (reply != NULL)
    g_string_append (c->out, reply);
  c->last_activity = g_get_monotonic_time ();
  if (c->server->stopping)
    c->close_after_flush = TRUE;
}

static void
conn_close (FtpConn *c)
{
  FtpServer *server = c->server;
  guint count;

  if (c->closed)
    return;
  c->closed = TRUE;
  if (c->xfer != NULL)
    conn_end_transfer (c, "aborted (control connection closed)", NULL);
  conn_drop_data (c);
  watch_clear (&c->watch);
  fd_clear (&c->fd);
  server->conns = g_list_delete_link (server->conns, c->link);
  server->n_conns--;
  count = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_client, c->ip));
  if (count <= 1)
    g_hash_table_remove (server->per_client, c->ip);
  else
    g_hash_table_insert (server->per_client, g_strdup (c->ip), GUINT_TO_POINTER (count - 1));
  g_debug ("%s: session closed", c->ip);
  conn_unref (c);
}

/* ---- Control output ------------------------------------------------------------------------ */

static void
conn_update_events (FtpConn *c)
{
  GIOCondition ev = 0;

  if (c->closed)
    return;
  if (!c->close_after_flush && c->held == NULL && ftp_line_reader_room (c->reader) > 0 &&
      c->out->len - c->out_pos < OUT_HIGH_WATER)
    ev |= G_IO_IN;
  if (c->out_pos < c->out->len)
    ev |= G_IO_OUT;
  watch_set_events (c->watch, ev);
}

static void
conn_flush (FtpConn *c)
{
  while (!c->closed && c->out_pos < c->out->len)
    {
      ssize_t n = send (c->fd, c->out->str + c->out_pos, c->out->len - c->out_pos,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          g_debug ("%s: control send: %s", c->ip, g_strerror (errno));
          conn_close (c);
          return;
        }
      c->out_pos += (gsize) n;
    }
  if (c->closed)
    return;
  if (c->out_pos == c->out->len)
    {
      g_string_truncate (c->out, 0);
      c->out_pos = 0;
      if (c->close_after_flush && c->xfer == NULL)
        {
          conn_close (c);
          return;
        }
    }
  conn_update_events (c);
}

/* ---- Data connections ------------------------------------------------------------------------- */

static gboolean
data_writable_cb (FtpConn *c, GIOCondition revents)
{
  FtpTransfer *x = c->xfer;
  gsize budget = SEND_BUDGET;

  if (x == NULL || !x->running)
    return G_SOURCE_CONTINUE;
  conn_ref (c);
  while (x->pos < x->end && budget > 0)
    {
      gsize want = (gsize) MIN (x->end - x->pos, (guint64) budget);
      ssize_t n;

      if (x->src_fd >= 0)
        {
          off_t off = (off_t) x->pos;
          n = sendfile (c->data_fd, x->src_fd, &off, want);
        }
      else
        n = send (c->data_fd, (const guint8 *) g_bytes_get_data (x->bytes, NULL) + x->pos, want,
                  MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          g_debug ("%s: data send: %s", c->ip, g_strerror (errno));
          conn_end_transfer (c, "failed", "426 Failure writing network stream.\r\n");
          conn_process (c);
          goto out;
        }
      if (n == 0)
        {
          /* The file shrank under us. */
          conn_end_transfer (c, "failed (file changed)", "451 File changed during transfer.\r\n");
          conn_process (c);
          goto out;
        }
      x->pos += (guint64) n;
      budget -= (gsize) n;
      c->data_since = g_get_monotonic_time ();
    }
  if (x->pos >= x->end)
    {
      conn_end_transfer (c, "complete", "226 Transfer complete.\r\n");
      conn_process (c);
    }
out:
  conn_unref (c);
  return G_SOURCE_CONTINUE;
}

static void
conn_begin_transfer (FtpConn *c)
{
  FtpTransfer *x = c->xfer;

  if (x == NULL || x->running || c->data_fd < 0 || c->connecting)
    return;
  x->running = TRUE;
  x->started_us = g_get_monotonic_time ();
  c->data_since = x->started_us;
  g_string_append_printf (c->out, "150 %s\r\n", x->opening);
  conn_flush (c);
  if (c->closed)
    return;
  c->data_watch = watch_new (c, c->data_fd, G_IO_OUT, data_writable_cb);
}

static gboolean
passive_ready_cb (FtpConn *c, GIOCondition revents)
{
  struct sockaddr_storage peer;
  socklen_t peer_len = sizeof peer;
  socklen_t ctrl_len;
  const struct sockaddr *ctrl = ftp_session_get_peer (c->session, &ctrl_len);
  int fd;

  fd = accept4 (c->pasv_fd, (struct sockaddr *) &peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return G_SOURCE_CONTINUE;
  ftp_address_unmap (&peer, &peer_len);
  if (!ftp_address_same_host ((struct sockaddr *) &peer, ctrl))
    {
      g_autofree char *who = pxed_net_address_to_string ((struct sockaddr *) &peer, peer_len);
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, c->server->instance, NULL, c->ip,
                       "refused data connection from %s (not the control connection's client)", who);
      close (fd);
      return G_SOURCE_CONTINUE;
    }
  conn_ref (c);
  watch_clear (&c->pasv_watch);
  fd_clear (&c->pasv_fd);
  fd_clear (&c->data_fd);
  c->data_fd = fd;
  c->data_since = g_get_monotonic_time ();
  conn_begin_transfer (c);
  conn_unref (c);
  return G_SOURCE_CONTINUE;
}

static gboolean
active_connected_cb (FtpConn *c, GIOCondition revents)
{
  int err = 0;
  socklen_t len = sizeof err;

  if (!c->connecting)
    return G_SOURCE_CONTINUE;
  conn_ref (c);
  if (getsockopt (c->data_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  watch_clear (&c->data_watch);
  c->connecting = FALSE;
  if (err != 0)
    {
      g_debug ("%s: active connect: %s", c->ip, g_strerror (err));
      conn_end_transfer (c, "failed (no data connection)", "425 Failed to establish connection.\r\n");
      conn_flush (c);
      conn_process (c);
    }
  else
    conn_begin_transfer (c);
  conn_unref (c);
  return G_SOURCE_CONTINUE;
}

static gboolean
conn_open_active (FtpConn *c)
{
  socklen_t len, local_len;
  const struct sockaddr *addr = ftp_session_get_active_address (c->session, &len);
  const struct sockaddr *local = ftp_session_get_local (c->session, &local_len);
  struct sockaddr_storage bind_addr;
  int fd;

  if (addr == NULL)
    return FALSE;
  fd = socket (addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  /* From the address the client talks to, any port. */
  if (local->sa_family == addr->sa_family)
    {
      memcpy (&bind_addr, local, local_len);
      if (bind_addr.ss_family == AF_INET)
        ((struct sockaddr_in *) &bind_addr)->sin_port = 0;
      else
        ((struct sockaddr_in6 *) &bind_addr)->sin6_port = 0;
      if (bind (fd, (struct sockaddr *) &bind_addr, local_len) < 0)
        g_debug ("%s: bind for active connect: %s", c->ip, g_strerror (errno));
    }
  if (connect (fd, addr, len) < 0 && errno != EINPROGRESS)
    {
      g_debug ("%s: active connect: %s", c->ip, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  c->data_fd = fd;
  c->connecting = TRUE;
  c->data_since = g_get_monotonic_time ();
  c->data_watch = watch_new (c, fd, G_IO_OUT, active_connected_cb);
  return TRUE;
}

static void
conn_open_passive (FtpConn *c)
{
  FtpServer *server = c->server;
  socklen_t local_len;
  const struct sockaddr *local = ftp_session_get_local (c->session, &local_len);
  struct sockaddr_storage addr;
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  guint n_ports = server->cfg.passive_min == 0 ? 1
                  : (guint) server->cfg.passive_max - server->cfg.passive_min + 1;
  gboolean ok = FALSE;
  int one = 1;
  int fd;

  conn_drop_data (c);
  fd = socket (local->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  /* Ports of earlier transfers linger in TIME_WAIT. */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memcpy (&addr, local, local_len);
  for (guint i = 0; i < n_ports && !ok; i++)
    {
      guint16 port = 0;
      if (server->cfg.passive_min != 0)
        {
          port = (guint16) (server->cfg.passive_min + (server->passive_next + i) % n_ports);
        }
      if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *) &addr)->sin_port = htons (port);
      else
        ((struct sockaddr_in6 *) &addr)->sin6_port = htons (port);
      if (bind (fd, (struct sockaddr *) &addr, local_len) == 0)
        {
          ok = TRUE;
          server->passive_next = (server->passive_next + i + 1) % n_ports;
        }
      else if (errno != EADDRINUSE)
        break;
    }
  if (!ok || listen (fd, 1) < 0 ||
      getsockname (fd, (struct sockaddr *) &bound, &bound_len) < 0)
    {
      g_info ("%s: no passive port available: %s", c->ip, g_strerror (errno));
      close (fd);
      goto fail;
    }
  c->pasv_fd = fd;
  c->data_since = g_get_monotonic_time ();
  c->pasv_watch = watch_new (c, fd, G_IO_IN, passive_ready_cb);
  ftp_session_passive_opened (c->session, ftp_address_get_port ((struct sockaddr *) &bound), c->out);
  return;

fail:
  g_string_append (c->out, "425 Could not enter passive mode.\r\n");
}

static void
conn_start_transfer (FtpConn *c, FtpTransfer *x)
{
  c->xfer = x;
  ftp_session_set_transfer_active (c->session, TRUE);
  if (ftp_session_get_data_mode (c->session) == FTP_DATA_ACTIVE && c->data_fd < 0)
    {
      if (!conn_open_active (c))
        {
          conn_end_transfer (c, "failed (no data connection)", "425 Failed to establish connection.\r\n");
          return;
        }
      return;
    }
  conn_begin_transfer (c);
}

static void
conn_start_retr (FtpConn *c, const char *path, guint64 offset)
{
  FtpServer *server = c->server;
  g_autoptr(GError) error = NULL;
  PxedRequestInfo req = { "ftp", c->ip, NULL, -1, { NULL } };
  PxedContent *content;
  PxedClientFacts facts = { 0 };
  g_autofree char *stage = NULL;
  FtpTransfer *x;
  guint64 size;

  content = pxed_content_open (server->host, server->root, path + 1, &req, &error);
  if (content == NULL)
    {
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, server->instance, NULL, c->ip, "RETR %s refused: %s",
                       path, error->message);
      g_string_append (c->out, "550 Failed to open file.\r\n");
      return;
    }
  size = pxed_content_get_size (content);
  if (offset > size)
    {
      pxed_content_unref (content);
      g_string_append (c->out, "554 Invalid REST parameter.\r\n");
      return;
    }
  x = g_new0 (FtpTransfer, 1);
  x->path = g_strdup (path);
  x->is_retr = TRUE;
  x->content = content;
  x->src_fd = pxed_content_get_fd (content);
  if (x->src_fd < 0)
    x->bytes = pxed_content_get_bytes (content) != NULL
               ? g_bytes_ref (pxed_content_get_bytes (content)) : g_bytes_new_static ("", 0);
  x->start = x->pos = offset;
  x->end = size;
  x->started_us = g_get_monotonic_time ();
  x->opening = g_strdup_printf ("Opening %s mode data connection for %s (%" G_GUINT64_FORMAT
                                " bytes).", ftp_session_is_binary (c->session) ? "BINARY" : "ASCII",
                                path, size);

  facts.ip = c->ip;
  facts.arch = -1;
  facts.last_file = (char *) path + 1;
  stage = g_strdup_printf ("ftp:%s", path + 1);
  facts.stage = stage;
  pxed_clients_update (server->host, &facts);

  conn_start_transfer (c, x);
}

static void
conn_start_send (FtpConn *c, const char *path, GBytes *bytes, const char *opening)
{
  FtpTransfer *x = g_new0 (FtpTransfer, 1);

  x->path = g_strdup (path);
  x->src_fd = -1;
  x->bytes = bytes;
  x->end = g_bytes_get_size (bytes);
  x->started_us = g_get_monotonic_time ();
  x->opening = g_strdup (opening);
  conn_start_transfer (c, x);
}

/* ---- Commands ---------------------------------------------------------------------------------- */

static void
conn_handle_line (FtpConn *c, const char *line, gsize len)
{
  FtpAction action = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (g_ascii_strncasecmp (line, "PASS ", 5) == 0)
    g_debug ("%s: PASS ****", c->ip);
  else
    {
      g_autofree char *text = pxed_log_sanitize (line, len, 200);
      g_debug ("%s: %s", c->ip, text);
    }
  ftp_session_handle_line (c->session, line, len, now, c->out, &action);
  switch (action.kind)
    {
    case FTP_ACTION_CLOSE:
      c->close_after_flush = TRUE;
      if (c->xfer != NULL)
        conn_end_transfer (c, "aborted (QUIT)", NULL);
      break;
    case FTP_ACTION_PASSIVE:
      conn_open_passive (c);
      break;
    case FTP_ACTION_ACTIVE:
      conn_drop_data (c);
      break;
    case FTP_ACTION_RETR:
      conn_start_retr (c, action.path, action.offset);
      break;
    case FTP_ACTION_SEND:
      conn_start_send (c, action.path, g_steal_pointer (&action.data), action.opening);
      break;
    case FTP_ACTION_ABORT:
      conn_end_transfer (c, "aborted (ABOR)",
                         "426 Connection closed; transfer aborted.\r\n226 ABOR successful.\r\n");
      break;
    case FTP_ACTION_NONE:
    default:
      break;
    }
  ftp_action_clear (&action);
}

static gboolean
line_allowed_now (FtpConn *c, const char *line, gsize len)
{
  FtpCommand cmd;

  if (c->xfer == NULL)
    return TRUE;
  if (!ftp_command_parse (line, len, &cmd, NULL))
    return FALSE;
  return ftp_verb_allowed_during_transfer (cmd.verb);
}

/* Runs buffered commands until one must wait for a transfer, the reply
 * backlog is too large or the connection closes. */
static void
conn_process (FtpConn *c)
{
  conn_ref (c);
  if (c->held != NULL && c->xfer == NULL && !c->closed)
    {
      g_autofree char *held = g_steal_pointer (&c->held);
      conn_handle_line (c, held, c->held_len);
    }
  while (!c->closed && !c->close_after_flush && c->held == NULL &&
         c->out->len - c->out_pos < OUT_HIGH_WATER && ftp_line_reader_has_line (c->reader))
    {
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      const char *line = ftp_line_reader_next (c->reader, &len, &error);

      if (line == NULL)
        {
          if (error != NULL)
            {
              PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, c->server->instance, NULL, c->ip, "%s, closing",
                               error->message);
              g_string_append (c->out, "500 Command line too long.\r\n");
              c->close_after_flush = TRUE;
              if (c->xfer != NULL)
                conn_end_transfer (c, "aborted (bad command)", NULL);
            }
          break;
        }
      c->last_activity = g_get_monotonic_time ();
      if (!line_allowed_now (c, line, len))
        {
          c->held = g_memdup2 (line, len + 1);
          c->held_len = len;
          break;
        }
      conn_handle_line (c, line, len);
    }
  if (!c->closed)
    conn_flush (c);
  conn_unref (c);
}

static gboolean
control_cb (FtpConn *c, GIOCondition revents)
{
  conn_ref (c);
  if (revents & G_IO_OUT)
    conn_flush (c);
  if (!c->closed && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    {
      guint8 buf[4096];
      gsize room = ftp_line_reader_room (c->reader);
      ssize_t n = 0;

      if (room > 0 && !c->close_after_flush)
        n = recv (c->fd, buf, MIN (room, sizeof buf), MSG_DONTWAIT);
      if (n > 0)
        {
          ftp_line_reader_feed (c->reader, buf, (gsize) n);
          conn_process (c);
        }
      else if (n == 0 && room > 0 && !c->close_after_flush)
        conn_close (c); /* the client went away */
      else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        conn_close (c);
      else if (revents & (G_IO_HUP | G_IO_ERR))
        conn_close (c);
    }
  conn_unref (c);
  return G_SOURCE_CONTINUE;
}

/* ---- Accepting and timeouts --------------------------------------------------------------------- */

static void
refuse (int fd, const char *reply)
{
  if (send (fd, reply, strlen (reply), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
    g_debug ("refusal not sent: %s", g_strerror (errno));
  close (fd);
}

void
ftp_server_accept (int fd, const struct sockaddr *peer, socklen_t peer_len, gpointer user_data)
{
  FtpServer *server = user_data;
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  struct sockaddr_storage p;
  socklen_t p_len = MIN (peer_len, (socklen_t) sizeof p);
  FtpConn *c;
  g_autofree char *ip = NULL;
  guint count;
  int one = 1;

  memcpy (&p, peer, p_len);
  ftp_address_unmap (&p, &p_len);
  ip = pxed_net_address_to_string ((struct sockaddr *) &p, p_len);
  if (server->stopping)
    {
      refuse (fd, "421 Service not available, closing control connection.\r\n");
      return;
    }
  if (server->n_conns >= server->cfg.max_sessions)
    {
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, server->instance, NULL, ip,
                       "refused: %u sessions already", server->n_conns);
      refuse (fd, "421 Too many users, try later.\r\n");
      return;
    }
  count = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_client, ip));
  if (count >= server->cfg.max_sessions_per_client)
    {
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, server->instance, NULL, ip,
                       "refused: %u sessions from this client already", count);
      refuse (fd, "421 Too many connections from your address.\r\n");
      return;
    }
  if (getsockname (fd, (struct sockaddr *) &local, &local_len) < 0)
    {
      close (fd);
      return;
    }
  /* Python's ftplib sends ABOR as urgent data: keep it in the stream. */
  setsockopt (fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  c = g_new0 (FtpConn, 1);
  c->ref = 1;
  c->server = server;
  c->fd = fd;
  c->pasv_fd = -1;
  c->data_fd = -1;
  c->ip = g_steal_pointer (&ip);
  c->reader = ftp_line_reader_new ();
  c->out = g_string_sized_new (256);
  c->session = ftp_session_new (&content_backend, c, peer, peer_len, (struct sockaddr *) &local,
                                local_len);
  c->last_activity = g_get_monotonic_time ();
  server->conns = g_list_prepend (server->conns, c);
  c->link = server->conns;
  server->n_conns++;
  g_hash_table_insert (server->per_client, g_strdup (c->ip), GUINT_TO_POINTER (count + 1));
  g_debug ("%s: session opened (%u active)", c->ip, server->n_conns);

  c->watch = watch_new (c, fd, G_IO_IN, control_cb);
  ftp_session_greet (c->session, server->cfg.banner, c->out);
  conn_flush (c);
}

static void
conn_check_timeouts (FtpConn *c, gint64 now)
{
  FtpServer *server = c->server;
  gint64 data_limit = (gint64) server->cfg.data_timeout_ms * 1000;
  gboolean data_waiting = c->pasv_fd >= 0 || c->connecting || c->xfer != NULL ||
                          c->data_fd >= 0;

  if (data_waiting && now - c->data_since > data_limit)
    {
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, server->instance, NULL, c->ip, "data connection timed out");
      if (c->xfer != NULL)
        conn_end_transfer (c, "failed (data timeout)",
                           c->xfer->running ? "426 Data connection timed out.\r\n"
                                            : "425 Failed to establish connection.\r\n");
      else
        {
          conn_drop_data (c);
          ftp_session_data_done (c->session);
        }
      conn_process (c);
      return;
    }
  if (c->xfer == NULL)
    {
      gint64 limit = (gint64) (ftp_session_is_logged_in (c->session) ? server->cfg.idle_timeout_ms
                                                                       : server->cfg.login_timeout_ms) * 1000;
      if (now - c->last_activity > limit)
        {
          PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, server->instance, NULL, c->ip,
                           "idle for %u s, closing", (guint) ((now - c->last_activity) / G_USEC_PER_SEC));
          g_string_append (c->out, "421 Timeout.\r\n");
          c->close_after_flush = TRUE;
          conn_flush (c);
          if (!c->closed && c->out_pos < c->out->len &&
              now - c->last_activity > limit + data_limit)
            conn_close (c); /* it does not even read */
        }
    }
}

static gboolean
server_sweep_cb (gpointer data)
{
  FtpServer *server = data;
  gint64 now = g_get_monotonic_time ();
  GList *list = g_list_copy (server->conns);

  g_list_foreach (list, (GFunc) (void (*) (void)) conn_ref, NULL);
  for (GList *l = list; l != NULL; l = l->next)
    {
      FtpConn *c = l->data;
      if (!c->closed)
        conn_check_timeouts (c, now);
    }
  g_list_free_full (list, (GDestroyNotify) (void (*) (void)) conn_unref);
  return G_SOURCE_CONTINUE;
}

/* ---- Server ------------------------------------------------------------------------------------- */

static void
config_copy (FtpServerConfig *dst, const FtpServerConfig *src)
{
  ftp_server_config_clear (dst);
  *dst = *src;
  dst->banner = g_strdup (src->banner);
}

FtpServer *
ftp_server_new (PxedHost *host, const char *instance, PxedContentRoot *root,
                const FtpServerConfig *cfg)
{
  FtpServer *server = g_new0 (FtpServer, 1);

  server->host = host;
  server->context = pxed_host_get_context (host);
  server->instance = g_strdup (instance);
  server->root = root != NULL ? pxed_content_root_ref (root) : NULL;
  config_copy (&server->cfg, cfg);
  server->per_client = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->sweeper = g_timeout_source_new (SWEEP_INTERVAL_MS);
  g_source_set_callback (server->sweeper, server_sweep_cb, server, NULL);
  g_source_attach (server->sweeper, server->context);
  return server;
}

void
ftp_server_set_config (FtpServer *server, const FtpServerConfig *cfg)
{
  config_copy (&server->cfg, cfg);
}

void
ftp_server_set_root (FtpServer *server, PxedContentRoot *root)
{
  g_clear_pointer (&server->root, pxed_content_root_unref);
  server->root = root != NULL ? pxed_content_root_ref (root) : NULL;
}

guint
ftp_server_get_n_sessions (FtpServer *server)
{
  return server->n_conns;
}

void
ftp_server_stop (FtpServer *server, PxedDoneFunc done, gpointer done_data)
{
  GList *list = g_list_copy (server->conns);

  server->stopping = TRUE;
  server->done = done;
  server->done_data = done_data;
  g_list_foreach (list, (GFunc) (void (*) (void)) conn_ref, NULL);
  for (GList *l = list; l != NULL; l = l->next)
    {
      FtpConn *c = l->data;
      if (c->closed)
        continue;
      if (c->xfer == NULL || !c->xfer->running)
        {
          if (c->xfer != NULL)
            conn_end_transfer (c, "aborted (shutdown)", NULL);
          g_string_append (c->out, "421 Service closing control connection.\r\n");
          c->close_after_flush = TRUE;
          conn_flush (c);
          if (!c->closed)
            conn_close (c); /* no waiting for slow readers at shutdown */
        }
      else
        c->close_after_flush = TRUE; /* after the transfer */
    }
  g_list_free_full (list, (GDestroyNotify) (void (*) (void)) conn_unref);
  if (server->n_conns == 0 && server->done != NULL)
    {
      PxedDoneFunc f = server->done;
      server->done = NULL;
      f (done_data);
    }
}

void
ftp_server_free (FtpServer *server)
{
  if (server == NULL)
    return;
  server->done = NULL;
  while (server->conns != NULL)
    conn_close (server->conns->data);
  if (server->done_idle != NULL)
    {
      g_source_destroy (server->done_idle);
      g_clear_pointer (&server->done_idle, g_source_unref);
    }
  g_source_destroy (server->sweeper);
  g_source_unref (server->sweeper);
  g_hash_table_unref (server->per_client);
  g_clear_pointer (&server->root, pxed_content_root_unref);
  ftp_server_config_clear (&server->cfg);
  g_free (server->instance);
  g_free (server);
}
