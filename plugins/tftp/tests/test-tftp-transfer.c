/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "tftp-transfer.h"

static TftpAction
ack (TftpTransfer *t, guint16 block)
{
  guint8 buf[4];
  gsize n = tftp_build_ack (block, buf, sizeof buf);

  return tftp_transfer_on_packet (t, buf, n);
}

static void
init (TftpTransfer *t, guint64 size, guint blksize, guint window, gboolean oack)
{
  TftpTransferParams p = { .size = size, .blksize = blksize, .windowsize = window,
                           .timeout_ms = 1000, .timeout_max_ms = 4000, .retries_max = 3,
                           .oack = oack };

  tftp_transfer_init (t, &p);
}

static void
assert_send (TftpAction a, guint64 first, guint count)
{
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_SEND);
  g_assert_false (a.oack);
  g_assert_cmpuint (a.first, ==, first);
  g_assert_cmpuint (a.count, ==, count);
}

static void
test_lockstep (void)
{
  TftpTransfer t;
  TftpAction a;

  init (&t, 1000, 512, 1, FALSE);
  g_assert_cmpuint (t.n_blocks, ==, 2);
  assert_send (tftp_transfer_start (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_block_len (&t, 1), ==, 512);
  g_assert_cmpuint (tftp_transfer_block_len (&t, 2), ==, 488);
  g_assert_cmpuint (tftp_transfer_block_offset (&t, 2), ==, 512);
  /* ACK 0 (none outstanding) is stale. */
  g_assert_cmpint (ack (&t, 0).kind, ==, TFTP_ACTION_NONE);
  assert_send (ack (&t, 1), 2, 1);
  /* Sorcerer's Apprentice: the duplicate ACK 1 sends nothing. */
  g_assert_cmpint (ack (&t, 1).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpuint (t.n_dup_acks, ==, 2);
  /* An ACK for a block never sent is ignored. */
  g_assert_cmpint (ack (&t, 7).kind, ==, TFTP_ACTION_NONE);
  a = ack (&t, 2);
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_DONE);
  g_assert_true (t.finished);
  g_assert_cmpint (ack (&t, 2).kind, ==, TFTP_ACTION_NONE);
}

static void
test_exact_multiple_and_empty (void)
{
  TftpTransfer t;

  init (&t, 1024, 512, 1, FALSE);
  g_assert_cmpuint (t.n_blocks, ==, 3);
  g_assert_cmpuint (tftp_transfer_block_len (&t, 3), ==, 0);

  init (&t, 0, 512, 8, FALSE);
  g_assert_cmpuint (t.n_blocks, ==, 1);
  assert_send (tftp_transfer_start (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_block_len (&t, 1), ==, 0);
  g_assert_cmpint (ack (&t, 1).kind, ==, TFTP_ACTION_DONE);
}

static void
test_oack (void)
{
  TftpTransfer t;
  TftpAction a;

  init (&t, 3000, 1024, 1, TRUE);
  a = tftp_transfer_start (&t);
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_SEND);
  g_assert_true (a.oack);
  /* Only ACK 0 acknowledges the OACK. */
  g_assert_cmpint (ack (&t, 1).kind, ==, TFTP_ACTION_NONE);
  /* A timeout resends the OACK. */
  a = tftp_transfer_on_timeout (&t);
  g_assert_true (a.oack);
  g_assert_true (a.retransmit);
  assert_send (ack (&t, 0), 1, 1);
  g_assert_cmpint (ack (&t, 0).kind, ==, TFTP_ACTION_NONE);
  assert_send (ack (&t, 1), 2, 1);
}

static void
test_client_error (void)
{
  TftpTransfer t;
  TftpAction a;
  static const guint8 err[] = "\0\5\0\10option refused";

  init (&t, 3000, 1468, 4, TRUE);
  g_assert_true (tftp_transfer_start (&t).oack);
  a = tftp_transfer_on_packet (&t, err, sizeof err);
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_FAIL);
  g_assert_cmpint (a.error_code, ==, -1);
  g_assert_true (t.client_aborted);
  g_assert_cmpuint (t.client_error, ==, 8);
  g_assert_cmpstr (t.client_error_text, ==, "option refused");
  g_assert_cmpint (tftp_transfer_on_timeout (&t).kind, ==, TFTP_ACTION_NONE);
}

static void
test_garbage (void)
{
  TftpTransfer t;
  static const guint8 junk1[] = { 0 };
  static const guint8 junk2[] = { 0, 4, 1 };
  static const guint8 data[] = { 0, 3, 0, 1, 'x' };
  static const guint8 rrq[] = { 0, 1, 'a', 0, 'o', 'c', 't', 'e', 't', 0 };
  static const guint8 op0[] = { 0, 0, 0, 1 };
  static const guint8 err_short[] = { 0, 5, 0 };

  init (&t, 3000, 512, 1, FALSE);
  assert_send (tftp_transfer_start (&t), 1, 1);
  g_assert_cmpint (tftp_transfer_on_packet (&t, junk1, 0).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, junk1, 1).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, junk2, 3).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, data, sizeof data).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, rrq, sizeof rrq).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, op0, sizeof op0).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpint (tftp_transfer_on_packet (&t, err_short, sizeof err_short).kind, ==,
                   TFTP_ACTION_NONE);
  g_assert_false (t.finished);
  assert_send (ack (&t, 1), 2, 1);
}

