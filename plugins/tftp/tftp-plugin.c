/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tftp plugin: read-only TFTP from the content tree.
 *
 * Requests arrive through the net service's shared endpoints. Each accepted
 * read request gets its own socket (a new TID), connect()ed to the client,
 * with an unconnected twin on the same port for other TIDs' packets. All
 * transfer sockets sit in one epoll set watched by one GSource on the host
 * context, so a main loop iteration costs the same with 1 or 1000 transfers;
 * a timerfd in the same set fires at the earliest retransmission deadline.
 * The protocol itself lives in tftp-transfer.c as a pure state machine; this
 * file only does the I/O it asks for: pread of a window (read-ahead for small
 * blocks), one send of the window (UDP GSO, else sendmmsg).
 *
 * Reload: changed limits apply to new transfers; a changed root or listen
 * list is opened or subscribed in reload_prepare, so a failure changes
 * nothing. Running transfers keep their content and parameters. */
#include <errno.h>
#include <string.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <pxed/pxed.h>

#include "tftp-packet.h"
#include "tftp-transfer.h"

#define TFTP_DEFAULT_PORT 69
/* Most bytes read and sent in one sendmmsg batch. */
#define TFTP_BATCH_BYTES (1024 * 1024)
/* sendmmsg takes at most UIO_MAXIOV messages. */
#define TFTP_BATCH_MSGS 1024
/* UDP GSO (UDP_SEGMENT): most segments and bytes in one send. */
#define TFTP_GSO_SEGS 64
#define TFTP_GSO_BYTES 65000
/* Packets handled per wakeup of one session before yielding. */
#define TFTP_RECV_BURST 64
/* File descriptors left to the rest of the daemon when deciding whether a
 * transfer may take a second socket. */
#define TFTP_FD_RESERVE 256
/* Read-ahead per session for small windows: one pread per this many bytes
 * instead of one per block. */
#define TFTP_CACHE_BYTES (32 * 1024)

typedef struct {
  char           **listen;
  char            *root_dir;        /* NULL: generated content only */
  PxedContentRoot *root;            /* opened at start / reload_prepare */
  guint            max_sessions;
  guint            max_per_client;
  guint            blksize_max;
  guint            windowsize_max;
  guint            timeout_ms;
  guint            timeout_max_ms;
  guint            retries;
  gboolean         use_mtu;
  guint64          netascii_max;
} TftpConfig;

typedef struct _TftpSession TftpSession;

struct _PxedPlugin {
  PxedHost    *host;
  char        *instance;
  TftpConfig  *cfg;
  GPtrArray   *subs;          /* PxedUdpSubscription* */
  GHashTable  *sessions;      /* "ip:port" of the client -> TftpSession* */
  GHashTable  *per_client;    /* "ip" -> number of sessions */
  gboolean     stopping;
  PxedDoneFunc done;
  gpointer     done_data;
  /* Shared by every session: used only synchronously while sending. */
  guint8        *scratch;
  gsize          scratch_size;
  struct mmsghdr msgs[TFTP_BATCH_MSGS];
  struct iovec   iovs[TFTP_BATCH_MSGS][2];
  guint8         headers[TFTP_BATCH_MSGS][4];
  /* A window laid out as DATA packets back to back, sent with UDP GSO: the
   * kernel cuts it into datagrams (one syscall and one route lookup for up
   * to 64 blocks). Switched off on the first refusal. */
  gboolean       gso;
  /* Transfer sockets are connect()ed to the client (with an unconnected
   * one on the same port for other TIDs); off with PXED_TFTP_NO_CONNECT. */
  gboolean       connect;
  guint          n_fds;       /* sockets held by transfers */
  guint8         gso_buf[TFTP_GSO_BYTES];
  /* Every transfer socket, in one epoll set watched by one source. The
   * event data is the session, | 1 for its stray socket. */
  int            epfd;
  struct epoll_event evs[256];  /* a storm wakes up to hundreds at once */
  int            n_evs;       /* events of the batch being handled */
  int            ev_pos;      /* the one being handled */
  /* Retransmission deadlines: a timerfd in the epoll set, set to the
   * earliest one (not the source's ready time: a main loop whose poll()
   * has a timeout pays for timer slack and an hrtimer on every wakeup,
   * ~7% of a lock-step transfer's CPU). */
  int            timerfd;
  gint64         timer_us;    /* when it fires, -1: disarmed */
  GSource       *io_source;
  GSource       *done_source; /* calls done() after the last transfer ended */
  /* Busy drops, summarised in the log at most every 10 s. */
  guint64        n_busy_drops;
  gint64         busy_logged_us;
};

typedef struct {
  GSource     base;
  PxedPlugin *plugin;
} TftpIoSource;

struct _TftpSession {
  PxedPlugin    *plugin;
  TftpTransfer   xfer;
  TftpNegotiated neg;
  TftpMode       mode;
  PxedContent   *content;
  GBytes        *netascii;   /* the converted file, netascii transfers only */
  GBytes        *bytes;      /* generated content or netascii: sent from memory */
  guint8        *cache;      /* read-ahead of a regular file */
  guint64        cache_off;
  gsize          cache_len;
  /* The transfer's socket. When @connected, it is connect()ed to the client
   * and @stray_fd, bound to the same port in one SO_REUSEPORT group, gets
   * the packets from any other address (error 5). Otherwise @fd is
   * unconnected and @stray_fd is -1. */
  int            fd;
  int            stray_fd;
  gboolean       connected;
  struct sockaddr_storage peer;
  socklen_t      peer_len;
  char          *key;        /* "ip:port" */
  char          *ip;
  char          *mac;        /* from the clients service, may be NULL */
  char          *path;       /* normalised, for logs */
  gint64         start_us;
  /* Part of a window not yet sent (socket buffer full). */
  guint64        pend_first;
  guint          pend_count;
  gboolean       want_out;
  gint64         deadline_us; /* retransmission due, -1 none */
};

/* ---- configuration ---------------------------------------------------------- */

