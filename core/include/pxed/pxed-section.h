/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * PxedNode:
 *
 * One node of a parsed YAML document: a scalar, a sequence or a mapping,
 * with the file, line and column (1-based) where it starts. Nodes belong to
 * an immutable configuration snapshot and stay valid as long as the
 * #PxedSection (or snapshot) that handed them out.
 */
typedef struct _PxedNode PxedNode;

typedef enum {
  PXED_NODE_SCALAR = 1,
  PXED_NODE_SEQUENCE,
  PXED_NODE_MAPPING,
} PxedNodeKind;

PxedNodeKind    pxed_node_get_kind    (const PxedNode *node);
/* The scalar text, or NULL when @node is not a scalar. */
const char     *pxed_node_get_scalar  (const PxedNode *node);
/* Number of items of a sequence or of pairs of a mapping; 0 for a scalar. */
guint           pxed_node_get_n_items (const PxedNode *node);
/* The i-th item of a sequence or the i-th value of a mapping. */
const PxedNode *pxed_node_get_item    (const PxedNode *node, guint i);
/* The i-th key of a mapping (NULL otherwise). */
const char     *pxed_node_get_key     (const PxedNode *node, guint i);
/* The node holding the i-th key of a mapping, for error locations. */
const PxedNode *pxed_node_get_key_node (const PxedNode *node, guint i);
/* The value of @key in a mapping, or NULL. */
const PxedNode *pxed_node_lookup      (const PxedNode *node, const char *key);
const char     *pxed_node_get_file    (const PxedNode *node);
guint           pxed_node_get_line    (const PxedNode *node);
guint           pxed_node_get_column  (const PxedNode *node);
/* Typed reads of a scalar; FALSE (with a located error) when it does not parse. */
gboolean        pxed_node_get_bool    (const PxedNode *node, gboolean *out, GError **error);
gboolean        pxed_node_get_uint    (const PxedNode *node, guint64 *out, GError **error);
/* Deep structural equality (marks ignored). */
gboolean        pxed_node_equal       (const PxedNode *a, const PxedNode *b);

/* Sets @error in PXED_CONFIG_ERROR with a message "FILE:LINE:COL: " + format. */
void            pxed_node_set_error   (const PxedNode *node, GError **error, int code,
                                       const char *format, ...) G_GNUC_PRINTF (4, 5);

/**
 * PxedSection:
 *
 * The configuration of one plugin instance: the mapping of its conf.d file,
 * already checked against the plugin's option table, defaults applied.
 * Immutable; reference counted by the snapshot it belongs to.
 */
typedef struct _PxedSection PxedSection;

/* The instance name (the conf.d file stem) and the plugin name. */
const char         *pxed_section_get_instance (const PxedSection *sec);
const char         *pxed_section_get_plugin   (const PxedSection *sec);
const char         *pxed_section_get_file     (const PxedSection *sec);
const PxedNode     *pxed_section_get_root     (const PxedSection *sec);
/* TRUE when the key was written in the file (not only a default). */
gboolean            pxed_section_has          (const PxedSection *sec, const char *key);

/* Typed accessors for keys declared in the option table; a key that has
 * neither a value nor a default returns NULL / 0 / FALSE. */
const char         *pxed_section_get_string   (const PxedSection *sec, const char *key);
gboolean            pxed_section_get_bool     (const PxedSection *sec, const char *key);
guint64             pxed_section_get_uint     (const PxedSection *sec, const char *key);
/* DURATION values in milliseconds ("30s", "250ms", "2m", plain numbers are seconds). */
guint64             pxed_section_get_duration_ms (const PxedSection *sec, const char *key);
/* SIZE values in bytes ("1400", "64KiB", "1MiB"). */
guint64             pxed_section_get_size     (const PxedSection *sec, const char *key);
/* LIST values as a NULL-terminated array of strings (a scalar is a list of one). */
const char * const *pxed_section_get_strv     (const PxedSection *sec, const char *key);
/* The raw node of a key (any type), or NULL when absent. */
const PxedNode     *pxed_section_get_node     (const PxedSection *sec, const char *key);

/* Sets a located config error at @key's value (or at the section when the
 * key is absent). */
void                pxed_section_set_error    (const PxedSection *sec, const char *key,
                                               GError **error, const char *format, ...)
                                               G_GNUC_PRINTF (4, 5);

/* TRUE when both sections have the same plugin and equal contents. */
gboolean            pxed_section_equal        (const PxedSection *a, const PxedSection *b);

PxedSection        *pxed_section_ref          (PxedSection *sec);
void                pxed_section_unref        (PxedSection *sec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedSection, pxed_section_unref)

G_END_DECLS
