/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PxedConfig on the fixture directories in tests/unit/data/config: the
 * exact text of every located configuration error. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxed-config.h"
#include "pxed-config-private.h"

#define FAKE_PLUGIN_DIR "/nonexistent/pxed/plugins"

static gboolean
fake_tftp_validate (const PxedSection *sec, GError **error)
{
  if (pxed_section_get_bool (sec, "allow-write") &&
      pxed_section_get_uint (sec, "max-sessions") > 10)
    {
      pxed_section_set_error (sec, "allow-write", error,
                              "allow-write: needs max-sessions of at most 10 (got %" G_GUINT64_FORMAT ")",
                              pxed_section_get_uint (sec, "max-sessions"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
fake_dhcp_validate (const PxedSection *sec, GError **error)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "interface %s has no IPv4 address",
               pxed_section_get_string (sec, "interface"));
  return FALSE;
}

static const PxedOptionSpec fake_tftp_options[] = {
  { "listen", PXED_OPTION_LIST, "0.0.0.0:69", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "Addresses to listen on", NULL, { NULL } },
  { "root", PXED_OPTION_PATH, NULL, 0, 0, PXED_OPTION_FLAG_REQUIRED, "Directory served", NULL,
    { NULL } },
  { "max-sessions", PXED_OPTION_UINT, "64", 1, 65535, 0, "Concurrent transfers", NULL,
    { NULL } },
  { "block-size-max", PXED_OPTION_SIZE, "1468", 8, 65464, 0, "Largest block size", NULL,
    { NULL } },
  { "timeout", PXED_OPTION_DURATION, "5s", 1000, 255000, 0, "Retransmit timeout", NULL,
    { NULL } },
  { "mode", PXED_OPTION_STRING, "octet", 0, 0, 0, "Transfer mode", "octet|netascii", { NULL } },
  { "allow-write", PXED_OPTION_BOOL, "false", 0, 0, 0, "Accept write requests", NULL, { NULL } },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
};

static const PxedOptionSpec fake_dhcp_options[] = {
  { "interface", PXED_OPTION_STRING, NULL, 0, 0,
    PXED_OPTION_FLAG_REQUIRED | PXED_OPTION_FLAG_EXCLUSIVE, "Interface served", NULL, { NULL } },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, { NULL } },
};

static const PxedPluginInfo fake_tftp = {
  PXED_PLUGIN_INFO_INIT,
  .name = "tftp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "fake tftp",
  .version = "0",
  .license = "LGPL-2.1-or-later",
  .options = fake_tftp_options,
  .validate = fake_tftp_validate,
};

static const PxedPluginInfo fake_dhcp = {
  PXED_PLUGIN_INFO_INIT,
  .name = "dhcp",
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "fake dhcp",
  .version = "0",
  .license = "LGPL-2.1-or-later",
  .options = fake_dhcp_options,
  .validate = fake_dhcp_validate,
};

typedef struct {
  GPtrArray *resolved; /* names asked for */
} Fixture;

static const PxedPluginInfo *
fake_resolve (const char *plugin_dir, const char *name, gpointer user_data, GError **error)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->resolved, g_strdup (name));
  if (g_str_equal (name, "tftp"))
    return &fake_tftp;
  if (g_str_equal (name, "dhcp"))
    return &fake_dhcp;
  g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND,
               "unknown plugin '%s' (no pxed-%s.so in %s)", name, name, plugin_dir);
  return NULL;
}

static char *
data_dir (const char *name)
{
  return g_build_filename (PXED_TEST_DATA_DIR, "config", name, NULL);
}

static PxedConfig *
load_fixture (const char *name, Fixture *fx, GError **error)
{
  g_autofree char *dir = data_dir (name);

  fx->resolved = g_ptr_array_new_with_free_func (g_free);
  return pxed_config_load (dir, FAKE_PLUGIN_DIR, fake_resolve, fx, error);
}

