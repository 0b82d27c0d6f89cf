/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory: hosts, profiles, the boot menu and shared variables, read
 * from conf.d mappings that name no plugin. Built once per configuration
 * snapshot, then immutable. */
#include "pxed-config.h"

#include <arpa/inet.h>
#include <string.h>


#include "pxed-config-private.h"
#include "pxed-host-private.h"
#include "pxed-inventory-private.h"

typedef struct {
  PxedProfile     pub;
  const PxedNode *name_node;
} InvProfile;

typedef struct {
  PxedInventoryHost pub;
  const PxedNode   *name_node;
  const PxedNode   *profile_node;
  char             *uuid_swapped;
} InvHost;

typedef struct {
  const PxedNode *profile_node; /* where the entry names its profile */
  const PxedNode *node;
} InvEntryMark;

struct _PxedInventory {
  gatomicrefcount ref;
  gboolean        finished;
  GStringChunk   *strings;
  GPtrArray      *docs;          /* PxedDocument kept alive */
  GPtrArray      *profiles;      /* InvProfile*, file order */
  GPtrArray      *hosts;         /* InvHost*, file order */
  GHashTable     *profile_by_name;
  GHashTable     *host_by_name;
  GHashTable     *host_by_mac;
  GHashTable     *host_by_ip;
  GHashTable     *host_by_uuid;  /* both byte orders */
  PxedMenu       *menu;
  GArray         *menu_entries;  /* PxedMenuEntry */
  GArray         *menu_marks;    /* InvEntryMark, parallel to menu_entries */
  const PxedNode *menu_default_node;
  const PxedNode *vars;
};

static const char *const builtin_vars[] = {
  "mac", "mac-dashes", "ip", "hostname", "uuid", "profile", "install-url", NULL,
};

/* ---- small helpers ------------------------------------------------------- */

static const char *
inv_intern (PxedInventory *inv, const char *s)
{
  return s != NULL ? g_string_chunk_insert_const (inv->strings, s) : NULL;
}

static gboolean
text_is_single_line (const char *s)
{
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
text_has_space (const char *s)
{
  for (const char *p = s; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      return TRUE;
  return FALSE;
}

static gboolean
name_is_valid (const char *s, gboolean allow_dot)
{
  if (s == NULL || *s == '\0' || strlen (s) > 63 || !g_ascii_isalnum (s[0]))
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && !(allow_dot && *p == '.'))
      return FALSE;
  return TRUE;
}

static gboolean
var_name_is_valid (const char *s, gsize len)
{
  if (len == 0 || len > 63)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-' && s[i] != '_')
      return FALSE;
  return TRUE;
}

static char *
inv_describe (const PxedNode *node)
{
  switch (pxed_node_get_kind (node))
    {
    case PXED_NODE_SEQUENCE:
      return g_strdup ("a sequence");
    case PXED_NODE_MAPPING:
      return g_strdup ("a mapping");
    default:
      {
        g_autofree char *clean = NULL;
        const char *s = pxed_node_get_scalar (node);
        if (s == NULL || *s == '\0')
          return g_strdup ("an empty value");
        clean = g_strescape (s, NULL);
        if (strlen (clean) > 60)
          clean[60] = '\0';
        return g_strdup_printf ("'%s'", clean);
      }
    }
}

static gboolean
expect_mapping (const PxedNode *node, const char *what, GError **error)
{
  g_autofree char *got = NULL;
  if (pxed_node_get_kind (node) == PXED_NODE_MAPPING)
    return TRUE;
  got = inv_describe (node);
  pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "%s: expected a mapping, got %s",
                       what, got);
  return FALSE;
}

/* A non-empty single-line scalar. */
static gboolean
get_text (const PxedNode *node, const char *what, gboolean allow_spaces, const char **out,
          GError **error)
{
  const char *s = pxed_node_get_scalar (node);
  g_autofree char *got = NULL;

  if (pxed_node_get_kind (node) != PXED_NODE_SCALAR || s == NULL || *s == '\0')
    {
      got = inv_describe (node);
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "%s: expected a non-empty text, got %s", what, got);
      return FALSE;
    }
  if (!text_is_single_line (s))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                           "%s: newlines and control characters are not allowed", what);
      return FALSE;
    }
  if (!allow_spaces && text_has_space (s))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                           "%s: spaces are not allowed in '%s'", what, s);
      return FALSE;
    }
  *out = s;
  return TRUE;
}

