/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PxedSection: one validated conf.d mapping with typed accessors. */
#include "pxed-section-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pxed-config"

PxedSection *
pxed_section_ref (PxedSection *sec)
{
  g_return_val_if_fail (sec != NULL, NULL);
  g_atomic_ref_count_inc (&sec->ref);
  return sec;
}

void
pxed_section_unref (PxedSection *sec)
{
  g_return_if_fail (sec != NULL);
  if (!g_atomic_ref_count_dec (&sec->ref))
    return;
  g_clear_pointer (&sec->values, g_hash_table_unref);
  g_strfreev (sec->extra_keys);
  g_free (sec->plugin);
  g_free (sec->instance);
  pxed_document_unref (sec->doc);
  g_free (sec);
}

const char *
pxed_section_get_instance (const PxedSection *sec)
{
  g_return_val_if_fail (sec != NULL, NULL);
  return sec->instance;
}

const char *
pxed_section_get_plugin (const PxedSection *sec)
{
  g_return_val_if_fail (sec != NULL, NULL);
  return sec->plugin;
}

const char *
pxed_section_get_file (const PxedSection *sec)
{
  g_return_val_if_fail (sec != NULL, NULL);
  return pxed_node_get_file (sec->root);
}

const PxedNode *
pxed_section_get_root (const PxedSection *sec)
{
  g_return_val_if_fail (sec != NULL, NULL);
  return sec->root;
}

gboolean
pxed_section_has (const PxedSection *sec, const char *key)
{
  g_return_val_if_fail (sec != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  return pxed_node_lookup (sec->root, key) != NULL;
}

/* The value of a declared key, or NULL (with a critical: a plugin asked
 * for a key its own table does not declare). Extra keys (plugin, enabled)
 * have no value but are not an error. */
static const PxedSectionValue *
section_lookup (const PxedSection *sec, const char *key, const char *accessor)
{
  const PxedSectionValue *v;

  v = g_hash_table_lookup (sec->values, key);
  if (v != NULL)
    return v;
  if (sec->extra_keys == NULL || !g_strv_contains ((const char *const *) sec->extra_keys, key))
    g_critical ("%s: key '%s' is not declared in the option table of %s '%s'", accessor, key,
                sec->plugin != NULL ? "plugin" : "section",
                sec->plugin != NULL ? sec->plugin : sec->instance);
  return NULL;
}

static gboolean
section_check_type (const PxedSectionValue *v, PxedOptionType type, const char *accessor)
{
  if (v->spec->type == type)
    return TRUE;
  g_critical ("%s: key '%s' is of type %s, not %s", accessor, v->spec->key,
              pxed_option_type_to_string (v->spec->type), pxed_option_type_to_string (type));
  return FALSE;
}

const char *
pxed_section_get_string (const PxedSection *sec, const char *key)
{
  const PxedSectionValue *v;

  g_return_val_if_fail (sec != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  v = section_lookup (sec, key, G_STRFUNC);
  if (v == NULL)
    {
      const PxedNode *node = pxed_node_lookup (sec->root, key);

      return node != NULL ? pxed_node_get_scalar (node) : NULL;
    }
  return v->text;
}

gboolean
pxed_section_get_bool (const PxedSection *sec, const char *key)
{
  const PxedSectionValue *v;

  g_return_val_if_fail (sec != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  v = section_lookup (sec, key, G_STRFUNC);
  if (v == NULL || !section_check_type (v, PXED_OPTION_BOOL, G_STRFUNC))
    return FALSE;
  return v->set && v->boolean;
}

static guint64
section_get_number (const PxedSection *sec, const char *key, PxedOptionType type,
                    const char *accessor)
{
  const PxedSectionValue *v;

  v = section_lookup (sec, key, accessor);
  if (v == NULL || !section_check_type (v, type, accessor))
    return 0;
  return v->set ? v->number : 0;
}

guint64
pxed_section_get_uint (const PxedSection *sec, const char *key)
{
  g_return_val_if_fail (sec != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  return section_get_number (sec, key, PXED_OPTION_UINT, G_STRFUNC);
}

guint64
pxed_section_get_duration_ms (const PxedSection *sec, const char *key)
{
  g_return_val_if_fail (sec != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  return section_get_number (sec, key, PXED_OPTION_DURATION, G_STRFUNC);
}

guint64
pxed_section_get_size (const PxedSection *sec, const char *key)
{
  g_return_val_if_fail (sec != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  return section_get_number (sec, key, PXED_OPTION_SIZE, G_STRFUNC);
}

const char *const *
pxed_section_get_strv (const PxedSection *sec, const char *key)
{
  const PxedSectionValue *v;

  g_return_val_if_fail (sec != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  v = section_lookup (sec, key, G_STRFUNC);
  if (v == NULL || !section_check_type (v, PXED_OPTION_LIST, G_STRFUNC))
    return NULL;
  return (const char *const *) v->strv;
}

const PxedNode *
pxed_section_get_node (const PxedSection *sec, const char *key)
{
  g_return_val_if_fail (sec != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return pxed_node_lookup (sec->root, key);
}

void
pxed_section_set_error (const PxedSection *sec, const char *key, GError **error,
                        const char *format, ...)
{
  const PxedNode *node = NULL;
  g_autofree char *msg = NULL;
  va_list args;

  g_return_if_fail (sec != NULL);
  if (key != NULL)
    node = pxed_node_lookup (sec->root, key);
  if (node == NULL)
    node = sec->root;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID, "%s", msg);
}

gboolean
pxed_section_equal (const PxedSection *a, const PxedSection *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return g_strcmp0 (a->plugin, b->plugin) == 0 && pxed_node_equal (a->root, b->root);
}