static const PxedOptionSpec tftp_options[] = {
  { "listen", PXED_OPTION_LIST, "0.0.0.0:69", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "Addresses to answer on: ADDRESS:PORT, [IPV6]:PORT or INTERFACE (default port 69)", NULL },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, 0,
    "Directory served; without it only generated files are served", NULL },
  { "max-sessions", PXED_OPTION_UINT, "1000", 1, 100000, 0,
    "Most concurrent transfers; requests beyond it are dropped (clients retry)", NULL },
  { "max-sessions-per-client", PXED_OPTION_UINT, "64", 1, 100000, 0,
    "Most concurrent transfers to one client address", NULL },
  { "block-size-max", PXED_OPTION_UINT, "65464", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, 0,
    "Largest blksize granted (RFC 2348)", NULL },
  { "windowsize-max", PXED_OPTION_UINT, "64", 1, TFTP_BATCH_MSGS, 0,
    "Largest windowsize granted (RFC 7440); 1 disables windowing", NULL },
  { "use-interface-mtu", PXED_OPTION_BOOL, "true", 0, 0, 0,
    "Cap blksize so a DATA packet fits the MTU of the arrival interface", NULL },
  { "timeout", PXED_OPTION_DURATION, "1s", 100, 60000, 0,
    "Initial retransmission timeout; doubles on every retry", NULL },
  { "timeout-max", PXED_OPTION_DURATION, "8s", 100, 300000, 0,
    "Longest retransmission timeout after backoff", NULL },
  { "retries", PXED_OPTION_UINT, "5", 1, 100, 0,
    "Retransmissions of one window before the transfer is abandoned", NULL },
  { "netascii-max", PXED_OPTION_SIZE, "16MiB", 0, G_GUINT64_CONSTANT (1) << 30, 0,
    "Largest file served in netascii mode (it is converted in memory)", NULL },
  { NULL }
};

static void
tftp_config_free (TftpConfig *cfg)
{
  if (cfg == NULL)
    return;
  g_strfreev (cfg->listen);
  g_free (cfg->root_dir);
  if (cfg->root != NULL)
    pxed_content_root_unref (cfg->root);
  g_free (cfg);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TftpConfig, tftp_config_free)

static TftpConfig *
tftp_config_new (const PxedSection *sec)
{
  TftpConfig *cfg = g_new0 (TftpConfig, 1);
  const char *const *listen = pxed_section_get_strv (sec, "listen");
  const char *root = pxed_section_get_string (sec, "root");

  cfg->listen = g_strdupv ((char **) listen);
  if (cfg->listen == NULL)
    {
      cfg->listen = g_new0 (char *, 2);
      cfg->listen[0] = g_strdup ("0.0.0.0:69");
    }
  cfg->root_dir = g_strdup (root);
  cfg->max_sessions = (guint) pxed_section_get_uint (sec, "max-sessions");
  cfg->max_per_client = (guint) pxed_section_get_uint (sec, "max-sessions-per-client");
  cfg->blksize_max = (guint) pxed_section_get_uint (sec, "block-size-max");
  cfg->windowsize_max = (guint) pxed_section_get_uint (sec, "windowsize-max");
  cfg->use_mtu = pxed_section_get_bool (sec, "use-interface-mtu");
  cfg->timeout_ms = (guint) pxed_section_get_duration_ms (sec, "timeout");
  cfg->timeout_max_ms = (guint) pxed_section_get_duration_ms (sec, "timeout-max");
  cfg->retries = (guint) pxed_section_get_uint (sec, "retries");
  cfg->netascii_max = pxed_section_get_size (sec, "netascii-max");
  /* Defaults for a section that lacks them (unit tests, old snapshots). */
  if (cfg->max_sessions == 0)
    cfg->max_sessions = 1000;
  if (cfg->max_per_client == 0)
    cfg->max_per_client = 64;
  if (cfg->blksize_max < TFTP_BLKSIZE_MIN || cfg->blksize_max > TFTP_BLKSIZE_MAX)
    cfg->blksize_max = TFTP_BLKSIZE_MAX;
  cfg->windowsize_max = CLAMP (cfg->windowsize_max, 1, TFTP_BATCH_MSGS);
  if (cfg->timeout_ms == 0)
    cfg->timeout_ms = 1000;
  cfg->timeout_max_ms = MAX (cfg->timeout_max_ms, cfg->timeout_ms);
  if (cfg->retries == 0)
    cfg->retries = 5;
  return cfg;
}

static gboolean
tftp_validate (const PxedSection *sec, GError **error)
{
  const char *const *listen = pxed_section_get_strv (sec, "listen");

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      PxedListenSpec spec;
      g_autoptr(GError) local_error = NULL;

      if (!pxed_net_parse_listen (listen[i], TFTP_DEFAULT_PORT, &spec, &local_error))
        {
          pxed_section_set_error (sec, "listen", error, "%s", local_error->message);
          return FALSE;
        }
    }
  if (pxed_section_get_duration_ms (sec, "timeout") > pxed_section_get_duration_ms (sec, "timeout-max"))
    {
      pxed_section_set_error (sec, "timeout", error, "must not exceed timeout-max");
      return FALSE;
    }
  return TRUE;
}

/* ---- sessions --------------------------------------------------------------- */

static void tftp_request_cb (const PxedDatagram *dgram, gpointer user_data);

static gboolean
tftp_plugin_done_cb (gpointer user_data)
{
  PxedPlugin *self = user_data;
  PxedDoneFunc done = self->done;

  g_clear_pointer (&self->done_source, g_source_unref);
  self->done = NULL;
  if (done != NULL)
    done (self->done_data);
  return G_SOURCE_REMOVE;
}

static void
tftp_session_free (TftpSession *s)
{
  PxedPlugin *self = s->plugin;
  guint n;

  g_hash_table_remove (self->sessions, s->key);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_client, s->ip));
  if (n <= 1)
    g_hash_table_remove (self->per_client, s->ip);
  else
    g_hash_table_insert (self->per_client, g_strdup (s->ip), GUINT_TO_POINTER (n - 1));

  if (s->fd >= 0)
    {
      epoll_ctl (self->epfd, EPOLL_CTL_DEL, s->fd, NULL);
      close (s->fd);
    }
  if (s->stray_fd >= 0)
    {
      epoll_ctl (self->epfd, EPOLL_CTL_DEL, s->stray_fd, NULL);
      close (s->stray_fd);
    }
  self->n_fds -= s->connected ? 2 : 1;
  /* Its other socket's event, later in the batch being handled. */
  for (int i = self->ev_pos + 1; i < self->n_evs; i++)
    if (((guintptr) self->evs[i].data.u64 & ~(guintptr) 1) == (guintptr) s)
      self->evs[i].data.u64 = 0;
  if (s->content != NULL)
    pxed_content_unref (s->content);
  g_clear_pointer (&s->netascii, g_bytes_unref);
  g_clear_pointer (&s->bytes, g_bytes_unref);
  g_free (s->cache);
  g_free (s->key);
  g_free (s->ip);
  g_free (s->mac);
  g_free (s->path);
  g_free (s);

  if (self->stopping && self->done != NULL && g_hash_table_size (self->sessions) == 0
      && self->done_source == NULL)
    {
      /* Not from here: the caller may still be iterating our sessions, and
       * done() may destroy the instance. */
      self->done_source = g_idle_source_new ();
      g_source_set_callback (self->done_source, tftp_plugin_done_cb, self, NULL);
      g_source_attach (self->done_source, pxed_host_get_context (self->host));
    }
}