static gboolean
check_keys (const PxedNode *map, const char *what, const char *const *allowed, GError **error)
{
  for (guint i = 0; i < pxed_node_get_n_items (map); i++)
    {
      const char *key = pxed_node_get_key (map, i);
      if (key == NULL || !g_strv_contains (allowed, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);
          pxed_node_set_error (pxed_node_get_key_node (map, i), error,
                               PXED_CONFIG_ERROR_UNKNOWN_KEY,
                               "%s: unknown key '%s' (expected one of: %s)", what,
                               key != NULL ? key : "", list);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
node_where (const PxedNode *node)
{
  return g_strdup_printf ("%s:%u:%u", pxed_node_get_file (node), pxed_node_get_line (node),
                          pxed_node_get_column (node));
}

/* ---- canonical forms ----------------------------------------------------- */

char *
pxed_inventory_normalize_mac (const char *text)
{
  guint8 b[6];
  guint n = 0;
  const char *p = text;

  if (text == NULL)
    return NULL;
  while (*p != '\0' && n < 6)
    {
      int hi, lo;
      if (*p == ':' || *p == '-' || *p == '.')
        {
          if (n == 0 || p[1] == '\0' || p[1] == ':' || p[1] == '-' || p[1] == '.')
            return NULL;
          p++;
          continue;
        }
      hi = g_ascii_xdigit_value (p[0]);
      lo = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0)
        return NULL;
      b[n++] = (guint8) (hi << 4 | lo);
      p += 2;
    }
  if (n != 6 || *p != '\0')
    return NULL;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static gboolean
uuid_parse (const char *text, guint8 b[16])
{
  guint n = 0;
  const char *p = text;
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len >= 2 && text[0] == '{' && text[len - 1] == '}')
    p++, len -= 2;
  for (gsize i = 0; i < len;)
    {
      int hi, lo;
      if (p[i] == '-')
        {
          i++;
          continue;
        }
      if (n == 16 || i + 1 >= len)
        return FALSE;
      hi = g_ascii_xdigit_value (p[i]);
      lo = g_ascii_xdigit_value (p[i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      b[n++] = (guint8) (hi << 4 | lo);
      i += 2;
    }
  return n == 16;
}

static char *
uuid_format (const guint8 b[16])
{
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
                          b[11], b[12], b[13], b[14], b[15]);
}

char *
pxed_inventory_normalize_uuid (const char *text)
{
  guint8 b[16];
  if (!uuid_parse (text, b))
    return NULL;
  return uuid_format (b);
}

char *
pxed_inventory_swap_uuid (const char *uuid)
{
  guint8 b[16], s[16];
  if (!uuid_parse (uuid, b))
    return NULL;
  memcpy (s, b, sizeof s);
  s[0] = b[3], s[1] = b[2], s[2] = b[1], s[3] = b[0];
  s[4] = b[5], s[5] = b[4];
  s[6] = b[7], s[7] = b[6];
  return uuid_format (s);
}

static char *
normalize_ip (const char *text)
{
  guint8 addr[sizeof (struct in6_addr)];
  char buf[INET6_ADDRSTRLEN];
  int family;

  if (text == NULL)
    return NULL;
  family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;
  if (inet_pton (family, text, addr) != 1 || inet_ntop (family, addr, buf, sizeof buf) == NULL)
    return NULL;
  return g_strdup (buf);
}

/* ---- object -------------------------------------------------------------- */

static void
inv_host_free (gpointer data)
{
  InvHost *h = data;
  g_free (h->uuid_swapped);
  g_free (h);
}

PxedInventory *
pxed_inventory_new (void)
{
  PxedInventory *inv = g_new0 (PxedInventory, 1);
  g_atomic_ref_count_init (&inv->ref);
  inv->strings = g_string_chunk_new (1024);
  inv->docs = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_document_unref);
  inv->profiles = g_ptr_array_new_with_free_func (g_free);
  inv->hosts = g_ptr_array_new_with_free_func (inv_host_free);
  inv->profile_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  inv->host_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  inv->host_by_mac = g_hash_table_new (g_str_hash, g_str_equal);
  inv->host_by_ip = g_hash_table_new (g_str_hash, g_str_equal);
  inv->host_by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  inv->menu_entries = g_array_new (FALSE, TRUE, sizeof (PxedMenuEntry));
  inv->menu_marks = g_array_new (FALSE, TRUE, sizeof (InvEntryMark));
  return inv;
}

PxedInventory *
pxed_inventory_ref (PxedInventory *inv)
{
  g_return_val_if_fail (inv != NULL, NULL);
  g_atomic_ref_count_inc (&inv->ref);
  return inv;
}

void
pxed_inventory_unref (PxedInventory *inv)
{
  if (inv == NULL || !g_atomic_ref_count_dec (&inv->ref))
    return;
  g_hash_table_unref (inv->profile_by_name);
  g_hash_table_unref (inv->host_by_name);
  g_hash_table_unref (inv->host_by_mac);
  g_hash_table_unref (inv->host_by_ip);
  g_hash_table_unref (inv->host_by_uuid);
  g_ptr_array_unref (inv->hosts);
  g_ptr_array_unref (inv->profiles);
  g_array_unref (inv->menu_entries);
  g_array_unref (inv->menu_marks);
  g_free (inv->menu);
  g_string_chunk_free (inv->strings);
  g_ptr_array_unref (inv->docs);
  g_free (inv);
}

gboolean
pxed_inventory_is_finished (PxedInventory *inv)
{
  return inv != NULL && inv->finished;
}

/* ---- parsing --------------------------------------------------------------- */

static gboolean
parse_vars (const PxedNode *node, const char *what, GError **error)
{
  if (!expect_mapping (node, what, error))
    return FALSE;
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      const char *key = pxed_node_get_key (node, i);
      const PxedNode *val = pxed_node_get_item (node, i);
      const char *s = pxed_node_get_scalar (val);
      g_autofree char *vwhat = NULL;

      if (key == NULL || !var_name_is_valid (key, strlen (key)))
        {
          pxed_node_set_error (pxed_node_get_key_node (node, i), error,
                               PXED_CONFIG_ERROR_INVALID,
                               "%s: variable name '%s' must be letters, digits, '-' or '_'",
                               what, key != NULL ? key : "");
          return FALSE;
        }
      vwhat = g_strdup_printf ("%s.%s", what, key);
      if (pxed_node_get_kind (val) != PXED_NODE_SCALAR || s == NULL)
        {
          g_autofree char *got = inv_describe (val);
          pxed_node_set_error (val, error, PXED_CONFIG_ERROR_TYPE,
                               "%s: expected a text, got %s", vwhat, got);
          return FALSE;
        }
      if (!text_is_single_line (s))
        {
          pxed_node_set_error (val, error, PXED_CONFIG_ERROR_INVALID,
                               "%s: newlines and control characters are not allowed", vwhat);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_path (const PxedNode *node, const char *what, const char *s, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (s, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      {
        pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                             "%s: '..' is not allowed in a path", what);
        return FALSE;
      }
  return TRUE;
}

static gboolean
parse_profile (PxedInventory *inv, const char *name, const PxedNode *name_node,
               const PxedNode *node, GError **error)
{
  static const char *const keys[] = {
    "label", "kernel", "initrd", "append", "install-url", "kickstart", "kickstart-template",
    "vars", NULL,
  };
  g_autofree char *what = g_strdup_printf ("profiles.%s", name);
  g_autofree InvProfile *p = g_new0 (InvProfile, 1);
  const PxedNode *v;
  const char *s;
  InvProfile *prev;

  if (!name_is_valid (name, TRUE))
    {
      pxed_node_set_error (name_node, error, PXED_CONFIG_ERROR_INVALID,
                           "profiles: invalid profile name '%s' (letters, digits, '.', '-', '_')",
                           name);
      return FALSE;
    }
  prev = g_hash_table_lookup (inv->profile_by_name, name);
  if (prev != NULL)
    {
      g_autofree char *where = node_where (prev->name_node);
      pxed_node_set_error (name_node, error, PXED_CONFIG_ERROR_DUPLICATE,
                           "profiles: profile '%s' is already defined at %s", name, where);
      return FALSE;
    }
  if (!expect_mapping (node, what, error) || !check_keys (node, what, keys, error))
    return FALSE;

  p->name_node = name_node;
  p->pub.node = node;
  p->pub.name = inv_intern (inv, name);

  v = pxed_node_lookup (node, "kernel");
  if (v == NULL)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_MISSING,
                           "%s: missing required key 'kernel'", what);
      return FALSE;
    }
  if (!get_text (v, "kernel", FALSE, &s, error) || !check_path (v, "kernel", s, error))
    return FALSE;
  p->pub.kernel = inv_intern (inv, s);

  if ((v = pxed_node_lookup (node, "initrd")) != NULL)
    {
      if (!get_text (v, "initrd", FALSE, &s, error) || !check_path (v, "initrd", s, error))
        return FALSE;
      p->pub.initrd = inv_intern (inv, s);
    }
  if ((v = pxed_node_lookup (node, "label")) != NULL)
    {
      if (!get_text (v, "label", TRUE, &s, error))
        return FALSE;
      p->pub.label = inv_intern (inv, s);
    }
  else
    p->pub.label = p->pub.name;
  if ((v = pxed_node_lookup (node, "append")) != NULL)
    {
      if (!get_text (v, "append", TRUE, &s, error))
        return FALSE;
      p->pub.append = inv_intern (inv, s);
    }
  if ((v = pxed_node_lookup (node, "install-url")) != NULL)
    {
      if (!get_text (v, "install-url", FALSE, &s, error))
        return FALSE;
      p->pub.install_url = inv_intern (inv, s);
    }
  if ((v = pxed_node_lookup (node, "kickstart")) != NULL)
    {
      if (!expect_mapping (v, "kickstart", error))
        return FALSE;
      p->pub.kickstart = v;
    }
  if ((v = pxed_node_lookup (node, "kickstart-template")) != NULL)
    {
      if (!get_text (v, "kickstart-template", FALSE, &s, error))
        return FALSE;
      if (p->pub.kickstart != NULL)
        {
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_CONFLICT,
                               "%s: 'kickstart' and 'kickstart-template' exclude each other",
                               what);
          return FALSE;
        }
      p->pub.kickstart_template = inv_intern (inv, s);
    }
  if ((v = pxed_node_lookup (node, "vars")) != NULL)
    {
      g_autofree char *vwhat = g_strdup_printf ("%s.vars", what);
      if (!parse_vars (v, vwhat, error))
        return FALSE;
      p->pub.vars = v;
    }

  g_hash_table_insert (inv->profile_by_name, (gpointer) p->pub.name, p);
  g_ptr_array_add (inv->profiles, g_steal_pointer (&p));
  return TRUE;
}

static gboolean
hostname_is_valid (const char *s)
{
  gsize len = strlen (s);
  if (len == 0 || len > 253)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return g_ascii_isalnum (s[0]) && g_ascii_isalnum (s[len - 1]) && strstr (s, "..") == NULL;
}

static gboolean
parse_host (PxedInventory *inv, const char *name, const PxedNode *name_node,
            const PxedNode *node, GError **error)
{
  static const char *const keys[] = { "mac", "ip", "uuid", "profile", "vars", NULL };
  g_autofree char *what = g_strdup_printf ("hosts.%s", name);
  InvHost *h;
  const PxedNode *v;
  const char *s;
  g_autofree char *mac = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *uuid = NULL;
  InvHost *prev;

  if (!hostname_is_valid (name))
    {
      pxed_node_set_error (name_node, error, PXED_CONFIG_ERROR_INVALID,
                           "hosts: invalid host name '%s' (letters, digits, '-' and '.')", name);
      return FALSE;
    }
  if ((prev = g_hash_table_lookup (inv->host_by_name, name)) != NULL)
    {
      g_autofree char *where = node_where (prev->name_node);
      pxed_node_set_error (name_node, error, PXED_CONFIG_ERROR_DUPLICATE,
                           "hosts: host '%s' is already defined at %s", name, where);
      return FALSE;
    }
  if (!expect_mapping (node, what, error) || !check_keys (node, what, keys, error))
    return FALSE;

  v = pxed_node_lookup (node, "mac");
  if (v == NULL)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_MISSING,
                           "%s: missing required key 'mac'", what);
      return FALSE;
    }
  if (!get_text (v, "mac", FALSE, &s, error))
    return FALSE;
  mac = pxed_inventory_normalize_mac (s);
  if (mac == NULL)
    {
      pxed_node_set_error (v, error, PXED_CONFIG_ERROR_INVALID,
                           "%s.mac: '%s' is not a MAC address (expected aa:bb:cc:dd:ee:ff)",
                           name, s);
      return FALSE;
    }
  if ((prev = g_hash_table_lookup (inv->host_by_mac, mac)) != NULL)
    {
      g_autofree char *where = node_where (prev->name_node);
      pxed_node_set_error (v, error, PXED_CONFIG_ERROR_DUPLICATE,
                           "%s.mac: %s is already used by host '%s' at %s", name, mac,
                           prev->pub.name, where);
      return FALSE;
    }

  if ((v = pxed_node_lookup (node, "ip")) != NULL)
    {
      if (!get_text (v, "ip", FALSE, &s, error))
        return FALSE;
      ip = normalize_ip (s);
      if (ip == NULL)
        {
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_INVALID,
                               "%s.ip: '%s' is not an IP address", name, s);
          return FALSE;
        }
      if ((prev = g_hash_table_lookup (inv->host_by_ip, ip)) != NULL)
        {
          g_autofree char *where = node_where (prev->name_node);
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_DUPLICATE,
                               "%s.ip: %s is already used by host '%s' at %s", name, ip,
                               prev->pub.name, where);
          return FALSE;
        }
    }
  if ((v = pxed_node_lookup (node, "uuid")) != NULL)
    {
      if (!get_text (v, "uuid", FALSE, &s, error))
        return FALSE;
      uuid = pxed_inventory_normalize_uuid (s);
      if (uuid == NULL)
        {
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_INVALID,
                               "%s.uuid: '%s' is not a UUID", name, s);
          return FALSE;
        }
      if ((prev = g_hash_table_lookup (inv->host_by_uuid, uuid)) != NULL)
        {
          g_autofree char *where = node_where (prev->name_node);
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_DUPLICATE,
                               "%s.uuid: %s is already used by host '%s' at %s", name, uuid,
                               prev->pub.name, where);
          return FALSE;
        }
    }

  h = g_new0 (InvHost, 1);
  h->name_node = name_node;
  h->pub.node = node;
  h->pub.name = inv_intern (inv, name);
  h->pub.mac = inv_intern (inv, mac);
  h->pub.ip = inv_intern (inv, ip);
  h->pub.uuid = inv_intern (inv, uuid);
  if ((v = pxed_node_lookup (node, "profile")) != NULL)
    {
      if (!get_text (v, "profile", FALSE, &s, error))
        {
          inv_host_free (h);
          return FALSE;
        }
      h->pub.profile = inv_intern (inv, s);
      h->profile_node = v;
    }
  if ((v = pxed_node_lookup (node, "vars")) != NULL)
    {
      g_autofree char *vwhat = g_strdup_printf ("%s.vars", what);
      if (!parse_vars (v, vwhat, error))
        {
          inv_host_free (h);
          return FALSE;
        }
      h->pub.vars = v;
    }
  if (h->pub.uuid != NULL)
    {
      h->uuid_swapped = pxed_inventory_swap_uuid (h->pub.uuid);
      g_hash_table_insert (inv->host_by_uuid, (gpointer) h->pub.uuid, h);
      if (!g_hash_table_contains (inv->host_by_uuid, h->uuid_swapped))
        g_hash_table_insert (inv->host_by_uuid, h->uuid_swapped, h);
    }
  g_hash_table_insert (inv->host_by_name, (gpointer) h->pub.name, h);
  g_hash_table_insert (inv->host_by_mac, (gpointer) h->pub.mac, h);
  if (h->pub.ip != NULL)
    g_hash_table_insert (inv->host_by_ip, (gpointer) h->pub.ip, h);
  g_ptr_array_add (inv->hosts, h);
  return TRUE;
}