static void
test_config_good (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *dir = data_dir ("good");
  g_autofree char *core_file = g_build_filename (dir, "pxed.yaml", NULL);
  const PxedSection *core, *sec;
  const char *const *strv;

  config = load_fixture ("good", &fx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpstr (pxed_config_get_dir (config), ==, dir);
  /* the override wins over pxed.yaml's plugin-dir */
  g_assert_cmpstr (pxed_config_get_plugin_dir (config), ==, FAKE_PLUGIN_DIR);

  core = pxed_config_get_core (config);
  g_assert_cmpstr (pxed_section_get_file (core), ==, core_file);
  g_assert_cmpstr (pxed_section_get_string (core, "log-level"), ==, "debug");
  g_assert_cmpstr (pxed_section_get_string (core, "plugin-dir"), ==, "/opt/pxed/plugins");
  g_assert_cmpstr (pxed_section_get_string (core, "state-dir"), ==, PXED_STATEDIR);
  g_assert_null (pxed_section_get_string (core, "user"));
  g_assert_cmpuint (pxed_section_get_duration_ms (core, "drain-timeout"), ==, 30000);
  strv = pxed_section_get_strv (core, "debug-domains");
  g_assert_cmpuint (g_strv_length ((char **) strv), ==, 2);
  g_assert_cmpstr (strv[1], ==, "pxed-net");

  /* 30-off is disabled (and its plugin is never looked up); the dotfile,
   * README, .yml file and the directory are skipped; 50-inventory holds no
   * plugin. */
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 2);
  g_assert_cmpuint (fx.resolved->len, ==, 2);
  sec = pxed_config_get_section (config, 0);
  g_assert_cmpstr (pxed_section_get_instance (sec), ==, "10-tftp");
  g_assert_cmpstr (pxed_section_get_plugin (sec), ==, "tftp");
  g_assert_cmpuint (pxed_section_get_uint (sec, "max-sessions"), ==, 256);
  g_assert_cmpuint (pxed_section_get_size (sec, "block-size-max"), ==, 32768);
  g_assert_cmpuint (pxed_section_get_duration_ms (sec, "timeout"), ==, 120000);
  strv = pxed_section_get_strv (sec, "listen");
  g_assert_cmpuint (g_strv_length ((char **) strv), ==, 2);
  g_assert_cmpstr (strv[1], ==, "[::1]:6969");
  sec = pxed_config_get_section (config, 1);
  g_assert_cmpstr (pxed_section_get_instance (sec), ==, "20-tftp-alt");
  g_assert_cmpstr (pxed_section_get_string (sec, "mode"), ==, "netascii");
  g_assert_cmpstr (pxed_section_get_strv (sec, "listen")[0], ==, "127.0.0.1:7070");
  g_assert_true (pxed_config_find_section (config, "20-tftp-alt") == sec);
  g_assert_null (pxed_config_find_section (config, "30-off"));
  g_assert_nonnull (pxed_config_get_inventory (config));

  g_assert_true (pxed_config_ref (config) == config);
  pxed_config_unref (config);
  g_ptr_array_unref (fx.resolved);
}

static void
test_config_defaults (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *dir = data_dir ("empty");
  const PxedSection *core;

  fx.resolved = g_ptr_array_new_with_free_func (g_free);
  config = pxed_config_load (dir, NULL, fake_resolve, &fx, &error);
  g_assert_no_error (error);
  core = pxed_config_get_core (config);
  g_assert_cmpstr (pxed_config_get_plugin_dir (config), ==, PXED_PLUGINDIR);
  g_assert_cmpstr (pxed_section_get_string (core, "log-level"), ==, "message");
  g_assert_cmpuint (pxed_section_get_duration_ms (core, "drain-timeout"), ==, 10000);
  g_assert_null (pxed_section_get_strv (core, "debug-domains"));
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 0);
  g_ptr_array_unref (fx.resolved);
}

static void
test_config_missing_dir (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = load_fixture ("no-such-dir", &fx, &error);
  g_autofree char *dir = data_dir ("no-such-dir");
  g_autofree char *expected = g_strdup_printf ("%s: configuration directory not found", dir);

  g_assert_null (config);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  g_ptr_array_unref (fx.resolved);
}

