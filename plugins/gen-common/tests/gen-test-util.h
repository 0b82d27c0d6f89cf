/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test helpers shared by the generator plugins' unit tests: inventories
 * built from YAML text or files through the real config parser. */

#include <string.h>

#include "pxed-config-private.h"
#include "pxed-inventory-private.h"

#include "gen-common.h"

static inline PxedInventory *
gen_test_inventory_from_doc (PxedDocument *doc, GError **error)
{
  g_autoptr(PxedInventory) inv = pxed_inventory_new ();
  if (!pxed_inventory_add_document (inv, doc, error) || !pxed_inventory_finish (inv, error))
    return NULL;
  return g_steal_pointer (&inv);
}

static inline PxedInventory *
gen_test_inventory_from_data (const char *yaml, GError **error)
{
  g_autoptr(PxedDocument) doc = pxed_document_load_data ("test.yaml", yaml, strlen (yaml), error);
  if (doc == NULL)
    return NULL;
  return gen_test_inventory_from_doc (doc, error);
}

static inline PxedInventory *
gen_test_inventory_from_file (const char *path, GError **error)
{
  g_autoptr(PxedDocument) doc = pxed_document_load_file (path, error);
  if (doc == NULL)
    return NULL;
  return gen_test_inventory_from_doc (doc, error);
}

/* Compares @bytes with the golden file @name in @dir; with
 * PXED_UPDATE_GOLDEN=1 in the environment, rewrites the golden file. */
static inline void
gen_test_assert_golden (GBytes *bytes, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data;
  gsize size;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &size);
  if (g_strcmp0 (g_getenv ("PXED_UPDATE_GOLDEN"), "1") == 0)
    {
      g_assert_true (g_file_set_contents (path, data, (gssize) size, &error));
      return;
    }
  g_assert_true (g_file_get_contents (path, &expected, &len, &error));
  g_assert_no_error (error);
  if (len != size || memcmp (expected, data, size) != 0)
    {
      g_autofree char *got = g_strndup (data, size);
      g_printerr ("golden %s differs; got:\n%s\n", path, got);
      g_assert_cmpstr (got, ==, expected);
    }
}

static inline char *
gen_test_bytes_str (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  return g_strndup (data, size);
}
