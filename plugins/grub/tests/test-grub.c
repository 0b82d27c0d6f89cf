/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* grub.cfg rendering: golden files, per-MAC names, quoting. */
#include "gen-test-util.h"
#include "grub-render.h"

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
  GrubOptions opts = { .prefix = "grub" };
  GenFacts facts = { .mac = (char *) mac, .ip = (char *) ip, .arch = 7 };
  return grub_render (inv, &opts, path, &facts, error);
}

static void
test_golden (void)
{
  g_autoptr(PxedInventory) inv = example ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) anon = render (inv, "grub/grub.cfg", "52:54:00:aa:bb:cc", NULL, &error);
  g_autoptr(GBytes) unknown = NULL, host = NULL, host2 = NULL, host3 = NULL;

  g_assert_no_error (error);
  gen_test_assert_golden (anon, GOLDEN_DIR, "grub.cfg");
  /* Nobody knows who asks: chain to the per-MAC file first. */
  unknown = render (inv, "grub/grub.cfg", NULL, NULL, &error);
  g_assert_no_error (error);
  gen_test_assert_golden (unknown, GOLDEN_DIR, "grub.cfg-unknown-client");
  host = render (inv, "grub/grub.cfg-01-52-54-00-12-34-56", NULL, NULL, &error);
  g_assert_no_error (error);
  gen_test_assert_golden (host, GOLDEN_DIR, "grub.cfg-01-52-54-00-12-34-56");
  /* Both names in the wild, and grub.cfg itself for the known requester. */
  host2 = render (inv, "grub/grub.cfg-52:54:00:12:34:56", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (host, host2));
  host3 = render (inv, "grub/grub.cfg", NULL, "192.0.2.10", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (host, host3));
}

static void
test_not_found (void)
{
  g_autoptr(PxedInventory) inv = example ();
  const char *paths[] = {
    "grub/grub.cfg-01-52-54-00-12-34-57", "grub/grub.cfg-52:54:00:12:34:57",
    "grub/grub.cfg-C000020A", "grub/grub.cfg-", "grub.cfg", "other/grub.cfg",
    "grub/x86_64-efi/command.lst", "grub/grub.cfg-01-52-54-00-12-34-56-00",
  };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = render (inv, paths[i], NULL, NULL, &error);
      g_assert_null (b);
      g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
    }
}

static void
test_quoting (void)
{
  const char *yaml = "menu:\n  title: \"It's $x; echo `id`\"\n  timeout: 0\n  entries:\n"
                     "    - {label: a, profile: p, text: \"Pat's } menuentry 'x' {\"}\n"
                     "profiles:\n  p:\n    kernel: /k\n    append: \"a='b c' $(id) ${server}\"\n"
                     "vars:\n  server: \"x';reboot;'\"\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, &error);
  g_autoptr(GBytes) b = NULL;
  g_autofree char *s = NULL;
  g_autofree char *q = grub_quote ("it's");

  g_assert_no_error (error);
  g_assert_cmpstr (q, ==, "'it'\\''s'");
  b = render (inv, "grub/grub.cfg", "52:54:00:aa:bb:cc", NULL, &error);
  g_assert_no_error (error);
  s = gen_test_bytes_str (b);
  g_assert_nonnull (strstr (s, "set timeout=-1\n"));
  g_assert_nonnull (strstr (s, "echo 'It'\\''s $x; echo `id`'\n"));
  g_assert_nonnull (strstr (s, "menuentry 'Pat'\\''s } menuentry '\\''x'\\'' {' --id 'a' {\n"));
  g_assert_nonnull (strstr (s, "  linux '/k' 'a='\\''b' 'c'\\''' '$(id)' 'x'\\'';reboot;'\\'''\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/grub/render/golden", test_golden);
  g_test_add_func ("/grub/render/not-found", test_not_found);
  g_test_add_func ("/grub/render/quoting", test_quoting);
  return g_test_run ();
}
