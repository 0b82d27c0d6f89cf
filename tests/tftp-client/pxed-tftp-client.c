/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxed-tftp-client: a TFTP read client for tests and benchmarks.
 *
 * - Many concurrent transfers from one process (epoll), each verified by
 *   SHA-256 (--expect-sha256) and by the announced tsize.
 * - blksize, windowsize (RFC 7440 receiver), tsize, timeout options, octet
 *   and netascii (decoded before hashing).
 * - Scripted misbehaviour that real clients cannot produce: duplicate ACKs
 *   (counting duplicate DATA, the Sorcerer's Apprentice), a wrong TID, garbage
 *   on the transfer port, a stalled client (recording the server's
 *   retransmissions), an ERROR mid-transfer, raw packets to the request port.
 *
 * Output: one line per transfer ("OK path bytes sha256 seconds" or
 * "FAIL path reason"), then a summary line "transfers=... ok=... failed=...
 * bytes=... seconds=... MBps=... dup_data=...". Exit 0 when all succeeded
 * (and matched --expect-sha256), 1 otherwise, 2 on usage errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "tftp-packet.h"

static char *opt_host = NULL;
static gint opt_port = 69;
static gint opt_blksize = 0;
static gint opt_windowsize = 0;
static gboolean opt_tsize = FALSE;
static gint opt_timeout_opt = 0;
static gboolean opt_netascii = FALSE;
static gint opt_parallel = 1;
static gint opt_count = 1;
static char *opt_expect_sha256 = NULL;
static char *opt_output = NULL;
static gint opt_timeout_ms = 2000;
static gint opt_retries = 6;
static gboolean opt_quiet = FALSE;
static char *opt_scenario = NULL;
static gint opt_after = 3;
static gint opt_watch_ms = 3000;
static char **opt_extra = NULL;
static char *opt_verify_file = NULL;
/* --verify-file: the reference, mapped once (memcmp is far cheaper than
 * SHA-256, so the client does not cap benchmark throughput). */
static GMappedFile *verify_map = NULL;
static const guint8 *verify_data = NULL;
static gsize verify_len = 0;

static GOptionEntry entries[] = {
  { "host", 'H', 0, G_OPTION_ARG_STRING, &opt_host, "Server address (default 127.0.0.1)", "ADDR" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "Server port (default 69)", "PORT" },
  { "blksize", 'b', 0, G_OPTION_ARG_INT, &opt_blksize, "Ask for blksize", "N" },
  { "windowsize", 'w', 0, G_OPTION_ARG_INT, &opt_windowsize, "Ask for windowsize", "N" },
  { "tsize", 't', 0, G_OPTION_ARG_NONE, &opt_tsize, "Ask for tsize", NULL },
  { "timeout-opt", 0, 0, G_OPTION_ARG_INT, &opt_timeout_opt, "Ask for the timeout option", "S" },
  { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opt_extra, "Extra option NAME=VALUE", "O" },
  { "netascii", 'a', 0, G_OPTION_ARG_NONE, &opt_netascii, "netascii mode", NULL },
  { "parallel", 'P', 0, G_OPTION_ARG_INT, &opt_parallel, "Concurrent transfers", "N" },
  { "count", 'n', 0, G_OPTION_ARG_INT, &opt_count, "Transfers in total (per file)", "N" },
  { "expect-sha256", 0, 0, G_OPTION_ARG_STRING, &opt_expect_sha256, "Checksum every transfer must have", "HEX" },
  { "verify-file", 'V', 0, G_OPTION_ARG_FILENAME, &opt_verify_file,
    "Compare what arrives with this file instead of hashing it", "FILE" },
  { "output", 'O', 0, G_OPTION_ARG_FILENAME, &opt_output, "Write the (single) file here", "FILE" },
  { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &opt_timeout_ms, "Client retransmission timeout", "MS" },
  { "retries", 0, 0, G_OPTION_ARG_INT, &opt_retries, "Client retransmissions", "N" },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Only the summary line", NULL },
  { "scenario", 's', 0, G_OPTION_ARG_STRING, &opt_scenario,
    "dup-ack|wrong-tid|garbage|stall|error-mid|raw", "NAME" },
  { "after", 0, 0, G_OPTION_ARG_INT, &opt_after, "Scenario starts after this block", "N" },
  { "watch-ms", 0, 0, G_OPTION_ARG_INT, &opt_watch_ms, "How long stall/error-mid watch", "MS" },
  { NULL }
};

typedef enum { SC_NONE, SC_DUP_ACK, SC_WRONG_TID, SC_GARBAGE, SC_STALL, SC_ERROR_MID } Scenario;
static Scenario scenario = SC_NONE;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

typedef struct {
  guint        id;
  const char  *path;
  int          fd;
  struct sockaddr_storage server;  /* the request address */
  socklen_t    server_len;
  struct sockaddr_storage tid;     /* the transfer's server address */
  gboolean     have_tid;
  guint8       rrq[1500];
  gsize        rrq_len;
  guint        blksize, windowsize;
  gboolean     have_tsize;
  guint64      tsize;
  guint64      next;        /* next block index expected, 1-based */
  guint        in_window;   /* blocks accepted since the last ACK */
  gboolean     gap_acked;
  guint8       last_ack[4];
  gboolean     acked_once;
  guint64      bytes;       /* bytes received (before netascii decoding) */
  GChecksum   *sum;
  GByteArray  *decoded;     /* netascii */
  gboolean     cr_pending;
  FILE        *out;
  gint64       start_us, deadline_us;
  guint        tries;
  gboolean     done, failed;
  char        *reason;
  /* scenario bookkeeping */
  guint64      dup_data;
  gint64       watch_until_us;
  GArray      *stall_times; /* gint64 ms since stall, of each retransmission */
  gint64       stall_start_us;
  guint64      stray_after_error;
  gboolean     scenario_fired;
  int          fd2;
  gint         tid_error; /* error code received on the wrong-TID socket, -1 none */
  guint64      n_acks;
} Transfer;

static void transfer_fail (Transfer *t, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
transfer_fail (Transfer *t, const char *fmt, ...)
{
  va_list ap;

  if (t->done)
    return;
  va_start (ap, fmt);
  t->reason = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  t->done = TRUE;
  t->failed = TRUE;
}

static void
transfer_send (Transfer *t, const void *buf, gsize len)
{
  const struct sockaddr *to = (const struct sockaddr *) (t->have_tid ? &t->tid : &t->server);
  socklen_t to_len = t->have_tid ? t->server_len : t->server_len;

  if (sendto (t->fd, buf, len, 0, to, to_len) < 0 && errno != EAGAIN)
    g_printerr ("sendto: %s\n", g_strerror (errno));
}

static void
transfer_ack (Transfer *t, guint64 index)
{
  tftp_build_ack ((guint16) (index & 0xffff), t->last_ack, sizeof t->last_ack);
  t->acked_once = TRUE;
  transfer_send (t, t->last_ack, 4);
  t->n_acks++;
  if (scenario == SC_DUP_ACK)
    transfer_send (t, t->last_ack, 4);
  t->in_window = 0;
  t->tries = 0;
  t->deadline_us = now_us () + (gint64) opt_timeout_ms * 1000;
}

static void
put_str (guint8 *buf, gsize *pos, const char *s)
{
  gsize n = strlen (s) + 1;

  if (*pos + n <= 1500)
    {
      memcpy (buf + *pos, s, n);
      *pos += n;
    }
}

static void
put_opt (guint8 *buf, gsize *pos, const char *name, guint64 v)
{
  char num[32];

  g_snprintf (num, sizeof num, "%" G_GUINT64_FORMAT, v);
  put_str (buf, pos, name);
  put_str (buf, pos, num);
}

static void
transfer_start (Transfer *t)
{
  gsize pos = 2;

  t->rrq[0] = 0;
  t->rrq[1] = TFTP_OP_RRQ;
  put_str (t->rrq, &pos, t->path);
  put_str (t->rrq, &pos, opt_netascii ? "netascii" : "octet");
  if (opt_blksize > 0)
    put_opt (t->rrq, &pos, "blksize", (guint64) opt_blksize);
  if (opt_tsize)
    put_opt (t->rrq, &pos, "tsize", 0);
  if (opt_timeout_opt > 0)
    put_opt (t->rrq, &pos, "timeout", (guint64) opt_timeout_opt);
  if (opt_windowsize > 0)
    put_opt (t->rrq, &pos, "windowsize", (guint64) opt_windowsize);
  for (guint i = 0; opt_extra != NULL && opt_extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (opt_extra[i], "=", 2);

      put_str (t->rrq, &pos, kv[0]);
      put_str (t->rrq, &pos, kv[1] != NULL ? kv[1] : "");
    }
  t->rrq_len = pos;
  t->blksize = TFTP_BLKSIZE_DEFAULT;
  t->windowsize = 1;
  t->next = 1;
  t->sum = g_checksum_new (G_CHECKSUM_SHA256);
  if (opt_netascii)
    t->decoded = g_byte_array_new ();
  t->start_us = now_us ();
  t->deadline_us = t->start_us + (gint64) opt_timeout_ms * 1000;
  t->tid_error = -1;
  t->fd2 = -1;
  transfer_send (t, t->rrq, t->rrq_len);
}

static void
transfer_consume (Transfer *t, const guint8 *data, gsize len)
{
  if (opt_netascii)
    {
      guint before = t->decoded->len;

      if (!tftp_netascii_decode (data, len, t->decoded, &t->cr_pending))
        transfer_fail (t, "bad netascii");
      g_checksum_update (t->sum, t->decoded->data + before, t->decoded->len - before);
      if (t->out != NULL)
        fwrite (t->decoded->data + before, 1, t->decoded->len - before, t->out);
      g_byte_array_set_size (t->decoded, 0);
    }
  else if (verify_data != NULL)
    {
      if (len > verify_len - MIN (t->bytes, verify_len)
          || memcmp (verify_data + t->bytes, data, len) != 0)
        transfer_fail (t, "data differs from %s at offset %" G_GUINT64_FORMAT, opt_verify_file,
                       t->bytes);
    }
  else
    {
      g_checksum_update (t->sum, data, len);
      if (t->out != NULL)
        fwrite (data, 1, len, t->out);
    }
  t->bytes += len;
}

static void
transfer_parse_oack (Transfer *t, const guint8 *p, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      const char *name = (const char *) p + pos;
      const guint8 *nul = memchr (p + pos, 0, len - pos);
      const char *value;
      guint64 v = 0;

      if (nul == NULL)
        break;
      pos = (gsize) (nul - p) + 1;
      value = (const char *) p + pos;
      nul = memchr (p + pos, 0, len - pos);
      if (nul == NULL)
        break;
      pos = (gsize) (nul - p) + 1;
      if (!tftp_option_parse_uint (value, &v))
        {
          transfer_fail (t, "OACK value %s=%s not a number", name, value);
          return;
        }
      if (g_ascii_strcasecmp (name, "blksize") == 0)
        {
          if (opt_blksize <= 0 || v > (guint64) opt_blksize || v < 8)
            transfer_fail (t, "OACK blksize %" G_GUINT64_FORMAT " not acceptable", v);
          t->blksize = (guint) v;
        }
      else if (g_ascii_strcasecmp (name, "windowsize") == 0)
        {
          if (opt_windowsize <= 0 || v > (guint64) opt_windowsize || v < 1)
            transfer_fail (t, "OACK windowsize %" G_GUINT64_FORMAT " not acceptable", v);
          t->windowsize = (guint) v;
        }
      else if (g_ascii_strcasecmp (name, "tsize") == 0)
        {
          if (!opt_tsize)
            transfer_fail (t, "OACK tsize not asked for");
          t->have_tsize = TRUE;
          t->tsize = v;
        }
      else if (g_ascii_strcasecmp (name, "timeout") == 0)
        {
          if (opt_timeout_opt <= 0 || v != (guint64) opt_timeout_opt)
            transfer_fail (t, "OACK timeout %" G_GUINT64_FORMAT " not acceptable", v);
        }
      else
        transfer_fail (t, "OACK option %s not asked for", name);
    }
}

static void
transfer_finish_ok (Transfer *t)
{
  if (verify_data != NULL && !opt_netascii && !t->failed && t->bytes != verify_len)
    transfer_fail (t, "%" G_GUINT64_FORMAT " bytes arrived, %s has %" G_GSIZE_FORMAT, t->bytes,
                   opt_verify_file, verify_len);
  t->done = TRUE;
  if (t->have_tsize && t->tsize != t->bytes)
    transfer_fail (t, "tsize %" G_GUINT64_FORMAT " but %" G_GUINT64_FORMAT " bytes arrived",
                   t->tsize, t->bytes);
}

/* One datagram from the server on the transfer's socket. */
static void
transfer_on_packet (Transfer *t, const guint8 *buf, gsize len,
                    const struct sockaddr_storage *from, socklen_t from_len)
{
  TftpPacket pkt;

  if (t->done && scenario != SC_ERROR_MID && scenario != SC_STALL)
    return;
  if (!t->have_tid)
    {
      memcpy (&t->tid, from, from_len);
      t->have_tid = TRUE;
    }
  else if (memcmp (&t->tid, from, from_len) != 0)
    {
      /* A packet from another TID: answer error 5 as RFC 1350 says. */
      guint8 err[64];
      gsize n = tftp_build_error (TFTP_ERR_UNKNOWN_TID, "Unknown transfer ID", err, sizeof err);

      (void) sendto (t->fd, err, n, 0, (const struct sockaddr *) from, from_len);
      return;
    }
  if (!tftp_packet_parse (buf, len, &pkt))
    {
      transfer_fail (t, "malformed packet from server (%" G_GSIZE_FORMAT " bytes)", len);
      return;
    }

  if (scenario == SC_ERROR_MID && t->scenario_fired)
    {
      t->stray_after_error++;
      return;
    }
  if (scenario == SC_STALL && t->scenario_fired)
    {
      gint64 ms = (now_us () - t->stall_start_us) / 1000;

      if (pkt.opcode == TFTP_OP_DATA)
        g_array_append_val (t->stall_times, ms);
      return;
    }

  switch (pkt.opcode)
    {
    case TFTP_OP_OACK:
      if (t->next != 1 || t->acked_once)
        return; /* retransmitted OACK: our ACK 0 is on its way or resent by the timer */
      transfer_parse_oack (t, pkt.payload, pkt.payload_len);
      if (!t->done)
        transfer_ack (t, 0);
      return;
    case TFTP_OP_ERROR:
      {
        g_autofree char *text = g_strndup ((const char *) pkt.payload, pkt.payload_len);

        transfer_fail (t, "server error %u: %s", pkt.error_code, text);
        return;
      }
    case TFTP_OP_DATA:
      break;
    case TFTP_OP_ACK:
    case TFTP_OP_RRQ:
    case TFTP_OP_WRQ:
    default:
      transfer_fail (t, "unexpected opcode %u", pkt.opcode);
      return;
    }

  if (pkt.block != (guint16) (t->next & 0xffff))
    {
      guint16 behind = (guint16) ((guint16) (t->next & 0xffff) - pkt.block);

      if (behind >= 1 && behind <= 0x8000)
        t->dup_data++; /* a block we already have */
      else if (!t->gap_acked && t->next > 1)
        {
          /* A block from the future: one was lost; ACK the last in order. */
          t->gap_acked = TRUE;
          transfer_ack (t, t->next - 1);
        }
      return;
    }
  if (pkt.payload_len > t->blksize)
    {
      transfer_fail (t, "DATA of %" G_GSIZE_FORMAT " bytes > blksize %u", pkt.payload_len,
                     t->blksize);
      return;
    }
  t->gap_acked = FALSE;
  transfer_consume (t, pkt.payload, pkt.payload_len);
  t->next++;
  t->in_window++;
  t->tries = 0;
  t->deadline_us = now_us () + (gint64) opt_timeout_ms * 1000;

  if (scenario != SC_NONE && !t->scenario_fired && t->next - 1 >= (guint64) opt_after)
    {
      t->scenario_fired = TRUE;
      switch (scenario)
        {
        case SC_STALL:
          t->stall_start_us = now_us ();
          t->watch_until_us = t->stall_start_us + (gint64) opt_watch_ms * 1000;
          return;
        case SC_ERROR_MID:
          {
            guint8 err[64];
            gsize n = tftp_build_error (TFTP_ERR_UNDEFINED, "client gave up", err, sizeof err);

            transfer_send (t, err, n);
            t->watch_until_us = now_us () + (gint64) opt_watch_ms * 1000;
            return;
          }
        case SC_WRONG_TID:
          {
            /* An ACK for the next block from another port: the server must
             * answer error 5 there and carry on here. */
            guint8 ack[4];

            t->fd2 = socket (t->server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
            tftp_build_ack ((guint16) (t->next & 0xffff), ack, sizeof ack);
            (void) sendto (t->fd2, ack, 4, 0, (struct sockaddr *) &t->tid, t->server_len);
            break;
          }
        case SC_GARBAGE:
          {
            static const guint8 junk[][6] = {
              { 0 }, { 0, 4, 0 }, { 0, 9, 1, 2, 3, 4 }, { 0, 3, 0, 1, 'x', 'y' }, { 0, 1, 'a', 0, 'b', 0 },
            };
            static const gsize lens[] = { 1, 3, 6, 6, 6 };

            for (guint i = 0; i < G_N_ELEMENTS (lens); i++)
              transfer_send (t, junk[i], lens[i]);
            break;
          }
        case SC_NONE:
        case SC_DUP_ACK:
        default:
          break;
        }
    }

  if (pkt.payload_len < t->blksize)
    {
      transfer_ack (t, t->next - 1);
      transfer_finish_ok (t);
      return;
    }
  if (t->in_window >= t->windowsize)
    transfer_ack (t, t->next - 1);
}

static void
transfer_on_timeout (Transfer *t)
{
  if (t->tries >= (guint) opt_retries)
    {
      transfer_fail (t, "timed out at block %" G_GUINT64_FORMAT, t->next);
      return;
    }
  t->tries++;
  t->deadline_us = now_us () + (gint64) opt_timeout_ms * 1000;
  if (!t->have_tid)
    transfer_send (t, t->rrq, t->rrq_len);
  else if (t->acked_once)
    transfer_send (t, t->last_ack, 4);
  else
    transfer_ack (t, 0); /* no OACK answered yet, DATA 1 never came */
}

static gboolean
resolve (const char *host, guint16 port, struct sockaddr_storage *out, socklen_t *len)
{
  struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
  struct addrinfo *res = NULL;
  char portbuf[8];

  g_snprintf (portbuf, sizeof portbuf, "%u", port);
  if (getaddrinfo (host, portbuf, &hints, &res) != 0 || res == NULL)
    return FALSE;
  memcpy (out, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo (res);
  return TRUE;
}

/* --scenario raw: sends each argument (hex) to the request port and prints
 * what comes back ("REPLY <hex>" or "NOREPLY"). */
static int
run_raw (const struct sockaddr_storage *server, socklen_t server_len, char **hexes)
{
  int fd = socket (server->ss_family, SOCK_DGRAM, 0);
  struct timeval tv = { .tv_sec = 0, .tv_usec = 500000 };

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (guint i = 0; hexes[i] != NULL; i++)
    {
      gsize n = strlen (hexes[i]) / 2;
      g_autofree guint8 *pkt = g_malloc0 (MAX (n, 1));
      guint8 buf[2048];
      ssize_t r;

      for (gsize j = 0; j < n; j++)
        {
          char byte[3] = { hexes[i][2 * j], hexes[i][2 * j + 1], 0 };

          pkt[j] = (guint8) strtoul (byte, NULL, 16);
        }
      if (sendto (fd, pkt, n, 0, (const struct sockaddr *) server, server_len) < 0)
        {
          g_printerr ("sendto: %s\n", g_strerror (errno));
          return 1;
        }
      r = recv (fd, buf, sizeof buf, 0);
      if (r < 0)
        printf ("NOREPLY\n");
      else
        {
          printf ("REPLY ");
          for (ssize_t j = 0; j < r; j++)
            printf ("%02x", buf[j]);
          printf ("\n");
        }
    }
  close (fd);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("FILE... — fetch files over TFTP");
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage server;
  socklen_t server_len;
  Transfer *xfers;
  guint n_files, total, started = 0, running = 0, finished = 0, n_ok = 0;
  int ep;
  gint64 t0, t1;
  guint64 all_bytes = 0, dup_data = 0;
  gint64 next_scan = 0, next_deadline = G_MAXINT64;
  gboolean need_scan = TRUE;
  int rc = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!resolve (opt_host != NULL ? opt_host : "127.0.0.1", (guint16) opt_port, &server, &server_len))
    {
      g_printerr ("bad host\n");
      return 2;
    }
  if (g_strcmp0 (opt_scenario, "raw") == 0)
    return run_raw (&server, server_len, argv + 1);
  if (opt_scenario == NULL)
    scenario = SC_NONE;
  else if (g_str_equal (opt_scenario, "dup-ack"))
    scenario = SC_DUP_ACK;
  else if (g_str_equal (opt_scenario, "wrong-tid"))
    scenario = SC_WRONG_TID;
  else if (g_str_equal (opt_scenario, "garbage"))
    scenario = SC_GARBAGE;
  else if (g_str_equal (opt_scenario, "stall"))
    scenario = SC_STALL;
  else if (g_str_equal (opt_scenario, "error-mid"))
    scenario = SC_ERROR_MID;
  else
    {
      g_printerr ("unknown scenario %s\n", opt_scenario);
      return 2;
    }
  if (argc < 2 || opt_parallel < 1 || opt_count < 1)
    {
      g_printerr ("usage: %s [OPTION...] FILE...\n", argv[0]);
      return 2;
    }
  if (opt_verify_file != NULL)
    {
      GMappedFile *map = verify_map = g_mapped_file_new (opt_verify_file, FALSE, &error);

      if (map == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      verify_data = (const guint8 *) g_mapped_file_get_contents (map);
      verify_len = g_mapped_file_get_length (map);
      if (opt_netascii)
        {
          g_printerr ("--verify-file does not apply to netascii\n");
          return 2;
        }
    }
  n_files = (guint) argc - 1;
  total = n_files * (guint) opt_count;
  xfers = g_new0 (Transfer, total);
  ep = epoll_create1 (EPOLL_CLOEXEC);

  t0 = now_us ();
  while (finished < total)
    {
      struct epoll_event evs[256];
      gint64 now;
      int n, wait_ms;

      while (running < (guint) opt_parallel && started < total)
        {
          Transfer *t = &xfers[started];
          struct epoll_event ev = { .events = EPOLLIN };
          int rcvbuf = 4 * 1024 * 1024;

          t->id = started;
          t->path = argv[1 + started % n_files];
          t->fd = socket (server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
          if (t->fd < 0)
            {
              g_printerr ("socket: %s\n", g_strerror (errno));
              return 1;
            }
          if (setsockopt (t->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
            (void) setsockopt (t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
          memcpy (&t->server, &server, server_len);
          t->server_len = server_len;
          if (scenario == SC_STALL)
            t->stall_times = g_array_new (FALSE, FALSE, sizeof (gint64));
          if (opt_output != NULL && total == 1)
            t->out = fopen (opt_output, "wb");
          ev.data.u32 = started;
          epoll_ctl (ep, EPOLL_CTL_ADD, t->fd, &ev);
          transfer_start (t);
          started++;
          running++;
        }

      now = now_us ();
      /* Scanning every transfer is O(n): do it every few milliseconds, or
       * at once when a transfer finished. */
      if (now < next_scan && !need_scan)
        goto wait;
      next_scan = now + 5000;
      need_scan = FALSE;
      next_deadline = G_MAXINT64;
      for (guint i = 0; i < started; i++)
        {
          Transfer *t = &xfers[i];
          gint64 d;

          if (t->fd < 0)
            continue;
          if (t->done)
            d = t->watch_until_us;
          else if (t->watch_until_us != 0)
            d = t->watch_until_us;
          else
            d = t->deadline_us;
          if (d <= now)
            {
              if (t->done || t->watch_until_us != 0)
                t->done = TRUE; /* watch over */
              else
                transfer_on_timeout (t);
              if (!t->done)
                d = t->deadline_us;
            }
          if (t->done && (t->watch_until_us == 0 || t->watch_until_us <= now))
            {
              /* Wrong-TID: collect the error 5 the server sent to fd2. */
              if (t->fd2 >= 0)
                {
                  guint8 buf[128];
                  ssize_t r = recv (t->fd2, buf, sizeof buf, MSG_DONTWAIT);

                  if (r < 0)
                    {
                      struct timespec ts = { 0, 200 * 1000 * 1000 };
                      nanosleep (&ts, NULL);
                      r = recv (t->fd2, buf, sizeof buf, MSG_DONTWAIT);
                    }
                  if (r >= 4 && buf[1] == TFTP_OP_ERROR)
                    t->tid_error = buf[3];
                  close (t->fd2);
                  t->fd2 = -1;
                }
              epoll_ctl (ep, EPOLL_CTL_DEL, t->fd, NULL);
              close (t->fd);
              t->fd = -1;
              running--;
              finished++;
              continue;
            }
          next_deadline = MIN (next_deadline, d);
        }
      if (finished >= total)
        break;
      if (running < (guint) opt_parallel && started < total)
        continue;
    wait:
      wait_ms = (int) CLAMP ((MIN (next_deadline, next_scan) - now + 999) / 1000, 0, 1000);
      n = epoll_wait (ep, evs, G_N_ELEMENTS (evs), wait_ms);
      for (int i = 0; i < n; i++)
        {
          Transfer *t = &xfers[evs[i].data.u32];

          for (guint k = 0; k < 64 && t->fd >= 0; k++)
            {
              guint8 buf[65536 + 4];
              struct sockaddr_storage from;
              socklen_t from_len = sizeof from;
              ssize_t r = recvfrom (t->fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len);

              guint64 acks = t->n_acks;

              if (r < 0)
                break;
              transfer_on_packet (t, buf, (gsize) r, &from, from_len);
              if (t->done)
                need_scan = TRUE;
              /* Lock-step: after an ACK nothing more can be queued yet. */
              if (t->n_acks != acks && t->windowsize == 1)
                break;
            }
        }
    }
  t1 = now_us ();

  for (guint i = 0; i < total; i++)
    {
      Transfer *t = &xfers[i];
      const char *sum = g_checksum_get_string (t->sum);
      double secs = (double) (t1 - t->start_us) / 1e6;

      if (scenario == SC_ERROR_MID && t->scenario_fired && !t->failed)
        {
          printf ("stray_after_error=%" G_GUINT64_FORMAT "\n", t->stray_after_error);
          if (t->stray_after_error > (guint64) MAX (opt_windowsize, 1))
            transfer_fail (t, "server kept sending after ERROR");
          else
            t->reason = g_strdup ("ok");
        }
      else if (scenario == SC_STALL && t->scenario_fired && !t->failed)
        {
          printf ("stall_retransmits=%u times_ms=", t->stall_times->len);
          for (guint k = 0; k < t->stall_times->len; k++)
            printf ("%s%" G_GINT64_FORMAT, k > 0 ? "," : "", g_array_index (t->stall_times, gint64, k));
          printf ("\n");
        }
      else if (scenario == SC_WRONG_TID && !t->failed)
        {
          printf ("wrong_tid_error=%d\n", t->tid_error);
          if (t->tid_error != TFTP_ERR_UNKNOWN_TID)
            transfer_fail (t, "no error 5 for the wrong TID");
        }
      if (!t->failed && opt_expect_sha256 != NULL && scenario != SC_ERROR_MID
          && scenario != SC_STALL && g_ascii_strcasecmp (sum, opt_expect_sha256) != 0)
        transfer_fail (t, "checksum mismatch: got %s", sum);
      if (t->out != NULL)
        fclose (t->out);
      dup_data += t->dup_data;
      all_bytes += t->bytes;
      if (t->failed)
        {
          rc = 1;
          printf ("FAIL %s %s\n", t->path, t->reason);
        }
      else
        {
          n_ok++;
          if (!opt_quiet)
            printf ("OK %s %" G_GUINT64_FORMAT " %s %.3f\n", t->path, t->bytes, sum, secs);
        }
    }
  {
    double secs = (double) (t1 - t0) / 1e6;

    printf ("transfers=%u ok=%u failed=%u bytes=%" G_GUINT64_FORMAT " seconds=%.3f MBps=%.1f "
            "dup_data=%" G_GUINT64_FORMAT "\n",
            total, n_ok, total - n_ok, all_bytes, secs, (double) all_bytes / secs / 1e6, dup_data);
  }
  for (guint i = 0; i < total; i++)
    {
      g_checksum_free (xfers[i].sum);
      if (xfers[i].decoded != NULL)
        g_byte_array_unref (xfers[i].decoded);
      if (xfers[i].stall_times != NULL)
        g_array_unref (xfers[i].stall_times);
      g_free (xfers[i].reason);
    }
  g_free (xfers);
  g_clear_pointer (&verify_map, g_mapped_file_unref);
  close (ep);
  return rc;
}