static void
test_window (void)
{
  TftpTransfer t;
  TftpAction a;

  /* 10 blocks of 100 bytes then a short one: 11 blocks. */
  init (&t, 1050, 100, 4, TRUE);
  g_assert_cmpuint (t.n_blocks, ==, 11);
  g_assert_true (tftp_transfer_start (&t).oack);
  assert_send (ack (&t, 0), 1, 4);
  /* The client missed block 3: it ACKs 2, the next window starts at 3. */
  a = ack (&t, 2);
  assert_send (a, 3, 4);
  g_assert_true (a.retransmit);
  g_assert_cmpuint (t.n_retransmits, ==, 2);
  /* A late ACK 1 is stale. */
  g_assert_cmpint (ack (&t, 1).kind, ==, TFTP_ACTION_NONE);
  a = ack (&t, 6);
  assert_send (a, 7, 4);
  g_assert_false (a.retransmit);
  /* The last window is short. */
  assert_send (ack (&t, 10), 11, 1);
  /* Timeout: the whole outstanding window again. */
  a = tftp_transfer_on_timeout (&t);
  assert_send (a, 11, 1);
  g_assert_true (a.retransmit);
  g_assert_cmpint (ack (&t, 11).kind, ==, TFTP_ACTION_DONE);
}

static void
test_timeout_backoff (void)
{
  TftpTransfer t;
  TftpAction a;

  init (&t, 100, 512, 1, FALSE);
  assert_send (tftp_transfer_start (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_get_timeout_ms (&t), ==, 1000);
  assert_send (tftp_transfer_on_timeout (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_get_timeout_ms (&t), ==, 2000);
  assert_send (tftp_transfer_on_timeout (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_get_timeout_ms (&t), ==, 4000);
  assert_send (tftp_transfer_on_timeout (&t), 1, 1);
  g_assert_cmpuint (tftp_transfer_get_timeout_ms (&t), ==, 4000);
  a = tftp_transfer_on_timeout (&t);
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_FAIL);
  g_assert_cmpstr (a.reason, ==, "timed out");
  g_assert_true (t.finished);

  /* Progress resets the tries and the timeout. */
  init (&t, 1000, 512, 1, FALSE);
  tftp_transfer_start (&t);
  tftp_transfer_on_timeout (&t);
  tftp_transfer_on_timeout (&t);
  assert_send (ack (&t, 1), 2, 1);
  g_assert_cmpuint (t.tries, ==, 0);
  g_assert_cmpuint (tftp_transfer_get_timeout_ms (&t), ==, 1000);
}

static void
run_rollover (guint window)
{
  TftpTransfer t;
  TftpAction a;
  guint64 n_blocks = 70000;
  guint64 sent = 0;

  /* 70000 blocks of 512 bytes: past block 65535, as pxelinux expects. */
  init (&t, (n_blocks - 1) * 512 + 100, 512, window, FALSE);
  g_assert_cmpuint (t.n_blocks, ==, n_blocks);
  a = tftp_transfer_start (&t);
  while (a.kind == TFTP_ACTION_SEND)
    {
      guint64 last = a.first + a.count - 1;

      g_assert_cmpuint (a.first, ==, sent + 1);
      sent = last;
      /* The duplicate ACK of the previous window sends nothing. */
      if (a.first > 1)
        g_assert_cmpint (ack (&t, tftp_transfer_block_wire (a.first - 1)).kind, ==,
                         TFTP_ACTION_NONE);
      a = ack (&t, tftp_transfer_block_wire (last));
    }
  g_assert_cmpint (a.kind, ==, TFTP_ACTION_DONE);
  g_assert_cmpuint (sent, ==, n_blocks);
  g_assert_cmpuint (t.n_retransmits, ==, 0);
  g_assert_cmpuint (tftp_transfer_block_wire (65536), ==, 0);
  g_assert_cmpuint (tftp_transfer_block_len (&t, n_blocks), ==, 100);
}

static void
test_rollover (void)
{
  run_rollover (1);
  run_rollover (16);
  run_rollover (64);
}

static void
test_rollover_gap (void)
{
  TftpTransfer t;
  TftpAction a;

  /* A window straddling the wrap: blocks 65531..65538 outstanding; the
   * client got up to 65537 (wire 1). */
  init (&t, 70000ull * 512, 512, 8, FALSE);
  t.acked = 65530;
  t.sent_end = 65538;
  a = ack (&t, 1);
  assert_send (a, 65538, 8);
  g_assert_true (a.retransmit);
  /* A stale ACK from before the wrap maps past what was sent: ignored. */
  g_assert_cmpint (ack (&t, 65535).kind, ==, TFTP_ACTION_NONE);
  g_assert_cmpuint (t.acked, ==, 65537);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp/transfer/lockstep", test_lockstep);
  g_test_add_func ("/tftp/transfer/exact-multiple-and-empty", test_exact_multiple_and_empty);
  g_test_add_func ("/tftp/transfer/oack", test_oack);
  g_test_add_func ("/tftp/transfer/client-error", test_client_error);
  g_test_add_func ("/tftp/transfer/garbage", test_garbage);
  g_test_add_func ("/tftp/transfer/window", test_window);
  g_test_add_func ("/tftp/transfer/timeout-backoff", test_timeout_backoff);
  g_test_add_func ("/tftp/transfer/rollover", test_rollover);
  g_test_add_func ("/tftp/transfer/rollover-gap", test_rollover_gap);
  return g_test_run ();
}
