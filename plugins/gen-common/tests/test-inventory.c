/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory model: parsing, located errors, lookups, template variables. */
#include "gen-test-util.h"

static void
test_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_file (EXAMPLE_INVENTORY, &error);
  const PxedInventoryHost *h;
  const PxedMenu *menu;
  const PxedProfile *p;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (inv);

  h = pxed_inventory_find_mac (inv, "52:54:00:12:34:56");
  g_assert_nonnull (h);
  g_assert_cmpstr (h->name, ==, "web01");
  g_assert_cmpstr (h->ip, ==, "192.0.2.10");
  g_assert_cmpstr (h->profile, ==, "centos7-ftp");
  g_assert_true (pxed_inventory_find_mac (inv, "52-54-00-12-34-56") == h);
  g_assert_true (pxed_inventory_find_mac (inv, "5254.0012.3456") == h);
  g_assert_true (pxed_inventory_find_mac (inv, "52:54:00:12:34:56") == h);
  g_assert_true (pxed_inventory_find_mac (inv, "525400123456") == h);
  g_assert_true (pxed_inventory_find_mac (inv, "52:54:00:12:34:57") == NULL);
  g_assert_true (pxed_inventory_find_ip (inv, "192.0.2.10") == h);
  g_assert_true (pxed_inventory_find_ip (inv, "192.0.2.11") == NULL);
  /* As written (SMBIOS order) and as pxelinux asks (option 97 raw order). */
  g_assert_true (pxed_inventory_find_uuid (inv, "8a6a7d3e-2e2e-4d1d-9b3c-0123456789ab") == h);
  g_assert_true (pxed_inventory_find_uuid (inv, "3e7d6a8a-2e2e-1d4d-9b3c-0123456789ab") == h);
  g_assert_true (pxed_inventory_find_uuid (inv, "8A6A7D3E2E2E4D1D9B3C0123456789AB") == h);

  p = pxed_inventory_find_profile (inv, "centos7-ftp");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->kernel, ==, "centos7/vmlinuz");
  g_assert_nonnull (p->kickstart);
  g_assert_null (pxed_inventory_find_profile (inv, "nope"));
  g_assert_nonnull (pxed_inventory_list_profiles (inv, &n));
  g_assert_cmpuint (n, ==, 2);
  g_assert_nonnull (pxed_inventory_list_hosts (inv, &n));
  g_assert_cmpuint (n, ==, 1);

  menu = pxed_inventory_menu (inv);
  g_assert_nonnull (menu);
  g_assert_cmpstr (menu->title, ==, "PXE Boot Menu");
  g_assert_cmpuint (menu->timeout_ds, ==, 300);
  g_assert_cmpstr (menu->default_label, ==, "local");
  g_assert_cmpuint (menu->n_entries, ==, 3);
  g_assert_true (menu->entries[0].local);
  g_assert_cmpstr (menu->entries[1].profile, ==, "centos7-ftp");
  g_assert_cmpstr (menu->entries[1].text, ==, "Install CentOS 7 x64 from our FTP");
  g_assert_cmpstr (menu->entries[2].text, ==, "Install CentOS 7 x64 from a public mirror");
}

static void
test_null_host (void)
{
  guint n = 7;
  g_assert_null (pxed_inventory_lookup_mac (NULL, "52:54:00:12:34:56"));
  g_assert_null (pxed_inventory_get_menu (NULL));
  g_assert_null (pxed_inventory_get_current (NULL));
  g_assert_null (pxed_inventory_get_profiles (NULL, &n));
  g_assert_cmpuint (n, ==, 0);
}

static void
test_normalize (void)
{
  g_autofree char *a = pxed_inventory_normalize_mac ("AA-BB-CC-DD-EE-FF");
  g_autofree char *s = pxed_inventory_swap_uuid ("8a6a7d3e-2e2e-4d1d-9b3c-0123456789ab");
  g_assert_cmpstr (a, ==, "aa:bb:cc:dd:ee:ff");
  g_assert_null (pxed_inventory_normalize_mac ("aa:bb:cc:dd:ee"));
  g_assert_null (pxed_inventory_normalize_mac ("aa:bb:cc:dd:ee:ff:00"));
  g_assert_null (pxed_inventory_normalize_mac ("aa::bb:cc:dd:ee:ff"));
  g_assert_null (pxed_inventory_normalize_mac ("gg:bb:cc:dd:ee:ff"));
  g_assert_null (pxed_inventory_normalize_mac (""));
  g_assert_cmpstr (s, ==, "3e7d6a8a-2e2e-1d4d-9b3c-0123456789ab");
  g_assert_null (pxed_inventory_normalize_uuid ("8a6a7d3e-2e2e-4d1d-9b3c"));
}

typedef struct {
  const char *name;
  const char *yaml;
  const char *expect; /* substring of the message, located */
} BadCase;

