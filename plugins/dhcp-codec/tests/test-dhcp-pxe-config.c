/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "dhcp-pxe-config.h"
#include "dhcp-test-section.h"

/* A section with exactly the shared keys (and the subnet/menu-item ones). */
static const PxedOptionSpec options[] = {
  DHCP_PXE_CONFIG_OPTION_BOOT_FILES,
  DHCP_PXE_CONFIG_OPTION_IPXE_SCRIPT,
  { "boot-file", PXED_OPTION_STRING, NULL, 0, 0, 0, "test", NULL },
  { "next-server", PXED_OPTION_STRING, NULL, 0, 0, 0, "test", NULL },
  { NULL }
};

static gboolean
parse (const char *yaml, DhcpBootTable **boot, guint32 *next_server, GError **error)
{
  g_autoptr(PxedSection) sec = dhcp_test_section_new ("test", "10-test", options, yaml, error);

  if (sec == NULL)
    return FALSE;
  return dhcp_pxe_config_parse_next_server (pxed_section_get_root (sec), next_server, error) &&
         dhcp_pxe_config_parse_boot (pxed_section_get_root (sec), boot, error);
}

static void
test_none (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpBootTable) boot = NULL;
  guint32 next = 7;

  g_assert_true (parse ("plugin: test\n", &boot, &next, &error));
  g_assert_no_error (error);
  g_assert_null (boot);
  g_assert_cmpuint (next, ==, 7);
  /* an empty ipxe-script is no script */
  g_assert_true (parse ("plugin: test\nipxe-script: ''\n", &boot, &next, &error));
  g_assert_null (boot);
}

static void
test_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DhcpBootTable) boot = NULL;
  guint32 next = 0;

  g_assert_true (parse ("plugin: test\n"
                        "next-server: 192.0.2.2\n"
                        "boot-file: fallback.0\n"
                        "boot-files: {bios: pxelinux.0, efi-x64: efi64/syslinux.efi, 4242: x}\n"
                        "ipxe-script: http://{next-server}/boot.ipxe\n",
                        &boot, &next, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (next, ==, inet_addr ("192.0.2.2"));
  g_assert_nonnull (boot);
  g_assert_cmpstr (dhcp_boot_table_get (boot, DHCP_ARCH_ANY), ==, "fallback.0");
  g_assert_cmpstr (dhcp_boot_table_get (boot, DHCP_ARCH_BIOS), ==, "pxelinux.0");
  g_assert_cmpstr (dhcp_boot_table_get (boot, DHCP_ARCH_EFI_BC), ==, "efi64/syslinux.efi");
  g_assert_cmpstr (dhcp_boot_table_get (boot, DHCP_ARCH_EFI_X64), ==, "efi64/syslinux.efi");
  g_assert_cmpstr (dhcp_boot_table_get (boot, 4242), ==, "x");
  g_assert_cmpstr (dhcp_boot_table_get_ipxe_script (boot), ==, "http://{next-server}/boot.ipxe");
}

static void
test_errors (void)
{
  g_autofree char *long_name = g_strnfill (1100, 'a');
  g_autofree char *long_yaml = g_strdup_printf ("plugin: test\nboot-files: {bios: %s}\n", long_name);
  static const struct { const char *yaml; const char *message; } cases[] = {
    { "plugin: test\nnext-server: nowhere\n", "10-test.yaml:2:14: expected an IPv4 address" },
    { "plugin: test\nnext-server: 0.0.0.0\n", "10-test.yaml:2:14: expected an IPv4 unicast" },
    { "plugin: test\nnext-server: 255.255.255.255\n", "expected an IPv4 unicast" },
    { "plugin: test\nnext-server: 224.0.0.1\n", "expected an IPv4 unicast" },
    { "plugin: test\nboot-files: {pdp11: x}\n", "10-test.yaml:2:14: unknown architecture 'pdp11'" },
    { "plugin: test\nboot-files: {70000: x}\n", "unknown architecture '70000'" },
    { "plugin: test\nboot-files: {bios: [a, b]}\n", "10-test.yaml:2:20: expected a string" },
    { "plugin: test\nboot-file: [a]\n", "10-test.yaml:2:12: " },
    { NULL, "boot file name too long" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DhcpBootTable) boot = NULL;
      guint32 next = 0;
      const char *yaml = cases[i].yaml != NULL ? cases[i].yaml : long_yaml;

      g_test_message ("%s", yaml);
      g_assert_false (parse (yaml, &boot, &next, &error));
      dhcp_test_assert_error_contains (error, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp-codec/pxe-config/none", test_none);
  g_test_add_func ("/dhcp-codec/pxe-config/full", test_full);
  g_test_add_func ("/dhcp-codec/pxe-config/errors", test_errors);
  return g_test_run ();
}
