/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option tables: value syntax (durations, sizes, booleans, integers) and the
 * check of one mapping against a table, which builds a PxedSection. */
#include <string.h>

#include "pxed-section-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pxed-config"

/* --- value syntax ------------------------------------------------------ */

/* Parses the leading decimal digits of @text; FALSE on overflow or when
 * there are none. */
static gboolean
parse_decimal (const char **text, guint64 *out)
{
  const char *p = *text;
  guint64 value = 0;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      guint digit = (guint) (*p - '0');

      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  *text = p;
  *out = value;
  return TRUE;
}

gboolean
pxed_parse_uint (const char *text, guint64 *out)
{
  guint64 value = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    {
      const char *p = text + 2;

      if (*p == '\0')
        return FALSE;
      for (; *p != '\0'; p++)
        {
          int digit = g_ascii_xdigit_value (*p);

          if (digit < 0 || value > (G_MAXUINT64 >> 4))
            return FALSE;
          value = (value << 4) | (guint64) digit;
        }
    }
  else
    {
      const char *p = text;

      if (!parse_decimal (&p, &value) || *p != '\0')
        return FALSE;
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

gboolean
pxed_parse_bool (const char *text, gboolean *out)
{
  static const char *const yes[] = { "true", "yes", "on" };
  static const char *const no[] = { "false", "no", "off" };

  g_return_val_if_fail (text != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        {
          if (out != NULL)
            *out = TRUE;
          return TRUE;
        }
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        {
          if (out != NULL)
            *out = FALSE;
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct {
  const char *suffix;
  guint64     factor;
} Unit;

static gboolean
parse_with_units (const char *text, const Unit *units, guint n_units, guint64 *out)
{
  const char *p = text;
  guint64 value = 0;

  if (!parse_decimal (&p, &value))
    return FALSE;
  for (guint i = 0; i < n_units; i++)
    {
      if (g_str_equal (p, units[i].suffix))
        {
          if (units[i].factor != 0 && value > G_MAXUINT64 / units[i].factor)
            return FALSE;
          if (out != NULL)
            *out = value * units[i].factor;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
pxed_parse_duration_ms (const char *text, guint64 *out)
{
  static const Unit units[] = {
    { "", 1000 },       { "ms", 1 },          { "s", 1000 },     { "sec", 1000 },
    { "m", 60 * 1000 }, { "min", 60 * 1000 }, { "h", 3600000 }, { "d", 86400000 },
  };

  g_return_val_if_fail (text != NULL, FALSE);
  return parse_with_units (text, units, G_N_ELEMENTS (units), out);
}

gboolean
pxed_parse_size (const char *text, guint64 *out)
{
  static const Unit units[] = {
    { "", 1 },
    { "B", 1 },
    { "K", G_GUINT64_CONSTANT (1) << 10 },
    { "KiB", G_GUINT64_CONSTANT (1) << 10 },
    { "M", G_GUINT64_CONSTANT (1) << 20 },
    { "MiB", G_GUINT64_CONSTANT (1) << 20 },
    { "G", G_GUINT64_CONSTANT (1) << 30 },
    { "GiB", G_GUINT64_CONSTANT (1) << 30 },
    { "T", G_GUINT64_CONSTANT (1) << 40 },
    { "TiB", G_GUINT64_CONSTANT (1) << 40 },
  };

  g_return_val_if_fail (text != NULL, FALSE);
  return parse_with_units (text, units, G_N_ELEMENTS (units), out);
}

char *
pxed_format_duration_ms (guint64 ms)
{
  if (ms == 0)
    return g_strdup ("0s");
  if (ms % 86400000 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "d", ms / 86400000);
  if (ms % 3600000 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "h", ms / 3600000);
  if (ms % 60000 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "m", ms / 60000);
  if (ms % 1000 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "s", ms / 1000);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "ms", ms);
}

char *
pxed_format_size (guint64 bytes)
{
  static const char *const units[] = { "TiB", "GiB", "MiB", "KiB" };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      guint64 factor = G_GUINT64_CONSTANT (1) << (10 * (4 - i));

      if (bytes != 0 && bytes % factor == 0)
        return g_strdup_printf ("%" G_GUINT64_FORMAT "%s", bytes / factor, units[i]);
    }
  return g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
}

const char *
pxed_option_type_to_string (PxedOptionType type)
{
  switch (type)
    {
    case PXED_OPTION_STRING:
      return "string";
    case PXED_OPTION_BOOL:
      return "bool";
    case PXED_OPTION_UINT:
      return "uint";
    case PXED_OPTION_DURATION:
      return "duration";
    case PXED_OPTION_SIZE:
      return "size";
    case PXED_OPTION_PATH:
      return "path";
    case PXED_OPTION_LIST:
      return "list";
    case PXED_OPTION_MAP:
      return "map";
    case PXED_OPTION_ANY:
      return "any";
    default:
      return "unknown";
    }
}

/* What a value of @type looks like, for "expected ..." messages. */
static const char *
option_type_expected (PxedOptionType type)
{
  switch (type)
    {
    case PXED_OPTION_STRING:
      return "a string";
    case PXED_OPTION_BOOL:
      return "a boolean (true or false)";
    case PXED_OPTION_UINT:
      return "an unsigned integer";
    case PXED_OPTION_DURATION:
      return "a duration (like 30s, 250ms, 2m, 1h)";
    case PXED_OPTION_SIZE:
      return "a size (like 1400, 64KiB, 2MiB)";
    case PXED_OPTION_PATH:
      return "an absolute path";
    case PXED_OPTION_LIST:
      return "a list of strings";
    case PXED_OPTION_MAP:
      return "a mapping";
    case PXED_OPTION_ANY:
    default:
      return "a value";
    }
}

/* --- "did you mean" ---------------------------------------------------- */

static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *prev = NULL;
  g_autofree guint *cur = NULL;

  if (la > 256 || lb > 256)
    return G_MAXUINT;
  prev = g_new (guint, lb + 1);
  cur = g_new (guint, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    prev[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      cur[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          cur[j] = MIN (MIN (prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        }
      memcpy (prev, cur, (lb + 1) * sizeof (guint));
    }
  return prev[lb];
}

gboolean
pxed_config_errors_finish (GPtrArray *errors, GError **error)
{
  g_autoptr(GString) text = NULL;
  const GError *first;

  if (errors->len == 0)
    return TRUE;
  first = g_ptr_array_index (errors, 0);
  text = g_string_new (NULL);
  for (guint i = 0; i < errors->len; i++)
    {
      const GError *e = g_ptr_array_index (errors, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, e->message);
    }
  g_set_error_literal (error, first->domain, first->code, text->str);
  return FALSE;
}

const char *
pxed_config_suggest_key (const char *key, const char *const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit = (guint) CLAMP (strlen (key) / 3, 1, 3);

  for (guint i = 0; candidates != NULL && candidates[i] != NULL; i++)
    {
      guint d = edit_distance (key, candidates[i]);

      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  return best_distance <= limit ? best : NULL;
}

/* --- checking a mapping against an option table ------------------------ */

static void
section_value_free (gpointer data)
{
  PxedSectionValue *v = data;

  g_free (v->text);
  g_strfreev (v->strv);
  if (v->item_nodes != NULL)
    g_ptr_array_unref (v->item_nodes);
  g_free (v);
}

static const PxedOptionSpec *
find_spec (const PxedOptionSpec *options, const char *key)
{
  for (guint i = 0; options != NULL && options[i].key != NULL; i++)
    if (g_str_equal (options[i].key, key))
      return &options[i];
  return NULL;
}

static char *
format_range (const PxedOptionSpec *spec)
{
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;

  switch (spec->type)
    {
    case PXED_OPTION_DURATION:
      lo = pxed_format_duration_ms (spec->min);
      hi = pxed_format_duration_ms (spec->max);
      break;
    case PXED_OPTION_SIZE:
      lo = pxed_format_size (spec->min);
      hi = pxed_format_size (spec->max);
      break;
    default:
      lo = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->min);
      hi = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->max);
      break;
    }
  if (spec->max == 0)
    return g_strdup_printf ("at least %s", lo);
  return g_strdup_printf ("%s..%s", lo, hi);
}

static gboolean
choice_allowed (const char *choices, const char *text)
{
  g_auto(GStrv) allowed = g_strsplit (choices, "|", -1);

  return g_strv_contains ((const char *const *) allowed, text);
}

/* Checks and converts the scalar text of a value of a scalar type. @node is
 * where errors point. */
static gboolean
convert_scalar (PxedSectionValue *v, const char *text, const PxedNode *node, GError **error)
{
  const PxedOptionSpec *spec = v->spec;
  const char *key = spec->key;
  gboolean ok = TRUE;

  switch (spec->type)
    {
    case PXED_OPTION_STRING:
      if (spec->choices != NULL && !choice_allowed (spec->choices, text))
        {
          g_autofree char *q = pxed_config_quote_text (text);

          pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                               "%s: expected one of %s, got %s", key, spec->choices, q);
          return FALSE;
        }
      break;
    case PXED_OPTION_PATH:
      ok = text[0] == '/';
      break;
    case PXED_OPTION_BOOL:
      ok = pxed_parse_bool (text, &v->boolean);
      break;
    case PXED_OPTION_UINT:
      ok = pxed_parse_uint (text, &v->number);
      break;
    case PXED_OPTION_DURATION:
      ok = pxed_parse_duration_ms (text, &v->number);
      break;
    case PXED_OPTION_SIZE:
      ok = pxed_parse_size (text, &v->number);
      break;
    default:
      break;
    }
  if (!ok)
    {
      g_autofree char *q = pxed_config_quote_text (text);

      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "%s: expected %s, got %s", key,
                           option_type_expected (spec->type), q);
      return FALSE;
    }
  if ((spec->type == PXED_OPTION_UINT || spec->type == PXED_OPTION_DURATION ||
       spec->type == PXED_OPTION_SIZE) &&
      (spec->min != 0 || spec->max != 0) &&
      (v->number < spec->min || (spec->max != 0 && v->number > spec->max)))
    {
      g_autofree char *range = format_range (spec);

      /* the text parsed as a number: it is printable and short */
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_RANGE,
                           "%s: %s is out of range (expected %s)", key, text, range);
      return FALSE;
    }
  v->text = g_strdup (text);
  return TRUE;
}

static gboolean
type_error (const PxedOptionSpec *spec, const PxedNode *node, const char *prefix,
            PxedOptionType type, GError **error)
{
  g_autofree char *what = pxed_config_describe_node (node);

  pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE, "%s%s: expected %s, got %s",
                       spec->key, prefix, option_type_expected (type), what);
  return FALSE;
}

/* A written value. */
static gboolean
convert_node (PxedSectionValue *v, const PxedNode *node, GError **error)
{
  const PxedOptionSpec *spec = v->spec;
  PxedNodeKind kind = pxed_node_get_kind (node);

  v->node = node;
  v->set = TRUE;
  switch (spec->type)
    {
    case PXED_OPTION_ANY:
      if (kind == PXED_NODE_SCALAR)
        v->text = g_strdup (pxed_node_get_scalar (node));
      return TRUE;
    case PXED_OPTION_MAP:
      if (kind != PXED_NODE_MAPPING)
        return type_error (spec, node, "", spec->type, error);
      return TRUE;
    case PXED_OPTION_LIST:
      {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

        v->item_nodes = g_ptr_array_new ();
        if (kind == PXED_NODE_MAPPING || pxed_node_is_null (node))
          return type_error (spec, node, "", spec->type, error);
        if (kind == PXED_NODE_SCALAR)
          {
            g_strv_builder_add (builder, pxed_node_get_scalar (node));
            g_ptr_array_add (v->item_nodes, (gpointer) node);
          }
        else
          {
            for (guint i = 0; i < pxed_node_get_n_items (node); i++)
              {
                const PxedNode *item = pxed_node_get_item (node, i);

                if (pxed_node_get_kind (item) != PXED_NODE_SCALAR || pxed_node_is_null (item))
                  {
                    g_autofree char *prefix = g_strdup_printf (" item %u", i + 1);

                    return type_error (spec, item, prefix, PXED_OPTION_STRING, error);
                  }
                g_strv_builder_add (builder, pxed_node_get_scalar (item));
                g_ptr_array_add (v->item_nodes, (gpointer) item);
              }
          }
        v->strv = g_strv_builder_end (builder);
        return TRUE;
      }
    default:
      if (kind != PXED_NODE_SCALAR || pxed_node_is_null (node))
        return type_error (spec, node, "", spec->type, error);
      return convert_scalar (v, pxed_node_get_scalar (node), node, error);
    }
}

/* A default from the option table (a plugin's own constant). */
static gboolean
convert_default (PxedSectionValue *v, const PxedNode *root, const char *plugin,
                 GError **error)
{
  const PxedOptionSpec *spec = v->spec;
  g_autoptr(GError) local = NULL;

  if (spec->default_value == NULL)
    return TRUE;
  switch (spec->type)
    {
    case PXED_OPTION_MAP:
    case PXED_OPTION_ANY:
      /* Only written values have nodes; the plugin applies such defaults. */
      v->text = g_strdup (spec->default_value);
      return TRUE;
    case PXED_OPTION_LIST:
      {
        g_autoptr(PxedDocument) doc = NULL;
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
        const PxedNode *node;

        doc = pxed_document_load_data ("default", spec->default_value,
                                       strlen (spec->default_value), &local);
        if (doc == NULL)
          break;
        node = pxed_document_get_root (doc);
        if (pxed_node_get_kind (node) == PXED_NODE_SCALAR)
          g_strv_builder_add (builder, pxed_node_get_scalar (node));
        else if (pxed_node_get_kind (node) == PXED_NODE_SEQUENCE)
          {
            for (guint i = 0; i < pxed_node_get_n_items (node); i++)
              {
                const PxedNode *item = pxed_node_get_item (node, i);

                if (pxed_node_get_kind (item) != PXED_NODE_SCALAR)
                  {
                    g_set_error (&local, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                                 "not a list of strings");
                    break;
                  }
                g_strv_builder_add (builder, pxed_node_get_scalar (item));
              }
          }
        /* an empty default mapping ("") is an empty list */
        else if (pxed_node_get_n_items (node) != 0)
          g_set_error (&local, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                       "not a list of strings");
        if (local != NULL)
          break;
        v->strv = g_strv_builder_end (builder);
        v->set = TRUE;
        return TRUE;
      }
    default:
      if (!convert_scalar (v, spec->default_value, root, &local))
        break;
      v->set = TRUE;
      return TRUE;
    }
  {
    g_autofree char *q = pxed_config_quote_text (spec->default_value);

    pxed_node_set_error (root, error, PXED_CONFIG_ERROR_INVALID,
                         "plugin '%s' has an invalid default for key '%s' (%s is not %s)",
                         plugin != NULL ? plugin : "core", spec->key, q,
                         option_type_expected (spec->type));
  }
  return FALSE;
}

PxedSection *
pxed_section_new (PxedDocument *doc, const PxedNode *root, const char *plugin,
                  const char *instance, const PxedOptionSpec *options,
                  const char *const *extra_keys, GError **error)
{
  g_autoptr(PxedSection) sec = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  g_autofree char *in_plugin = NULL;
  /* Every error of the section is reported, each on its own line. */
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);

  in_plugin = plugin != NULL ? g_strdup_printf (" in plugin '%s'", plugin) : g_strdup ("");
  if (pxed_node_get_kind (root) != PXED_NODE_MAPPING)
    {
      g_autofree char *what = pxed_config_describe_node (root);

      pxed_node_set_error (root, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a mapping of keys at the top level, got %s", what);
      return NULL;
    }

  sec = g_new0 (PxedSection, 1);
  g_atomic_ref_count_init (&sec->ref);
  sec->doc = pxed_document_ref (doc);
  sec->root = root;
  sec->plugin = g_strdup (plugin);
  sec->instance = g_strdup (instance);
  sec->options = options;
  sec->extra_keys = g_strdupv ((char **) extra_keys);
  sec->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, section_value_free);

  for (guint i = 0; options != NULL && options[i].key != NULL; i++)
    g_ptr_array_add (candidates, (gpointer) options[i].key);
  for (guint i = 0; extra_keys != NULL && extra_keys[i] != NULL; i++)
    g_ptr_array_add (candidates, (gpointer) extra_keys[i]);
  g_ptr_array_add (candidates, NULL);

  /* Unknown keys first, in file order. */
  for (guint i = 0; i < pxed_node_get_n_items (root); i++)
    {
      const char *key = pxed_node_get_key (root, i);

      if (find_spec (options, key) == NULL &&
          (extra_keys == NULL || !g_strv_contains (extra_keys, key)))
        {
          const char *hint = pxed_config_suggest_key (key, (const char *const *) candidates->pdata);
          g_autofree char *q = pxed_config_quote_text (key);
          g_autofree char *suggestion = hint != NULL
                                          ? g_strdup_printf (" (did you mean '%s'?)", hint)
                                          : g_strdup ("");
          GError *local = NULL;

          pxed_node_set_error (pxed_node_get_key_node (root, i), &local,
                               PXED_CONFIG_ERROR_UNKNOWN_KEY, "unknown key %s%s%s", q, in_plugin,
                               suggestion);
          g_ptr_array_add (errors, local);
        }
    }

  /* Then every declared option, in file order of the values written. */
  for (guint i = 0; i < pxed_node_get_n_items (root); i++)
    {
      const PxedOptionSpec *spec = find_spec (options, pxed_node_get_key (root, i));
      const PxedNode *node = pxed_node_get_item (root, i);
      PxedSectionValue *v;
      GError *local = NULL;

      if (spec == NULL)
        continue;
      v = g_new0 (PxedSectionValue, 1);
      v->spec = spec;
      g_hash_table_insert (sec->values, (gpointer) spec->key, v);
      if (!convert_node (v, node, &local))
        {
          g_ptr_array_add (errors, local);
          continue;
        }
      if (spec->flags & PXED_OPTION_FLAG_DEPRECATED)
        {
          const PxedNode *key_node = pxed_node_get_key_node (root, i);

          g_warning ("%s:%u:%u: key '%s'%s is deprecated: %s", pxed_node_get_file (key_node),
                     pxed_node_get_line (key_node), pxed_node_get_column (key_node), spec->key,
                     in_plugin, spec->doc != NULL ? spec->doc : "");
        }
    }

  /* Defaults and required keys. */
  for (guint i = 0; options != NULL && options[i].key != NULL; i++)
    {
      const PxedOptionSpec *spec = &options[i];
      PxedSectionValue *v;
      GError *local = NULL;

      if (g_hash_table_contains (sec->values, spec->key))
        continue;
      if (spec->flags & PXED_OPTION_FLAG_REQUIRED)
        {
          pxed_node_set_error (root, &local, PXED_CONFIG_ERROR_MISSING,
                               "missing required key '%s'%s (expected %s)", spec->key, in_plugin,
                               option_type_expected (spec->type));
          g_ptr_array_add (errors, local);
          continue;
        }
      v = g_new0 (PxedSectionValue, 1);
      v->spec = spec;
      g_hash_table_insert (sec->values, (gpointer) spec->key, v);
      if (!convert_default (v, root, plugin, &local))
        g_ptr_array_add (errors, local);
    }

  if (!pxed_config_errors_finish (errors, error))
    return NULL;
  return g_steal_pointer (&sec);
}
