/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "dhcp-config.h"
#include "dhcp-test-section.h"

static DhcpServerConfig *
parse (const char *yaml, GError **error)
{
  g_autoptr(PxedSection) sec = dhcp_test_section_new ("dhcp", "10-dhcp", dhcp_plugin_options, yaml,
                                                      error);
  return sec != NULL ? dhcp_config_parse (sec, error) : NULL;
}

static void
test_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpServerConfig) c = parse (
    "plugin: dhcp\n"
    "listen: [veth0]\n"
    "lease-store: memory\n"
    "ipxe-script: http://{next-server}/boot.ipxe\n"
    "boot-files: {bios: undionly.kpxe, efi-x64: ipxe.efi}\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.200\n"
    "    routers: 192.0.2.1\n"
    "    broadcast: 192.0.2.255\n"
    "    dns: [192.0.2.53, 198.51.100.53]\n"
    "    domain: example.test\n"
    "    lease-time: 50m\n"
    "    max-lease-time: 6000\n"
    "    next-server: 192.0.2.2\n"
    "    boot-file: pxelinux.0\n"
    "    authoritative: false\n"
    "    options: {42: 192.0.2.123, 26: 1400, 224: hex:01:02, 225: text, 226: [192.0.2.1, 192.0.2.2], 19: true}\n"
    "  - subnet: 198.51.100.0/24\n"
    "    ranges: [198.51.100.10-198.51.100.20, {start: 198.51.100.30, end: 198.51.100.40}]\n"
    "    interface: veth1\n",
    &error);
  DhcpSubnet *s;
  gsize len;
  const guint8 *p;

  g_assert_no_error (error);
  g_assert (c != NULL);
  g_assert_cmpuint (c->subnets->len, ==, 2);
  s = g_ptr_array_index (c->subnets, 0);
  g_assert_cmpuint (s->prefix, ==, 24);
  g_assert_cmpuint (s->ranges->len, ==, 1);
  g_assert_cmpuint (g_array_index (s->ranges, DhcpRange, 0).start, ==, 0xc0000264);
  g_assert_cmpuint (s->dns->len, ==, 2);
  g_assert_cmpuint (s->lease_time, ==, 3000);
  g_assert_cmpuint (s->max_lease_time, ==, 6000);
  g_assert_false (s->authoritative);
  g_assert_cmpstr (dhcp_boot_table_get (s->boot, DHCP_ARCH_ANY), ==, "pxelinux.0");
  p = g_bytes_get_data (s->options[26], &len);
  g_assert_cmpmem (p, len, "\x05\x78", 2);
  p = g_bytes_get_data (s->options[224], &len);
  g_assert_cmpmem (p, len, "\x01\x02", 2);
  p = g_bytes_get_data (s->options[225], &len);
  g_assert_cmpmem (p, len, "text", 4);
  g_assert_cmpuint (g_bytes_get_size (s->options[226]), ==, 8);
  g_assert_cmpuint (g_bytes_get_size (s->options[42]), ==, 4);
  p = g_bytes_get_data (s->options[19], &len);
  g_assert_cmpmem (p, len, "\x01", 1);
  s = g_ptr_array_index (c->subnets, 1);
  g_assert_cmpuint (s->ranges->len, ==, 2);
  g_assert_cmpstr (s->interface, ==, "veth1");
  g_assert_true (s->authoritative); /* the default */
  g_assert_cmpuint (s->lease_time, ==, 3600);
  g_assert_cmpstr (dhcp_boot_table_get (c->boot, 9), ==, "ipxe.efi");
  g_assert_cmpstr (dhcp_boot_table_get_ipxe_script (c->boot), ==, "http://{next-server}/boot.ipxe");
  g_assert_cmpuint (c->offer_timeout, ==, 30);
  g_assert_cmpuint (c->decline_time, ==, 600);
}

static void
test_errors (void)
{
  struct { const char *yaml; const char *expect; } cases[] = {
    { "subnets: []\n", "10-dhcp.yaml:1:10: " },
    { "subnets:\n  - subnet: 192.0.2.0/33\n", "10-dhcp.yaml:2:13: expected ADDRESS/PREFIX" },
    { "subnets:\n  - subnet: 192.0.2.1/24\n", "host bits set" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, range: 192.0.3.1-192.0.3.5}\n", "range outside subnet" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, range: 192.0.2.9-192.0.2.5}\n", "ends before it starts" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, ranges: [192.0.2.1-192.0.2.9, 192.0.2.5-192.0.2.20]}\n", "ranges overlap" },
    { "subnets:\n  - {subnet: 192.0.2.0/24}\n  - {subnet: 192.0.2.128/25}\n", "10-dhcp.yaml:3:5: subnet 192.0.2.128/25 overlaps" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, rnage: x}\n", "unknown subnet key 'rnage'" },
    { "subnets:\n  - {range: 192.0.2.1-192.0.2.5}\n", "subnet: missing" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, routers: [192.0.2.300]}\n", "10-dhcp.yaml:2:38: expected an IPv4 address" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, lease-time: 5x}\n", "expected a duration" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, options: {53: 1}}\n", "expected an option number" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, options: {26: 70000}}\n", "takes a number" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, options: {1: [192.0.2.1, 192.0.2.2]}}\n", "takes one address" },
    { "subnets:\n  - {subnet: 192.0.2.0/24, options: {224: hex:zz}}\n", "expected hex bytes" },
    { "subnets:\n  - {subnet: 192.0.2.0/24}\nboot-files: {amiga: x}\n", "10-dhcp.yaml:3:14: unknown architecture 'amiga'" },
    { "subnets: 5\n", "expected a non-empty list" },
    { "subnets:\n  - 5\n", "expected a subnet mapping" },
    { "subnets:\n  - {subnet: 10.0.0.0/8, range: 10.0.0.0-10.255.255.255}\n", "more than" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DhcpServerConfig) c = parse (cases[i].yaml, &error);

      if (c != NULL || error == NULL || strstr (error->message, cases[i].expect) == NULL)
        g_error ("case %u: expected '%s', got '%s'", i, cases[i].expect,
                 error != NULL ? error->message : "success");
    }
}

static void
test_seconds (void)
{
  guint32 v;

  g_assert_true (dhcp_config_parse_seconds ("3000", &v));
  g_assert_cmpuint (v, ==, 3000);
  g_assert_true (dhcp_config_parse_seconds ("2h", &v));
  g_assert_cmpuint (v, ==, 7200);
  g_assert_true (dhcp_config_parse_seconds ("1d", &v));
  g_assert_cmpuint (v, ==, 86400);
  g_assert_false (dhcp_config_parse_seconds ("0", &v));
  g_assert_false (dhcp_config_parse_seconds ("1w", &v));
  g_assert_false (dhcp_config_parse_seconds ("-1", &v));
  g_assert_false (dhcp_config_parse_seconds ("99999999999d", &v));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/config/full", test_full);
  g_test_add_func ("/dhcp/config/errors", test_errors);
  g_test_add_func ("/dhcp/config/seconds", test_seconds);
  return g_test_run ();
}
