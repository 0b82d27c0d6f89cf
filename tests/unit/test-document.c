/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* YAML documents, value syntax and option-table checks (no files). */
#include <glib/gstdio.h>
#include <string.h>

#include "pxed-config-private.h"

static PxedDocument *
load (const char *text, GError **error)
{
  return pxed_document_load_data ("t.yaml", text, strlen (text), error);
}

static void
test_document_basic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = NULL;
  g_autoptr(PxedDocument) same = NULL;
  g_autoptr(PxedDocument) other = NULL;
  const char *text = "# comment\n"
                     "plugin: tftp\n"
                     "listen:\n"
                     "  - 127.0.0.1:69\n"
                     "  - \"[::1]:69\"\n"
                     "nested: {a: 1, b: [x, y]}\n"
                     "empty:\n"
                     "quoted: ''\n";
  const PxedNode *root, *listen, *nested, *item;
  guint64 u = 0;

  doc = load (text, &error);
  g_assert_no_error (error);
  root = pxed_document_get_root (doc);
  g_assert_cmpint (pxed_node_get_kind (root), ==, PXED_NODE_MAPPING);
  g_assert_cmpuint (pxed_node_get_n_items (root), ==, 5);
  g_assert_cmpstr (pxed_node_get_key (root, 0), ==, "plugin");
  g_assert_cmpstr (pxed_node_get_key (root, 4), ==, "quoted");
  g_assert_null (pxed_node_get_key (root, 5));
  g_assert_null (pxed_node_get_item (root, 5));
  g_assert_cmpstr (pxed_node_get_file (root), ==, "t.yaml");
  g_assert_cmpuint (pxed_node_get_line (root), ==, 2);
  g_assert_cmpuint (pxed_node_get_column (root), ==, 1);
  g_assert_cmpuint (pxed_node_get_line (pxed_node_get_key_node (root, 1)), ==, 3);

  g_assert_cmpstr (pxed_node_get_scalar (pxed_node_lookup (root, "plugin")), ==, "tftp");
  listen = pxed_node_lookup (root, "listen");
  g_assert_cmpint (pxed_node_get_kind (listen), ==, PXED_NODE_SEQUENCE);
  g_assert_null (pxed_node_get_scalar (listen));
  g_assert_cmpuint (pxed_node_get_n_items (listen), ==, 2);
  item = pxed_node_get_item (listen, 1);
  g_assert_cmpstr (pxed_node_get_scalar (item), ==, "[::1]:69");
  g_assert_cmpuint (pxed_node_get_line (item), ==, 5);
  g_assert_cmpuint (pxed_node_get_column (item), ==, 5);
  g_assert_null (pxed_node_get_key (listen, 0));

  nested = pxed_node_lookup (root, "nested");
  g_assert_cmpint (pxed_node_get_kind (nested), ==, PXED_NODE_MAPPING);
  g_assert_true (pxed_node_get_uint (pxed_node_lookup (nested, "a"), &u, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (u, ==, 1);
  g_assert_false (pxed_node_get_uint (pxed_node_lookup (nested, "b"), &u, &error));
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_TYPE);
  g_assert_cmpstr (error->message, ==, "t.yaml:6:19: expected an unsigned integer, got a list");
  g_clear_error (&error);
  g_assert_cmpstr (pxed_node_get_scalar (pxed_node_lookup (root, "empty")), ==, "");
  g_assert_cmpstr (pxed_node_get_scalar (pxed_node_lookup (root, "quoted")), ==, "");
  g_assert_null (pxed_node_lookup (root, "missing"));
  g_assert_null (pxed_node_lookup (listen, "x"));

  same = load ("plugin: tftp\nlisten: [127.0.0.1:69, '[::1]:69']\nnested:\n  a: 1\n  b:\n"
               "  - x\n  - y\nempty: ~\nquoted: \"\"\n",
               &error);
  g_assert_no_error (error);
  g_assert_true (pxed_node_equal (root, pxed_document_get_root (same)));
  other = load ("plugin: tftp\nlisten: [127.0.0.1:69, '[::1]:69']\nnested: {a: 1, b: [x]}\n"
                "empty:\nquoted: ''\n",
                &error);
  g_assert_no_error (error);
  g_assert_false (pxed_node_equal (root, pxed_document_get_root (other)));
}

