/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-pxe.h"

#include <stdlib.h>
#include <string.h>

static gboolean
has_prefix_len (const char *s, const char *prefix)
{
  return s != NULL && g_ascii_strncasecmp (s, prefix, strlen (prefix)) == 0;
}

static gint
arch_from_vendor_class (const char *vc)
{
  /* "PXEClient:Arch:00007:UNDI:003010" */
  const char *p = strstr (vc, ":Arch:");
  char digits[6];

  if (p == NULL)
    return -1;
  p += 6;
  for (guint i = 0; i < 5; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      digits[i] = p[i];
    }
  digits[5] = '\0';
  return (gint) strtol (digits, NULL, 10);
}

static gboolean
user_class_is_ipxe (const guint8 *p, gsize len)
{
  gsize pos = 0;

  len = dhcp_string_trim_len (p, len);
  if (len == 4 && memcmp (p, "iPXE", 4) == 0)
    return TRUE;
  /* RFC 3004: a list of length-prefixed instances */
  while (pos < len)
    {
      gsize l = p[pos];
      if (len - pos - 1 < l)
        return FALSE;
      if (l == 4 && memcmp (p + pos + 1, "iPXE", 4) == 0)
        return TRUE;
      pos += 1 + l;
    }
  return FALSE;
}

void
dhcp_pxe_info_init (DhcpPxeInfo *info, const DhcpMessage *msg)
{
  const guint8 *p;
  gsize len;

  memset (info, 0, sizeof *info);
  info->arch = -1;
  info->vendor_class = dhcp_message_get_string (msg, DHCP_OPT_VENDOR_CLASS);
  if (info->vendor_class != NULL)
    {
      info->pxe_client = has_prefix_len (info->vendor_class, "PXEClient");
      info->http_client = has_prefix_len (info->vendor_class, "HTTPClient");
      if (info->pxe_client || info->http_client)
        info->arch = arch_from_vendor_class (info->vendor_class);
    }
  p = dhcp_message_get_option (msg, DHCP_OPT_CLIENT_ARCH, &len);
  if (p != NULL && len >= 2)
    info->arch = (p[0] << 8) | p[1];
  p = dhcp_message_get_option (msg, DHCP_OPT_USER_CLASS, &len);
  if (p != NULL && len > 0)
    {
      gsize tl = dhcp_string_trim_len (p, len);
      if (tl > 0)
        {
          GString *s = g_string_new (NULL);
          for (gsize i = 0; i < tl && i < 128; i++)
            {
              if (p[i] >= 0x20 && p[i] < 0x7f)
                g_string_append_c (s, (char) p[i]);
              else
                g_string_append_printf (s, "\\x%02x", p[i]);
            }
          info->user_class = g_string_free (s, FALSE);
        }
      info->ipxe = user_class_is_ipxe (p, len);
    }
  if (dhcp_message_has_option (msg, DHCP_OPT_IPXE_ENCAP))
    info->ipxe = TRUE;
  p = dhcp_message_get_option (msg, DHCP_OPT_CLIENT_UUID, &len);
  if (p != NULL && len == 17 && p[0] == 0)
    {
      p++;
      info->uuid = g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                                    "%02x%02x%02x%02x%02x%02x",
                                    p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9],
                                    p[10], p[11], p[12], p[13], p[14], p[15]);
    }
  p = dhcp_message_get_option (msg, DHCP_OPT_CLIENT_NDI, &len);
  if (p != NULL && len == 3)
    {
      memcpy (info->ndi, p, 3);
      info->has_ndi = TRUE;
    }
  /* A PXE client too old to send its architecture is a BIOS one. */
  if (info->arch < 0 && info->pxe_client)
    info->arch = DHCP_ARCH_BIOS;
}

void
dhcp_pxe_info_clear (DhcpPxeInfo *info)
{
  g_clear_pointer (&info->vendor_class, g_free);
  g_clear_pointer (&info->user_class, g_free);
  g_clear_pointer (&info->uuid, g_free);
}

gboolean
dhcp_pxe_info_is_boot_client (const DhcpPxeInfo *info)
{
  return info->pxe_client || info->http_client || info->ipxe || info->arch >= 0;
}

