/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proxydhcp-config.h"

#include <string.h>

const PxedOptionSpec proxy_plugin_options[] = {
  { "listen", PXED_OPTION_LIST, PROXY_DEFAULT_LISTEN, 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "where to receive DHCPDISCOVERs (shared with the dhcp plugin): ADDRESS[:PORT] or INTERFACE",
    NULL },
  { "listen-4011", PXED_OPTION_LIST, PROXY_DEFAULT_LISTEN_4011, 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "where to receive PXE boot requests (port 4011): ADDRESS[:PORT] or INTERFACE; [] disables",
    NULL },
  { "next-server", PXED_OPTION_STRING, NULL, 0, 0, 0,
    "IPv4 address of the boot (TFTP) server; default: pxed's address on the arrival interface",
    NULL },
  DHCP_PXE_CONFIG_OPTION_BOOT_FILES,
  DHCP_PXE_CONFIG_OPTION_IPXE_SCRIPT,
  { "menu", PXED_OPTION_MAP, NULL, 0, 0, 0,
    "PXE boot menu for PXE clients (not iPXE, not HTTP boot): {prompt, timeout, items: "
    "[{description, type, boot-file, boot-files}]}", NULL },
  { "boot-file-in-offer", PXED_OPTION_ANY, NULL, 0, 0, 0,
    "carry siaddr and the boot file in the port-67 offer too: auto (default: every client "
    "but BIOS PXE ROMs), true, false, or a list of architectures", NULL },
  { NULL }
};

static gboolean
parse_file_in_offer (const PxedNode *node, ProxyConfig *c, GError **error)
{
  const char *s = pxed_node_get_scalar (node);
  gboolean b;

  if (s != NULL)
    {
      if (g_ascii_strcasecmp (s, "auto") == 0)
        {
          c->file_in_offer = PROXY_FILE_IN_OFFER_AUTO;
          return TRUE;
        }
      if (pxed_node_get_bool (node, &b, NULL))
        {
          c->file_in_offer = b ? PROXY_FILE_IN_OFFER_ALWAYS : PROXY_FILE_IN_OFFER_NEVER;
          return TRUE;
        }
    }
  if (pxed_node_get_kind (node) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected auto, true, false or a list of architectures");
      return FALSE;
    }
  c->file_in_offer = PROXY_FILE_IN_OFFER_ARCHS;
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      const PxedNode *item = pxed_node_get_item (node, i);
      const char *name = dhcp_pxe_config_node_string (item, error);
      gint arch[2];
      guint n;

      if (name == NULL)
        return FALSE;
      n = dhcp_pxe_parse_arch (name, arch);
      if (n == 0)
        {
          pxed_node_set_error (item, error, PXED_CONFIG_ERROR_INVALID,
                               "unknown architecture '%s'", name);
          return FALSE;
        }
      g_array_append_vals (c->file_in_offer_archs, arch, n);
    }
  return TRUE;
}

