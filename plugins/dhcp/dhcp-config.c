/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

const PxedOptionSpec dhcp_plugin_options[] = {
  { "listen", PXED_OPTION_LIST, "0.0.0.0:67", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "where to receive DHCP requests: ADDRESS[:PORT] or INTERFACE" },
  { "subnets", PXED_OPTION_ANY, NULL, 0, 0, PXED_OPTION_FLAG_REQUIRED,
    "list of subnets: {subnet: CIDR, range|ranges, routers, broadcast, dns, ntp, domain, "
    "lease-time, max-lease-time, next-server, boot-file, boot-files, options, authoritative, "
    "interface}" },
  { "lease-store", PXED_OPTION_STRING, "journal", 0, 0, 0,
    "where leases are kept: an fsynced journal in the state directory, or memory only",
    "journal|memory" },
  { "authoritative", PXED_OPTION_BOOL, "true", 0, 0, 0,
    "default for subnets: NAK requests for addresses that are wrong or not ours" },
  DHCP_PXE_CONFIG_OPTION_BOOT_FILES,
  DHCP_PXE_CONFIG_OPTION_IPXE_SCRIPT,
  { "lease-time", PXED_OPTION_DURATION, "1h", 1000, G_GUINT64_CONSTANT (31536000000), 0,
    "default lease time for subnets" },
  { "max-lease-time", PXED_OPTION_DURATION, "1d", 1000, G_GUINT64_CONSTANT (31536000000), 0,
    "longest lease a client may ask for" },
  { "offer-timeout", PXED_OPTION_DURATION, "30s", 1000, 3600000, 0,
    "how long an offered address stays reserved for the client" },
  { "decline-time", PXED_OPTION_DURATION, "10m", 1000, 86400000, 0,
    "quarantine of an address a client declined (in use by someone else)" },
  { "ping-check", PXED_OPTION_BOOL, "false", 0, 0, 0,
    "probe a fresh address with ICMP echo before offering it; an answer quarantines it" },
  { "ping-timeout", PXED_OPTION_DURATION, "500ms", 50, 10000, 0,
    "how long to wait for an echo reply before offering the address" },
  { NULL }
};

gboolean
dhcp_config_parse_seconds (const char *text, guint32 *out)
{
  char *end = NULL;
  guint64 v, mult = 1;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  v = g_ascii_strtoull (text, &end, 10);
  if (g_str_equal (end, "") || g_str_equal (end, "s"))
    mult = 1;
  else if (g_str_equal (end, "m"))
    mult = 60;
  else if (g_str_equal (end, "h"))
    mult = 3600;
  else if (g_str_equal (end, "d"))
    mult = 86400;
  else
    return FALSE;
  if (v == 0 || v > G_MAXUINT32 / mult)
    return FALSE;
  *out = (guint32) (v * mult);
  return TRUE;
}

/* A scalar or a sequence of IPv4 addresses. */
static gboolean
node_ip_list (const PxedNode *node, GArray *out, GError **error)
{
  if (pxed_node_get_kind (node) == PXED_NODE_SCALAR)
    {
      guint32 a;
      if (!dhcp_pxe_config_node_ipv4 (node, &a, error))
        return FALSE;
      g_array_append_val (out, a);
      return TRUE;
    }
  if (pxed_node_get_kind (node) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected an address or a list of addresses");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      guint32 a;
      if (!dhcp_pxe_config_node_ipv4 (pxed_node_get_item (node, i), &a, error))
        return FALSE;
      g_array_append_val (out, a);
    }
  return TRUE;
}

static gboolean
node_seconds (const PxedNode *node, guint32 *out, GError **error)
{
  const char *s = pxed_node_get_scalar (node);

  if (s == NULL || !dhcp_config_parse_seconds (s, out))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a duration such as 3000, 50m, 1h or 1d");
      return FALSE;
    }
  return TRUE;
}

