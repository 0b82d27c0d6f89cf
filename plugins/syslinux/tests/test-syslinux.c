/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxelinux.cfg rendering: golden files, pxelinux's lookup order, injection. */
#include "gen-test-util.h"
#include "syslinux-render.h"

static PxedInventory *
example (void)
{
  g_autoptr(GError) error = NULL;
  PxedInventory *inv = gen_test_inventory_from_file (EXAMPLE_INVENTORY, &error);
  g_assert_no_error (error);
  return inv;
}

static GBytes *
render (PxedInventory *inv, const char *path, const char *mac, const char *ip, GError **error)
{
  SyslinuxOptions opts = { .ui = "menu.c32" };
  GenFacts facts = { .mac = (char *) mac, .ip = (char *) ip, .arch = -1 };
  return syslinux_render (inv, &opts, path, &facts, error);
}

static void
test_golden_default (void)
{
  g_autoptr(PxedInventory) inv = example ();
  g_autoptr(GError) error = NULL;
  /* An unknown machine: the seed's menu, variables filled from its facts. */
  g_autoptr(GBytes) b = render (inv, "pxelinux.cfg/default", "52:54:00:aa:bb:cc", "192.0.2.99",
                                &error);
  g_assert_no_error (error);
  gen_test_assert_golden (b, GOLDEN_DIR, "default.cfg");
}

static void
test_golden_host (void)
{
  g_autoptr(PxedInventory) inv = example ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b = render (inv, "pxelinux.cfg/01-52-54-00-12-34-56", NULL, "192.0.2.10",
                                &error);
  g_assert_no_error (error);
  gen_test_assert_golden (b, GOLDEN_DIR, "01-52-54-00-12-34-56.cfg");
}

static void
test_golden_efi (void)
{
  g_autoptr(PxedInventory) inv = example ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b = render (inv, "efi64/pxelinux.cfg/default", NULL, NULL, &error);
  g_autofree char *s = NULL;
  g_assert_no_error (error);
  gen_test_assert_golden (b, GOLDEN_DIR, "efi64-default.cfg");
  s = gen_test_bytes_str (b);
  g_assert_nonnull (strstr (s, "KERNEL ::/centos7/vmlinuz\n"));
  g_assert_nonnull (strstr (s, "INITRD ::/centos7/initrd.img\n"));
}

/* pxelinux's order for 52:54:00:12:34:56 / 192.0.2.10 (C000020A). */
static void
test_lookup_order (void)
{
  g_autoptr(PxedInventory) inv = example ();
  struct {
    const char *path;
    gboolean    found;
    gboolean    per_host;
  } cases[] = {
    { "pxelinux.cfg/3e7d6a8a-2e2e-1d4d-9b3c-0123456789ab", TRUE, TRUE }, /* raw option 97 order */
    { "pxelinux.cfg/8a6a7d3e-2e2e-4d1d-9b3c-0123456789ab", TRUE, TRUE }, /* SMBIOS order */
    { "pxelinux.cfg/00000000-0000-0000-0000-000000000000", FALSE, FALSE },
    { "pxelinux.cfg/01-52-54-00-12-34-56", TRUE, TRUE },
    { "pxelinux.cfg/01-52-54-00-12-34-57", FALSE, FALSE },
    { "pxelinux.cfg/01-52:54:00:12:34:56", FALSE, FALSE },
    { "pxelinux.cfg/C000020A", TRUE, TRUE },
    { "pxelinux.cfg/c000020a", TRUE, TRUE },
    { "pxelinux.cfg/C000020", FALSE, FALSE },
    { "pxelinux.cfg/C00002", FALSE, FALSE },
    { "pxelinux.cfg/C", FALSE, FALSE },
    { "pxelinux.cfg/C000020B", FALSE, FALSE },
    { "pxelinux.cfg/default", TRUE, FALSE },
    { "efi64/pxelinux.cfg/01-52-54-00-12-34-56", TRUE, TRUE },
    { "efi32/pxelinux.cfg/default", TRUE, FALSE },
    { "efi99/pxelinux.cfg/default", FALSE, FALSE },
    { "x/efi64/pxelinux.cfg/default", FALSE, FALSE },
    { "pxelinux.cfg/web01", FALSE, FALSE },
    { "pxelinux.cfg/", FALSE, FALSE },
    { "pxelinux.0", FALSE, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = render (inv, cases[i].path, NULL, "192.0.2.10", &error);
      if (!cases[i].found)
        {
          g_assert_null (b);
          g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
          continue;
        }
      g_assert_no_error (error);
      {
        g_autofree char *s = gen_test_bytes_str (b);
        g_assert_cmpint (strstr (s, "for web01") != NULL, ==, cases[i].per_host);
        /* The host boots its profile by default; others boot locally. */
        g_assert_cmpint (strstr (s, "ONTIMEOUT ftp\n") != NULL, ==, cases[i].per_host);
      }
    }
}

static void
test_injection (void)
{
  /* Values that could smuggle a directive are refused when the
   * configuration loads, with their location. */
  static const char *const bad[] = {
    "profiles:\n  p:\n    kernel: k\n    append: \"quiet\\nLABEL evil\\nKERNEL evil\"\n",
    "profiles:\n  p:\n    kernel: \"k\\rAPPEND x\"\n",
    "profiles:\n  p:\n    kernel: k\n    label: \"x\\nMENU HIDDEN\"\n",
    "menu:\n  title: \"t\\nUI evil.c32\"\n  entries:\n    - {label: a, local: true}\n",
    "menu:\n  entries:\n    - {label: \"a b\", local: true}\n",
    "menu:\n  entries:\n    - {label: a, local: true, text: \"x\\u0085y\\u000bz\"}\n",
    "vars:\n  v: \"1\\n2\"\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (bad[i], &error);
      if (inv != NULL)
        g_error ("case %u accepted", i);
      g_assert_true (g_str_has_prefix (error->message, "test.yaml:"));
    }

  /* A request fact with a newline (a hostile transport) cannot reach the
   * output either: the render fails instead. */
  {
    const char *yaml = "menu:\n  entries:\n    - {label: a, profile: p}\n"
                       "profiles:\n  p:\n    kernel: k\n    append: ip=${ip}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, &error);
    g_autoptr(GBytes) b = NULL;
    g_assert_no_error (error);
    b = render (inv, "pxelinux.cfg/default", NULL, "1.2.3.4\nLABEL evil", &error);
    g_assert_null (b);
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED);
  }
}

