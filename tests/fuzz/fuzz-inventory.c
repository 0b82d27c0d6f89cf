/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory and every generator on arbitrary YAML: parse, build the
 * inventory, compile kickstarts, and render the files a machine would ask
 * for. Nothing may crash, leak or produce output the checkers refuse. */
#include <stdint.h>
#include <string.h>

#include "pxed-config-private.h"
#include "pxed-inventory-private.h"

#include "grub-render.h"
#include "kickstart-render.h"
#include "syslinux-render.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
render_all (PxedInventory *inv, KsCompiled *ks, const char *mac_dashes, const char *mac)
{
  GenFacts facts = { .mac = (char *) mac, .ip = (char *) "192.0.2.10", .arch = 7 };
  SyslinuxOptions so = { .ui = "menu.c32" };
  GrubOptions go = { .prefix = "grub" };
  g_autofree char *p1 = g_strdup_printf ("pxelinux.cfg/01-%s", mac_dashes);
  g_autofree char *p2 = g_strdup_printf ("efi64/pxelinux.cfg/01-%s", mac_dashes);
  g_autofree char *p3 = g_strdup_printf ("grub/grub.cfg-01-%s", mac_dashes);
  g_autofree char *p4 = g_strdup_printf ("ks/%s.cfg", mac);
  const char *paths[] = { "pxelinux.cfg/default", p1, p2, "pxelinux.cfg/C000020A" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = syslinux_render (inv, &so, paths[i], &facts, &error);
      g_assert_true (b != NULL || error != NULL);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = grub_render (inv, &go, p3, &facts, &error);
    g_autoptr(GBytes) c = grub_render (inv, &go, "grub/grub.cfg", &facts, &error);
    (void) b;
    (void) c;
  }
  if (ks != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = ks_render (ks, p4, &facts, &error);
      g_autoptr(GBytes) c = ks_render (ks, "ks.cfg", &facts, &error);
      /* Whatever is served passed the checker. */
      if (b != NULL)
        {
          g_autofree char *s = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
          g_assert_true (ks_check (s, NULL));
        }
      (void) c;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = NULL;
  g_autoptr(PxedInventory) inv = NULL;
  g_autoptr(KsCompiled) ks = NULL;
  guint n = 0;
  const PxedInventoryHost *const *hosts;

  if (size > 16384)
    return 0;
  doc = pxed_document_load_data ("fuzz.yaml", (const char *) data, size, &error);
  if (doc == NULL)
    return 0;
  inv = pxed_inventory_new ();
  if (!pxed_inventory_add_document (inv, doc, &error) || !pxed_inventory_finish (inv, &error))
    {
      /* Every inventory error is located. */
      g_assert_true (g_str_has_prefix (error->message, "fuzz.yaml:"));
      return 0;
    }
  ks = ks_compile (inv, &error);
  g_clear_error (&error);

  render_all (inv, ks, "52-54-00-12-34-56", "52:54:00:12:34:56");
  hosts = pxed_inventory_list_hosts (inv, &n);
  for (guint i = 0; i < n && i < 4; i++)
    {
      char dashes[32];
      gen_mac_dashes (hosts[i]->mac, dashes, sizeof dashes);
      render_all (inv, ks, dashes, hosts[i]->mac);
    }
  return 0;
}
