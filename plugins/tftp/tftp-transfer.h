/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one read transfer, as a pure state machine: the plugin feeds
 * it the packets that arrive from the client's TID and the expiry of its
 * retransmission timer, and carries out the action it returns (send the
 * OACK, send a window of blocks, finish, fail). No I/O happens here. */

#include <glib.h>

#include "tftp-packet.h"

G_BEGIN_DECLS

typedef enum {
  TFTP_ACTION_NONE = 0, /* nothing to do (duplicate ACK, stray packet) */
  TFTP_ACTION_SEND,     /* send the OACK or blocks [first, first + count) */
  TFTP_ACTION_DONE,     /* the last block was acknowledged */
  TFTP_ACTION_FAIL,     /* give up; send an ERROR first when error_code >= 0 */
} TftpActionKind;

typedef struct {
  TftpActionKind kind;
  gboolean    oack;       /* SEND: the OACK (block 0) */
  gboolean    retransmit; /* SEND: a retransmission after a timeout or a gap */
  guint64     first;      /* SEND: first block index, 1-based, 64 bits (no rollover) */
  guint       count;      /* SEND: number of blocks */
  gint        error_code; /* FAIL: TFTP error to send, -1 for none */
  const char *error_text; /* FAIL: text for the client */
  const char *reason;     /* FAIL: for the log */
} TftpAction;

typedef struct {
  guint64  size;        /* bytes sent in total */
  guint    blksize;
  guint    windowsize;
  guint    timeout_ms;  /* initial retransmission timeout */
  guint    timeout_max_ms;
  guint    retries_max; /* retransmissions of one window before giving up */
  gboolean oack;        /* start with an OACK and wait for ACK 0 */
} TftpTransferParams;

typedef struct {
  TftpTransferParams p;
  guint64  n_blocks;       /* size / blksize + 1 (the last one is short, maybe empty) */
  guint64  acked;          /* highest block acknowledged (0: none yet) */
  guint64  sent_end;       /* highest block sent (0: only the OACK, if any) */
  gboolean oack_acked;
  guint    tries;          /* retransmissions of the current window */
  guint    cur_timeout_ms;
  gboolean finished;
  guint64  n_retransmits;  /* blocks sent again */
  guint64  n_dup_acks;     /* duplicate or stale ACKs ignored */
  gboolean client_aborted; /* the client sent an ERROR */
  guint16  client_error;   /* its code */
  char     client_error_text[64];
} TftpTransfer;

void       tftp_transfer_init         (TftpTransfer *t, const TftpTransferParams *params);
/* The first action: the OACK or the first window. */
TftpAction tftp_transfer_start        (TftpTransfer *t);
/* A packet from the client's TID. */
TftpAction tftp_transfer_on_packet    (TftpTransfer *t, const guint8 *data, gsize len);
/* The retransmission timer expired. */
TftpAction tftp_transfer_on_timeout   (TftpTransfer *t);
/* How long to wait from now before tftp_transfer_on_timeout(). */
guint      tftp_transfer_get_timeout_ms (const TftpTransfer *t);

/* Where block @index (1-based) starts in the data and how long it is. */
guint64    tftp_transfer_block_offset (const TftpTransfer *t, guint64 index);
gsize      tftp_transfer_block_len    (const TftpTransfer *t, guint64 index);
/* The 16-bit block number on the wire (rolls over to 0 after 65535). */
static inline guint16
tftp_transfer_block_wire (guint64 index)
{
  return (guint16) (index & 0xffff);
}

G_END_DECLS