/* Sends one datagram to the client. */
static gssize
tftp_session_send (TftpSession *s, const void *buf, gsize len)
{
  if (s->connected)
    return send (s->fd, buf, len, 0);
  return sendto (s->fd, buf, len, 0, (struct sockaddr *) &s->peer, s->peer_len);
}

static void
tftp_session_send_error (TftpSession *s, TftpErrorCode code, const char *text)
{
  guint8 buf[128];
  gsize n = tftp_build_error (code, text, buf, sizeof buf);

  if (n > 0 && tftp_session_send (s, buf, n) < 0)
    g_debug ("%s: sending ERROR: %s", s->key, g_strerror (errno));
}

static gsize
tftp_session_total_bytes (TftpSession *s)
{
  return (gsize) s->xfer.p.size;
}

static void
tftp_session_finish (TftpSession *s, const TftpAction *a)
{
  PxedPlugin *self = s->plugin;
  gint64 us = MAX (g_get_monotonic_time () - s->start_us, 1);
  double secs = (double) us / G_USEC_PER_SEC;
  g_autofree char *opts = tftp_negotiated_to_string (&s->neg);
  const char *mode = s->mode == TFTP_MODE_NETASCII ? " netascii" : "";

  if (a->kind == TFTP_ACTION_DONE)
    {
      gsize bytes = tftp_session_total_bytes (s);
      g_autofree char *stage = g_strconcat ("tftp:", s->path, NULL);
      PxedClientFacts facts = { .ip = s->ip, .arch = -1, .stage = stage };

      PXED_LOG_CLIENT (G_LOG_LEVEL_MESSAGE, self->instance, s->mac, s->ip,
                       "sent %s: %" G_GSIZE_FORMAT " bytes in %.3f s (%.1f MB/s)%s%s%s, "
                       "%" G_GUINT64_FORMAT " blocks resent, client port %u",
                       s->path, bytes, secs, (double) bytes / secs / 1e6, mode,
                       opts[0] != '\0' ? " " : "", opts, s->xfer.n_retransmits,
                       pxed_net_address_get_port ((struct sockaddr *) &s->peer));
      pxed_clients_update (self->host, &facts);
    }
  else
    {
      guint64 acked = s->xfer.acked > 0 ? tftp_transfer_block_offset (&s->xfer, s->xfer.acked)
                                              + tftp_transfer_block_len (&s->xfer, s->xfer.acked)
                                        : 0;

      if (s->xfer.client_aborted)
        {
          g_autofree char *text = pxed_log_sanitize (s->xfer.client_error_text,
                                                     strlen (s->xfer.client_error_text), 64);
          /* OVMF probes with tsize and refuses the OACK (error 8) before the
           * real download: routine, not worth an info line. */
          GLogLevelFlags level = s->xfer.client_error == TFTP_ERR_OPTION && s->xfer.acked == 0
                                 ? G_LOG_LEVEL_DEBUG : G_LOG_LEVEL_INFO;

          PXED_LOG_CLIENT (level, self->instance, s->mac, s->ip,
                           "%s: %s (error %u \"%s\") after %" G_GUINT64_FORMAT
                           " bytes in %.3f s%s%s%s",
                           s->path, a->reason, s->xfer.client_error, text, acked, secs,
                           mode, opts[0] != '\0' ? " " : "", opts);
        }
      else
        PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, self->instance, s->mac, s->ip,
                         "%s: failed, %s after %" G_GUINT64_FORMAT " bytes in %.3f s%s%s%s",
                         s->path, a->reason, acked, secs, mode,
                         opts[0] != '\0' ? " " : "", opts);
    }
  tftp_session_free (s);
}

/* Makes sure the scratch buffer holds @size bytes. */
static guint8 *
tftp_plugin_scratch (PxedPlugin *self, gsize size)
{
  if (self->scratch_size < size)
    {
      g_free (self->scratch);
      self->scratch = g_malloc (size);
      self->scratch_size = size;
    }
  return self->scratch;
}