#define PROFILE "profiles:\n  p1:\n    kernel: k\n"

static const BadCase bad_cases[] = {
  { "invalid-mac", PROFILE "hosts:\n  a:\n    mac: 52:54:00:12:34\n",
    "test.yaml:6:10: a.mac: '52:54:00:12:34' is not a MAC address" },
  { "mac-garbage", "hosts:\n  a:\n    mac: zz:54:00:12:34:56\n", "test.yaml:3:10:" },
  { "duplicate-mac",
    "hosts:\n  a:\n    mac: 52:54:00:12:34:56\n  b:\n    mac: 52-54-00-12-34-56\n",
    "test.yaml:5:10: b.mac: 52:54:00:12:34:56 is already used by host 'a' at test.yaml:2:3" },
  { "duplicate-ip",
    "hosts:\n  a:\n    mac: 52:54:00:12:34:56\n    ip: 192.0.2.5\n"
    "  b:\n    mac: 52:54:00:12:34:57\n    ip: 192.0.2.5\n",
    "test.yaml:7:9: b.ip: 192.0.2.5 is already used by host 'a'" },
  { "invalid-ip", "hosts:\n  a:\n    mac: 52:54:00:12:34:56\n    ip: 192.0.2.300\n",
    "test.yaml:4:9: a.ip: '192.0.2.300' is not an IP address" },
  { "duplicate-uuid",
    "hosts:\n  a:\n    mac: 52:54:00:12:34:56\n    uuid: 8a6a7d3e-2e2e-4d1d-9b3c-0123456789ab\n"
    "  b:\n    mac: 52:54:00:12:34:57\n    uuid: 8A6A7D3E-2E2E-4D1D-9B3C-0123456789AB\n",
    "test.yaml:7:11: b.uuid:" },
  { "host-missing-mac", "hosts:\n  a:\n    ip: 192.0.2.5\n",
    "test.yaml:3:5: hosts.a: missing required key 'mac'" },
  { "host-missing-profile", "hosts:\n  a:\n    mac: 52:54:00:12:34:56\n    profile: nope\n",
    "test.yaml:4:14: hosts.a.profile: no profile named 'nope'" },
  { "bad-hostname", "hosts:\n  'a b':\n    mac: 52:54:00:12:34:56\n",
    "test.yaml:2:3: hosts: invalid host name 'a b'" },
  { "menu-missing-profile",
    PROFILE "menu:\n  entries:\n    - label: x\n      profile: nope\n",
    "test.yaml:7:16: menu.entries[0].profile: no profile named 'nope'" },
  { "menu-bad-default",
    PROFILE "menu:\n  default: nope\n  entries:\n    - label: x\n      local: true\n",
    "test.yaml:5:12: menu.default: no menu entry labelled 'nope'" },
  { "menu-duplicate-label",
    "menu:\n  entries:\n    - label: x\n      local: true\n    - label: x\n      local: true\n",
    "test.yaml:5:14: menu.entries[1].label: label 'x' is used twice" },
  { "menu-entry-needs-target", "menu:\n  entries:\n    - label: x\n",
    "menu.entries[0]: an entry needs either 'profile' or 'local: true'" },
  { "menu-bad-timeout", "menu:\n  timeout: soon\n  entries:\n    - label: x\n      local: true\n",
    "test.yaml:2:12: menu.timeout: expected a duration" },
  { "profile-missing-kernel", "profiles:\n  p1:\n    initrd: i\n",
    "test.yaml:3:5: profiles.p1: missing required key 'kernel'" },
  { "profile-kernel-space", "profiles:\n  p1:\n    kernel: a b\n",
    "test.yaml:3:13: kernel: spaces are not allowed" },
  { "profile-kernel-dotdot", "profiles:\n  p1:\n    kernel: ../../etc/shadow\n",
    "kernel: '..' is not allowed" },
  { "label-newline", "profiles:\n  p1:\n    kernel: k\n    label: \"a\\nMENU HIDDEN\"\n",
    "test.yaml:4:12: label: newlines and control characters are not allowed" },
  { "append-newline", "profiles:\n  p1:\n    kernel: k\n    append: \"quiet\\nLABEL evil\"\n",
    "append: newlines and control characters are not allowed" },
  { "var-newline", "vars:\n  x: \"a\\nb\"\n", "test.yaml:2:6: vars.x: newlines" },
  { "unknown-variable", "profiles:\n  p1:\n    kernel: k\n    append: ks=${nope}\n",
    "test.yaml:4:13: unknown variable '${nope}'" },
  { "malformed-variable", "profiles:\n  p1:\n    kernel: k\n    append: ks=${a b}\n",
    "malformed variable reference" },
  { "unknown-key", "profiles:\n  p1:\n    kernel: k\n    kernal: k\n",
    "test.yaml:4:5: profiles.p1: unknown key 'kernal'" },
  { "unknown-top-key", "hostz: {}\n", "test.yaml:1:1: inventory: unknown key 'hostz'" },
  { "ks-and-template",
    "profiles:\n  p1:\n    kernel: k\n    kickstart: {}\n    kickstart-template: /x\n",
    "'kickstart' and 'kickstart-template' exclude each other" },
  { "hosts-not-mapping", "hosts: [a, b]\n", "test.yaml:1:8: hosts: expected a mapping" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (c->yaml, &error);

  g_assert_null (inv);
  g_assert_error (error, PXED_CONFIG_ERROR, error->code);
  if (strstr (error->message, c->expect) == NULL)
    g_error ("case %s: expected '%s' in '%s'", c->name, c->expect, error->message);
  g_assert_true (g_str_has_prefix (error->message, "test.yaml:"));
}

static void
test_duplicates_across_files (void)
{
  const char *a = PROFILE "hosts:\n  web:\n    mac: 52:54:00:12:34:56\n";
  const char *b = "hosts:\n  web:\n    mac: 52:54:00:12:34:57\n";
  const char *c = "profiles:\n  p1:\n    kernel: other\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) da = pxed_document_load_data ("a.yaml", a, strlen (a), &error);
  g_autoptr(PxedDocument) db = pxed_document_load_data ("b.yaml", b, strlen (b), &error);
  g_autoptr(PxedDocument) dc = pxed_document_load_data ("c.yaml", c, strlen (c), &error);
  g_autoptr(PxedInventory) inv = pxed_inventory_new ();
  g_autoptr(PxedInventory) inv2 = pxed_inventory_new ();

  g_assert_no_error (error);
  g_assert_true (pxed_inventory_add_document (inv, da, &error));
  g_assert_false (pxed_inventory_add_document (inv, db, &error));
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "b.yaml:2:3: hosts: host 'web' is already defined at a.yaml:5:3");
  g_clear_error (&error);
  g_assert_true (pxed_inventory_add_document (inv2, da, &error));
  g_assert_false (pxed_inventory_add_document (inv2, dc, &error));
  g_assert_true (strstr (error->message, "c.yaml:2:3: profiles: profile 'p1' is already defined "
                                         "at a.yaml:2:3") != NULL);
}