/* Durations: "30s", "1500ms", "2m", a bare number is seconds. */
static gboolean
parse_timeout_ms (const char *s, guint64 *out)
{
  char *end = NULL;
  guint64 n;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  n = g_ascii_strtoull (s, &end, 10);
  if (n > 86400000)
    return FALSE;
  if (*end == '\0' || g_str_equal (end, "s"))
    n *= 1000;
  else if (g_str_equal (end, "m"))
    n *= 60000;
  else if (!g_str_equal (end, "ms"))
    return FALSE;
  *out = n;
  return TRUE;
}

static gboolean
parse_menu (PxedInventory *inv, const PxedNode *node, GError **error)
{
  static const char *const keys[] = { "title", "timeout", "default", "prompt", "entries", NULL };
  static const char *const entry_keys[] = { "label", "profile", "local", "text", NULL };
  const PxedNode *v, *entries;
  const char *s;

  if (inv->menu != NULL)
    {
      g_autofree char *where = node_where (inv->menu->node);
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_DUPLICATE,
                           "menu: a menu is already defined at %s", where);
      return FALSE;
    }
  if (!expect_mapping (node, "menu", error) || !check_keys (node, "menu", keys, error))
    return FALSE;

  inv->menu = g_new0 (PxedMenu, 1);
  inv->menu->node = node;
  inv->menu->title = "PXE boot menu";
  if ((v = pxed_node_lookup (node, "title")) != NULL)
    {
      if (!get_text (v, "menu.title", TRUE, &s, error))
        return FALSE;
      inv->menu->title = inv_intern (inv, s);
    }
  if ((v = pxed_node_lookup (node, "timeout")) != NULL)
    {
      guint64 ms = 0;
      if (!parse_timeout_ms (pxed_node_get_scalar (v), &ms))
        {
          g_autofree char *got = inv_describe (v);
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_TYPE,
                               "menu.timeout: expected a duration (\"30s\", \"1m\", \"500ms\"; "
                               "0 waits forever), got %s", got);
          return FALSE;
        }
      inv->menu->timeout_ds = (guint) ((ms + 99) / 100);
    }
  if ((v = pxed_node_lookup (node, "prompt")) != NULL)
    {
      gboolean b = FALSE;
      if (!pxed_node_get_bool (v, &b, error))
        return FALSE;
      inv->menu->prompt = b;
    }
  if ((v = pxed_node_lookup (node, "default")) != NULL)
    {
      if (!get_text (v, "menu.default", FALSE, &s, error))
        return FALSE;
      inv->menu->default_label = inv_intern (inv, s);
      inv->menu_default_node = v;
    }

  entries = pxed_node_lookup (node, "entries");
  if (entries == NULL || pxed_node_get_kind (entries) != PXED_NODE_SEQUENCE
      || pxed_node_get_n_items (entries) == 0 || pxed_node_get_n_items (entries) > 60)
    {
      pxed_node_set_error (entries != NULL ? entries : node, error,
                           entries != NULL ? PXED_CONFIG_ERROR_TYPE : PXED_CONFIG_ERROR_MISSING,
                           "menu.entries: expected a sequence of 1 to 60 entries");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (entries); i++)
    {
      const PxedNode *e = pxed_node_get_item (entries, i);
      g_autofree char *what = g_strdup_printf ("menu.entries[%u]", i);
      PxedMenuEntry entry = { 0 };
      InvEntryMark mark = { .node = e };
      gboolean local = FALSE;

      if (!expect_mapping (e, what, error) || !check_keys (e, what, entry_keys, error))
        return FALSE;
      v = pxed_node_lookup (e, "label");
      if (v == NULL)
        {
          pxed_node_set_error (e, error, PXED_CONFIG_ERROR_MISSING,
                               "%s: missing required key 'label'", what);
          return FALSE;
        }
      if (!get_text (v, "label", FALSE, &s, error))
        return FALSE;
      if (!name_is_valid (s, TRUE))
        {
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_INVALID,
                               "%s.label: '%s' must be letters, digits, '.', '-' or '_'", what, s);
          return FALSE;
        }
      for (guint j = 0; j < inv->menu_entries->len; j++)
        if (g_str_equal (g_array_index (inv->menu_entries, PxedMenuEntry, j).label, s))
          {
            pxed_node_set_error (v, error, PXED_CONFIG_ERROR_DUPLICATE,
                                 "%s.label: label '%s' is used twice", what, s);
            return FALSE;
          }
      entry.label = inv_intern (inv, s);
      if ((v = pxed_node_lookup (e, "local")) != NULL && !pxed_node_get_bool (v, &local, error))
        return FALSE;
      entry.local = local;
      if ((v = pxed_node_lookup (e, "profile")) != NULL)
        {
          if (local)
            {
              pxed_node_set_error (v, error, PXED_CONFIG_ERROR_CONFLICT,
                                   "%s: 'profile' and 'local: true' exclude each other", what);
              return FALSE;
            }
          if (!get_text (v, "profile", FALSE, &s, error))
            return FALSE;
          entry.profile = inv_intern (inv, s);
          mark.profile_node = v;
        }
      else if (!local)
        {
          pxed_node_set_error (e, error, PXED_CONFIG_ERROR_MISSING,
                               "%s: an entry needs either 'profile' or 'local: true'", what);
          return FALSE;
        }
      if ((v = pxed_node_lookup (e, "text")) != NULL)
        {
          if (!get_text (v, "text", TRUE, &s, error))
            return FALSE;
          entry.text = inv_intern (inv, s);
        }
      else if (local)
        entry.text = "Boot from local drive";
      g_array_append_val (inv->menu_entries, entry);
      g_array_append_val (inv->menu_marks, mark);
    }
  return TRUE;
}