guint
dhcp_pxe_parse_arch (const char *name, gint out[2])
{
  static const struct { const char *name; gint a, b; } names[] = {
    { "bios", 0, -2 },           { "efi-ia32", 6, -2 },      { "efi-bc", 7, -2 },
    { "efi-x64", 7, 9 },         { "efi-arm32", 10, -2 },    { "efi-arm64", 11, -2 },
    { "efi-x64-http", 16, -2 },  { "efi-arm64-http", 19, -2 }, { "any", DHCP_ARCH_ANY, -2 },
  };
  guint64 v;

  if (name == NULL)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (name, names[i].name) == 0)
        {
          out[0] = names[i].a;
          out[1] = names[i].b;
          return names[i].b == -2 ? 1 : 2;
        }
    }
  if (g_ascii_string_to_unsigned (name, 10, 0, 65535, &v, NULL))
    {
      out[0] = (gint) v;
      return 1;
    }
  return 0;
}

struct _DhcpBootTable {
  GHashTable *files; /* GINT_TO_POINTER (arch + 1) -> char* */
  char *ipxe_script;
};

DhcpBootTable *
dhcp_boot_table_new (void)
{
  DhcpBootTable *t = g_new0 (DhcpBootTable, 1);

  t->files = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return t;
}

DhcpBootTable *
dhcp_boot_table_new_default (void)
{
  DhcpBootTable *t = dhcp_boot_table_new ();

  dhcp_boot_table_set (t, DHCP_ARCH_BIOS, "pxelinux.0");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_IA32, "efi32/syslinux.efi");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_BC, "efi64/syslinux.efi");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_X64, "efi64/syslinux.efi");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_ARM64, "grubaa64.efi");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_X64_HTTP, "http://{next-server}/grubx64.efi");
  dhcp_boot_table_set (t, DHCP_ARCH_EFI_ARM64_HTTP, "http://{next-server}/grubaa64.efi");
  return t;
}

void
dhcp_boot_table_free (DhcpBootTable *table)
{
  if (table == NULL)
    return;
  g_hash_table_unref (table->files);
  g_free (table->ipxe_script);
  g_free (table);
}

void
dhcp_boot_table_set (DhcpBootTable *table, gint arch, const char *file)
{
  if (file == NULL)
    g_hash_table_remove (table->files, GINT_TO_POINTER (arch + 1));
  else
    g_hash_table_replace (table->files, GINT_TO_POINTER (arch + 1), g_strdup (file));
}

const char *
dhcp_boot_table_get (const DhcpBootTable *table, gint arch)
{
  return g_hash_table_lookup (table->files, GINT_TO_POINTER (arch + 1));
}

void
dhcp_boot_table_set_ipxe_script (DhcpBootTable *table, const char *url)
{
  g_free (table->ipxe_script);
  table->ipxe_script = g_strdup (url);
}

const char *
dhcp_boot_table_get_ipxe_script (const DhcpBootTable *table)
{
  return table->ipxe_script;
}

gboolean
dhcp_boot_file_is_ipxe_binary (const char *file)
{
  static const char *const exts[] = { ".kpxe", ".kkpxe", ".kkkpxe", ".pxe", ".efi", ".lkrn", ".0" };
  g_autofree char *lower = NULL;
  const char *base;

  if (file == NULL)
    return FALSE;
  lower = g_ascii_strdown (file, -1);
  base = strrchr (lower, '/');
  base = base != NULL ? base + 1 : lower;
  if (strstr (base, "ipxe") == NULL && strstr (base, "undionly") == NULL &&
      strstr (base, "snponly") == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (base, exts[i]))
      return TRUE;
  return FALSE;
}

