/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* YAML (libyaml event API) -> an immutable tree of PxedNode with marks.
 * Refuses what a configuration file has no use for and what hides mistakes:
 * duplicate keys, anchors and aliases, tags, non-scalar keys, several
 * documents in one file. */
#include <string.h>
#include <yaml.h>

#include "pxed-section-private.h"

#define PXED_DOCUMENT_MAX_DEPTH 64
#define PXED_DOCUMENT_MAX_SIZE (16 * 1024 * 1024)

struct _PxedNode {
  PxedNodeKind kind;
  guint        line;   /* 1-based */
  guint        column; /* 1-based */
  const char  *file;   /* owned by the document */
  char        *scalar; /* SCALAR */
  gboolean     plain;  /* SCALAR written without quotes */
  GPtrArray   *items;  /* SEQUENCE items, MAPPING values */
  GPtrArray   *keys;   /* MAPPING key nodes (scalars) */
};

struct _PxedDocument {
  gatomicrefcount ref;
  char           *file;
  PxedNode       *root;
};

static void
pxed_node_free (gpointer data)
{
  PxedNode *node = data;

  if (node == NULL)
    return;
  g_free (node->scalar);
  if (node->items != NULL)
    g_ptr_array_unref (node->items);
  if (node->keys != NULL)
    g_ptr_array_unref (node->keys);
  g_free (node);
}

static PxedNode *
pxed_node_new (PxedNodeKind kind, const char *file, yaml_mark_t mark)
{
  PxedNode *node = g_new0 (PxedNode, 1);

  node->kind = kind;
  node->file = file;
  node->line = (guint) MIN (mark.line, (size_t) G_MAXUINT - 1) + 1;
  node->column = (guint) MIN (mark.column, (size_t) G_MAXUINT - 1) + 1;
  if (kind != PXED_NODE_SCALAR)
    node->items = g_ptr_array_new_with_free_func (pxed_node_free);
  if (kind == PXED_NODE_MAPPING)
    node->keys = g_ptr_array_new_with_free_func (pxed_node_free);
  return node;
}

/* --- errors ------------------------------------------------------------ */

static void G_GNUC_PRINTF (6, 7)
doc_set_error (GError **error, int code, const char *file, size_t line0, size_t col0,
               const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PXED_CONFIG_ERROR, code, "%s:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT ": %s",
               file, (gsize) line0 + 1, (gsize) col0 + 1, msg);
}

void
pxed_node_set_error (const PxedNode *node, GError **error, int code, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  g_return_if_fail (node != NULL);
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PXED_CONFIG_ERROR, code, "%s:%u:%u: %s", node->file, node->line,
               node->column, msg);
}

static char *
sanitize_text (const char *text, gboolean quote)
{
  GString *out = g_string_new (quote ? "'" : "");
  const char *p = text;
  guint n_chars = 0;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guint) (guchar) *p);
          p++;
        }
      else
        {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            g_string_append_printf (out, "\\x%02x", (guint) c);
          else if (quote && c == '\'')
            g_string_append (out, "\\'");
          else
            g_string_append_unichar (out, c);
          p = g_utf8_next_char (p);
        }
      if (++n_chars >= 60 && *p != '\0')
        {
          g_string_append (out, "...");
          break;
        }
    }
  if (quote)
    g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

char *
pxed_config_quote_text (const char *text)
{
  return sanitize_text (text, TRUE);
}

gboolean
pxed_node_is_null (const PxedNode *node)
{
  if (node == NULL || node->kind != PXED_NODE_SCALAR || !node->plain)
    return FALSE;
  return node->scalar[0] == '\0' || g_str_equal (node->scalar, "~") ||
         g_str_equal (node->scalar, "null") || g_str_equal (node->scalar, "Null") ||
         g_str_equal (node->scalar, "NULL");
}

char *
pxed_config_describe_node (const PxedNode *node)
{
  switch (node->kind)
    {
    case PXED_NODE_SEQUENCE:
      return g_strdup ("a list");
    case PXED_NODE_MAPPING:
      return g_strdup ("a mapping");
    case PXED_NODE_SCALAR:
    default:
      if (pxed_node_is_null (node))
        return g_strdup ("an empty value");
      return pxed_config_quote_text (node->scalar);
    }
}

/* --- parsing ----------------------------------------------------------- */

typedef struct {
  PxedNode   *node;
  GHashTable *seen; /* MAPPING: key text -> key node */
} Frame;

typedef struct {
  const char *file;
  const char *data;
  gsize       len;
  PxedNode   *root;
  GArray     *stack; /* of Frame */
} Builder;