gboolean
pxed_inventory_add (PxedInventory *inv, const PxedNode *root, GError **error)
{
  static const char *const keys[] = { "hosts", "profiles", "menu", "vars", "enabled", NULL };
  const PxedNode *v;

  g_return_val_if_fail (inv != NULL && !inv->finished, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  if (!expect_mapping (root, "inventory", error) || !check_keys (root, "inventory", keys, error))
    return FALSE;

  if ((v = pxed_node_lookup (root, "vars")) != NULL)
    {
      if (inv->vars != NULL)
        {
          g_autofree char *where = node_where (inv->vars);
          pxed_node_set_error (v, error, PXED_CONFIG_ERROR_DUPLICATE,
                               "vars: shared variables are already defined at %s", where);
          return FALSE;
        }
      if (!parse_vars (v, "vars", error))
        return FALSE;
      inv->vars = v;
    }
  if ((v = pxed_node_lookup (root, "profiles")) != NULL)
    {
      if (!expect_mapping (v, "profiles", error))
        return FALSE;
      for (guint i = 0; i < pxed_node_get_n_items (v); i++)
        if (!parse_profile (inv, pxed_node_get_key (v, i), pxed_node_get_key_node (v, i),
                            pxed_node_get_item (v, i), error))
          return FALSE;
    }
  if ((v = pxed_node_lookup (root, "hosts")) != NULL)
    {
      if (!expect_mapping (v, "hosts", error))
        return FALSE;
      for (guint i = 0; i < pxed_node_get_n_items (v); i++)
        if (!parse_host (inv, pxed_node_get_key (v, i), pxed_node_get_key_node (v, i),
                         pxed_node_get_item (v, i), error))
          return FALSE;
    }
  if ((v = pxed_node_lookup (root, "menu")) != NULL && !parse_menu (inv, v, error))
    return FALSE;
  return TRUE;
}

gboolean
pxed_inventory_add_document (PxedInventory *inv, PxedDocument *doc, GError **error)
{
  g_return_val_if_fail (doc != NULL, FALSE);
  g_ptr_array_add (inv->docs, pxed_document_ref (doc));
  return pxed_inventory_add (inv, pxed_document_get_root (doc), error);
}

gboolean
pxed_inventory_finish (PxedInventory *inv, GError **error)
{
  g_return_val_if_fail (inv != NULL, FALSE);
  if (inv->finished)
    return TRUE;

  for (guint i = 0; i < inv->hosts->len; i++)
    {
      InvHost *h = g_ptr_array_index (inv->hosts, i);
      if (h->pub.profile != NULL && !g_hash_table_contains (inv->profile_by_name, h->pub.profile))
        {
          pxed_node_set_error (h->profile_node, error, PXED_CONFIG_ERROR_INVALID,
                               "hosts.%s.profile: no profile named '%s'", h->pub.name,
                               h->pub.profile);
          return FALSE;
        }
    }

  for (guint i = 0; i < inv->profiles->len; i++)
    {
      InvProfile *p = g_ptr_array_index (inv->profiles, i);
      static const char *const fields[] = { "kernel", "initrd", "append", "install-url", NULL };
      const char *values[] = { p->pub.kernel, p->pub.initrd, p->pub.append, p->pub.install_url };
      for (guint f = 0; fields[f] != NULL; f++)
        if (values[f] != NULL
            && !pxed_inventory_check_template (inv, values[f], &p->pub, NULL,
                                               pxed_node_lookup (p->pub.node, fields[f]), error))
          return FALSE;
    }

  if (inv->menu != NULL)
    {
      gboolean default_found = inv->menu->default_label == NULL;
      for (guint i = 0; i < inv->menu_entries->len; i++)
        {
          PxedMenuEntry *e = &g_array_index (inv->menu_entries, PxedMenuEntry, i);
          InvEntryMark *m = &g_array_index (inv->menu_marks, InvEntryMark, i);
          if (e->profile != NULL)
            {
              InvProfile *p = g_hash_table_lookup (inv->profile_by_name, e->profile);
              if (p == NULL)
                {
                  pxed_node_set_error (m->profile_node, error, PXED_CONFIG_ERROR_INVALID,
                                       "menu.entries[%u].profile: no profile named '%s'", i,
                                       e->profile);
                  return FALSE;
                }
              if (e->text == NULL)
                e->text = p->pub.label;
            }
          if (!default_found && g_str_equal (e->label, inv->menu->default_label))
            default_found = TRUE;
        }
      if (!default_found)
        {
          pxed_node_set_error (inv->menu_default_node, error, PXED_CONFIG_ERROR_INVALID,
                               "menu.default: no menu entry labelled '%s'",
                               inv->menu->default_label);
          return FALSE;
        }
      inv->menu->entries = (const PxedMenuEntry *) inv->menu_entries->data;
      inv->menu->n_entries = inv->menu_entries->len;
    }
  else
    {
      /* Hosts exist but no menu: nothing to cross-check. */
    }

  inv->finished = TRUE;
  return TRUE;
}

static gboolean
nodes_equal (const PxedNode *a, const PxedNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return pxed_node_equal (a, b);
}

gboolean
pxed_inventory_equal (PxedInventory *a, PxedInventory *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL || a->profiles->len != b->profiles->len
      || a->hosts->len != b->hosts->len || (a->menu == NULL) != (b->menu == NULL)
      || !nodes_equal (a->vars, b->vars)
      || (a->menu != NULL && !nodes_equal (a->menu->node, b->menu->node)))
    return FALSE;
  for (guint i = 0; i < a->profiles->len; i++)
    {
      InvProfile *pa = g_ptr_array_index (a->profiles, i);
      InvProfile *pb = g_ptr_array_index (b->profiles, i);
      if (!g_str_equal (pa->pub.name, pb->pub.name) || !nodes_equal (pa->pub.node, pb->pub.node))
        return FALSE;
    }
  for (guint i = 0; i < a->hosts->len; i++)
    {
      InvHost *ha = g_ptr_array_index (a->hosts, i);
      InvHost *hb = g_ptr_array_index (b->hosts, i);
      if (!g_str_equal (ha->pub.name, hb->pub.name) || !nodes_equal (ha->pub.node, hb->pub.node))
        return FALSE;
    }
  return TRUE;
}