typedef struct {
  const char *fixture;
  int         code;
  const char *message; /* relative to tests/unit/data/config */
} BadFixture;

static const BadFixture bad_fixtures[] = {
  { "syntax", PXED_CONFIG_ERROR_SYNTAX,
    "syntax/conf.d/10-tftp.yaml:4:1: invalid YAML: did not find expected ',' or ']' (while "
    "parsing a flow sequence at line 3, column 9)" },
  { "syntax-tab", PXED_CONFIG_ERROR_SYNTAX,
    "syntax-tab/conf.d/10-tftp.yaml:3:1: invalid YAML: found a tab character that violates "
    "indentation (while scanning a plain scalar at line 2, column 7)" },
  { "unknown-key", PXED_CONFIG_ERROR_UNKNOWN_KEY,
    "unknown-key/conf.d/10-tftp.yaml:3:1: unknown key 'blksize-max' in plugin 'tftp' (did you "
    "mean 'block-size-max'?)" },
  { "unknown-key-far", PXED_CONFIG_ERROR_UNKNOWN_KEY,
    "unknown-key-far/conf.d/10-tftp.yaml:3:1: unknown key 'colour' in plugin 'tftp'" },
  { "wrong-type", PXED_CONFIG_ERROR_TYPE,
    "wrong-type/conf.d/10-tftp.yaml:3:15: max-sessions: expected an unsigned integer, got a "
    "list" },
  { "wrong-scalar", PXED_CONFIG_ERROR_TYPE,
    "wrong-scalar/conf.d/10-tftp.yaml:3:10: timeout: expected a duration (like 30s, 250ms, 2m, "
    "1h), got '5 seconds'" },
  { "relative-path", PXED_CONFIG_ERROR_TYPE,
    "relative-path/conf.d/10-tftp.yaml:2:7: root: expected an absolute path, got 'srv/pxed'" },
  { "range", PXED_CONFIG_ERROR_RANGE,
    "range/conf.d/10-tftp.yaml:4:15: max-sessions: 0 is out of range (expected 1..65535)" },
  { "range-duration", PXED_CONFIG_ERROR_RANGE,
    "range-duration/conf.d/10-tftp.yaml:3:10: timeout: 10m is out of range (expected "
    "1s..255s)" },
  { "missing", PXED_CONFIG_ERROR_MISSING,
    "missing/conf.d/10-tftp.yaml:2:1: missing required key 'root' in plugin 'tftp' (expected "
    "an absolute path)" },
  { "duplicate", PXED_CONFIG_ERROR_DUPLICATE,
    "duplicate/conf.d/10-tftp.yaml:4:1: duplicate key 'root' (first defined at line 2, column "
    "1)" },
  { "alias", PXED_CONFIG_ERROR_ALIAS,
    "alias/conf.d/10-tftp.yaml:3:9: YAML alias *addr is not allowed (anchors and aliases are "
    "not supported)" },
  { "anchor", PXED_CONFIG_ERROR_ALIAS,
    "anchor/conf.d/10-tftp.yaml:2:7: YAML anchor &r is not allowed (anchors and aliases are "
    "not supported)" },
  { "unknown-plugin", PXED_CONFIG_ERROR_UNKNOWN_PLUGIN,
    "unknown-plugin/conf.d/10-tfpt.yaml:2:11: unknown plugin 'tfpt' (no pxed-tfpt.so in "
    FAKE_PLUGIN_DIR ")" },
  { "exclusive", PXED_CONFIG_ERROR_CONFLICT,
    "exclusive/conf.d/20-tftp.yaml:5:5: listen: '127.0.0.1:6969' is already claimed by "
    "instance '10-tftp' (@DIR@/exclusive/conf.d/10-tftp.yaml:3:10)" },
  { "exclusive-default", PXED_CONFIG_ERROR_CONFLICT,
    "exclusive-default/conf.d/20-tftp.yaml:1:1: listen: '0.0.0.0:69' (the default) is already "
    "claimed by instance '10-tftp' (@DIR@/exclusive-default/conf.d/10-tftp.yaml:1:1, by "
    "default)" },
  { "choice", PXED_CONFIG_ERROR_INVALID,
    "choice/conf.d/10-tftp.yaml:3:7: mode: expected one of octet|netascii, got 'binary'" },
  { "enabled", PXED_CONFIG_ERROR_TYPE,
    "enabled/conf.d/10-tftp.yaml:2:10: enabled: expected a boolean (true or false), got "
    "'maybe'" },
  { "core-unknown-key", PXED_CONFIG_ERROR_UNKNOWN_KEY,
    "core-unknown-key/pxed.yaml:1:1: unknown key 'log-levl' (did you mean 'log-level'?)" },
  { "core-choice", PXED_CONFIG_ERROR_INVALID,
    "core-choice/pxed.yaml:2:12: log-level: expected one of "
    "error|warning|message|info|debug, got 'loud'" },
  { "core-range", PXED_CONFIG_ERROR_RANGE,
    "core-range/pxed.yaml:1:16: drain-timeout: 1h is out of range (expected 0s..10m)" },
  { "inventory-unknown-key", PXED_CONFIG_ERROR_UNKNOWN_KEY,
    "inventory-unknown-key/conf.d/50-hosts.yaml:1:1: unknown key 'host' in an inventory file "
    "(did you mean 'hosts'?)" },
  { "multi-doc", PXED_CONFIG_ERROR_SYNTAX,
    "multi-doc/conf.d/10-tftp.yaml:3:1: a second YAML document is not allowed (one document "
    "per file)" },
  { "not-mapping", PXED_CONFIG_ERROR_TYPE,
    "not-mapping/conf.d/10-tftp.yaml:1:1: expected a mapping of keys at the top level, got a "
    "list" },
  { "validate", PXED_CONFIG_ERROR_INVALID,
    "validate/conf.d/10-tftp.yaml:3:14: allow-write: needs max-sessions of at most 10 (got "
    "64)" },
  { "validate-unlocated", PXED_CONFIG_ERROR_INVALID,
    "validate-unlocated/conf.d/10-dhcp.yaml:1:1: plugin 'dhcp': interface eth0 has no IPv4 "
    "address" },
  { "list-item", PXED_CONFIG_ERROR_TYPE,
    "list-item/conf.d/10-tftp.yaml:5:5: listen item 2: expected a string, got a mapping" },
  { "plugin-name", PXED_CONFIG_ERROR_INVALID,
    "plugin-name/conf.d/10-x.yaml:1:9: plugin: expected a plugin name (lower-case letters, "
    "digits and '-'), got 'Tftp'" },
};

