/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-test-section.h"

#include <string.h>

#include "pxed-config-private.h"

PxedSection *
dhcp_test_section_new (const char *plugin, const char *instance, const PxedOptionSpec *options,
                       const char *yaml, GError **error)
{
  g_autofree char *file = g_strdup_printf ("%s.yaml", instance);
  g_autoptr(PxedDocument) doc = pxed_document_load_data (file, yaml, strlen (yaml), error);
  const char *const extra[] = { "plugin", "enabled", NULL };

  if (doc == NULL)
    return NULL;
  return pxed_section_new (doc, pxed_document_get_root (doc), plugin, instance, options, extra,
                           error);
}

void
dhcp_test_assert_error_contains (const GError *error, const char *part)
{
  if (error == NULL)
    g_error ("no error, expected one containing '%s'", part);
  if (strstr (error->message, part) == NULL)
    g_error ("'%s' does not contain '%s'", error->message, part);
}