/* ---- lookups on one snapshot ---------------------------------------------- */

const PxedInventoryHost *
pxed_inventory_find_mac (PxedInventory *inv, const char *mac)
{
  g_autofree char *norm = NULL;
  InvHost *h;
  if (inv == NULL || mac == NULL)
    return NULL;
  h = g_hash_table_lookup (inv->host_by_mac, mac);
  if (h == NULL && (norm = pxed_inventory_normalize_mac (mac)) != NULL)
    h = g_hash_table_lookup (inv->host_by_mac, norm);
  return h != NULL ? &h->pub : NULL;
}

const PxedInventoryHost *
pxed_inventory_find_ip (PxedInventory *inv, const char *ip)
{
  g_autofree char *norm = NULL;
  InvHost *h;
  if (inv == NULL || ip == NULL)
    return NULL;
  h = g_hash_table_lookup (inv->host_by_ip, ip);
  if (h == NULL && (norm = normalize_ip (ip)) != NULL)
    h = g_hash_table_lookup (inv->host_by_ip, norm);
  return h != NULL ? &h->pub : NULL;
}

const PxedInventoryHost *
pxed_inventory_find_uuid (PxedInventory *inv, const char *uuid)
{
  g_autofree char *norm = NULL;
  InvHost *h;
  if (inv == NULL || uuid == NULL || (norm = pxed_inventory_normalize_uuid (uuid)) == NULL)
    return NULL;
  h = g_hash_table_lookup (inv->host_by_uuid, norm);
  return h != NULL ? &h->pub : NULL;
}