/* "A-B" or {start: A, end: B}. */
static gboolean
node_range (const PxedNode *node, DhcpRange *out, GError **error)
{
  guint32 a, b;

  if (pxed_node_get_kind (node) == PXED_NODE_MAPPING)
    {
      const PxedNode *s = pxed_node_lookup (node, "start");
      const PxedNode *e = pxed_node_lookup (node, "end");
      if (s == NULL || e == NULL)
        {
          pxed_node_set_error (node, error, PXED_CONFIG_ERROR_MISSING, "a range needs start and end");
          return FALSE;
        }
      if (!dhcp_pxe_config_node_ipv4 (s, &a, error) || !dhcp_pxe_config_node_ipv4 (e, &b, error))
        return FALSE;
    }
  else
    {
      const char *text = pxed_node_get_scalar (node);
      g_auto(GStrv) parts = NULL;

      if (text != NULL)
        parts = g_strsplit (text, "-", 2);
      if (parts == NULL || g_strv_length (parts) != 2 ||
          inet_pton (AF_INET, g_strstrip (parts[0]), &a) != 1 ||
          inet_pton (AF_INET, g_strstrip (parts[1]), &b) != 1)
        {
          pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                               "expected a range \"FIRST-LAST\" or {start: FIRST, end: LAST}");
          return FALSE;
        }
    }
  out->start = g_ntohl (a);
  out->end = g_ntohl (b);
  if (out->start > out->end)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_RANGE, "range ends before it starts");
      return FALSE;
    }
  return TRUE;
}

typedef enum { T_STRING, T_IP, T_IPS, T_U8, T_U16, T_U32, T_BOOL } OptType;

static OptType
option_type (guint code)
{
  switch (code)
    {
    case 1: case 16: case 28: case 32: case 50: case 54: case 118:
      return T_IP;
    case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 41: case 42:
    case 44: case 45: case 48: case 49: case 65: case 68: case 69: case 70: case 71: case 72:
    case 73: case 74: case 75: case 76:
      return T_IPS;
    case 2: case 24: case 35: case 38: case 51: case 58: case 59:
      return T_U32;
    case 13: case 22: case 26: case 57:
      return T_U16;
    case 23: case 37:
      return T_U8;
    case 19: case 20: case 27: case 29: case 30: case 31: case 34: case 36: case 39:
      return T_BOOL;
    default:
      return T_STRING;
    }
}

static GBytes *
parse_option_value (guint code, const PxedNode *node, GError **error)
{
  OptType t = option_type (code);
  const char *s = pxed_node_get_scalar (node);

  if (t == T_STRING && pxed_node_get_kind (node) == PXED_NODE_SEQUENCE)
    t = T_IPS; /* a list for an unknown code: addresses */
  switch (t)
    {
    case T_IP:
    case T_IPS:
      {
        g_autoptr(GArray) a = g_array_new (FALSE, FALSE, sizeof (guint32));
        if (!node_ip_list (node, a, error))
          return NULL;
        if (t == T_IP && a->len != 1)
          {
            pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "option %u takes one address", code);
            return NULL;
          }
        return g_bytes_new (a->data, a->len * 4);
      }
    case T_U8:
    case T_U16:
    case T_U32:
    case T_BOOL:
      {
        guint64 v;
        guint64 max = t == T_U8 || t == T_BOOL ? 0xff : t == T_U16 ? 0xffff : 0xffffffff;
        guint8 buf[4];
        gboolean b;

        if (t == T_BOOL && pxed_node_get_bool (node, &b, NULL))
          v = b;
        else if (s == NULL ||
                 !(g_str_has_prefix (s, "0x")
                   ? g_ascii_string_to_unsigned (s + 2, 16, 0, max, &v, NULL)
                   : g_ascii_string_to_unsigned (s, 10, 0, max, &v, NULL)))
          {
            pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                                 "option %u takes a number up to %" G_GUINT64_FORMAT, code, max);
            return NULL;
          }
        if (t == T_U32)
          {
            buf[0] = (guint8) (v >> 24); buf[1] = (guint8) (v >> 16);
            buf[2] = (guint8) (v >> 8); buf[3] = (guint8) v;
            return g_bytes_new (buf, 4);
          }
        if (t == T_U16)
          {
            buf[0] = (guint8) (v >> 8); buf[1] = (guint8) v;
            return g_bytes_new (buf, 2);
          }
        buf[0] = (guint8) v;
        return g_bytes_new (buf, 1);
      }
    case T_STRING:
    default:
      if (s == NULL)
        {
          pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected a value");
          return NULL;
        }
      if (g_str_has_prefix (s, "hex:"))
        {
          g_autoptr(GByteArray) raw = g_byte_array_new ();
          const char *p = s + 4;
          while (*p != '\0')
            {
              gint hi = g_ascii_xdigit_value (p[0]);
              gint lo = hi >= 0 ? g_ascii_xdigit_value (p[1]) : -1;
              guint8 byte;
              if (hi < 0 || lo < 0)
                {
                  pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                                       "expected hex bytes after 'hex:' (hex:01:02:ff)");
                  return NULL;
                }
              byte = (guint8) (hi << 4 | lo);
              g_byte_array_append (raw, &byte, 1);
              p += 2;
              if (*p == ':')
                p++;
            }
          return g_byte_array_free_to_bytes (g_steal_pointer (&raw));
        }
      return g_bytes_new (s, strlen (s));
    }
}