static void
tftp_session_want_write (TftpSession *s, gboolean want)
{
  struct epoll_event ev = { .events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN,
                            .data.u64 = (guintptr) s };

  if (s->want_out == want)
    return;
  s->want_out = want;
  if (epoll_ctl (s->plugin->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0)
    g_debug ("%s: epoll_ctl: %s", s->key, g_strerror (errno));
}

/* Sends blocks [first, first + n) of @data as one UDP GSO datagram train.
 * 0: sent; 1: the socket is full (try later); -1: GSO refused (now off). */
static int
tftp_session_send_gso (TftpSession *s, guint64 first, guint n, const guint8 *data)
{
  PxedPlugin *self = s->plugin;
  guint16 seg = (guint16) (s->xfer.p.blksize + 4);
  union {
    char           buf[CMSG_SPACE (sizeof (guint16))];
    struct cmsghdr align;
  } ctrl;
  struct msghdr msg = { 0 };
  struct iovec iov;
  struct cmsghdr *cm;
  gsize pos = 0, off = 0;

  for (guint i = 0; i < n; i++)
    {
      gsize len = tftp_transfer_block_len (&s->xfer, first + i);

      tftp_build_data_header (tftp_transfer_block_wire (first + i), self->gso_buf + pos);
      memcpy (self->gso_buf + pos + 4, data + off, len);
      pos += 4 + len;
      off += len;
    }
  iov.iov_base = self->gso_buf;
  iov.iov_len = pos;
  if (!s->connected)
    {
      msg.msg_name = &s->peer;
      msg.msg_namelen = s->peer_len;
    }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  memset (&ctrl, 0, sizeof ctrl);
  msg.msg_control = ctrl.buf;
  msg.msg_controllen = sizeof ctrl.buf;
  cm = CMSG_FIRSTHDR (&msg);
  cm->cmsg_level = SOL_UDP;
  cm->cmsg_type = UDP_SEGMENT;
  cm->cmsg_len = CMSG_LEN (sizeof (guint16));
  memcpy (CMSG_DATA (cm), &seg, sizeof seg);

  while (sendmsg (s->fd, &msg, 0) < 0)
    {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
        return 1;
      g_debug ("UDP GSO refused (%s): using sendmmsg", g_strerror (errno));
      self->gso = FALSE;
      return -1;
    }
  return 0;
}

/* Sends the pending blocks as far as the socket takes them. FALSE on a read
 * error (the session was finished). */
static gboolean
tftp_session_flush (TftpSession *s)
{
  PxedPlugin *self = s->plugin;

  while (s->pend_count > 0)
    {
      guint64 first = s->pend_first;
      guint n = 0;
      gsize total = 0;
      guint64 offset = tftp_transfer_block_offset (&s->xfer, first);
      const guint8 *data;
      int sent;

      guint max_n = TFTP_BATCH_MSGS;
      gboolean gso = FALSE;

      /* Two blocks or more: one GSO send when they fit in one. */
      if (self->gso && s->pend_count >= 2 && s->xfer.p.blksize + 4 <= TFTP_GSO_BYTES / 2)
        {
          gso = TRUE;
          max_n = MIN (TFTP_GSO_SEGS, TFTP_GSO_BYTES / (s->xfer.p.blksize + 4));
        }
      /* As many blocks as fit in one batch (at least one). */
      while (n < s->pend_count && n < max_n
             && (n == 0 || total + tftp_transfer_block_len (&s->xfer, first + n) <= TFTP_BATCH_BYTES))
        total += tftp_transfer_block_len (&s->xfer, first + n++);

      if (s->bytes != NULL)
        data = (const guint8 *) g_bytes_get_data (s->bytes, NULL) + offset;
      else if (offset >= s->cache_off && offset + total <= s->cache_off + s->cache_len)
        data = s->cache + (offset - s->cache_off);
      else
        {
          /* Small batches read ahead into the session's cache, large ones
           * straight into the shared scratch buffer. */
          gboolean ahead = total <= TFTP_CACHE_BYTES / 2;
          gsize want = ahead ? (gsize) MIN ((guint64) TFTP_CACHE_BYTES, s->xfer.p.size - offset)
                             : total;
          guint8 *buf;
          gsize got = 0;

          if (ahead && s->cache == NULL)
            s->cache = g_malloc (TFTP_CACHE_BYTES);
          buf = ahead ? s->cache : tftp_plugin_scratch (self, MAX (total, 1));
          s->cache_len = 0;
          want = MAX (want, total);
          while (got < want)
            {
              gssize r = pxed_content_pread (s->content, buf + got, want - got, offset + got);

              if (r < 0 && errno == EINTR)
                continue;
              if (r <= 0)
                {
                  g_autoptr(GError) error = NULL;
                  TftpAction fail = { .kind = TFTP_ACTION_FAIL, .error_code = -1 };

                  g_set_error (&error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                               "read error");
                  fail.reason = r < 0 ? "read error" : "file shrank while being sent";
                  tftp_session_send_error (s, pxed_content_error_to_tftp (error),
                                           pxed_content_error_to_text (error));
                  tftp_session_finish (s, &fail);
                  return FALSE;
                }
              got += (gsize) r;
            }
          if (ahead)
            {
              s->cache_off = offset;
              s->cache_len = got;
            }
          data = buf;
        }

      if (gso && n >= 2)
        {
          int r = tftp_session_send_gso (s, first, n, data);

          if (r == 0)
            {
              s->pend_first += n;
              s->pend_count -= n;
              continue;
            }
          if (r > 0)
            {
              tftp_session_want_write (s, TRUE);
              return TRUE;
            }
          /* Refused: plain sendmmsg from now on. */
        }

      for (guint i = 0, pos = 0; i < n; i++)
        {
          gsize len = tftp_transfer_block_len (&s->xfer, first + i);

          tftp_build_data_header (tftp_transfer_block_wire (first + i), self->headers[i]);
          self->iovs[i][0].iov_base = self->headers[i];
          self->iovs[i][0].iov_len = 4;
          self->iovs[i][1].iov_base = (void *) (data + pos);
          self->iovs[i][1].iov_len = len;
          memset (&self->msgs[i], 0, sizeof self->msgs[i]);
          if (!s->connected)
            {
              self->msgs[i].msg_hdr.msg_name = &s->peer;
              self->msgs[i].msg_hdr.msg_namelen = s->peer_len;
            }
          self->msgs[i].msg_hdr.msg_iov = self->iovs[i];
          self->msgs[i].msg_hdr.msg_iovlen = 2;
          pos += len;
        }

      /* One block (lock-step): sendmsg spares sendmmsg's per-call work. */
      if (n == 1)
        sent = sendmsg (s->fd, &self->msgs[0].msg_hdr, 0) < 0 ? -1 : 1;
      else
        sent = sendmmsg (s->fd, self->msgs, n, 0);
      if (sent < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            {
              tftp_session_want_write (s, TRUE);
              return TRUE;
            }
          /* Anything else: treat the window as lost; the timer resends. */
          g_debug ("%s: sendmmsg: %s", s->key, g_strerror (errno));
          s->pend_count = 0;
          break;
        }
      s->pend_first += (guint) sent;
      s->pend_count -= (guint) sent;
      if ((guint) sent < n)
        {
          tftp_session_want_write (s, TRUE);
          return TRUE;
        }
    }
  tftp_session_want_write (s, FALSE);
  return TRUE;
}

/* The epoll event data of the timerfd: no session pointer (aligned) nor a
 * session pointer | 1 is 2. */
#define TFTP_EV_TIMER 2

/* Sets the timerfd to fire at @when_us (monotonic), -1: never. */
static void
tftp_plugin_set_timer (PxedPlugin *self, gint64 when_us)
{
  struct itimerspec its;

  if (when_us == self->timer_us)
    return;
  memset (&its, 0, sizeof its);
  if (when_us >= 0)
    {
      /* 0 would disarm it. */
      its.it_value.tv_sec = when_us / G_USEC_PER_SEC;
      its.it_value.tv_nsec = (long) (when_us % G_USEC_PER_SEC) * 1000 + 1;
    }
  if (timerfd_settime (self->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
    g_warning ("timerfd_settime: %s", g_strerror (errno));
  self->timer_us = when_us;
}

/* Moves the retransmission deadline. The timer only ever moves earlier here;
 * when it fires, the timer scan finds what is really due and sets the next
 * earliest. In lock-step that is about one scan per timeout period, not one
 * per block. */
static void
tftp_session_arm (TftpSession *s, gint64 deadline_us)
{
  PxedPlugin *self = s->plugin;

  s->deadline_us = deadline_us;
  if (self->timer_us < 0 || deadline_us < self->timer_us)
    tftp_plugin_set_timer (self, deadline_us);
}

/* Carries out an action of the state machine. FALSE when the session ended. */
static gboolean
tftp_session_apply (TftpSession *s, const TftpAction *a)
{
  switch (a->kind)
    {
    case TFTP_ACTION_NONE:
      return TRUE;
    case TFTP_ACTION_SEND:
      tftp_session_arm (s, g_source_get_time (s->plugin->io_source)
                             + (gint64) tftp_transfer_get_timeout_ms (&s->xfer) * 1000);
      if (a->oack)
        {
          guint8 buf[256];
          gsize n = tftp_build_oack (&s->neg, buf, sizeof buf);

          s->pend_count = 0;
          if (tftp_session_send (s, buf, n) < 0)
            g_debug ("%s: sending OACK: %s", s->key, g_strerror (errno));
          return TRUE;
        }
      s->pend_first = a->first;
      s->pend_count = a->count;
      return tftp_session_flush (s);
    case TFTP_ACTION_DONE:
    case TFTP_ACTION_FAIL:
    default:
      if (a->kind == TFTP_ACTION_FAIL && a->error_code >= 0)
        tftp_session_send_error (s, (TftpErrorCode) a->error_code, a->error_text);
      tftp_session_finish (s, a);
      return FALSE;
    }
}

/* Socket events of one session, on its transfer socket or (@stray) on the
 * socket that gets other addresses' packets. */
static void
tftp_session_on_events (TftpSession *s, guint32 events, gboolean stray)
{
  int fd = stray ? s->stray_fd : s->fd;

  if (events & (EPOLLIN | EPOLLERR))
    {
      for (guint i = 0; i < TFTP_RECV_BURST; i++)
        {
          guint8 buf[1024];
          struct sockaddr_storage from;
          socklen_t from_len = sizeof from;
          ssize_t n;
          TftpAction a;

          /* A connected socket only ever gets the client's packets. */
          if (s->connected && !stray)
            n = recv (fd, buf, sizeof buf, MSG_TRUNC);
          else
            n = recvfrom (fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *) &from, &from_len);
          if (n < 0)
            {
              if (errno == EINTR)
                continue;
              break; /* EAGAIN, or an ICMP error: nothing to read */
            }
          if ((!s->connected || stray)
              && !pxed_net_address_equal ((struct sockaddr *) &from, (struct sockaddr *) &s->peer))
            {
              /* RFC 1350: a packet from another TID gets error 5 and does not
               * disturb the transfer. Never answer an ERROR. */
              guint8 err[64];
              gsize len;

              if (n >= 2 && buf[0] == 0 && buf[1] == TFTP_OP_ERROR)
                continue;
              len = tftp_build_error (TFTP_ERR_UNKNOWN_TID, "Unknown transfer ID", err, sizeof err);
              if (sendto (fd, err, len, 0, (struct sockaddr *) &from, from_len) < 0)
                g_debug ("%s: sending error 5: %s", s->key, g_strerror (errno));
              continue;
            }
          a = tftp_transfer_on_packet (&s->xfer, buf, MIN ((gsize) n, sizeof buf));
          if (!tftp_session_apply (s, &a))
            return;
          /* Lock-step: the next ACK cannot be there yet; epoll says when it
           * is (saves a recvfrom per block). */
          if (a.kind == TFTP_ACTION_SEND)
            break;
        }
    }
  if (stray)
    return;
  if ((events & EPOLLOUT) && s->pend_count > 0)
    tftp_session_flush (s);
  else if (events & EPOLLOUT)
    tftp_session_want_write (s, FALSE);
}

/* Retransmits what is due and sets the timer to the next deadline. */
static void
tftp_plugin_check_timers (PxedPlugin *self, gint64 now)
{
  g_autoptr(GPtrArray) due = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  gint64 next = -1;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TftpSession *s = value;

      if (s->deadline_us >= 0 && s->deadline_us <= now)
        g_ptr_array_add (due, s);
    }
  /* Handling one session never frees another. */
  for (guint i = 0; i < due->len; i++)
    {
      TftpSession *s = g_ptr_array_index (due, i);
      TftpAction a = tftp_transfer_on_timeout (&s->xfer);

      s->deadline_us = -1;
      if (a.kind == TFTP_ACTION_SEND)
        g_debug ("%s: timeout, resending from block %" G_GUINT64_FORMAT " (try %u)", s->key,
                 a.first, s->xfer.tries);
      tftp_session_apply (s, &a);
    }

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TftpSession *s = value;

      if (s->deadline_us >= 0 && (next < 0 || s->deadline_us < next))
        next = s->deadline_us;
    }
  tftp_plugin_set_timer (self, next);
}

