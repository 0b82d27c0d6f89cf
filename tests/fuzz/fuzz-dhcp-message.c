/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCP message parser, the PXE fact extraction and the option encoder:
 * whatever parses is re-encoded under the client's size limit (overload
 * included) and must parse again with the same options. */
#include <stdint.h>
#include <string.h>

#include "dhcp-codec.h"
#include "dhcp-pxe.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(DhcpMessage) msg = dhcp_message_parse (data, size, NULL);
  g_autoptr(DhcpBuilder) b = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(DhcpBootTable) table = NULL;
  const DhcpBootTable *tables[1];
  DhcpPxeInfo pxe;
  g_autofree char *file = NULL;
  g_autofree char *mac = NULL;
  const guint8 *prl;
  gsize prl_len;

  if (msg == NULL)
    return 0;
  dhcp_pxe_info_init (&pxe, msg);
  table = dhcp_boot_table_new_default ();
  tables[0] = table;
  file = dhcp_boot_choose (tables, 1, &pxe, "192.0.2.1");
  dhcp_pxe_info_clear (&pxe);
  mac = dhcp_message_get_mac (msg);

  b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
  dhcp_builder_copy_request (b, msg);
  dhcp_builder_set_max_size (b, dhcp_message_get_max_reply_size (msg));
  prl = dhcp_message_get_option (msg, DHCP_OPT_PRL, &prl_len);
  if (prl != NULL)
    dhcp_builder_set_request_list (b, prl, prl_len);
  if (file != NULL)
    dhcp_builder_set_file (b, file);
  for (guint c = 1; c < 255; c++)
    {
      gsize len;
      const guint8 *v = dhcp_message_get_option (msg, (guint8) c, &len);
      if (v == NULL || c == DHCP_OPT_OVERLOAD || c == DHCP_OPT_MESSAGE_TYPE)
        continue;
      dhcp_builder_set_option (b, (guint8) c, v, len);
    }
  out = dhcp_builder_encode (b, NULL);
  if (out != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DhcpMessage) again = dhcp_message_parse (g_bytes_get_data (out, NULL),
                                                         g_bytes_get_size (out), &error);
      if (again == NULL)
        g_error ("re-encoded message does not parse: %s", error->message);
      g_assert (g_bytes_get_size (out) <= dhcp_message_get_max_reply_size (msg));
      for (guint c = 1; c < 255; c++)
        {
          gsize l1, l2;
          const guint8 *v1, *v2;
          if (c == DHCP_OPT_MESSAGE_TYPE)
            continue;
          v2 = dhcp_message_get_option (again, (guint8) c, &l2);
          if (v2 == NULL)
            continue; /* dropped for size */
          v1 = dhcp_message_get_option (msg, (guint8) c, &l1);
          g_assert (v1 != NULL && l1 == l2 && memcmp (v1, v2, l1) == 0);
        }
    }
  return 0;
}