static gboolean
parse_options (const PxedNode *node, DhcpSubnet *s, GError **error)
{
  if (pxed_node_get_kind (node) != PXED_NODE_MAPPING)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected a mapping {number: value}");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      guint64 code;
      GBytes *v;

      if (!g_ascii_string_to_unsigned (pxed_node_get_key (node, i), 10, 1, 254, &code, NULL) ||
          code == DHCP_OPT_OVERLOAD || code == DHCP_OPT_MESSAGE_TYPE || code == DHCP_OPT_SERVER_ID ||
          code == DHCP_OPT_RELAY_AGENT)
        {
          pxed_node_set_error (pxed_node_get_key_node (node, i), error, PXED_CONFIG_ERROR_INVALID,
                               "expected an option number 1-254 (not 52, 53, 54 or 82)");
          return FALSE;
        }
      v = parse_option_value ((guint) code, pxed_node_get_item (node, i), error);
      if (v == NULL)
        return FALSE;
      g_clear_pointer (&s->options[code], g_bytes_unref);
      s->options[code] = v;
    }
  return TRUE;
}

static const char *const subnet_keys[] = {
  "subnet", "range", "ranges", "routers", "broadcast", "dns", "ntp", "domain", "lease-time",
  "max-lease-time", "next-server", "boot-file", "boot-files", "options", "authoritative",
  "interface", NULL,
};

static DhcpSubnet *
parse_subnet (const PxedNode *node, const PxedSection *sec, GError **error)
{
  g_autoptr(DhcpSubnet) s = dhcp_subnet_new ();
  const PxedNode *n;
  guint64 total = 0;

  if (pxed_node_get_kind (node) != PXED_NODE_MAPPING)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "expected a subnet mapping");
      return NULL;
    }
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      const char *key = pxed_node_get_key (node, i);
      if (!g_strv_contains (subnet_keys, key))
        {
          pxed_node_set_error (pxed_node_get_key_node (node, i), error, PXED_CONFIG_ERROR_UNKNOWN_KEY,
                               "unknown subnet key '%s'", key);
          return NULL;
        }
    }
  n = pxed_node_lookup (node, "subnet");
  if (n == NULL)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_MISSING, "subnet: missing (e.g. 192.0.2.0/24)");
      return NULL;
    }
  {
    const char *text = pxed_node_get_scalar (n);
    g_auto(GStrv) parts = text != NULL ? g_strsplit (text, "/", 2) : NULL;
    guint64 prefix;
    guint32 a;

    if (parts == NULL || g_strv_length (parts) != 2 || inet_pton (AF_INET, parts[0], &a) != 1 ||
        !g_ascii_string_to_unsigned (parts[1], 10, 1, 32, &prefix, NULL))
      {
        pxed_node_set_error (n, error, PXED_CONFIG_ERROR_TYPE, "expected ADDRESS/PREFIX (192.0.2.0/24)");
        return NULL;
      }
    s->prefix = (guint) prefix;
    s->netmask = g_htonl (0xffffffffu << (32 - prefix));
    if ((a & s->netmask) != a)
      {
        pxed_node_set_error (n, error, PXED_CONFIG_ERROR_INVALID, "host bits set in %s", text);
        return NULL;
      }
    s->network = a;
    s->name = g_strdup (text);
  }
  if ((n = pxed_node_lookup (node, "range")) != NULL)
    {
      DhcpRange r;
      if (!node_range (n, &r, error))
        return NULL;
      g_array_append_val (s->ranges, r);
    }
  if ((n = pxed_node_lookup (node, "ranges")) != NULL)
    {
      if (pxed_node_get_kind (n) != PXED_NODE_SEQUENCE)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_TYPE, "expected a list of ranges");
          return NULL;
        }
      for (guint i = 0; i < pxed_node_get_n_items (n); i++)
        {
          DhcpRange r;
          if (!node_range (pxed_node_get_item (n, i), &r, error))
            return NULL;
          g_array_append_val (s->ranges, r);
        }
    }
  for (guint i = 0; i < s->ranges->len; i++)
    {
      DhcpRange *r = &g_array_index (s->ranges, DhcpRange, i);
      const PxedNode *where = pxed_node_lookup (node, "range") ? pxed_node_lookup (node, "range")
                                                               : pxed_node_lookup (node, "ranges");
      if (!dhcp_subnet_contains (s, g_htonl (r->start)) || !dhcp_subnet_contains (s, g_htonl (r->end)))
        {
          pxed_node_set_error (where, error, PXED_CONFIG_ERROR_RANGE, "range outside subnet %s", s->name);
          return NULL;
        }
      for (guint k = 0; k < i; k++)
        {
          DhcpRange *o = &g_array_index (s->ranges, DhcpRange, k);
          if (r->start <= o->end && o->start <= r->end)
            {
              pxed_node_set_error (where, error, PXED_CONFIG_ERROR_CONFLICT, "ranges overlap");
              return NULL;
            }
        }
      total += (guint64) r->end - r->start + 1;
    }
  if (total > DHCP_POOL_MAX)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_RANGE, "more than %u addresses in the ranges",
                           DHCP_POOL_MAX);
      return NULL;
    }
  if ((n = pxed_node_lookup (node, "routers")) != NULL && !node_ip_list (n, s->routers, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "dns")) != NULL && !node_ip_list (n, s->dns, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "ntp")) != NULL && !node_ip_list (n, s->ntp, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "broadcast")) != NULL &&
      !dhcp_pxe_config_node_ipv4 (n, &s->broadcast, error))
    return NULL;
  if (!dhcp_pxe_config_parse_next_server (node, &s->next_server, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "domain")) != NULL)
    {
      const char *d = dhcp_pxe_config_node_string (n, error);
      if (d == NULL)
        return NULL;
      s->domain = g_strdup (d);
    }
  if ((n = pxed_node_lookup (node, "interface")) != NULL)
    {
      const char *d = dhcp_pxe_config_node_string (n, error);
      if (d == NULL)
        return NULL;
      s->interface = g_strdup (d);
    }
  s->lease_time = (guint32) (pxed_section_get_duration_ms (sec, "lease-time") / 1000);
  s->max_lease_time = (guint32) (pxed_section_get_duration_ms (sec, "max-lease-time") / 1000);
  if ((n = pxed_node_lookup (node, "lease-time")) != NULL && !node_seconds (n, &s->lease_time, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "max-lease-time")) != NULL &&
      !node_seconds (n, &s->max_lease_time, error))
    return NULL;
  if (s->max_lease_time < s->lease_time)
    s->max_lease_time = s->lease_time;
  s->authoritative = pxed_section_get_bool (sec, "authoritative");
  if ((n = pxed_node_lookup (node, "authoritative")) != NULL &&
      !pxed_node_get_bool (n, &s->authoritative, error))
    return NULL;
  if (!dhcp_pxe_config_parse_boot (node, &s->boot, error))
    return NULL;
  if ((n = pxed_node_lookup (node, "options")) != NULL && !parse_options (n, s, error))
    return NULL;
  return g_steal_pointer (&s);
}