static void
test_config_bad (gconstpointer data)
{
  const BadFixture *bad = data;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *base = g_build_filename (PXED_TEST_DATA_DIR, "config", NULL);
  g_autofree char *rel = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) parts = NULL;

  parts = g_strsplit (bad->message, "@DIR@", -1);
  rel = g_strjoinv (base, parts);
  expected = g_strdup_printf ("%s/%s", base, rel);

  config = load_fixture (bad->fixture, &fx, &error);
  g_assert_null (config);
  g_assert_error (error, PXED_CONFIG_ERROR, bad->code);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_null (strchr (error->message, '\n'));
  g_ptr_array_unref (fx.resolved);
}

static void
test_config_exclusive_disabled (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = load_fixture ("exclusive-disabled", &fx, &error);

  /* a disabled instance claims nothing */
  g_assert_no_error (error);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 1);
  g_ptr_array_unref (fx.resolved);
}

/* ---- conf.d tiers ------------------------------------------------------------ */

typedef struct {
  char *base;    /* temporary directory holding vendor/, run/, etc/ */
  char *vendor;
  char *runtime;
  char *admin;
} Tiers;

static void
tiers_init (Tiers *t)
{
  g_autoptr(GError) error = NULL;

  t->base = g_dir_make_tmp ("pxed-test-tiers-XXXXXX", &error);
  g_assert_no_error (error);
  t->vendor = g_build_filename (t->base, "vendor", NULL);
  t->runtime = g_build_filename (t->base, "run", NULL);
  t->admin = g_build_filename (t->base, "etc", NULL);
  g_assert_cmpint (g_mkdir (t->admin, 0755), ==, 0);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
tiers_clear (Tiers *t)
{
  rm_rf (t->base);
  g_free (t->base);
  g_free (t->vendor);
  g_free (t->runtime);
  g_free (t->admin);
}

/* Writes TIER/conf.d/NAME; @content NULL makes a symlink to /dev/null. */
static char *
tier_write (const char *tier, const char *name, const char *content)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *confd = g_build_filename (tier, "conf.d", NULL);
  char *path = g_build_filename (confd, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (confd, 0755), ==, 0);
  if (content == NULL)
    g_assert_cmpint (symlink ("/dev/null", path), ==, 0);
  else
    {
      g_file_set_contents (path, content, -1, &error);
      g_assert_no_error (error);
    }
  return path;
}

