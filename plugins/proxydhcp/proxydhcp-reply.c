/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proxydhcp-reply.h"

#include <arpa/inet.h>
#include <string.h>

#define PROXY_STAGE_OFFER "proxydhcp-offer"
#define PROXY_STAGE_ACK   "proxydhcp-ack"

ProxyMenuItem *
proxy_menu_item_new (guint16 type, const char *description)
{
  ProxyMenuItem *item = g_new0 (ProxyMenuItem, 1);

  item->type = type;
  item->description = g_strdup (description != NULL ? description : "");
  return item;
}

void
proxy_menu_item_free (ProxyMenuItem *item)
{
  if (item == NULL)
    return;
  g_free (item->description);
  g_clear_pointer (&item->boot, dhcp_boot_table_free);
  g_free (item);
}

ProxyConfig *
proxy_config_new (void)
{
  ProxyConfig *c = g_new0 (ProxyConfig, 1);

  c->boot_defaults = dhcp_boot_table_new_default ();
  c->file_in_offer = PROXY_FILE_IN_OFFER_AUTO;
  c->file_in_offer_archs = g_array_new (FALSE, FALSE, sizeof (gint));
  c->menu_timeout = 10;
  c->menu_items = g_ptr_array_new_with_free_func ((GDestroyNotify) proxy_menu_item_free);
  return c;
}

void
proxy_config_free (ProxyConfig *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->boot, dhcp_boot_table_free);
  g_clear_pointer (&c->boot_defaults, dhcp_boot_table_free);
  g_array_unref (c->file_in_offer_archs);
  g_free (c->menu_prompt);
  g_ptr_array_unref (c->menu_items);
  g_free (c);
}

void
proxy_outcome_clear (ProxyOutcome *o)
{
  g_clear_pointer (&o->reply, g_bytes_unref);
  g_clear_pointer (&o->mac, g_free);
  g_clear_pointer (&o->boot_file, g_free);
  if (o->parsed)
    dhcp_pxe_info_clear (&o->pxe);
  memset (o, 0, sizeof *o);
}

/* ---- decisions ------------------------------------------------------------ */

static gboolean
menu_applies (const ProxyConfig *c, const DhcpPxeInfo *info)
{
  /* iPXE gets its script instead (a menu would only bring it back here);
   * HTTP boot has no PXE menu. */
  return c->menu_items->len > 0 && info->pxe_client && !info->http_client && !info->ipxe;
}

gboolean
proxy_file_in_offer (const ProxyConfig *c, const DhcpPxeInfo *info)
{
  switch (c->file_in_offer)
    {
    case PROXY_FILE_IN_OFFER_ALWAYS:
      return TRUE;
    case PROXY_FILE_IN_OFFER_NEVER:
      return FALSE;
    case PROXY_FILE_IN_OFFER_ARCHS:
      for (guint i = 0; i < c->file_in_offer_archs->len; i++)
        {
          gint a = g_array_index (c->file_in_offer_archs, gint, i);
          if (a == DHCP_ARCH_ANY || a == info->arch)
            return TRUE;
        }
      return FALSE;
    case PROXY_FILE_IN_OFFER_AUTO:
    default:
      if (info->http_client || info->ipxe)
        return TRUE;
      return info->arch > DHCP_ARCH_BIOS;
    }
}

static const ProxyMenuItem *
find_menu_item (const ProxyConfig *c, guint16 type)
{
  for (guint i = 0; i < c->menu_items->len; i++)
    {
      const ProxyMenuItem *item = g_ptr_array_index (c->menu_items, i);
      if (item->type == type)
        return item;
    }
  return NULL;
}

static char *
choose_file (const ProxyConfig *c, const DhcpPxeInfo *info, const ProxyMenuItem *item,
             guint32 boot_server)
{
  const DhcpBootTable *tables[3];
  guint n = 0;
  char next[INET_ADDRSTRLEN];

  if (item != NULL && item->boot != NULL)
    tables[n++] = item->boot;
  tables[n++] = c->boot;
  tables[n++] = c->boot_defaults;
  inet_ntop (AF_INET, &boot_server, next, sizeof next);
  return dhcp_boot_choose (tables, n, info, next);
}

/* ---- option 43 ------------------------------------------------------------ */

