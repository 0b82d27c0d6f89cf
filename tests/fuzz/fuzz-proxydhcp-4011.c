/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxyDHCP request path: the shared DHCP codec's parser, the PXE
 * classification and the reply builder, fed each input as a port-4011 boot
 * request and as a port-67 DISCOVER. Invariants: a reply parses, carries no
 * address, and only a PXE client ever gets one. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "proxydhcp-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static ProxyConfig *
fuzz_config (void)
{
  static ProxyConfig *c;
  ProxyMenuItem *item;

  if (c != NULL)
    return c;
  c = proxy_config_new ();
  c->boot = dhcp_boot_table_new ();
  dhcp_boot_table_set (c->boot, 7, "ipxe.efi");
  dhcp_boot_table_set_ipxe_script (c->boot, "http://{next-server}/boot.ipxe");
  c->menu_prompt = g_strdup ("Press F8");
  g_ptr_array_add (c->menu_items, proxy_menu_item_new (0, "Local disk"));
  item = proxy_menu_item_new (0x8001, "Install");
  item->boot = dhcp_boot_table_new ();
  dhcp_boot_table_set (item->boot, DHCP_ARCH_ANY, "install.0");
  g_ptr_array_add (c->menu_items, item);
  return c;
}

static void
check (const ProxyOutcome *o)
{
  g_autoptr(DhcpMessage) msg = NULL;

  if (o->reply == NULL)
    return;
  if (!o->parsed || !(o->pxe.pxe_client || o->pxe.http_client))
    __builtin_trap ();
  msg = dhcp_message_parse (g_bytes_get_data (o->reply, NULL), g_bytes_get_size (o->reply), NULL);
  if (msg == NULL || msg->op != DHCP_BOOTREPLY || msg->yiaddr != 0 || o->dest_port == 0)
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  ProxyConfig *c = fuzz_config ();
  ProxyArrival arr = { .server_addr = htonl (0xc6336401), .peer_addr = htonl (0xc6336432),
                       .peer_port = 68, .port_4011 = TRUE };
  ProxyOutcome out;

  for (guint pass = 0; pass < 3; pass++)
    {
      arr.port_4011 = pass != 2;
      arr.peer_port = pass == 0 ? 68 : pass == 1 ? 4011 : 68;
      arr.peer_addr = pass == 1 ? 0 : htonl (0xc6336432);
      c->file_in_offer = pass == 2 ? PROXY_FILE_IN_OFFER_ALWAYS : PROXY_FILE_IN_OFFER_AUTO;
      proxy_handle (c, data, size, &arr, &out);
      check (&out);
      proxy_outcome_clear (&out);
    }
  return 0;
}
