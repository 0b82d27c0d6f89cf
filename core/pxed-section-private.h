/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internals shared by pxed-document.c, pxed-schema.c, pxed-section.c and
 * pxed-config.c. Never installed. */

#include <pxed/pxed.h>

#include "pxed-config-private.h"

G_BEGIN_DECLS

/* One option of a section after validation. */
typedef struct {
  const PxedOptionSpec *spec;
  const PxedNode       *node;   /* the value written in the file, or NULL */
  gboolean              set;    /* a value or a default exists */
  char                 *text;   /* scalar text (written or default), or NULL */
  guint64               number; /* UINT, DURATION (ms), SIZE (bytes) */
  gboolean              boolean;
  char                **strv;   /* LIST */
  GPtrArray            *item_nodes; /* LIST: node of each item (NULL for defaults) */
} PxedSectionValue;

struct _PxedSection {
  gatomicrefcount       ref;
  PxedDocument         *doc;
  const PxedNode       *root;
  char                 *plugin;
  char                 *instance;
  const PxedOptionSpec *options;
  char                **extra_keys;
  GHashTable           *values; /* key -> PxedSectionValue */
};

/* A one-line, printable, length-limited rendering of @text for messages. */
char       *pxed_config_quote_text  (const char *text);
/* "'text'", "a sequence", "a mapping" or "an empty value". */
char       *pxed_config_describe_node (const PxedNode *node);
/* TRUE for an empty plain scalar, "~" or "null" (YAML's null). */
gboolean    pxed_node_is_null       (const PxedNode *node);
/* Edit distance suggestion among @candidates (NULL-terminated), or NULL. */
const char *pxed_config_suggest_key (const char *key, const char *const *candidates);
/* Several located errors reported at once: when @errors (of GError, in the
 * order found) is not empty, sets @error to the first one's domain and code
 * with every message on its own line, and returns FALSE. */
gboolean    pxed_config_errors_finish (GPtrArray *errors, GError **error);
/* Formats a duration in ms / a size in bytes the way a user would write it. */
char       *pxed_format_duration_ms (guint64 ms);
char       *pxed_format_size        (guint64 bytes);

G_END_DECLS