GBytes *
proxy_build_vendor_options (const ProxyConfig *c, const DhcpPxeInfo *info, gboolean file_in_offer,
                            guint32 boot_server)
{
  g_autoptr(GByteArray) a = NULL;

  if (info->http_client || !info->pxe_client)
    return NULL;
  a = g_byte_array_new ();
  if (menu_applies (c, info))
    {
      g_autofree DhcpPxeMenuEntry *entries = g_new0 (DhcpPxeMenuEntry, c->menu_items->len);

      for (guint i = 0; i < c->menu_items->len; i++)
        {
          const ProxyMenuItem *item = g_ptr_array_index (c->menu_items, i);
          entries[i].type = item->type;
          entries[i].description = item->description;
        }
      dhcp_pxe_vendor_add_discovery_control (a, DHCP_PXE_DISCOVERY_NO_BROADCAST |
                                                DHCP_PXE_DISCOVERY_NO_MULTICAST |
                                                DHCP_PXE_DISCOVERY_LIST_ONLY);
      dhcp_pxe_vendor_add_menu (a, entries, c->menu_items->len, boot_server);
      if (c->menu_prompt != NULL)
        dhcp_pxe_vendor_add_prompt (a, c->menu_timeout, c->menu_prompt);
    }
  else if (info->arch == DHCP_ARCH_BIOS)
    {
      guint8 ctl = DHCP_PXE_DISCOVERY_NO_BROADCAST | DHCP_PXE_DISCOVERY_NO_MULTICAST;

      if (file_in_offer)
        ctl |= DHCP_PXE_DISCOVERY_USE_FILE;
      dhcp_pxe_vendor_add_discovery_control (a, ctl);
    }
  else
    return NULL;
  return dhcp_pxe_vendor_finish (g_steal_pointer (&a));
}

/* ---- replies -------------------------------------------------------------- */

static void
set_common (DhcpBuilder *b, const DhcpMessage *req, const DhcpPxeInfo *info, guint32 server_addr)
{
  const guint8 *p;
  gsize len;
  guint8 prl[255];

  dhcp_builder_copy_request (b, req);
  dhcp_builder_set_option_ip (b, DHCP_OPT_SERVER_ID, server_addr);
  dhcp_builder_set_option_str (b, DHCP_OPT_VENDOR_CLASS, info->http_client ? "HTTPClient" : "PXEClient");
  p = dhcp_message_get_option (req, DHCP_OPT_CLIENT_UUID, &len);
  if (p != NULL && len > 0)
    dhcp_builder_set_option (b, DHCP_OPT_CLIENT_UUID, p, MIN (len, 255));
  p = dhcp_message_get_option (req, DHCP_OPT_PRL, &len);
  if (p != NULL)
    {
      len = MIN (len, sizeof prl);
      memcpy (prl, p, len);
      dhcp_builder_set_request_list (b, prl, len);
    }
  dhcp_builder_set_max_size (b, dhcp_message_get_max_reply_size (req));
}

static void
set_boot_file (DhcpBuilder *b, const DhcpMessage *req, const char *file)
{
  gboolean in_field = dhcp_builder_set_file (b, file);

  if (!in_field || dhcp_message_requested (req, DHCP_OPT_BOOTFILE))
    dhcp_builder_set_option_str (b, DHCP_OPT_BOOTFILE, file);
}

static void
handle_discover (const ProxyConfig *c, const DhcpMessage *req, const ProxyArrival *arr,
                 ProxyOutcome *o)
{
  const DhcpPxeInfo *info = &o->pxe;
  guint32 boot_server = c->next_server != 0 ? c->next_server : arr->server_addr;
  gboolean menu = menu_applies (c, info);
  g_autofree char *file = NULL;
  gboolean with_file;
  g_autoptr(DhcpBuilder) b = NULL;
  g_autoptr(GBytes) vendor = NULL;
  g_autoptr(GError) error = NULL;

  file = choose_file (c, info, NULL, boot_server);
  if (file == NULL && !menu)
    {
      o->drop_reason = info->ipxe ? "no boot file for this iPXE client (loop protection)"
                                  : "no boot file for this architecture";
      return;
    }
  with_file = file != NULL && !menu && proxy_file_in_offer (c, info);

  b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_OFFER);
  set_common (b, req, info, arr->server_addr);
  vendor = proxy_build_vendor_options (c, info, with_file, arr->server_addr);
  if (vendor != NULL)
    dhcp_builder_set_option (b, DHCP_OPT_VENDOR, g_bytes_get_data (vendor, NULL),
                             g_bytes_get_size (vendor));
  if (with_file)
    {
      dhcp_builder_set_siaddr (b, boot_server);
      set_boot_file (b, req, file);
      o->boot_file = g_steal_pointer (&file);
      o->boot_server = boot_server;
    }
  o->reply = dhcp_builder_encode (b, &error);
  if (o->reply == NULL)
    {
      o->drop_reason = "reply does not fit the client's size limit";
      return;
    }
  dhcp_message_reply_destination (req, FALSE, &o->dest_addr, &o->dest_port);
  o->stage = PROXY_STAGE_OFFER;
}

