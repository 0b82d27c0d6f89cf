/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tftp-transfer.h"

#include <string.h>

void
tftp_transfer_init (TftpTransfer *t, const TftpTransferParams *params)
{
  memset (t, 0, sizeof *t);
  t->p = *params;
  if (t->p.blksize < TFTP_BLKSIZE_MIN)
    t->p.blksize = TFTP_BLKSIZE_DEFAULT;
  t->p.windowsize = CLAMP (t->p.windowsize, 1, TFTP_WINDOWSIZE_MAX);
  if (t->p.timeout_ms == 0)
    t->p.timeout_ms = 1000;
  t->p.timeout_max_ms = MAX (t->p.timeout_max_ms, t->p.timeout_ms);
  t->n_blocks = t->p.size / t->p.blksize + 1;
  t->cur_timeout_ms = t->p.timeout_ms;
}

guint64
tftp_transfer_block_offset (const TftpTransfer *t, guint64 index)
{
  return (index - 1) * t->p.blksize;
}

gsize
tftp_transfer_block_len (const TftpTransfer *t, guint64 index)
{
  guint64 off = tftp_transfer_block_offset (t, index);

  if (off >= t->p.size)
    return 0;
  return (gsize) MIN ((guint64) t->p.blksize, t->p.size - off);
}

static TftpAction
tftp_transfer_fail (TftpTransfer *t, gint code, const char *text, const char *reason)
{
  TftpAction a = { .kind = TFTP_ACTION_FAIL, .error_code = code, .error_text = text,
                   .reason = reason };

  t->finished = TRUE;
  return a;
}

/* Sends the window that starts after the highest acknowledged block. */
static TftpAction
tftp_transfer_send_window (TftpTransfer *t, gboolean retransmit)
{
  TftpAction a = { .kind = TFTP_ACTION_SEND, .retransmit = retransmit, .error_code = -1 };
  guint64 left;

  if (t->p.oack && !t->oack_acked)
    {
      a.oack = TRUE;
      return a;
    }
  a.first = t->acked + 1;
  left = t->n_blocks - t->acked;
  a.count = (guint) MIN ((guint64) t->p.windowsize, left);
  if (retransmit && t->sent_end >= a.first)
    t->n_retransmits += MIN (t->sent_end - a.first + 1, (guint64) a.count);
  t->sent_end = MAX (t->sent_end, a.first + a.count - 1);
  return a;
}

TftpAction
tftp_transfer_start (TftpTransfer *t)
{
  return tftp_transfer_send_window (t, FALSE);
}

static TftpAction
tftp_transfer_on_ack (TftpTransfer *t, guint16 wire)
{
  TftpAction none = { .kind = TFTP_ACTION_NONE, .error_code = -1 };
  guint64 k;

  if (t->p.oack && !t->oack_acked)
    {
      /* Only ACK 0 acknowledges the OACK. */
      if (wire != 0)
        {
          t->n_dup_acks++;
          return none;
        }
      t->oack_acked = TRUE;
      t->tries = 0;
      t->cur_timeout_ms = t->p.timeout_ms;
      return tftp_transfer_send_window (t, FALSE);
    }

  /* The block index k in (acked, acked + 65535] whose low 16 bits are @wire;
   * the outstanding window is never wider than that. */
  k = t->acked + (guint16) (wire - (guint16) (t->acked & 0xffff));
  if (k == t->acked || k > t->sent_end)
    {
      /* A duplicate (or stale) ACK never triggers a send: the Sorcerer's
       * Apprentice bug. The timer retransmits if really needed. */
      t->n_dup_acks++;
      return none;
    }
  t->acked = k;
  t->tries = 0;
  t->cur_timeout_ms = t->p.timeout_ms;
  if (t->acked >= t->n_blocks)
    {
      TftpAction done = { .kind = TFTP_ACTION_DONE, .error_code = -1 };

      t->finished = TRUE;
      return done;
    }
  /* An ACK inside the window means the client missed the block after it
   * (RFC 7440): the next window starts there. */
  return tftp_transfer_send_window (t, k < t->sent_end);
}

TftpAction
tftp_transfer_on_packet (TftpTransfer *t, const guint8 *data, gsize len)
{
  TftpAction none = { .kind = TFTP_ACTION_NONE, .error_code = -1 };
  TftpPacket pkt;

  if (t->finished)
    return none;
  if (!tftp_packet_parse (data, len, &pkt))
    return none;
  switch (pkt.opcode)
    {
    case TFTP_OP_ACK:
      return tftp_transfer_on_ack (t, pkt.block);
    case TFTP_OP_ERROR:
      {
        gsize n = MIN (pkt.payload_len, sizeof t->client_error_text - 1);
        const guint8 *nul = memchr (pkt.payload, '\0', n);

        if (nul != NULL)
          n = (gsize) (nul - pkt.payload);
        memcpy (t->client_error_text, pkt.payload, n);
        t->client_error_text[n] = '\0';
        t->client_error = pkt.error_code;
        t->client_aborted = TRUE;
        return tftp_transfer_fail (t, -1, NULL, "aborted by the client");
      }
    case TFTP_OP_RRQ:
    case TFTP_OP_WRQ:
    case TFTP_OP_DATA:
    case TFTP_OP_OACK:
    default:
      /* Not for a server sending a file: ignored. */
      return none;
    }
}

TftpAction
tftp_transfer_on_timeout (TftpTransfer *t)
{
  TftpAction none = { .kind = TFTP_ACTION_NONE, .error_code = -1 };

  if (t->finished)
    return none;
  if (t->tries >= t->p.retries_max)
    return tftp_transfer_fail (t, -1, NULL, "timed out");
  t->tries++;
  t->cur_timeout_ms = MIN (t->cur_timeout_ms * 2, t->p.timeout_max_ms);
  return tftp_transfer_send_window (t, TRUE);
}

guint
tftp_transfer_get_timeout_ms (const TftpTransfer *t)
{
  return t->cur_timeout_ms;
}