static gboolean
tftp_io_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  PxedPlugin *self = ((TftpIoSource *) source)->plugin;
  gboolean timer = FALSE;

  self->n_evs = epoll_wait (self->epfd, self->evs, G_N_ELEMENTS (self->evs), 0);
  /* A session appears at most twice (its two sockets), and handling one
   * never frees another; a session freed while handling its first socket
   * is not handed its second: see tftp_session_free(). */
  for (self->ev_pos = 0; self->ev_pos < self->n_evs; self->ev_pos++)
    {
      guintptr tag = (guintptr) self->evs[self->ev_pos].data.u64;

      if (tag == TFTP_EV_TIMER)
        {
          guint64 expirations;

          timer = TRUE;
          if (read (self->timerfd, &expirations, sizeof expirations) < 0)
            {
              /* EAGAIN: it was set again since; nothing to clear */
            }
        }
      else if (tag != 0)
        tftp_session_on_events ((TftpSession *) (tag & ~(guintptr) 1),
                                self->evs[self->ev_pos].events, tag & 1);
    }
  self->n_evs = 0;

  if (timer)
    tftp_plugin_check_timers (self, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs tftp_io_source_funcs = {
  .dispatch = tftp_io_dispatch,
};

/* ---- requests --------------------------------------------------------------- */

static void
tftp_reply_error (const PxedDatagram *dgram, TftpErrorCode code, const char *text)
{
  guint8 buf[128];
  gsize n = tftp_build_error (code, text, buf, sizeof buf);
  g_autoptr(GError) error = NULL;

  if (n > 0 && !pxed_net_udp_reply (dgram, (const struct sockaddr *) &dgram->peer, dgram->peer_len,
                                    buf, n, &error))
    g_debug ("sending ERROR: %s", error->message);
}

static void
tftp_note_busy (PxedPlugin *self, const char *peer, const char *why)
{
  gint64 now = g_get_monotonic_time ();

  self->n_busy_drops++;
  g_debug ("%s: request dropped: %s", peer, why);
  if (now - self->busy_logged_us >= 10 * G_USEC_PER_SEC)
    {
      g_info ("busy: %" G_GUINT64_FORMAT " requests dropped so far (%u transfers running, "
              "max-sessions %u, max-sessions-per-client %u)",
              self->n_busy_drops, g_hash_table_size (self->sessions), self->cfg->max_sessions,
              self->cfg->max_per_client);
      self->busy_logged_us = now;
    }
}

/* Reads a whole file for netascii conversion. */
static GBytes *
tftp_read_netascii (PxedContent *content, guint64 max, GError **error)
{
  guint64 size = pxed_content_get_size (content);
  g_autofree guint8 *buf = NULL;
  gsize got = 0;

  if (size > max)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_TOO_LARGE,
                   "%" G_GUINT64_FORMAT " bytes exceed netascii-max", size);
      return NULL;
    }
  buf = g_malloc (MAX (size, 1));
  while (got < size)
    {
      gssize r = pxed_content_pread (content, buf + got, (gsize) size - got, got);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED, "read: %s",
                       r < 0 ? g_strerror (errno) : "short file");
          return NULL;
        }
      got += (gsize) r;
    }
  return tftp_netascii_encode (buf, got);
}

