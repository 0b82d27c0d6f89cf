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

static void
append_subopt (GByteArray *a, guint8 code, const guint8 *data, gsize len)
{
  guint8 hdr[2] = { code, (guint8) MIN (len, 255) };

  g_byte_array_append (a, hdr, 2);
  g_byte_array_append (a, data, (guint) MIN (len, 255));
}

GBytes *
proxy_build_vendor_options (const ProxyConfig *c, const DhcpPxeInfo *info, gboolean file_in_offer,
                            guint32 boot_server)
{
  g_autoptr(GByteArray) a = NULL;
  guint8 end = 255;

  if (info->http_client || !info->pxe_client)
    return NULL;
  a = g_byte_array_new ();
  if (menu_applies (c, info))
    {
      g_autoptr(GByteArray) servers = g_byte_array_new ();
      g_autoptr(GByteArray) menu = g_byte_array_new ();
      guint8 ctl = PXE_DISCOVERY_NO_BROADCAST | PXE_DISCOVERY_NO_MULTICAST | PXE_DISCOVERY_LIST_ONLY;

      append_subopt (a, PXE_SUBOPT_DISCOVERY_CONTROL, &ctl, 1);
      for (guint i = 0; i < c->menu_items->len; i++)
        {
          const ProxyMenuItem *item = g_ptr_array_index (c->menu_items, i);
          gsize dlen = MIN (strlen (item->description), 255);
          guint8 head[3] = { (guint8) (item->type >> 8), (guint8) item->type, (guint8) dlen };

          if (menu->len + 3 + dlen > 255)
            break; /* the rest does not fit one sub-option */
          g_byte_array_append (menu, head, 3);
          g_byte_array_append (menu, (const guint8 *) item->description, (guint) dlen);
          /* Type 0 is "local boot": no server to discover. */
          if (item->type != 0 && servers->len + 7 <= 255)
            {
              guint8 srv[7] = { (guint8) (item->type >> 8), (guint8) item->type, 1 };
              memcpy (srv + 3, &boot_server, 4);
              g_byte_array_append (servers, srv, 7);
            }
        }
      if (servers->len > 0)
        append_subopt (a, PXE_SUBOPT_BOOT_SERVERS, servers->data, servers->len);
      append_subopt (a, PXE_SUBOPT_BOOT_MENU, menu->data, menu->len);
      if (c->menu_prompt != NULL)
        {
          g_autoptr(GByteArray) prompt = g_byte_array_new ();
          gsize plen = MIN (strlen (c->menu_prompt), 254);

          g_byte_array_append (prompt, &c->menu_timeout, 1);
          g_byte_array_append (prompt, (const guint8 *) c->menu_prompt, (guint) plen);
          append_subopt (a, PXE_SUBOPT_MENU_PROMPT, prompt->data, prompt->len);
        }
    }
  else if (info->arch == DHCP_ARCH_BIOS)
    {
      guint8 ctl = PXE_DISCOVERY_NO_BROADCAST | PXE_DISCOVERY_NO_MULTICAST;

      if (file_in_offer)
        ctl |= PXE_DISCOVERY_USE_FILE;
      append_subopt (a, PXE_SUBOPT_DISCOVERY_CONTROL, &ctl, 1);
    }
  else
    return NULL;
  g_byte_array_append (a, &end, 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&a));
}

/* The boot item (sub-option 71) in a request's option 43; FALSE when absent
 * or when option 43 is not a well-formed sub-option list. */
static gboolean
find_boot_item (const DhcpMessage *msg, guint16 *type, guint16 *layer)
{
  gsize len, pos = 0;
  const guint8 *p = dhcp_message_get_option (msg, DHCP_OPT_VENDOR, &len);

  if (p == NULL)
    return FALSE;
  while (pos < len)
    {
      guint8 code = p[pos];
      gsize l;

      if (code == 255)
        break;
      if (code == 0)
        {
          pos++;
          continue;
        }
      if (len - pos < 2)
        return FALSE;
      l = p[pos + 1];
      if (len - pos - 2 < l)
        return FALSE;
      if (code == PXE_SUBOPT_BOOT_ITEM && l >= 4)
        {
          *type = (guint16) ((p[pos + 2] << 8) | p[pos + 3]);
          *layer = (guint16) ((p[pos + 4] << 8) | p[pos + 5]);
          return TRUE;
        }
      pos += 2 + l;
    }
  return FALSE;
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

static gboolean
requested (const DhcpMessage *req, guint8 code)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (req, DHCP_OPT_PRL, &len);

  return p != NULL && memchr (p, code, len) != NULL;
}

static void
set_boot_file (DhcpBuilder *b, const DhcpMessage *req, const char *file)
{
  gboolean in_field = dhcp_builder_set_file (b, file);

  if (!in_field || requested (req, DHCP_OPT_BOOTFILE))
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
  if (req->giaddr != 0)
    {
      o->dest_addr = req->giaddr;
      o->dest_port = DHCP_SERVER_PORT;
    }
  else if (req->ciaddr != 0)
    {
      o->dest_addr = req->ciaddr;
      o->dest_port = DHCP_CLIENT_PORT;
    }
  else
    {
      o->dest_addr = htonl (INADDR_BROADCAST);
      o->dest_port = DHCP_CLIENT_PORT;
    }
  o->stage = PROXY_STAGE_OFFER;
}

static void
handle_boot_request (const ProxyConfig *c, const DhcpMessage *req, const ProxyArrival *arr,
                     ProxyOutcome *o)
{
  const DhcpPxeInfo *info = &o->pxe;
  guint32 boot_server = c->next_server != 0 ? c->next_server : arr->server_addr;
  guint16 type = 0, layer = 0;
  gboolean has_item = find_boot_item (req, &type, &layer);
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
      guint8 vendor[7] = { PXE_SUBOPT_BOOT_ITEM, 4, (guint8) (type >> 8), (guint8) type,
                           (guint8) (layer >> 8), (guint8) layer, 255 };
      dhcp_builder_set_option (b, DHCP_OPT_VENDOR, vendor, sizeof vendor);
      o->boot_item = type;
    }
  if (requested (req, DHCP_OPT_TFTP_SERVER))
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