const PxedProfile *
pxed_inventory_find_profile (PxedInventory *inv, const char *name)
{
  InvProfile *p;
  if (inv == NULL || name == NULL)
    return NULL;
  p = g_hash_table_lookup (inv->profile_by_name, name);
  return p != NULL ? &p->pub : NULL;
}

/* InvProfile/InvHost start with the public struct, so the arrays of pointers
 * are arrays of pointers to the public structs. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (InvProfile, pub) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (InvHost, pub) == 0);

const PxedProfile *const *
pxed_inventory_list_profiles (PxedInventory *inv, guint *n)
{
  if (inv == NULL)
    {
      if (n != NULL)
        *n = 0;
      return NULL;
    }
  if (n != NULL)
    *n = inv->profiles->len;
  return (const PxedProfile *const *) inv->profiles->pdata;
}

const PxedInventoryHost *const *
pxed_inventory_list_hosts (PxedInventory *inv, guint *n)
{
  if (inv == NULL)
    {
      if (n != NULL)
        *n = 0;
      return NULL;
    }
  if (n != NULL)
    *n = inv->hosts->len;
  return (const PxedInventoryHost *const *) inv->hosts->pdata;
}

const PxedMenu *
pxed_inventory_menu (PxedInventory *inv)
{
  return inv != NULL && inv->finished ? inv->menu : NULL;
}

const PxedNode *
pxed_inventory_get_vars (PxedInventory *inv)
{
  return inv != NULL ? inv->vars : NULL;
}

/* ---- template variables ---------------------------------------------------- */