/* A socket on @fd's port connect()ed to @peer, or -1 (then @fd alone serves
 * the transfer, unconnected). It and @fd form an SO_REUSEPORT group, which
 * only sockets of the same user can join. The kernel hands the connected
 * socket its peer's packets (found by the full address pair, with its route
 * kept: cheaper per packet both ways) and @fd everything else, the packets
 * of other TIDs that get error 5. */
static int
tftp_socket_connected (int fd, const struct sockaddr *peer, socklen_t peer_len)
{
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  int one = 1;
  int cfd;

  if (getsockname (fd, (struct sockaddr *) &local, &local_len) < 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
    return -1;
  cfd = socket (local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (cfd < 0)
    return -1;
  if (setsockopt (cfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0
      || bind (cfd, (struct sockaddr *) &local, local_len) < 0
      || connect (cfd, peer, peer_len) < 0)
    {
      g_debug ("connected transfer socket: %s", g_strerror (errno));
      close (cfd);
      return -1;
    }
  return cfd;
}

/* Whether a new transfer may take two sockets: only while every other
 * transfer that max-sessions allows would still get its one under
 * RLIMIT_NOFILE, with a reserve for the rest of the daemon. (A soft limit of
 * 1024 with the default max-sessions leaves every transfer one socket.) */
static gboolean
tftp_plugin_may_pair (PxedPlugin *self)
{
  guint n = g_hash_table_size (self->sessions);
  guint64 others = self->cfg->max_sessions > n + 1 ? self->cfg->max_sessions - n - 1 : 0;
  struct rlimit rl;

  if (!self->connect)
    return FALSE;
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return FALSE;
  return rl.rlim_cur == RLIM_INFINITY
         || (guint64) self->n_fds + 2 + others + TFTP_FD_RESERVE <= (guint64) rl.rlim_cur;
}

static void
tftp_request_cb (const PxedDatagram *dgram, gpointer user_data)
{
  PxedPlugin *self = user_data;
  TftpConfig *cfg = self->cfg;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *path_text = NULL;
  g_autoptr(PxedClientFacts) known = NULL;
  g_autoptr(PxedContent) content = NULL;
  g_autoptr(GBytes) netascii = NULL;
  PxedRequestInfo info = { .protocol = "tftp", .arch = -1 };
  TftpRequest req;
  TftpLimits limits;
  TftpTransferParams params;
  TftpSession *s;
  struct epoll_event ev;
  TftpAction a;
  guint64 size;
  guint n_client;
  int fd, cfd = -1;
  gboolean ok;

  if (self->stopping)
    return;
  key = pxed_net_endpoint_to_string ((const struct sockaddr *) &dgram->peer, dgram->peer_len);

  if (!tftp_request_parse (dgram->data, dgram->len, &req, &error))
    {
      guint16 op = dgram->len >= 2 ? (guint16) ((dgram->data[0] << 8) | dgram->data[1]) : 0;

      g_debug ("%s: bad request: %s", key, error->message);
      /* Stray DATA/ACK/ERROR/OACK on the request port: drop (no loops). */
      if (op >= TFTP_OP_DATA && op <= TFTP_OP_OACK)
        return;
      tftp_reply_error (dgram, tftp_request_error_to_code (error), "Illegal TFTP operation");
      return;
    }
  path_text = pxed_log_sanitize (req.filename, req.filename_len, 128);
  ip = pxed_net_address_to_string ((const struct sockaddr *) &dgram->peer, dgram->peer_len);
  if (req.opcode == TFTP_OP_WRQ)
    {
      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, self->instance, NULL, ip,
                       "write request for %s refused (read-only server)", path_text);
      tftp_reply_error (dgram, TFTP_ERR_ACCESS, "Access violation");
      return;
    }

  /* A retransmitted request of a running transfer: that transfer answers. */
  if (g_hash_table_contains (self->sessions, key))
    {
      g_debug ("%s: duplicate request for %s ignored", key, path_text);
      return;
    }
  if (g_hash_table_size (self->sessions) >= cfg->max_sessions)
    {
      tftp_note_busy (self, key, "max-sessions reached");
      return;
    }
  n_client = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_client, ip));
  if (n_client >= cfg->max_per_client)
    {
      tftp_note_busy (self, key, "max-sessions-per-client reached");
      return;
    }

  known = pxed_clients_lookup_ip (self->host, ip);
  info.ip = ip;
  if (known != NULL)
    {
      info.mac = known->mac;
      info.arch = known->arch;
    }

  content = pxed_content_open (self->host, cfg->root, req.filename, &info, &error);
  if (content == NULL)
    {
      PxedClientFacts facts = { .ip = ip, .arch = -1, .last_file = path_text };

      PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, self->instance, info.mac, ip, "%s: %s", path_text,
                       error->message);
      tftp_reply_error (dgram, pxed_content_error_to_tftp (error), pxed_content_error_to_text (error));
      pxed_clients_update (self->host, &facts);
      return;
    }
  if (req.mode == TFTP_MODE_NETASCII)
    {
      netascii = tftp_read_netascii (content, cfg->netascii_max, &error);
      if (netascii == NULL)
        {
          PXED_LOG_CLIENT (G_LOG_LEVEL_INFO, self->instance, info.mac, ip, "%s: %s", path_text,
                           error->message);
          tftp_reply_error (dgram, pxed_content_error_to_tftp (error),
                            pxed_content_error_to_text (error));
          return;
        }
      size = g_bytes_get_size (netascii);
    }
  else
    size = pxed_content_get_size (content);

  fd = pxed_net_udp_socket_ephemeral ((const struct sockaddr *) &dgram->local, dgram->local_len,
                                      &error);
  if (fd < 0)
    {
      g_warning ("%s: %s", key, error->message);
      return;
    }

  memset (&limits, 0, sizeof limits);
  limits.blksize_max = cfg->blksize_max;
  limits.windowsize_max = cfg->windowsize_max;
  limits.allow_timeout = TRUE;
  if (cfg->use_mtu && dgram->ifindex != 0)
    {
      guint mtu = pxed_net_get_interface_mtu (dgram->ifindex);
      guint overhead = dgram->peer.ss_family == AF_INET6 ? 40 + 8 + 4 : 20 + 8 + 4;

      if (mtu > overhead + TFTP_BLKSIZE_MIN)
        limits.blksize_mtu = mtu - overhead;
    }

  if (tftp_plugin_may_pair (self))
    cfd = tftp_socket_connected (fd, (const struct sockaddr *) &dgram->peer, dgram->peer_len);

  s = g_new0 (TftpSession, 1);
  s->plugin = self;
  s->connected = cfd >= 0;
  s->fd = s->connected ? cfd : fd;
  s->stray_fd = s->connected ? fd : -1;
  self->n_fds += s->connected ? 2 : 1;
  s->mode = req.mode;
  s->content = g_steal_pointer (&content);
  s->netascii = g_steal_pointer (&netascii);
  if (s->netascii != NULL)
    s->bytes = g_bytes_ref (s->netascii);
  else if (pxed_content_get_bytes (s->content) != NULL)
    s->bytes = g_bytes_ref (pxed_content_get_bytes (s->content));
  memcpy (&s->peer, &dgram->peer, dgram->peer_len);
  s->peer_len = dgram->peer_len;
  s->key = g_steal_pointer (&key);
  s->ip = g_strdup (ip);
  s->mac = known != NULL ? g_strdup (known->mac) : NULL;
  s->path = g_strdup (pxed_content_get_path (s->content));
  s->start_us = g_get_monotonic_time ();
  tftp_negotiate (&req, &limits, size, &s->neg);

  memset (&params, 0, sizeof params);
  params.size = size;
  params.blksize = s->neg.blksize;
  params.windowsize = s->neg.windowsize;
  params.timeout_ms = s->neg.has_timeout ? s->neg.timeout_s * 1000 : cfg->timeout_ms;
  params.timeout_max_ms = MAX (cfg->timeout_max_ms, params.timeout_ms);
  params.retries_max = cfg->retries;
  params.oack = tftp_negotiated_needs_oack (&s->neg);
  tftp_transfer_init (&s->xfer, &params);

  if (params.windowsize > 1)
    {
      /* Room for a whole window in the socket buffer (best effort). */
      int sndbuf = (int) MIN ((gsize) params.windowsize * (params.blksize + 2048) * 2,
                              (gsize) 16 * 1024 * 1024);

      if (setsockopt (s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
        (void) setsockopt (s->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }

  s->deadline_us = -1;
  g_hash_table_insert (self->sessions, s->key, s);
  g_hash_table_insert (self->per_client, g_strdup (ip), GUINT_TO_POINTER (n_client + 1));
  ev.events = EPOLLIN;
  ev.data.u64 = (guintptr) s;
  ok = epoll_ctl (self->epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0;
  ev.data.u64 = (guintptr) s | 1;
  if (ok && s->stray_fd >= 0)
    ok = epoll_ctl (self->epfd, EPOLL_CTL_ADD, s->stray_fd, &ev) == 0;
  if (!ok)
    {
      g_warning ("%s: epoll_ctl: %s", s->key, g_strerror (errno));
      tftp_session_free (s);
      return;
    }

  {
    PxedClientFacts facts = { .ip = ip, .arch = -1, .last_file = s->path };
    g_autofree char *opts = tftp_negotiated_to_string (&s->neg);

    pxed_clients_update (self->host, &facts);
    g_debug ("%s: RRQ %s%s%s%s", s->key, s->path, req.mode == TFTP_MODE_NETASCII ? " netascii" : "",
             opts[0] != '\0' ? " " : "", opts);
  }

  a = tftp_transfer_start (&s->xfer);
  tftp_session_apply (s, &a);
}

/* ---- plugin vfuncs ---------------------------------------------------------- */

static PxedPlugin *
tftp_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = g_new0 (PxedPlugin, 1);

  self->host = host;
  self->instance = g_strdup (pxed_section_get_instance (sec));
  self->cfg = tftp_config_new (sec);
  self->subs = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_udp_unsubscribe);
  self->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  self->per_client = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->epfd = -1;
  self->timerfd = -1;
  self->timer_us = -1;
  self->gso = g_getenv ("PXED_TFTP_NO_GSO") == NULL;
  self->connect = g_getenv ("PXED_TFTP_NO_CONNECT") == NULL;
  return self;
}

static gboolean
tftp_open_root (PxedPlugin *self, TftpConfig *cfg, GError **error)
{
  if (cfg->root_dir == NULL || cfg->root != NULL)
    return TRUE;
  cfg->root = pxed_content_root_new (self->host, cfg->root_dir, error);
  return cfg->root != NULL;
}

static GPtrArray *
tftp_subscribe (PxedPlugin *self, char **listen, GError **error)
{
  g_autoptr(GPtrArray) subs =
    g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_udp_unsubscribe);

  for (guint i = 0; listen[i] != NULL; i++)
    {
      PxedUdpSubscription *sub = pxed_net_udp_subscribe (self->host, listen[i], TFTP_DEFAULT_PORT,
                                                         tftp_request_cb, self, error);

      if (sub == NULL)
        {
          g_prefix_error (error, "listen %s: ", listen[i]);
          return NULL;
        }
      g_ptr_array_add (subs, sub);
    }
  return g_steal_pointer (&subs);
}