static void
test_document_empty (void)
{
  const char *inputs[] = { "", "# only a comment\n", "---\n", "~\n", "\n\n" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PxedDocument) doc = load (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (pxed_node_get_kind (pxed_document_get_root (doc)), ==, PXED_NODE_MAPPING);
      g_assert_cmpuint (pxed_node_get_n_items (pxed_document_get_root (doc)), ==, 0);
    }
}

typedef struct {
  const char *input;
  int         code;
  const char *message;
} BadCase;

/* Reports every mismatch of a table, not only the first. */
static void
check_error (const GError *error, int code, const char *message)
{
  g_assert_nonnull (error);
  if (error->domain != PXED_CONFIG_ERROR || error->code != code ||
      g_strcmp0 (error->message, message) != 0)
    {
      g_test_message ("expected [%d] %s\n     got [%d] %s", code, message, error->code,
                      error->message);
      g_test_fail ();
    }
}

static void
test_document_errors (void)
{
  static const BadCase cases[] = {
    { "a: [1, 2\nb: 3\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:2:2: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
      "sequence at line 1, column 4)" },
    { "a: b: c\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:1:5: invalid YAML: mapping values are not allowed in this context" },
    { "a: 1\n\tb: 2\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:2:1: invalid YAML: found a tab character that violates indentation (while "
      "scanning a plain scalar at line 1, column 4)" },
    { "a: \"unterminated\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:2:1: invalid YAML: found unexpected end of stream (while scanning a quoted "
      "scalar at line 1, column 4)" },
    { "a: 1\nb:\n  c: 2\n  c: 3\n", PXED_CONFIG_ERROR_DUPLICATE,
      "t.yaml:4:3: duplicate key 'c' (first defined at line 3, column 3)" },
    { "{x: 1, x: 2}", PXED_CONFIG_ERROR_DUPLICATE,
      "t.yaml:1:8: duplicate key 'x' (first defined at line 1, column 2)" },
    { "a: &anchor 1\nb: *anchor\n", PXED_CONFIG_ERROR_ALIAS,
      "t.yaml:1:4: YAML anchor &anchor is not allowed (anchors and aliases are not supported)" },
    { "a: 1\nb: *undefined\n", PXED_CONFIG_ERROR_ALIAS,
      "t.yaml:2:4: YAML alias *undefined is not allowed (anchors and aliases are not "
      "supported)" },
    { "base: &b {x: 1}\n", PXED_CONFIG_ERROR_ALIAS,
      "t.yaml:1:7: YAML anchor &b is not allowed (anchors and aliases are not supported)" },
    { "a: !!str 1\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:1:4: YAML tag 'tag:yaml.org,2002:str' is not allowed" },
    { "? [a, b]\n: 1\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:1:3: mapping keys must be plain strings, not a list" },
    { "{{a: 1}: 2}\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:1:2: mapping keys must be plain strings, not a mapping" },
    { "a: 1\n---\nb: 2\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:2:1: a second YAML document is not allowed (one document per file)" },
    { "a: \"x\\0y\"\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:1:4: a NUL character is not allowed in a value" },
    { "a: 1\nb: \xff\n", PXED_CONFIG_ERROR_SYNTAX,
      "t.yaml:2:4: invalid YAML: invalid leading UTF-8 octet" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PxedDocument) doc = load (cases[i].input, &error);
      g_autofree char *escaped = g_strescape (cases[i].input, NULL);

      g_test_message ("case %u: %s", i, escaped);
      g_assert_null (doc);
      check_error (error, cases[i].code, cases[i].message);
    }
}

static void
test_document_deep (void)
{
  g_autoptr(GString) text = g_string_new ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append_c (text, '[');
  doc = load (text->str, &error);
  g_assert_null (doc);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "t.yaml:1:65: nesting is too deep (at most 64 levels)");
}