static void
test_no_menu (void)
{
  const char *yaml = "profiles:\n  p:\n    kernel: k\n    append: a\n"
                     "hosts:\n  h:\n    mac: 52:54:00:00:00:01\n    profile: p\n"
                     "  nop:\n    mac: 52:54:00:00:00:02\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, &error);
  g_autoptr(GBytes) b1 = NULL, b2 = NULL, b3 = NULL;
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  b1 = render (inv, "pxelinux.cfg/01-52-54-00-00-00-01", NULL, NULL, &error);
  g_assert_no_error (error);
  s = gen_test_bytes_str (b1);
  g_assert_nonnull (strstr (s, "DEFAULT p\n"));
  g_assert_null (strstr (s, "UI "));
  b2 = render (inv, "pxelinux.cfg/01-52-54-00-00-00-02", NULL, NULL, &error);
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  b3 = render (inv, "pxelinux.cfg/default", NULL, NULL, &error);
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
}

static void
test_host_profile_not_in_menu (void)
{
  const char *yaml = "menu:\n  default: local\n  entries:\n    - {label: local, local: true}\n"
                     "    - {label: p, profile: a}\n"
                     "profiles:\n  a:\n    kernel: ka\n  p:\n    kernel: kp\n    label: Special\n"
                     "hosts:\n  h:\n    mac: 52:54:00:00:00:01\n    profile: p\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, &error);
  g_autoptr(GBytes) b = NULL;
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  b = render (inv, "pxelinux.cfg/01-52-54-00-00-00-01", NULL, NULL, &error);
  g_assert_no_error (error);
  s = gen_test_bytes_str (b);
  /* The label "p" is taken by another entry: the added one is renamed. */
  g_assert_nonnull (strstr (s, "ONTIMEOUT profile-p\n"));
  g_assert_nonnull (strstr (s, "LABEL profile-p\n  MENU LABEL Special\n  MENU DEFAULT\n"
                               "  KERNEL kp\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/syslinux/render/golden-default", test_golden_default);
  g_test_add_func ("/syslinux/render/golden-host", test_golden_host);
  g_test_add_func ("/syslinux/render/golden-efi", test_golden_efi);
  g_test_add_func ("/syslinux/render/lookup-order", test_lookup_order);
  g_test_add_func ("/syslinux/render/injection", test_injection);
  g_test_add_func ("/syslinux/render/no-menu", test_no_menu);
  g_test_add_func ("/syslinux/render/host-profile-not-in-menu", test_host_profile_not_in_menu);
  return g_test_run ();
}