static void
frame_clear (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->seen, g_hash_table_unref);
}

static gboolean
builder_check_anchor_tag (Builder *b, const yaml_event_t *event, const yaml_char_t *anchor,
                          const yaml_char_t *tag, GError **error)
{
  if (anchor != NULL)
    {
      g_autofree char *name = sanitize_text ((const char *) anchor, FALSE);

      doc_set_error (error, PXED_CONFIG_ERROR_ALIAS, b->file, event->start_mark.line,
                     event->start_mark.column,
                     "YAML anchor &%s is not allowed (anchors and aliases are not supported)",
                     name);
      return FALSE;
    }
  if (tag != NULL)
    {
      g_autofree char *q = pxed_config_quote_text ((const char *) tag);

      doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, event->start_mark.line,
                     event->start_mark.column, "YAML tag %s is not allowed", q);
      return FALSE;
    }
  return TRUE;
}

/* Attaches a new node to the collection on top of the stack (or makes it the
 * root). Collections are attached when they start, so every node is always
 * reachable from the root and freed with it on error. */
static gboolean
builder_attach (Builder *b, PxedNode *node, GError **error)
{
  Frame *top;

  if (b->stack->len == 0)
    {
      g_assert (b->root == NULL);
      b->root = node;
      return TRUE;
    }
  top = &g_array_index (b->stack, Frame, b->stack->len - 1);
  if (top->node->kind == PXED_NODE_SEQUENCE)
    {
      g_ptr_array_add (top->node->items, node);
      return TRUE;
    }
  if (top->node->keys->len > top->node->items->len)
    {
      g_ptr_array_add (top->node->items, node); /* the value of the pending key */
      return TRUE;
    }
  /* a key */
  if (node->kind != PXED_NODE_SCALAR)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_SYNTAX,
                           "mapping keys must be plain strings, not %s",
                           node->kind == PXED_NODE_SEQUENCE ? "a list" : "a mapping");
      pxed_node_free (node);
      return FALSE;
    }
  g_ptr_array_add (top->node->keys, node);
  {
    const PxedNode *first = g_hash_table_lookup (top->seen, node->scalar);

    if (first != NULL)
      {
        g_autofree char *q = pxed_config_quote_text (node->scalar);

        pxed_node_set_error (node, error, PXED_CONFIG_ERROR_DUPLICATE,
                             "duplicate key %s (first defined at line %u, column %u)", q,
                             first->line, first->column);
        return FALSE;
      }
    g_hash_table_insert (top->seen, node->scalar, node);
  }
  return TRUE;
}

static gboolean
builder_start_collection (Builder *b, const yaml_event_t *event, PxedNodeKind kind,
                          GError **error)
{
  PxedNode *node;
  Frame frame = { NULL, NULL };

  if (b->stack->len >= PXED_DOCUMENT_MAX_DEPTH)
    {
      doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, event->start_mark.line,
                     event->start_mark.column, "nesting is too deep (at most %d levels)",
                     PXED_DOCUMENT_MAX_DEPTH);
      return FALSE;
    }
  node = pxed_node_new (kind, b->file, event->start_mark);
  if (!builder_attach (b, node, error))
    return FALSE;
  frame.node = node;
  if (kind == PXED_NODE_MAPPING)
    frame.seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_array_append_val (b->stack, frame);
  return TRUE;
}

static void
builder_set_parser_error (Builder *b, const yaml_parser_t *parser, GError **error)
{
  switch (parser->error)
    {
    case YAML_MEMORY_ERROR:
      doc_set_error (error, PXED_CONFIG_ERROR_FAILED, b->file, 0, 0, "out of memory");
      break;
    case YAML_READER_ERROR:
      {
        /* Reader errors carry a byte offset, not a mark. */
        gsize line = 0, col = 0;
        gsize end = MIN (parser->problem_offset, b->len);

        for (gsize i = 0; i < end; i++)
          {
            if (b->data[i] == '\n')
              {
                line++;
                col = 0;
              }
            else if (((guchar) b->data[i] & 0xc0) != 0x80)
              col++;
          }
        doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, line, col,
                       "invalid YAML: %s", parser->problem ? parser->problem : "unreadable input");
      }
      break;
    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    default:
      if (parser->context != NULL)
        doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, parser->problem_mark.line,
                       parser->problem_mark.column,
                       "invalid YAML: %s (%s at line %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT ")",
                       parser->problem ? parser->problem : "syntax error", parser->context,
                       (gsize) parser->context_mark.line + 1,
                       (gsize) parser->context_mark.column + 1);
      else
        doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, parser->problem_mark.line,
                       parser->problem_mark.column, "invalid YAML: %s",
                       parser->problem ? parser->problem : "syntax error");
      break;
    }
}