static void
test_expand (void)
{
  const char *yaml = "vars:\n  server: 192.0.2.1\n  who: global\n"
                     "profiles:\n  p1:\n    kernel: k\n    vars:\n      who: profile\n"
                     "hosts:\n  h1:\n    mac: 52:54:00:12:34:56\n    profile: p1\n"
                     "    vars:\n      who: host\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, &error);
  const PxedProfile *p;
  const PxedInventoryHost *h;
  const char *builtins[] = { "mac", "52:54:00:12:34:56", NULL };
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  g_assert_no_error (error);
  p = pxed_inventory_find_profile (inv, "p1");
  h = pxed_inventory_find_mac (inv, "52:54:00:12:34:56");
  a = pxed_inventory_expand (inv, "http://${server}/ks/${mac}.cfg ${who}", p, h, builtins, &error);
  g_assert_cmpstr (a, ==, "http://192.0.2.1/ks/52:54:00:12:34:56.cfg host");
  b = pxed_inventory_expand (inv, "${who} $HOME $${literal} $", p, NULL, NULL, &error);
  g_assert_cmpstr (b, ==, "profile $HOME ${literal} $");
  c = pxed_inventory_expand (inv, "${who}/${hostname}", NULL, NULL, NULL, &error);
  g_assert_cmpstr (c, ==, "global/");
  d = pxed_inventory_expand (inv, "${missing}", p, h, NULL, &error);
  g_assert_null (d);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID);
}

static void
test_equal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) a = gen_test_inventory_from_file (EXAMPLE_INVENTORY, &error);
  g_autoptr(PxedInventory) b = gen_test_inventory_from_file (EXAMPLE_INVENTORY, &error);
  g_autoptr(PxedInventory) c = gen_test_inventory_from_data (PROFILE, &error);
  g_autoptr(PxedInventory) d = gen_test_inventory_from_data ("profiles:\n  p1:\n    kernel: k2\n",
                                                             &error);
  g_assert_no_error (error);
  g_assert_true (pxed_inventory_equal (a, b));
  g_assert_false (pxed_inventory_equal (a, c));
  g_assert_false (pxed_inventory_equal (c, d));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inventory/example", test_example);
  g_test_add_func ("/inventory/null-host", test_null_host);
  g_test_add_func ("/inventory/normalize", test_normalize);
  g_test_add_func ("/inventory/duplicates-across-files", test_duplicates_across_files);
  g_test_add_func ("/inventory/expand", test_expand);
  g_test_add_func ("/inventory/equal", test_equal);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/inventory/bad/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  return g_test_run ();
}