static gboolean
check_keys (const PxedNode *map, const char *const *known, GError **error)
{
  for (guint i = 0; i < pxed_node_get_n_items (map); i++)
    {
      const char *key = pxed_node_get_key (map, i);

      if (!g_strv_contains (known, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) known);
          pxed_node_set_error (pxed_node_get_key_node (map, i), error,
                               PXED_CONFIG_ERROR_UNKNOWN_KEY, "unknown key '%s' (expected %s)",
                               key, list);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_menu_item (const PxedNode *node, guint index, ProxyConfig *c, GError **error)
{
  static const char *const known[] = { "description", "type", "boot-file", "boot-files", NULL };
  const PxedNode *n;
  const char *desc;
  guint64 type = 0x8001 + index;
  ProxyMenuItem *item;

  if (pxed_node_get_kind (node) != PXED_NODE_MAPPING)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a menu item {description, type, boot-file, boot-files}");
      return FALSE;
    }
  if (!check_keys (node, known, error))
    return FALSE;
  if ((n = pxed_node_lookup (node, "description")) == NULL)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_MISSING,
                           "a menu item needs a description");
      return FALSE;
    }
  if ((desc = dhcp_pxe_config_node_string (n, error)) == NULL)
    return FALSE;
  if (strlen (desc) > 80)
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_RANGE,
                           "menu item descriptions are at most 80 characters");
      return FALSE;
    }
  if ((n = pxed_node_lookup (node, "type")) != NULL)
    {
      const char *s = pxed_node_get_scalar (n);

      if (s != NULL && g_ascii_strcasecmp (s, "local") == 0)
        type = 0;
      else if (!pxed_node_get_uint (n, &type, error))
        return FALSE;
      else if (type > 0xfffe)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_RANGE,
                               "boot server type must be 0 (local) to 65534");
          return FALSE;
        }
    }
  for (guint i = 0; i < c->menu_items->len; i++)
    if (((ProxyMenuItem *) g_ptr_array_index (c->menu_items, i))->type == type)
      {
        pxed_node_set_error (node, error, PXED_CONFIG_ERROR_DUPLICATE,
                             "two menu items have boot server type %u", (guint) type);
        return FALSE;
      }
  item = proxy_menu_item_new ((guint16) type, desc);
  g_ptr_array_add (c->menu_items, item);
  return dhcp_pxe_config_parse_boot (node, &item->boot, error);
}

static gboolean
parse_menu (const PxedNode *node, ProxyConfig *c, GError **error)
{
  static const char *const known[] = { "prompt", "timeout", "items", NULL };
  const PxedNode *n;
  const PxedNode *items;

  if (!check_keys (node, known, error))
    return FALSE;
  if ((n = pxed_node_lookup (node, "prompt")) != NULL)
    {
      const char *p = dhcp_pxe_config_node_string (n, error);
      if (p == NULL)
        return FALSE;
      if (strlen (p) > 200)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_RANGE,
                               "the prompt is at most 200 characters");
          return FALSE;
        }
      c->menu_prompt = g_strdup (p);
    }
  if ((n = pxed_node_lookup (node, "timeout")) != NULL)
    {
      guint64 t;
      const char *s = pxed_node_get_scalar (n);

      if (s != NULL && g_ascii_strcasecmp (s, "never") == 0)
        t = 255;
      else if (!pxed_node_get_uint (n, &t, error))
        return FALSE;
      if (t > 255)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_RANGE,
                               "timeout is 0 to 254 seconds, or 255/never (wait for a key)");
          return FALSE;
        }
      c->menu_timeout = (guint8) t;
    }
  items = pxed_node_lookup (node, "items");
  if (items == NULL || pxed_node_get_kind (items) != PXED_NODE_SEQUENCE ||
      pxed_node_get_n_items (items) == 0)
    {
      pxed_node_set_error (items != NULL ? items : node, error, PXED_CONFIG_ERROR_INVALID,
                           "a menu needs a non-empty list of items");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (items); i++)
    if (!parse_menu_item (pxed_node_get_item (items, i), i, c, error))
      return FALSE;
  return TRUE;
}

ProxyConfig *
proxy_config_parse (const PxedSection *sec, GError **error)
{
  g_autoptr(ProxyConfig) c = proxy_config_new ();
  const PxedNode *root = pxed_section_get_root (sec);
  const PxedNode *n;

  if (!dhcp_pxe_config_parse_next_server (root, &c->next_server, error) ||
      !dhcp_pxe_config_parse_boot (root, &c->boot, error))
    return NULL;
  if ((n = pxed_section_get_node (sec, "menu")) != NULL && !parse_menu (n, c, error))
    return NULL;
  if ((n = pxed_section_get_node (sec, "boot-file-in-offer")) != NULL &&
      !parse_file_in_offer (n, c, error))
    return NULL;
  return g_steal_pointer (&c);
}