static gboolean
builder_handle_event (Builder *b, const yaml_event_t *event, guint *n_documents, gboolean *done,
                      GError **error)
{
  switch (event->type)
    {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_NO_EVENT:
      return TRUE;
    case YAML_STREAM_END_EVENT:
      *done = TRUE;
      return TRUE;
    case YAML_DOCUMENT_START_EVENT:
      if (++(*n_documents) > 1)
        {
          doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, event->start_mark.line,
                         event->start_mark.column,
                         "a second YAML document is not allowed (one document per file)");
          return FALSE;
        }
      return TRUE;
    case YAML_ALIAS_EVENT:
      {
        g_autofree char *name = sanitize_text ((const char *) event->data.alias.anchor, FALSE);

        doc_set_error (error, PXED_CONFIG_ERROR_ALIAS, b->file, event->start_mark.line,
                       event->start_mark.column,
                       "YAML alias *%s is not allowed (anchors and aliases are not supported)",
                       name);
        return FALSE;
      }
    case YAML_SCALAR_EVENT:
      {
        PxedNode *node;

        if (!builder_check_anchor_tag (b, event, event->data.scalar.anchor,
                                       event->data.scalar.tag, error))
          return FALSE;
        if (memchr (event->data.scalar.value, '\0', event->data.scalar.length) != NULL)
          {
            doc_set_error (error, PXED_CONFIG_ERROR_SYNTAX, b->file, event->start_mark.line,
                           event->start_mark.column, "a NUL character is not allowed in a value");
            return FALSE;
          }
        node = pxed_node_new (PXED_NODE_SCALAR, b->file, event->start_mark);
        node->scalar = g_strndup ((const char *) event->data.scalar.value,
                                  event->data.scalar.length);
        node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return builder_attach (b, node, error);
      }
    case YAML_SEQUENCE_START_EVENT:
      if (!builder_check_anchor_tag (b, event, event->data.sequence_start.anchor,
                                     event->data.sequence_start.tag, error))
        return FALSE;
      return builder_start_collection (b, event, PXED_NODE_SEQUENCE, error);
    case YAML_MAPPING_START_EVENT:
      if (!builder_check_anchor_tag (b, event, event->data.mapping_start.anchor,
                                     event->data.mapping_start.tag, error))
        return FALSE;
      return builder_start_collection (b, event, PXED_NODE_MAPPING, error);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      if (b->stack->len > 0)
        g_array_set_size (b->stack, b->stack->len - 1);
      return TRUE;
    }
  return TRUE;
}

static PxedNode *
pxed_document_parse (const char *file, const char *data, gsize len, GError **error)
{
  yaml_parser_t parser;
  Builder b = { file, data, len, NULL, NULL };
  guint n_documents = 0;
  gboolean done = FALSE;
  gboolean ok = TRUE;

  if (len > PXED_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED,
                   "%s:1:1: file is too large (%" G_GSIZE_FORMAT " bytes, at most %d)", file, len,
                   PXED_DOCUMENT_MAX_SIZE);
      return NULL;
    }
  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED,
                   "%s:1:1: cannot initialise the YAML parser", file);
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);
  b.stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_array_set_clear_func (b.stack, frame_clear);

  while (ok && !done)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          builder_set_parser_error (&b, &parser, error);
          ok = FALSE;
          break;
        }
      ok = builder_handle_event (&b, &event, &n_documents, &done, error);
      yaml_event_delete (&event);
    }
  yaml_parser_delete (&parser);
  g_array_unref (b.stack);

  if (!ok)
    {
      pxed_node_free (b.root);
      return NULL;
    }
  /* An empty file (or one that is only "---" or comments) is an empty mapping. */
  if (b.root == NULL || pxed_node_is_null (b.root))
    {
      yaml_mark_t mark = { 0, 0, 0 };

      if (b.root != NULL)
        {
          mark.line = b.root->line - 1;
          mark.column = b.root->column - 1;
        }
      pxed_node_free (b.root);
      b.root = pxed_node_new (PXED_NODE_MAPPING, file, mark);
    }
  return b.root;
}

/* --- PxedDocument ------------------------------------------------------ */