gboolean
pxed_inventory_is_builtin_var (const char *name)
{
  return name != NULL && g_strv_contains (builtin_vars, name);
}

static const char *
vars_lookup (const PxedNode *vars, const char *name)
{
  const PxedNode *v;
  if (vars == NULL || (v = pxed_node_lookup (vars, name)) == NULL)
    return NULL;
  return pxed_node_get_scalar (v);
}

typedef gboolean (*VarFunc) (const char *name, gpointer data, GString *out, GError **error);

/* Walks @text: literal runs are appended to @out (when not NULL), each
 * ${name} is handed to @func. "$${" is a literal "${". */
static gboolean
template_walk (const char *text, GString *out, VarFunc func, gpointer data, GError **error)
{
  const char *p = text;
  while (*p != '\0')
    {
      const char *dollar = strchr (p, '$');
      const char *close;
      if (dollar == NULL)
        {
          if (out != NULL)
            g_string_append (out, p);
          break;
        }
      if (out != NULL)
        g_string_append_len (out, p, dollar - p);
      if (dollar[1] == '$' && dollar[2] == '{')
        {
          if (out != NULL)
            g_string_append (out, "${");
          p = dollar + 3;
          continue;
        }
      if (dollar[1] != '{')
        {
          if (out != NULL)
            g_string_append_c (out, '$');
          p = dollar + 1;
          continue;
        }
      close = strchr (dollar + 2, '}');
      if (close == NULL || !var_name_is_valid (dollar + 2, close - dollar - 2))
        {
          g_autofree char *bad = g_strndup (dollar, close != NULL ? close - dollar + 1 : 20);
          g_autofree char *clean = g_strescape (bad, NULL);
          g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                       "malformed variable reference '%s' (write ${name}, or $${ for a "
                       "literal ${)", clean);
          return FALSE;
        }
      {
        g_autofree char *name = g_strndup (dollar + 2, close - dollar - 2);
        if (!func (name, data, out, error))
          return FALSE;
      }
      p = close + 1;
    }
  return TRUE;
}