static void
handle_boot_request (const ProxyConfig *c, const DhcpMessage *req, const ProxyArrival *arr,
                     ProxyOutcome *o)
{
  const DhcpPxeInfo *info = &o->pxe;
  guint32 boot_server = c->next_server != 0 ? c->next_server : arr->server_addr;
  guint16 type = 0, layer = 0;
  gboolean has_item = dhcp_pxe_find_boot_item (req, &type, &layer);
  const ProxyMenuItem *item = has_item && type != 0 ? find_menu_item (c, type) : NULL;
  g_autofree char *file = NULL;
  g_autoptr(DhcpBuilder) b = NULL;
  g_autoptr(GError) error = NULL;

  if (arr->peer_port == 0)
    {
      o->drop_reason = "source port 0";
      return;
    }
  file = choose_file (c, info, item, boot_server);
  if (file == NULL)
    {
      o->drop_reason = info->ipxe ? "no boot file for this iPXE client (loop protection)"
                                  : "no boot file for this architecture";
      return;
    }
  b = dhcp_builder_new (DHCP_BOOTREPLY, DHCP_ACK);
  set_common (b, req, info, arr->server_addr);
  dhcp_builder_set_ciaddr (b, req->ciaddr);
  dhcp_builder_set_siaddr (b, boot_server);
  set_boot_file (b, req, file);
  if (has_item)
    {
      g_autoptr(GByteArray) item_opt = g_byte_array_new ();
      g_autoptr(GBytes) vendor = NULL;

      dhcp_pxe_vendor_add_boot_item (item_opt, type, layer);
      vendor = dhcp_pxe_vendor_finish (g_steal_pointer (&item_opt));
      dhcp_builder_set_option (b, DHCP_OPT_VENDOR, g_bytes_get_data (vendor, NULL),
                               g_bytes_get_size (vendor));
      o->boot_item = type;
    }
  if (dhcp_message_requested (req, DHCP_OPT_TFTP_SERVER))
    {
      char next[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &boot_server, next, sizeof next);
      dhcp_builder_set_option_str (b, DHCP_OPT_TFTP_SERVER, next);
    }
  o->reply = dhcp_builder_encode (b, &error);
  if (o->reply == NULL)
    {
      o->drop_reason = "reply does not fit the client's size limit";
      return;
    }
  o->boot_file = g_steal_pointer (&file);
  o->boot_server = boot_server;
  /* Back where it came from: iPXE sends from 68, EDK2's own PXE from 4011. */
  if (arr->peer_addr != 0)
    o->dest_addr = arr->peer_addr;
  else if (req->ciaddr != 0)
    o->dest_addr = req->ciaddr;
  else
    o->dest_addr = htonl (INADDR_BROADCAST);
  o->dest_port = arr->peer_port;
  o->stage = PROXY_STAGE_ACK;
}

void
proxy_handle (const ProxyConfig *c, const guint8 *data, gsize len, const ProxyArrival *arr,
              ProxyOutcome *o)
{
  g_autoptr(DhcpMessage) req = NULL;
  g_autoptr(GError) error = NULL;

  memset (o, 0, sizeof *o);
  req = dhcp_message_parse (data, len, &error);
  if (req == NULL)
    {
      o->drop_reason = "malformed message";
      return;
    }
  if (req->op != DHCP_BOOTREQUEST)
    {
      o->drop_reason = "not a BOOTREQUEST";
      return;
    }
  o->request_type = dhcp_message_get_type (req);
  o->mac = dhcp_message_get_mac (req);
  dhcp_pxe_info_init (&o->pxe, req);
  o->parsed = TRUE;
  if (!o->pxe.pxe_client && !o->pxe.http_client)
    {
      o->drop_reason = "not a PXE client";
      return;
    }
  if (arr->server_addr == 0)
    {
      o->drop_reason = "no IPv4 address on the arrival interface";
      return;
    }
  if (!arr->port_4011)
    {
      if (o->request_type != DHCP_DISCOVER)
        {
          o->drop_reason = "not a DISCOVER (the DHCP server answers it)";
          return;
        }
      handle_discover (c, req, arr, o);
    }
  else
    {
      if (o->request_type != DHCP_REQUEST && o->request_type != DHCP_INFORM)
        {
          o->drop_reason = "not a REQUEST or INFORM";
          return;
        }
      handle_boot_request (c, req, arr, o);
    }
}