static PxedConfig *
tiers_load (Tiers *t, Fixture *fx, GError **error)
{
  fx->resolved = g_ptr_array_new_with_free_func (g_free);
  return pxed_config_load_tiers (t->admin, t->vendor, t->runtime, FAKE_PLUGIN_DIR, fake_resolve,
                                 fx, error);
}

static void
test_tiers_override (void)
{
  Tiers t;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *v10 = NULL, *v20 = NULL, *r10 = NULL, *a10 = NULL;
  const PxedSection *sec;

  tiers_init (&t);
  v10 = tier_write (t.vendor, "10-tftp.yaml",
                    "plugin: tftp\nroot: /vendor\nlisten: [\"127.0.0.1:1\"]\n");
  v20 = tier_write (t.vendor, "20-tftp.yaml",
                    "plugin: tftp\nroot: /vendor20\nlisten: [\"127.0.0.1:2\"]\n");
  r10 = tier_write (t.runtime, "10-tftp.yaml",
                    "plugin: tftp\nroot: /run\nlisten: [\"127.0.0.1:1\"]\n");
  a10 = tier_write (t.admin, "10-tftp.yaml",
                    "plugin: tftp\nroot: /etc\nlisten: [\"127.0.0.1:1\"]\nmode: netascii\n");
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  /* admin > runtime > vendor, whole files: nothing of the vendor's 10-tftp
   * is merged in, and pxed.yaml is absent from the admin dir (defaults). */
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 2);
  sec = pxed_config_get_section (config, 0);
  g_assert_cmpstr (pxed_section_get_instance (sec), ==, "10-tftp");
  g_assert_cmpstr (pxed_section_get_file (sec), ==, a10);
  g_assert_cmpstr (pxed_section_get_string (sec, "root"), ==, "/etc");
  g_assert_cmpstr (pxed_section_get_string (sec, "mode"), ==, "netascii");
  sec = pxed_config_get_section (config, 1);
  g_assert_cmpstr (pxed_section_get_instance (sec), ==, "20-tftp");
  g_assert_cmpstr (pxed_section_get_file (sec), ==, v20);
  g_clear_pointer (&config, pxed_config_unref);
  g_ptr_array_unref (fx.resolved);

  /* Without the admin file the runtime one wins. */
  g_assert_cmpint (g_unlink (a10), ==, 0);
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  sec = pxed_config_find_section (config, "10-tftp");
  g_assert_nonnull (sec);
  g_assert_cmpstr (pxed_section_get_file (sec), ==, r10);
  g_assert_cmpstr (pxed_section_get_string (sec, "mode"), ==, "octet");
  g_ptr_array_unref (fx.resolved);
  tiers_clear (&t);
}