typedef struct {
  PxedInventory           *inv;
  const PxedProfile       *profile;
  const PxedInventoryHost *host;
  const char *const       *builtins;
  const char *const       *extra;
} ExpandCtx;

static gboolean
expand_var (const char *name, gpointer data, GString *out, GError **error)
{
  ExpandCtx *ctx = data;
  const char *val = NULL;
  gboolean found = FALSE;

  if (ctx->builtins != NULL)
    for (guint i = 0; ctx->builtins[i] != NULL; i += 2)
      if (g_str_equal (ctx->builtins[i], name))
        {
          val = ctx->builtins[i + 1];
          found = TRUE;
          break;
        }
  if (!found && ctx->host != NULL && (val = vars_lookup (ctx->host->vars, name)) != NULL)
    found = TRUE;
  if (!found && ctx->profile != NULL && (val = vars_lookup (ctx->profile->vars, name)) != NULL)
    found = TRUE;
  if (!found && (val = vars_lookup (ctx->inv != NULL ? ctx->inv->vars : NULL, name)) != NULL)
    found = TRUE;
  if (!found && pxed_inventory_is_builtin_var (name))
    found = TRUE; /* a built-in the caller does not know: empty */
  if (!found)
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                   "unknown variable '${%s}'", name);
      return FALSE;
    }
  if (out != NULL && val != NULL)
    g_string_append (out, val);
  return TRUE;
}

char *
pxed_inventory_expand (PxedInventory *inv, const char *text, const PxedProfile *profile,
                       const PxedInventoryHost *host, const char *const *builtins,
                       GError **error)
{
  ExpandCtx ctx = { inv, profile, host, builtins, NULL };
  g_autoptr(GString) out = NULL;

  if (text == NULL)
    return NULL;
  if (strchr (text, '$') == NULL)
    return g_strdup (text);
  out = g_string_sized_new (strlen (text) + 32);
  if (!template_walk (text, out, expand_var, &ctx, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
check_var (const char *name, gpointer data, GString *out, GError **error)
{
  ExpandCtx *ctx = data;
  if (pxed_inventory_is_builtin_var (name)
      || (ctx->extra != NULL && g_strv_contains (ctx->extra, name))
      || (ctx->profile != NULL && vars_lookup (ctx->profile->vars, name) != NULL)
      || vars_lookup (ctx->inv != NULL ? ctx->inv->vars : NULL, name) != NULL)
    return TRUE;
  g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
               "unknown variable '${%s}' (define it under vars:, or use one of mac, "
               "mac-dashes, ip, hostname, uuid, profile, install-url)", name);
  return FALSE;
}

gboolean
pxed_inventory_check_template (PxedInventory *inv, const char *text, const PxedProfile *profile,
                               const char *const *extra, const PxedNode *where, GError **error)
{
  ExpandCtx ctx = { inv, profile, NULL, NULL, extra };
  g_autoptr(GError) local = NULL;

  if (text == NULL || strchr (text, '$') == NULL)
    return TRUE;
  if (template_walk (text, NULL, check_var, &ctx, &local))
    return TRUE;
  if (where != NULL)
    pxed_node_set_error (where, error, PXED_CONFIG_ERROR_INVALID, "%s", local->message);
  else
    g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* ---- public lookups through the host ---------------------------------------- */

static PxedInventory *
host_inventory (PxedHost *host)
{
  if (host == NULL || host->config == NULL)
    return NULL;
  return pxed_config_get_inventory (host->config);
}

PxedInventory *
pxed_inventory_get_current (PxedHost *host)
{
  PxedInventory *inv = host_inventory (host);
  return inv != NULL ? pxed_inventory_ref (inv) : NULL;
}

const PxedInventoryHost *
pxed_inventory_lookup_mac (PxedHost *host, const char *mac)
{
  return pxed_inventory_find_mac (host_inventory (host), mac);
}

const PxedInventoryHost *
pxed_inventory_lookup_ip (PxedHost *host, const char *ip)
{
  return pxed_inventory_find_ip (host_inventory (host), ip);
}

const PxedInventoryHost *
pxed_inventory_lookup_uuid (PxedHost *host, const char *uuid)
{
  return pxed_inventory_find_uuid (host_inventory (host), uuid);
}

const PxedProfile *
pxed_inventory_get_profile (PxedHost *host, const char *name)
{
  return pxed_inventory_find_profile (host_inventory (host), name);
}

const PxedProfile *const *
pxed_inventory_get_profiles (PxedHost *host, guint *n_profiles)
{
  return pxed_inventory_list_profiles (host_inventory (host), n_profiles);
}

const PxedInventoryHost *const *
pxed_inventory_get_hosts (PxedHost *host, guint *n_hosts)
{
  return pxed_inventory_list_hosts (host_inventory (host), n_hosts);
}

const PxedMenu *
pxed_inventory_get_menu (PxedHost *host)
{
  return pxed_inventory_menu (host_inventory (host));
}
