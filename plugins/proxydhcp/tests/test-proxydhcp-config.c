/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "proxydhcp-config.h"
#include "dhcp-test-section.h"

/* not inlined: the callers' g_assert_nonnull() does not tell -Wnull-dereference
 * that the result is checked */
G_GNUC_NO_INLINE static ProxyConfig *
parse (const char *yaml, GError **error)
{
  g_autoptr(PxedSection) sec = dhcp_test_section_new ("proxydhcp", "15-proxydhcp",
                                                      proxy_plugin_options, yaml, error);
  return sec != NULL ? proxy_config_parse (sec, error) : NULL;
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProxyConfig) c = parse ("plugin: proxydhcp\n", &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_null (c->boot);
  g_assert_cmpuint (c->next_server, ==, 0);
  g_assert_cmpint (c->file_in_offer, ==, PROXY_FILE_IN_OFFER_AUTO);
  g_assert_cmpuint (c->menu_items->len, ==, 0);
  g_assert_cmpstr (dhcp_boot_table_get (c->boot_defaults, 0), ==, "pxelinux.0");
}

static void
test_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProxyConfig) c = parse (
    "plugin: proxydhcp\n"
    "listen: [veth0]\n"
    "listen-4011: []\n"
    "next-server: 192.0.2.2\n"
    "boot-files: {bios: undionly.kpxe, efi-x64: ipxe.efi, 11: arm.efi}\n"
    "ipxe-script: http://{next-server}/boot.ipxe\n"
    "boot-file-in-offer: [efi-x64, bios]\n"
    "menu:\n"
    "  prompt: Press F8\n"
    "  timeout: never\n"
    "  items:\n"
    "    - {description: Local disk, type: local}\n"
    "    - {description: Installer, boot-file: inst.0}\n"
    "    - {description: Rescue, type: 0x9000, boot-files: {bios: r.0}}\n",
    &error);
  const ProxyMenuItem *item;
  struct in_addr a;

  g_assert_no_error (error);
  inet_pton (AF_INET, "192.0.2.2", &a);
  g_assert_cmpuint (c->next_server, ==, a.s_addr);
  g_assert_cmpstr (dhcp_boot_table_get (c->boot, 0), ==, "undionly.kpxe");
  g_assert_cmpstr (dhcp_boot_table_get (c->boot, 7), ==, "ipxe.efi");
  g_assert_cmpstr (dhcp_boot_table_get (c->boot, 9), ==, "ipxe.efi");
  g_assert_cmpstr (dhcp_boot_table_get (c->boot, 11), ==, "arm.efi");
  g_assert_cmpstr (dhcp_boot_table_get_ipxe_script (c->boot), ==, "http://{next-server}/boot.ipxe");
  g_assert_cmpint (c->file_in_offer, ==, PROXY_FILE_IN_OFFER_ARCHS);
  g_assert_cmpuint (c->file_in_offer_archs->len, ==, 3);
  g_assert_cmpstr (c->menu_prompt, ==, "Press F8");
  g_assert_cmpuint (c->menu_timeout, ==, 255);
  g_assert_cmpuint (c->menu_items->len, ==, 3);
  item = g_ptr_array_index (c->menu_items, 0);
  g_assert_cmpuint (item->type, ==, 0);
  g_assert_null (item->boot);
  item = g_ptr_array_index (c->menu_items, 1);
  g_assert_cmpuint (item->type, ==, 0x8002);
  g_assert_cmpstr (dhcp_boot_table_get (item->boot, DHCP_ARCH_ANY), ==, "inst.0");
  item = g_ptr_array_index (c->menu_items, 2);
  g_assert_cmpuint (item->type, ==, 0x9000);
  g_assert_cmpstr (dhcp_boot_table_get (item->boot, 0), ==, "r.0");
}

static void
test_file_in_offer_bool (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProxyConfig) yes = parse ("plugin: proxydhcp\nboot-file-in-offer: true\n", &error);
  g_autoptr(ProxyConfig) no = parse ("plugin: proxydhcp\nboot-file-in-offer: off\n", &error);
  g_autoptr(ProxyConfig) autom = parse ("plugin: proxydhcp\nboot-file-in-offer: auto\n", &error);

  g_assert_no_error (error);
  g_assert_cmpint (yes->file_in_offer, ==, PROXY_FILE_IN_OFFER_ALWAYS);
  g_assert_cmpint (no->file_in_offer, ==, PROXY_FILE_IN_OFFER_NEVER);
  g_assert_cmpint (autom->file_in_offer, ==, PROXY_FILE_IN_OFFER_AUTO);
}

static void
test_errors (void)
{
  static const struct { const char *yaml; const char *message; } cases[] = {
    { "plugin: proxydhcp\nnext-server: nowhere\n",
      "15-proxydhcp.yaml:2:14: " },
    { "plugin: proxydhcp\nboot-files: {pdp11: x}\n",
      "15-proxydhcp.yaml:2:14: unknown architecture 'pdp11'" },
    { "plugin: proxydhcp\nboot-file-in-offer: sometimes\n",
      "15-proxydhcp.yaml:2:21: expected auto, true, false or a list of architectures" },
    { "plugin: proxydhcp\nmenu: {items: []}\n",
      "15-proxydhcp.yaml:2:15: a menu needs a non-empty list of items" },
    { "plugin: proxydhcp\nmenu: {items: [{type: 5}]}\n",
      "15-proxydhcp.yaml:2:16: a menu item needs a description" },
    { "plugin: proxydhcp\nmenu: {items: [{description: a, type: 70000}]}\n",
      "15-proxydhcp.yaml:2:39: boot server type" },
    { "plugin: proxydhcp\nmenu: {items: [{description: a, type: 7}, {description: b, type: 7}]}\n",
      "two menu items have boot server type 7" },
    { "plugin: proxydhcp\nmenu: {timeout: 300, items: [{description: a}]}\n",
      "15-proxydhcp.yaml:2:17: timeout" },
    { "plugin: proxydhcp\nmenu: {colour: red, items: [{description: a}]}\n",
      "unknown key 'colour'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ProxyConfig) c = parse (cases[i].yaml, &error);

      g_test_message ("%s", cases[i].yaml);
      g_assert_null (c);
      dhcp_test_assert_error_contains (error, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxydhcp/config/defaults", test_defaults);
  g_test_add_func ("/proxydhcp/config/full", test_full);
  g_test_add_func ("/proxydhcp/config/file-in-offer-bool", test_file_in_offer_bool);
  g_test_add_func ("/proxydhcp/config/errors", test_errors);
  return g_test_run ();
}