static void
test_tiers_mask (void)
{
  Tiers t;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *v10 = NULL, *v20 = NULL, *v30 = NULL, *r10 = NULL, *a20 = NULL, *a40 = NULL;

  tiers_init (&t);
  v10 = tier_write (t.vendor, "10-tftp.yaml",
                    "plugin: tftp\nroot: /vendor\nlisten: [\"127.0.0.1:1\"]\n");
  v20 = tier_write (t.vendor, "20-tftp.yaml",
                    "plugin: tftp\nroot: /vendor\nlisten: [\"127.0.0.1:2\"]\n");
  v30 = tier_write (t.vendor, "30-tftp.yaml",
                    "plugin: tftp\nroot: /vendor\nlisten: [\"127.0.0.1:3\"]\n");
  r10 = tier_write (t.runtime, "10-tftp.yaml", NULL); /* symlink to /dev/null */
  a20 = tier_write (t.admin, "20-tftp.yaml", "");     /* empty file */
  a40 = tier_write (t.admin, "40-tftp.yaml", "");     /* masks nothing: no instance */
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 1);
  g_assert_cmpstr (pxed_section_get_instance (pxed_config_get_section (config, 0)), ==, "30-tftp");
  g_assert_cmpuint (fx.resolved->len, ==, 1);
  g_clear_pointer (&config, pxed_config_unref);
  g_ptr_array_unref (fx.resolved);

  /* A mask in the admin tier hides a runtime file too; a runtime mask is
   * overridden by a real admin file. */
  g_assert_cmpint (g_unlink (a20), ==, 0);
  g_free (a20);
  a20 = tier_write (t.admin, "20-tftp.yaml", NULL);
  g_assert_cmpint (g_unlink (r10), ==, 0);
  g_free (r10);
  r10 = tier_write (t.runtime, "10-tftp.yaml", NULL);
  g_free (a40);
  a40 = tier_write (t.admin, "10-tftp.yaml",
                    "plugin: tftp\nroot: /etc\nlisten: [\"127.0.0.1:1\"]\n");
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 2);
  g_assert_cmpstr (pxed_section_get_file (pxed_config_get_section (config, 0)), ==, a40);
  g_assert_cmpstr (pxed_section_get_instance (pxed_config_get_section (config, 1)), ==, "30-tftp");
  g_ptr_array_unref (fx.resolved);
  tiers_clear (&t);
}

static void
test_tiers_order (void)
{
  Tiers t;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL;
  const char *expected[] = { "05-b", "10-a", "50-c", "90-d" };

  tiers_init (&t);
  /* Lexical order of names across tiers, not tier order. */
  f1 = tier_write (t.admin, "05-b.yaml", "plugin: tftp\nroot: /a\nlisten: [\"127.0.0.1:1\"]\n");
  f2 = tier_write (t.vendor, "90-d.yaml", "plugin: tftp\nroot: /a\nlisten: [\"127.0.0.1:2\"]\n");
  f3 = tier_write (t.runtime, "10-a.yaml", "plugin: tftp\nroot: /a\nlisten: [\"127.0.0.1:3\"]\n");
  f4 = tier_write (t.vendor, "50-c.yaml", "plugin: tftp\nroot: /a\nlisten: [\"127.0.0.1:4\"]\n");
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (pxed_section_get_instance (pxed_config_get_section (config, i)), ==,
                     expected[i]);
  g_ptr_array_unref (fx.resolved);
  tiers_clear (&t);
}

static void
test_tiers_absent (void)
{
  Tiers t;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *a = NULL;

  /* No vendor dir at all; a runtime dir without conf.d; an admin conf.d. */
  tiers_init (&t);
  g_assert_cmpint (g_mkdir (t.runtime, 0755), ==, 0);
  a = tier_write (t.admin, "10-tftp.yaml", "plugin: tftp\nroot: /a\nlisten: [\"127.0.0.1:1\"]\n");
  config = tiers_load (&t, &fx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 1);
  g_clear_pointer (&config, pxed_config_unref);
  g_ptr_array_unref (fx.resolved);

  /* NULL tiers are the single-directory load. */
  fx.resolved = g_ptr_array_new_with_free_func (g_free);
  config = pxed_config_load_tiers (t.admin, NULL, NULL, FAKE_PLUGIN_DIR, fake_resolve, &fx,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pxed_config_get_n_sections (config), ==, 1);
  g_ptr_array_unref (fx.resolved);
  tiers_clear (&t);
}