PxedDocument *
pxed_document_load_data (const char *display_name, const char *data, gsize len,
                         GError **error)
{
  g_autoptr(PxedDocument) doc = NULL;

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  doc = g_new0 (PxedDocument, 1);
  g_atomic_ref_count_init (&doc->ref);
  doc->file = g_strdup (display_name);
  doc->root = pxed_document_parse (doc->file, data != NULL ? data : "", len, error);
  if (doc->root == NULL)
    return NULL;
  return g_steal_pointer (&doc);
}

PxedDocument *
pxed_document_load_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED, "%s:1:1: %s", path,
                   local->message);
      return NULL;
    }
  return pxed_document_load_data (path, contents, len, error);
}

const PxedNode *
pxed_document_get_root (PxedDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  return doc->root;
}

PxedDocument *
pxed_document_ref (PxedDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  g_atomic_ref_count_inc (&doc->ref);
  return doc;
}

void
pxed_document_unref (PxedDocument *doc)
{
  g_return_if_fail (doc != NULL);
  if (!g_atomic_ref_count_dec (&doc->ref))
    return;
  pxed_node_free (doc->root);
  g_free (doc->file);
  g_free (doc);
}

/* --- PxedNode accessors ------------------------------------------------ */

PxedNodeKind
pxed_node_get_kind (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, PXED_NODE_SCALAR);
  return node->kind;
}

const char *
pxed_node_get_scalar (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->kind == PXED_NODE_SCALAR ? node->scalar : NULL;
}

guint
pxed_node_get_n_items (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->items != NULL ? node->items->len : 0;
}

const PxedNode *
pxed_node_get_item (const PxedNode *node, guint i)
{
  g_return_val_if_fail (node != NULL, NULL);
  if (node->items == NULL || i >= node->items->len)
    return NULL;
  return g_ptr_array_index (node->items, i);
}

const PxedNode *
pxed_node_get_key_node (const PxedNode *node, guint i)
{
  g_return_val_if_fail (node != NULL, NULL);
  if (node->keys == NULL || i >= node->keys->len)
    return NULL;
  return g_ptr_array_index (node->keys, i);
}

const char *
pxed_node_get_key (const PxedNode *node, guint i)
{
  const PxedNode *key = pxed_node_get_key_node (node, i);

  return key != NULL ? key->scalar : NULL;
}

const PxedNode *
pxed_node_lookup (const PxedNode *node, const char *key)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  if (node->kind != PXED_NODE_MAPPING)
    return NULL;
  for (guint i = 0; i < node->keys->len && i < node->items->len; i++)
    {
      const PxedNode *k = g_ptr_array_index (node->keys, i);

      if (g_str_equal (k->scalar, key))
        return g_ptr_array_index (node->items, i);
    }
  return NULL;
}

const char *
pxed_node_get_file (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->file;
}

guint
pxed_node_get_line (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->line;
}

guint
pxed_node_get_column (const PxedNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->column;
}

gboolean
pxed_node_get_bool (const PxedNode *node, gboolean *out, GError **error)
{
  gboolean value = FALSE;

  g_return_val_if_fail (node != NULL, FALSE);
  if (node->kind != PXED_NODE_SCALAR || !pxed_parse_bool (node->scalar, &value))
    {
      g_autofree char *what = pxed_config_describe_node (node);

      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected a boolean (true or false), got %s", what);
      return FALSE;
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

gboolean
pxed_node_get_uint (const PxedNode *node, guint64 *out, GError **error)
{
  guint64 value = 0;

  g_return_val_if_fail (node != NULL, FALSE);
  if (node->kind != PXED_NODE_SCALAR || !pxed_parse_uint (node->scalar, &value))
    {
      g_autofree char *what = pxed_config_describe_node (node);

      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "expected an unsigned integer, got %s", what);
      return FALSE;
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

gboolean
pxed_node_equal (const PxedNode *a, const PxedNode *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL || a->kind != b->kind)
    return FALSE;
  if (a->kind == PXED_NODE_SCALAR)
    {
      gboolean a_null = pxed_node_is_null (a);

      /* "key:", "key: ~" and "key: null" all mean null */
      if (a_null || pxed_node_is_null (b))
        return a_null && pxed_node_is_null (b);
      return g_str_equal (a->scalar, b->scalar);
    }
  if (a->items->len != b->items->len)
    return FALSE;
  for (guint i = 0; i < a->items->len; i++)
    {
      if (a->kind == PXED_NODE_MAPPING &&
          !pxed_node_equal (g_ptr_array_index (a->keys, i), g_ptr_array_index (b->keys, i)))
        return FALSE;
      if (!pxed_node_equal (g_ptr_array_index (a->items, i), g_ptr_array_index (b->items, i)))
        return FALSE;
    }
  return TRUE;
}