static char *
expand_file (const char *file, const char *next_server)
{
  g_autoptr(GString) s = g_string_new (file);

  g_string_replace (s, "{next-server}", next_server != NULL ? next_server : "", 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static const char *
lookup_arch (const DhcpBootTable *const *tables, guint n_tables, gint arch)
{
  for (guint i = 0; i < n_tables; i++)
    {
      const char *f;

      if (tables[i] == NULL)
        continue;
      if (arch >= 0 && (f = dhcp_boot_table_get (tables[i], arch)) != NULL)
        return f;
      if ((f = dhcp_boot_table_get (tables[i], DHCP_ARCH_ANY)) != NULL)
        return f;
    }
  return NULL;
}

char *
dhcp_boot_choose (const DhcpBootTable *const *tables, guint n_tables, const DhcpPxeInfo *info,
                  const char *next_server)
{
  const char *file = NULL;

  if (info->ipxe)
    {
      for (guint i = 0; i < n_tables && file == NULL; i++)
        if (tables[i] != NULL)
          file = dhcp_boot_table_get_ipxe_script (tables[i]);
      if (file != NULL)
        return expand_file (file, next_server);
    }
  file = lookup_arch (tables, n_tables, info->arch);
  if (file == NULL || *file == '\0')
    return NULL;
  if (info->ipxe && dhcp_boot_file_is_ipxe_binary (file))
    return NULL; /* loop protection */
  if (info->http_client && strstr (file, "://") == NULL)
    {
      g_autofree char *url = NULL;
      while (*file == '/')
        file++;
      url = g_strdup_printf ("http://{next-server}/%s", file);
      return expand_file (url, next_server);
    }
  return expand_file (file, next_server);
}

/* ---- Option 43 ------------------------------------------------------------ */

static void
append_subopt (GByteArray *a, guint8 code, const guint8 *data, gsize len)
{
  guint8 hdr[2] = { code, (guint8) MIN (len, 255) };

  g_byte_array_append (a, hdr, 2);
  g_byte_array_append (a, data, (guint) MIN (len, 255));
}

void
dhcp_pxe_vendor_add_discovery_control (GByteArray *vendor, guint8 control)
{
  append_subopt (vendor, DHCP_PXE_SUBOPT_DISCOVERY_CONTROL, &control, 1);
}

void
dhcp_pxe_vendor_add_menu (GByteArray *vendor, const DhcpPxeMenuEntry *entries, guint n_entries,
                          guint32 server)
{
  g_autoptr(GByteArray) servers = g_byte_array_new ();
  g_autoptr(GByteArray) menu = g_byte_array_new ();

  for (guint i = 0; i < n_entries; i++)
    {
      const DhcpPxeMenuEntry *e = &entries[i];
      const char *desc = e->description != NULL ? e->description : "";
      gsize dlen = MIN (strlen (desc), 255);
      guint8 head[3] = { (guint8) (e->type >> 8), (guint8) e->type, (guint8) dlen };

      if (menu->len + 3 + dlen > 255)
        break; /* the rest does not fit one sub-option */
      g_byte_array_append (menu, head, 3);
      g_byte_array_append (menu, (const guint8 *) desc, (guint) dlen);
      /* Type 0 is "local boot": no server to discover. */
      if (e->type != 0 && servers->len + 7 <= 255)
        {
          guint8 srv[7] = { (guint8) (e->type >> 8), (guint8) e->type, 1 };
          memcpy (srv + 3, &server, 4);
          g_byte_array_append (servers, srv, 7);
        }
    }
  if (servers->len > 0)
    append_subopt (vendor, DHCP_PXE_SUBOPT_BOOT_SERVERS, servers->data, servers->len);
  append_subopt (vendor, DHCP_PXE_SUBOPT_BOOT_MENU, menu->data, menu->len);
}

void
dhcp_pxe_vendor_add_prompt (GByteArray *vendor, guint8 timeout, const char *prompt)
{
  guint8 buf[255];
  gsize plen = MIN (strlen (prompt), sizeof buf - 1);

  buf[0] = timeout;
  memcpy (buf + 1, prompt, plen);
  append_subopt (vendor, DHCP_PXE_SUBOPT_MENU_PROMPT, buf, plen + 1);
}

void
dhcp_pxe_vendor_add_boot_item (GByteArray *vendor, guint16 type, guint16 layer)
{
  guint8 item[4] = { (guint8) (type >> 8), (guint8) type, (guint8) (layer >> 8), (guint8) layer };

  append_subopt (vendor, DHCP_PXE_SUBOPT_BOOT_ITEM, item, sizeof item);
}

GBytes *
dhcp_pxe_vendor_finish (GByteArray *vendor)
{
  guint8 end = 255;

  g_byte_array_append (vendor, &end, 1);
  return g_byte_array_free_to_bytes (vendor);
}

gboolean
dhcp_pxe_find_boot_item (const DhcpMessage *msg, guint16 *type, guint16 *layer)
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
      if (code == DHCP_PXE_SUBOPT_BOOT_ITEM && l >= 4)
        {
          *type = (guint16) ((p[pos + 2] << 8) | p[pos + 3]);
          *layer = (guint16) ((p[pos + 4] << 8) | p[pos + 5]);
          return TRUE;
        }
      pos += 2 + l;
    }
  return FALSE;
}