static void
test_tiers_error_names_file (void)
{
  Tiers t;
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autofree char *v = NULL, *expected = NULL;

  tiers_init (&t);
  v = tier_write (t.vendor, "10-tftp.yaml", "plugin: tftp\nroot: /a\nmax-sessions: 0\n");
  config = tiers_load (&t, &fx, &error);
  g_assert_null (config);
  expected = g_strdup_printf ("%s:3:15: max-sessions: 0 is out of range (expected 1..65535)", v);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_RANGE);
  g_assert_cmpstr (error->message, ==, expected);
  g_ptr_array_unref (fx.resolved);
  tiers_clear (&t);
}

/* ---- every error at once ------------------------------------------------------ */

static void
assert_lines (const char *fixture, const GError *error, const char *const *lines)
{
  g_autofree char *dir = data_dir (fixture);
  g_auto(GStrv) got = g_strsplit (error->message, "\n", -1);

  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length ((char **) lines));
  for (guint i = 0; lines[i] != NULL && got[i] != NULL; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s/%s", dir, lines[i]);
      g_assert_cmpstr (got[i], ==, expected);
    }
}

static void
test_config_multi_file (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = load_fixture ("multi", &fx, &error);
  /* A YAML error ends its file only; an unknown plugin does not hide the
   * next file; the good file after them is still checked (and claims). */
  static const char *const lines[] = {
    "conf.d/10-tftp.yaml:4:1: invalid YAML: did not find expected ',' or ']' (while parsing a "
    "flow sequence at line 3, column 9)",
    "conf.d/20-typo.yaml:1:9: unknown plugin 'tfpt' (no pxed-tfpt.so in " FAKE_PLUGIN_DIR ")",
    "conf.d/30-tftp.yaml:4:15: max-sessions: 0 is out of range (expected 1..65535)",
    NULL,
  };

  g_assert_null (config);
  /* The domain and code are the first error's. */
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_SYNTAX);
  assert_lines ("multi", error, lines);
  g_ptr_array_unref (fx.resolved);
}

static void
test_config_multi_schema (void)
{
  Fixture fx = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = load_fixture ("multi-schema", &fx, &error);
  /* Every schema error of one file: unknown keys, then values, then
   * missing keys. */
  static const char *const lines[] = {
    "conf.d/10-tftp.yaml:2:1: unknown key 'colour' in plugin 'tftp'",
    "conf.d/10-tftp.yaml:5:1: unknown key 'blksize-max' in plugin 'tftp' (did you mean "
    "'block-size-max'?)",
    "conf.d/10-tftp.yaml:3:15: max-sessions: expected an unsigned integer, got a list",
    "conf.d/10-tftp.yaml:4:10: timeout: 10m is out of range (expected 1s..255s)",
    "conf.d/10-tftp.yaml:1:1: missing required key 'root' in plugin 'tftp' (expected an "
    "absolute path)",
    NULL,
  };

  g_assert_null (config);
  g_assert_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_UNKNOWN_KEY);
  assert_lines ("multi-schema", error, lines);
  g_ptr_array_unref (fx.resolved);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/config/config/good", test_config_good);
  g_test_add_func ("/config/config/defaults", test_config_defaults);
  g_test_add_func ("/config/config/missing-dir", test_config_missing_dir);
  g_test_add_func ("/config/config/exclusive-disabled", test_config_exclusive_disabled);
  g_test_add_func ("/config/config/multi-file", test_config_multi_file);
  g_test_add_func ("/config/config/multi-schema", test_config_multi_schema);
  g_test_add_func ("/config/tiers/override", test_tiers_override);
  g_test_add_func ("/config/tiers/mask", test_tiers_mask);
  g_test_add_func ("/config/tiers/order", test_tiers_order);
  g_test_add_func ("/config/tiers/absent", test_tiers_absent);
  g_test_add_func ("/config/tiers/error-names-file", test_tiers_error_names_file);
  for (guint i = 0; i < G_N_ELEMENTS (bad_fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/config/bad/%s", bad_fixtures[i].fixture);

      g_test_add_data_func (path, &bad_fixtures[i], test_config_bad);
    }
  return g_test_run ();
}