static void
test_document_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pxed-test-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "x.yaml", NULL);
  doc = pxed_document_load_file (path, &error);
  g_assert_null (doc);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "k: v\n", -1, &error));
  doc = pxed_document_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pxed_node_get_file (pxed_document_get_root (doc)), ==, path);
  g_assert_true (pxed_document_ref (doc) == doc);
  pxed_document_unref (doc);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_schema_parse (void)
{
  struct {
    const char *text;
    gboolean    ok;
    guint64     value;
  } durations[] = {
    { "30s", TRUE, 30000 },     { "250ms", TRUE, 250 },  { "2m", TRUE, 120000 },
    { "2min", TRUE, 120000 },   { "1h", TRUE, 3600000 }, { "1d", TRUE, 86400000 },
    { "5", TRUE, 5000 },        { "0", TRUE, 0 },        { "", FALSE, 0 },
    { "s", FALSE, 0 },          { "1.5s", FALSE, 0 },    { "-1s", FALSE, 0 },
    { "5 s", FALSE, 0 },        { "5S", FALSE, 0 },      { "99999999999999999999", FALSE, 0 },
    { "18446744073709551d", FALSE, 0 },
  }, sizes[] = {
    { "1400", TRUE, 1400 },     { "1400B", TRUE, 1400 },   { "64KiB", TRUE, 65536 },
    { "64K", TRUE, 65536 },     { "2MiB", TRUE, 2097152 }, { "1GiB", TRUE, 1073741824 },
    { "1TiB", TRUE, G_GUINT64_CONSTANT (1) << 40 },        { "1KB", FALSE, 0 },
    { "1 KiB", FALSE, 0 },      { "KiB", FALSE, 0 },       { "16777216TiB", FALSE, 0 },
  }, uints[] = {
    { "0", TRUE, 0 },           { "65535", TRUE, 65535 },  { "0x10", TRUE, 16 },
    { "0XfF", TRUE, 255 },      { "007", TRUE, 7 },        { "18446744073709551615", TRUE, G_MAXUINT64 },
    { "18446744073709551616", FALSE, 0 },                  { "0x", FALSE, 0 },
    { "0x10000000000000000", FALSE, 0 },                   { "-1", FALSE, 0 },
    { "+1", FALSE, 0 },         { " 1", FALSE, 0 },        { "1e3", FALSE, 0 },
    { "", FALSE, 0 },
  };
  const char *yes[] = { "true", "True", "TRUE", "yes", "on" };
  const char *no[] = { "false", "no", "Off" };
  const char *neither[] = { "", "1", "0", "y", "maybe", "truee" };

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      guint64 v = 0;

      g_test_message ("duration %s", durations[i].text);
      g_assert_cmpint (pxed_parse_duration_ms (durations[i].text, &v), ==, durations[i].ok);
      if (durations[i].ok)
        g_assert_cmpuint (v, ==, durations[i].value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint64 v = 0;

      g_test_message ("size %s", sizes[i].text);
      g_assert_cmpint (pxed_parse_size (sizes[i].text, &v), ==, sizes[i].ok);
      if (sizes[i].ok)
        g_assert_cmpuint (v, ==, sizes[i].value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (uints); i++)
    {
      guint64 v = 0;

      g_test_message ("uint %s", uints[i].text);
      g_assert_cmpint (pxed_parse_uint (uints[i].text, &v), ==, uints[i].ok);
      if (uints[i].ok)
        g_assert_cmpuint (v, ==, uints[i].value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      gboolean b = FALSE;

      g_assert_true (pxed_parse_bool (yes[i], &b));
      g_assert_true (b);
    }
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    {
      gboolean b = TRUE;

      g_assert_true (pxed_parse_bool (no[i], &b));
      g_assert_false (b);
    }
  for (guint i = 0; i < G_N_ELEMENTS (neither); i++)
    g_assert_false (pxed_parse_bool (neither[i], NULL));

  g_assert_cmpstr (pxed_option_type_to_string (PXED_OPTION_DURATION), ==, "duration");
  g_assert_cmpstr (pxed_option_type_to_string (PXED_OPTION_LIST), ==, "list");
  g_assert_cmpstr (pxed_option_type_to_string (0), ==, "unknown");
}

/* --- sections ---------------------------------------------------------- */

static const PxedOptionSpec test_options[] = {
  { "listen", PXED_OPTION_LIST, "[\"0.0.0.0:69\", \"[::]:69\"]", 0, 0,
    PXED_OPTION_FLAG_EXCLUSIVE, "Addresses to listen on", NULL, { NULL } },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, PXED_OPTION_FLAG_REQUIRED, "Directory served", NULL,
    { NULL } },
  { "max-sessions", PXED_OPTION_UINT, "64", 1, 65535, 0, "Concurrent transfers", NULL,
    { NULL } },
  { "block-size-max", PXED_OPTION_SIZE, "1468", 8, 65464, 0, "Largest block size", NULL,
    { NULL } },
  { "timeout", PXED_OPTION_DURATION, "5s", 1000, 255000, 0, "Retransmit timeout", NULL,
    { NULL } },
  { "mode", PXED_OPTION_STRING, "octet", 0, 0, 0, "Transfer mode", "octet|netascii", { NULL } },
  { "allow-write", PXED_OPTION_BOOL, "false", 0, 0, 0, "Accept WRQ", NULL, { NULL } },
  { "label", PXED_OPTION_STRING, NULL, 0, 0, 0, "Free text", NULL, { NULL } },
  { "aliases", PXED_OPTION_LIST, NULL, 0, 0, 0, "Other names", NULL, { NULL } },
  { "vars", PXED_OPTION_MAP, NULL, 0, 0, 0, "Variables", NULL, { NULL } },
  { "extra", PXED_OPTION_ANY, NULL, 0, 0, 0, "Anything", NULL, { NULL } },
  { "min-only", PXED_OPTION_UINT, NULL, 10, 0, 0, "At least ten", NULL, { NULL } },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
};
static const char *const test_extra_keys[] = { "plugin", "enabled", NULL };

static PxedSection *
section (const char *text, GError **error)
{
  g_autoptr(PxedDocument) doc = load (text, error);

  if (doc == NULL)
    return NULL;
  return pxed_section_new (doc, pxed_document_get_root (doc), "tftp", "10-tftp", test_options,
                           test_extra_keys, error);
}

static void
test_section_accessors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedSection) sec = NULL;
  g_autoptr(PxedSection) defaults = NULL;
  g_autoptr(PxedSection) same = NULL;
  const char *const *strv;

  sec = section ("plugin: tftp\nenabled: true\nlisten: 127.0.0.1:6969\nroot: /srv\n"
                 "max-sessions: 0x10\nblock-size-max: 32KiB\ntimeout: 1m\nmode: netascii\n"
                 "allow-write: yes\naliases: [a, b]\nvars: {k: v}\nextra: [1]\n"
                 "label: ''\n",
                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pxed_section_get_plugin (sec), ==, "tftp");
  g_assert_cmpstr (pxed_section_get_instance (sec), ==, "10-tftp");
  g_assert_cmpstr (pxed_section_get_file (sec), ==, "t.yaml");
  g_assert_cmpint (pxed_node_get_kind (pxed_section_get_root (sec)), ==, PXED_NODE_MAPPING);
  strv = pxed_section_get_strv (sec, "listen");
  g_assert_nonnull (strv);
  g_assert_cmpstr (strv[0], ==, "127.0.0.1:6969");
  g_assert_null (strv[1]);
  g_assert_cmpstr (pxed_section_get_string (sec, "root"), ==, "/srv");
  g_assert_cmpuint (pxed_section_get_uint (sec, "max-sessions"), ==, 16);
  g_assert_cmpuint (pxed_section_get_size (sec, "block-size-max"), ==, 32768);
  g_assert_cmpuint (pxed_section_get_duration_ms (sec, "timeout"), ==, 60000);
  g_assert_cmpstr (pxed_section_get_string (sec, "mode"), ==, "netascii");
  g_assert_true (pxed_section_get_bool (sec, "allow-write"));
  g_assert_cmpstr (pxed_section_get_string (sec, "label"), ==, "");
  g_assert_cmpuint (g_strv_length ((char **) pxed_section_get_strv (sec, "aliases")), ==, 2);
  g_assert_cmpint (pxed_node_get_kind (pxed_section_get_node (sec, "vars")), ==,
                   PXED_NODE_MAPPING);
  g_assert_cmpint (pxed_node_get_kind (pxed_section_get_node (sec, "extra")), ==,
                   PXED_NODE_SEQUENCE);
  g_assert_cmpstr (pxed_section_get_string (sec, "plugin"), ==, "tftp");
  g_assert_true (pxed_section_has (sec, "timeout"));
  g_assert_false (pxed_section_has (sec, "min-only"));
  g_assert_cmpuint (pxed_section_get_uint (sec, "min-only"), ==, 0);

  defaults = section ("root: /srv\n", &error);
  g_assert_no_error (error);
  strv = pxed_section_get_strv (defaults, "listen");
  g_assert_cmpuint (g_strv_length ((char **) strv), ==, 2);
  g_assert_cmpstr (strv[1], ==, "[::]:69");
  g_assert_false (pxed_section_has (defaults, "listen"));
  g_assert_null (pxed_section_get_node (defaults, "listen"));
  g_assert_cmpuint (pxed_section_get_uint (defaults, "max-sessions"), ==, 64);
  g_assert_cmpuint (pxed_section_get_size (defaults, "block-size-max"), ==, 1468);
  g_assert_cmpuint (pxed_section_get_duration_ms (defaults, "timeout"), ==, 5000);
  g_assert_cmpstr (pxed_section_get_string (defaults, "mode"), ==, "octet");
  g_assert_false (pxed_section_get_bool (defaults, "allow-write"));
  g_assert_null (pxed_section_get_string (defaults, "label"));
  g_assert_null (pxed_section_get_strv (defaults, "aliases"));
  g_assert_null (pxed_section_get_node (defaults, "vars"));

  /* located errors set by plugins */
  pxed_section_set_error (sec, "timeout", &error, "timeout: too long for %s", "pxelinux");
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "t.yaml:7:10: timeout: too long for pxelinux");
  g_clear_error (&error);
  pxed_section_set_error (defaults, "timeout", &error, "needs a timeout");
  g_assert_cmpstr (error->message, ==, "t.yaml:1:1: needs a timeout");
  g_clear_error (&error);

  same = section ("root: /srv\n", &error);
  g_assert_no_error (error);
  g_assert_true (pxed_section_equal (defaults, same));
  g_assert_false (pxed_section_equal (defaults, sec));
  g_assert_true (pxed_section_ref (sec) == sec);
  pxed_section_unref (sec);
}

