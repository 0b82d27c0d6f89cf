/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-pxe-config.h"

#include <arpa/inet.h>
#include <string.h>

#define DHCP_PXE_CONFIG_MAX_FILE 1024

const char *
dhcp_pxe_config_node_string (const PxedNode *node, GError **error)
{
  const char *s = pxed_node_get_scalar (node);

  if (s == NULL)
    pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected a string");
  return s;
}

gboolean
dhcp_pxe_config_node_ipv4 (const PxedNode *node, guint32 *out, GError **error)
{
  const char *s = pxed_node_get_scalar (node);

  if (s == NULL || inet_pton (AF_INET, s, out) != 1)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected an IPv4 address");
      return FALSE;
    }
  return TRUE;
}

static const char *
boot_file_value (const PxedNode *node, GError **error)
{
  const char *file = dhcp_pxe_config_node_string (node, error);

  if (file != NULL && strlen (file) > DHCP_PXE_CONFIG_MAX_FILE)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_RANGE, "boot file name too long");
      return NULL;
    }
  return file;
}

gboolean
dhcp_pxe_config_parse_boot_files (const PxedNode *node, DhcpBootTable *table, GError **error)
{
  if (pxed_node_get_kind (node) != PXED_NODE_MAPPING)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a mapping of architecture to boot file");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      const char *key = pxed_node_get_key (node, i);
      const char *file = boot_file_value (pxed_node_get_item (node, i), error);
      gint arch[2];
      guint n = dhcp_pxe_parse_arch (key, arch);

      if (file == NULL)
        return FALSE;
      if (n == 0)
        {
          pxed_node_set_error (pxed_node_get_key_node (node, i), error, PXED_CONFIG_ERROR_INVALID,
                               "unknown architecture '%s' (bios, efi-ia32, efi-bc, efi-x64, "
                               "efi-arm32, efi-arm64, efi-x64-http, efi-arm64-http, any or a number)",
                               key);
          return FALSE;
        }
      for (guint k = 0; k < n; k++)
        dhcp_boot_table_set (table, arch[k], file);
    }
  return TRUE;
}

static DhcpBootTable *
ensure_table (DhcpBootTable **table)
{
  if (*table == NULL)
    *table = dhcp_boot_table_new ();
  return *table;
}

gboolean
dhcp_pxe_config_parse_boot (const PxedNode *map, DhcpBootTable **table, GError **error)
{
  const PxedNode *n;

  if (map == NULL || pxed_node_get_kind (map) != PXED_NODE_MAPPING)
    return TRUE;
  if ((n = pxed_node_lookup (map, "boot-file")) != NULL)
    {
      const char *f = boot_file_value (n, error);
      if (f == NULL)
        return FALSE;
      dhcp_boot_table_set (ensure_table (table), DHCP_ARCH_ANY, f);
    }
  if ((n = pxed_node_lookup (map, "boot-files")) != NULL &&
      !dhcp_pxe_config_parse_boot_files (n, ensure_table (table), error))
    return FALSE;
  if ((n = pxed_node_lookup (map, "ipxe-script")) != NULL)
    {
      const char *s = boot_file_value (n, error);
      if (s == NULL)
        return FALSE;
      if (*s != '\0')
        dhcp_boot_table_set_ipxe_script (ensure_table (table), s);
    }
  return TRUE;
}

gboolean
dhcp_pxe_config_parse_next_server (const PxedNode *map, guint32 *out, GError **error)
{
  const PxedNode *n;
  guint32 a;

  if (map == NULL || (n = pxed_node_lookup (map, "next-server")) == NULL)
    return TRUE;
  if (!dhcp_pxe_config_node_ipv4 (n, &a, error))
    return FALSE;
  if (a == 0 || a == G_MAXUINT32 || (g_ntohl (a) >> 28) == 14)
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_INVALID, "expected an IPv4 unicast address");
      return FALSE;
    }
  *out = a;
  return TRUE;
}
