/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the YAML document parser and the option-table check. */
#include <stdint.h>
#include <string.h>

#include "pxed-config-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const PxedOptionSpec fuzz_options[] = {
  { "listen", PXED_OPTION_LIST, "0.0.0.0:69", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE, "", NULL,
    { NULL } },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, 0, "", NULL, { NULL } },
  { "max-sessions", PXED_OPTION_UINT, "64", 1, 65535, 0, "", NULL, { NULL } },
  { "block-size-max", PXED_OPTION_SIZE, "1468", 8, 65464, 0, "", NULL, { NULL } },
  { "timeout", PXED_OPTION_DURATION, "5s", 1000, 255000, 0, "", NULL, { NULL } },
  { "mode", PXED_OPTION_STRING, "octet", 0, 0, 0, "", "octet|netascii", { NULL } },
  { "allow-write", PXED_OPTION_BOOL, "false", 0, 0, 0, "", NULL, { NULL } },
  { "vars", PXED_OPTION_MAP, NULL, 0, 0, 0, "", NULL, { NULL } },
  { "extra", PXED_OPTION_ANY, NULL, 0, 0, 0, "", NULL, { NULL } },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
};

static guint
walk (const PxedNode *node)
{
  guint n = 1;

  (void) pxed_node_get_line (node);
  (void) pxed_node_get_scalar (node);
  for (guint i = 0; i < pxed_node_get_n_items (node); i++)
    {
      (void) pxed_node_get_key (node, i);
      n += walk (pxed_node_get_item (node, i));
    }
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const extra[] = { "plugin", "enabled", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = NULL;
  g_autoptr(PxedSection) sec = NULL;
  const PxedNode *root;

  doc = pxed_document_load_data ("fuzz.yaml", (const char *) data, size, &error);
  if (doc == NULL)
    {
      /* every error is one located line */
      g_assert (error != NULL && g_str_has_prefix (error->message, "fuzz.yaml:"));
      g_assert (strchr (error->message, '\n') == NULL);
      return 0;
    }
  root = pxed_document_get_root (doc);
  walk (root);
  g_assert (pxed_node_equal (root, root));
  sec = pxed_section_new (doc, root, "fuzz", "fuzz", fuzz_options, extra, &error);
  if (sec == NULL)
    {
      g_auto(GStrv) lines = NULL;

      /* every error of the section, each one located line */
      g_assert (error != NULL);
      lines = g_strsplit (error->message, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        g_assert (g_str_has_prefix (lines[i], "fuzz.yaml:"));
      return 0;
    }
  (void) pxed_section_get_strv (sec, "listen");
  (void) pxed_section_get_uint (sec, "max-sessions");
  (void) pxed_section_get_duration_ms (sec, "timeout");
  (void) pxed_section_get_string (sec, "mode");
  return 0;
}
