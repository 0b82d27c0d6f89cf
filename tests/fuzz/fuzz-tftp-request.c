/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TFTP request and option parser, option negotiation and the OACK
 * builder, plus the transfer state machine fed the same bytes as packets. */
#include <stdint.h>
#include <string.h>

#include "tftp-packet.h"
#include "tftp-transfer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const TftpLimits limits = { .blksize_max = 1468, .blksize_mtu = 1400,
                                     .windowsize_max = 64, .allow_timeout = TRUE };
  TftpRequest req;
  TftpNegotiated neg;
  TftpTransfer t;
  TftpTransferParams params = { .size = 100000, .blksize = 512, .windowsize = 4,
                                .timeout_ms = 1000, .timeout_max_ms = 4000, .retries_max = 3,
                                .oack = TRUE };
  guint8 oack[1500];
  gsize off = 0;

  if (tftp_request_parse (data, size, &req, NULL))
    {
      g_autofree char *text = NULL;

      tftp_negotiate (&req, &limits, size, &neg);
      if (neg.blksize < TFTP_BLKSIZE_MIN || neg.blksize > 1400 || neg.windowsize < 1
          || neg.windowsize > 64)
        __builtin_trap ();
      if (tftp_negotiated_needs_oack (&neg) && tftp_build_oack (&neg, oack, sizeof oack) == 0)
        __builtin_trap ();
      text = tftp_negotiated_to_string (&neg);
      params.blksize = neg.blksize;
      params.windowsize = neg.windowsize;
    }

  /* Packets of 4 bytes each (or the rest) against a transfer. */
  tftp_transfer_init (&t, &params);
  tftp_transfer_start (&t);
  while (off < size)
    {
      gsize n = MIN ((gsize) 4, size - off);
      TftpAction a = tftp_transfer_on_packet (&t, data + off, n);

      if (a.kind == TFTP_ACTION_SEND && (a.count > 64 || a.first + a.count - 1 > t.n_blocks))
        __builtin_trap ();
      if (t.acked > t.sent_end)
        __builtin_trap ();
      off += n;
    }
  return 0;
}