DhcpServerConfig *
dhcp_config_parse (const PxedSection *sec, GError **error)
{
  g_autoptr(DhcpServerConfig) c = dhcp_server_config_new ();
  const PxedNode *subnets = pxed_section_get_node (sec, "subnets");

  if (subnets == NULL || pxed_node_get_kind (subnets) != PXED_NODE_SEQUENCE ||
      pxed_node_get_n_items (subnets) == 0)
    {
      pxed_section_set_error (sec, "subnets", error, "expected a non-empty list of subnets");
      return NULL;
    }
  for (guint i = 0; i < pxed_node_get_n_items (subnets); i++)
    {
      const PxedNode *item = pxed_node_get_item (subnets, i);
      DhcpSubnet *s = parse_subnet (item, sec, error);

      if (s == NULL)
        return NULL;
      for (guint k = 0; k < c->subnets->len; k++)
        {
          DhcpSubnet *o = g_ptr_array_index (c->subnets, k);
          guint32 m = MIN (g_ntohl (o->netmask), g_ntohl (s->netmask));
          if ((g_ntohl (o->network) & m) == (g_ntohl (s->network) & m))
            {
              pxed_node_set_error (item, error, PXED_CONFIG_ERROR_CONFLICT,
                                   "subnet %s overlaps subnet %s", s->name, o->name);
              dhcp_subnet_free (s);
              return NULL;
            }
        }
      g_ptr_array_add (c->subnets, s);
    }
  if (!dhcp_pxe_config_parse_boot (pxed_section_get_root (sec), &c->boot, error))
    return NULL;
  c->offer_timeout = (guint32) MAX (pxed_section_get_duration_ms (sec, "offer-timeout") / 1000, 1);
  c->decline_time = (guint32) MAX (pxed_section_get_duration_ms (sec, "decline-time") / 1000, 1);
  c->ping_check = pxed_section_get_bool (sec, "ping-check");
  return g_steal_pointer (&c);
}