static gboolean
tftp_start (PxedPlugin *self, GError **error)
{
  GPtrArray *subs;
  TftpIoSource *io;

  if (!tftp_open_root (self, self->cfg, error))
    return FALSE;
  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  self->timerfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->epfd < 0 || self->timerfd < 0)
    {
      int saved = errno;

      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_FAILED, "%s: %s",
                   self->epfd < 0 ? "epoll_create1" : "timerfd_create", g_strerror (saved));
      return FALSE;
    }
  {
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TFTP_EV_TIMER };

    if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, self->timerfd, &ev) < 0)
      {
        int saved = errno;

        g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_FAILED, "epoll_ctl: %s",
                     g_strerror (saved));
        return FALSE;
      }
  }
  self->io_source = g_source_new (&tftp_io_source_funcs, sizeof (TftpIoSource));
  io = (TftpIoSource *) self->io_source;
  io->plugin = self;
  g_source_set_static_name (self->io_source, "pxed-tftp transfers");
  /* Never re-entered (dispatch runs no nested loop); without this GLib
   * removes and re-adds the fd around every dispatch, waking itself twice. */
  g_source_set_can_recurse (self->io_source, TRUE);
  g_source_add_unix_fd (self->io_source, self->epfd, G_IO_IN);
  g_source_attach (self->io_source, pxed_host_get_context (self->host));
  subs = tftp_subscribe (self, self->cfg->listen, error);
  if (subs == NULL)
    return FALSE;
  g_ptr_array_unref (self->subs);
  self->subs = subs;
  g_info ("serving %s on %u address(es)",
          self->cfg->root_dir != NULL ? self->cfg->root_dir : "generated files only", subs->len);
  return TRUE;
}