static void
test_section_errors (void)
{
  static const BadCase cases[] = {
    { "root: /srv\nblksize-max: 1468\n", PXED_CONFIG_ERROR_UNKNOWN_KEY,
      "t.yaml:2:1: unknown key 'blksize-max' in plugin 'tftp' (did you mean 'block-size-max'?)" },
    { "root: /srv\nplugn: tftp\n", PXED_CONFIG_ERROR_UNKNOWN_KEY,
      "t.yaml:2:1: unknown key 'plugn' in plugin 'tftp' (did you mean 'plugin'?)" },
    { "root: /srv\ncolour: blue\n", PXED_CONFIG_ERROR_UNKNOWN_KEY,
      "t.yaml:2:1: unknown key 'colour' in plugin 'tftp'" },
    { "root: /srv\n\"bad\\nkey\": 1\n", PXED_CONFIG_ERROR_UNKNOWN_KEY,
      "t.yaml:2:1: unknown key 'bad\\x0akey' in plugin 'tftp'" },
    { "root: /srv\nmax-sessions: [1]\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:15: max-sessions: expected an unsigned integer, got a list" },
    { "root: /srv\nmax-sessions: lots\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:15: max-sessions: expected an unsigned integer, got 'lots'" },
    { "root: /srv\nmax-sessions:\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:14: max-sessions: expected an unsigned integer, got an empty value" },
    { "root: /srv\nmax-sessions: 0\n", PXED_CONFIG_ERROR_RANGE,
      "t.yaml:2:15: max-sessions: 0 is out of range (expected 1..65535)" },
    { "root: /srv\nmax-sessions: 65536\n", PXED_CONFIG_ERROR_RANGE,
      "t.yaml:2:15: max-sessions: 65536 is out of range (expected 1..65535)" },
    { "root: /srv\nmin-only: 9\n", PXED_CONFIG_ERROR_RANGE,
      "t.yaml:2:11: min-only: 9 is out of range (expected at least 10)" },
    { "root: /srv\ntimeout: 500ms\n", PXED_CONFIG_ERROR_RANGE,
      "t.yaml:2:10: timeout: 500ms is out of range (expected 1s..255s)" },
    { "root: /srv\ntimeout: soon\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:10: timeout: expected a duration (like 30s, 250ms, 2m, 1h), got 'soon'" },
    { "root: /srv\nblock-size-max: 1MiB\n", PXED_CONFIG_ERROR_RANGE,
      "t.yaml:2:17: block-size-max: 1MiB is out of range (expected 8..65464)" },
    { "root: /srv\nblock-size-max: 1KB\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:17: block-size-max: expected a size (like 1400, 64KiB, 2MiB), got '1KB'" },
    { "root: /srv\nmode: binary\n", PXED_CONFIG_ERROR_INVALID,
      "t.yaml:2:7: mode: expected one of octet|netascii, got 'binary'" },
    { "root: /srv\nallow-write: 1\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:14: allow-write: expected a boolean (true or false), got '1'" },
    { "root: srv\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:1:7: root: expected an absolute path, got 'srv'" },
    { "root: {a: 1}\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:1:7: root: expected an absolute path, got a mapping" },
    { "root: /srv\nlisten: [a, [b]]\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:13: listen item 2: expected a string, got a list" },
    { "root: /srv\nlisten: {a: b}\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:9: listen: expected a list of strings, got a mapping" },
    { "root: /srv\nvars: [a]\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:2:7: vars: expected a mapping, got a list" },
    { "listen: a\n", PXED_CONFIG_ERROR_MISSING,
      "t.yaml:1:1: missing required key 'root' in plugin 'tftp' (expected an absolute path)" },
    { "", PXED_CONFIG_ERROR_MISSING,
      "t.yaml:1:1: missing required key 'root' in plugin 'tftp' (expected an absolute path)" },
    { "[a, b]\n", PXED_CONFIG_ERROR_TYPE,
      "t.yaml:1:1: expected a mapping of keys at the top level, got a list" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PxedSection) sec = section (cases[i].input, &error);
      g_autofree char *escaped = g_strescape (cases[i].input, NULL);

      g_test_message ("case %u: %s", i, escaped);
      g_assert_null (sec);
      check_error (error, cases[i].code, cases[i].message);
    }
}

static void
test_section_bad_default (void)
{
  static const PxedOptionSpec bad[] = {
    { "port", PXED_OPTION_UINT, "seventy", 0, 0, 0, "Port", NULL, { NULL } },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDocument) doc = load ("", &error);
  g_autoptr(PxedSection) sec = NULL;

  g_assert_no_error (error);
  sec = pxed_section_new (doc, pxed_document_get_root (doc), "x", "x", bad, NULL, &error);
  g_assert_null (sec);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "t.yaml:1:1: plugin 'x' has an invalid default for key 'port' ('seventy' is "
                   "not an unsigned integer)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/document/basic", test_document_basic);
  g_test_add_func ("/config/document/empty", test_document_empty);
  g_test_add_func ("/config/document/errors", test_document_errors);
  g_test_add_func ("/config/document/deep", test_document_deep);
  g_test_add_func ("/config/document/file", test_document_file);
  g_test_add_func ("/config/schema/parse", test_schema_parse);
  g_test_add_func ("/config/section/accessors", test_section_accessors);
  g_test_add_func ("/config/section/errors", test_section_errors);
  g_test_add_func ("/config/section/bad-default", test_section_bad_default);
  return g_test_run ();
}