typedef struct {
  TftpConfig *cfg;
  GPtrArray  *subs; /* NULL: listen unchanged */
} TftpPrepared;

static void
tftp_prepared_free (TftpPrepared *p)
{
  tftp_config_free (p->cfg);
  if (p->subs != NULL)
    g_ptr_array_unref (p->subs);
  g_free (p);
}

static gpointer
tftp_reload_prepare (PxedPlugin *self, const PxedSection *sec, GError **error)
{
  g_autoptr(TftpConfig) cfg = tftp_config_new (sec);
  TftpPrepared *p;

  if (g_strcmp0 (cfg->root_dir, self->cfg->root_dir) == 0 && self->cfg->root != NULL)
    cfg->root = pxed_content_root_ref (self->cfg->root);
  else if (!tftp_open_root (self, cfg, error))
    return NULL;
  p = g_new0 (TftpPrepared, 1);
  if (!g_strv_equal ((const char *const *) cfg->listen, (const char *const *) self->cfg->listen))
    {
      p->subs = tftp_subscribe (self, cfg->listen, error);
      if (p->subs == NULL)
        {
          g_free (p);
          return NULL;
        }
    }
  p->cfg = g_steal_pointer (&cfg);
  return p;
}

static void
tftp_reload_commit (PxedPlugin *self, gpointer prepared)
{
  TftpPrepared *p = prepared;

  tftp_config_free (self->cfg);
  self->cfg = g_steal_pointer (&p->cfg);
  if (p->subs != NULL)
    {
      g_ptr_array_unref (self->subs);
      self->subs = g_steal_pointer (&p->subs);
    }
  tftp_prepared_free (p);
  g_info ("configuration reloaded; running transfers keep their settings");
}

static void
tftp_reload_abort (PxedPlugin *self, gpointer prepared)
{
  tftp_prepared_free (prepared);
}

static void
tftp_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  self->stopping = TRUE;
  g_ptr_array_set_size (self->subs, 0);
  if (g_hash_table_size (self->sessions) == 0)
    {
      done (done_data);
      return;
    }
  g_info ("stopping: waiting for %u transfer(s)", g_hash_table_size (self->sessions));
  self->done = done;
  self->done_data = done_data;
}

static void
tftp_destroy (PxedPlugin *self)
{
  GHashTableIter iter;
  gpointer value;

  self->done = NULL;
  while (g_hash_table_size (self->sessions) > 0)
    {
      g_hash_table_iter_init (&iter, self->sessions);
      if (!g_hash_table_iter_next (&iter, NULL, &value))
        break;
      tftp_session_free (value);
    }
  if (self->done_source != NULL)
    {
      g_source_destroy (self->done_source);
      g_clear_pointer (&self->done_source, g_source_unref);
    }
  if (self->io_source != NULL)
    {
      g_source_destroy (self->io_source);
      g_clear_pointer (&self->io_source, g_source_unref);
    }
  if (self->epfd >= 0)
    close (self->epfd);
  if (self->timerfd >= 0)
    close (self->timerfd);
  g_ptr_array_unref (self->subs);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->per_client);
  tftp_config_free (self->cfg);
  g_free (self->scratch);
  g_free (self->instance);
  g_free (self);
}

static const PxedPluginInfo tftp_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "tftp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "Read-only TFTP server (RFC 1350, 2347-2349, 7440) for the content tree",
  .version = "0.1.0",
  .license = "LGPL-2.1-or-later",
  .options = tftp_options,
  .validate = tftp_validate,
  .create = tftp_create,
  .start = tftp_start,
  .reload_prepare = tftp_reload_prepare,
  .reload_commit = tftp_reload_commit,
  .reload_abort = tftp_reload_abort,
  .stop = tftp_stop,
  .destroy = tftp_destroy,
};

PXED_PLUGIN_DEFINE (tftp_info)
