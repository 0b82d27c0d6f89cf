/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kickstart rendering: golden CentOS 7 file, lookups, hashing, injection,
 * templates and the output checker. */
#include <crypt.h>

#include "gen-test-util.h"
#include "kickstart-render.h"

static KsCompiled *
compile_data (const char *yaml, GError **error)
{
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_data (yaml, error);
  if (inv == NULL)
    return NULL;
  return ks_compile (inv, error);
}

static KsCompiled *
example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = gen_test_inventory_from_file (EXAMPLE_INVENTORY, &error);
  KsCompiled *ks;
  g_assert_no_error (error);
  ks = ks_compile (inv, &error);
  g_assert_no_error (error);
  return ks;
}

static GBytes *
render (KsCompiled *ks, const char *path, const char *mac, const char *ip, GError **error)
{
  GenFacts facts = { .mac = (char *) mac, .ip = (char *) ip, .arch = -1 };
  return ks_render (ks, path, &facts, error);
}

static void
test_golden (void)
{
  g_autoptr(KsCompiled) ks = example ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) host = render (ks, "ks/52:54:00:12:34:56.cfg", NULL, NULL, &error);
  g_autoptr(GBytes) host2 = NULL, host3 = NULL, anon = NULL;

  g_assert_no_error (error);
  gen_test_assert_golden (host, GOLDEN_DIR, "centos7-web01.cfg");
  /* The same machine by dashed MAC, and by its address through ks.cfg. */
  host2 = render (ks, "ks/52-54-00-12-34-56.cfg", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (host, host2));
  host3 = render (ks, "ks.cfg", NULL, "192.0.2.10", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (host, host3));
  /* The profile for a machine the inventory does not name. */
  anon = render (ks, "ks/centos7-ftp.cfg", "52:54:00:aa:bb:cc", "192.0.2.99", &error);
  g_assert_no_error (error);
  gen_test_assert_golden (anon, GOLDEN_DIR, "centos7-ftp.cfg");
}

static void
test_not_found (void)
{
  g_autoptr(KsCompiled) ks = example ();
  const char *paths[] = {
    "ks/centos7-mirror.cfg",     /* no kickstart in that profile */
    "ks/nope.cfg",
    "ks/52:54:00:12:34:57.cfg", /* a machine the inventory does not name */
    "ks/centos7-ftp.txt", "ks/a/centos7-ftp.cfg", "ks/.cfg", "other.cfg",
  };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = render (ks, paths[i], NULL, NULL, &error);
      g_assert_null (b);
      g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
    }
  {
    /* ks.cfg from an unknown address */
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = render (ks, "ks.cfg", "52:54:00:aa:bb:cc", "192.0.2.99", &error);
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  }
}

#define KS_HEAD                                                                                  \
  "profiles:\n  p:\n    kernel: k\n    kickstart:\n      lang: en_US.UTF-8\n      keyboard: us\n" \
  "      timezone: UTC\n"

static void
test_rootpw_hashed (void)
{
  const char *yaml = KS_HEAD "      rootpw: s3cret-Passw0rd\n"
                             "      users:\n        - name: admin\n          password: hunter2\n"
                             "          groups: [wheel]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KsCompiled) ks = compile_data (yaml, &error);
  g_autoptr(GBytes) b = NULL;
  g_autofree char *s = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean saw_root = FALSE, saw_user = FALSE;

  g_assert_no_error (error);
  b = render (ks, "ks/p.cfg", NULL, NULL, &error);
  g_assert_no_error (error);
  s = gen_test_bytes_str (b);
  g_assert_null (strstr (s, "s3cret"));
  g_assert_null (strstr (s, "hunter2"));
  lines = g_strsplit (s, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "rootpw --iscrypted $6$"))
        {
          const char *hash = lines[i] + strlen ("rootpw --iscrypted ");
          struct crypt_data data = { 0 };
          g_assert_cmpstr (crypt_r ("s3cret-Passw0rd", hash, &data), ==, hash);
          saw_root = TRUE;
        }
      if (g_str_has_prefix (lines[i], "user --name=admin --groups=wheel --iscrypted --password=$6$"))
        {
          const char *hash = strstr (lines[i], "--password=") + strlen ("--password=");
          struct crypt_data data = { 0 };
          g_assert_cmpstr (crypt_r ("hunter2", hash, &data), ==, hash);
          saw_user = TRUE;
        }
    }
  g_assert_true (saw_root);
  g_assert_true (saw_user);
}

typedef struct {
  const char *name;
  const char *yaml;   /* appended to KS_HEAD */
  const char *expect; /* substring of the located load-time error */
} BadCase;

static const BadCase bad_cases[] = {
  { "newline-in-lang", "      rootpw-crypted: $6$x$y\n      bootloader:\n        append: \"a\\nreboot\"\n",
    "test.yaml:10:17: kickstart.append: newlines and control characters are not allowed" },
  { "end-in-post", "      rootpw-crypted: $6$x$y\n      post: \"echo hi\\n%end\\nrm -rf /\\n\"\n",
    "test.yaml:9:13: kickstart.post: line 2 starts with '%', which would end the section" },
  { "indented-end-in-pre", "      rootpw-crypted: $6$x$y\n      pre: \"true\\n   %end\\n\"\n",
    "kickstart.pre: line 2 starts with '%'" },
  { "package-section", "      rootpw-crypted: $6$x$y\n      packages: [vim, \"%post\"]\n",
    "test.yaml:9:23: kickstart.packages[1]: not a package" },
  { "package-newline", "      rootpw-crypted: $6$x$y\n      packages: [\"vim\\n%end\"]\n",
    "kickstart.packages[0]: not a package" },
  { "missing-rootpw", "", "test.yaml:5:7: the kickstart of profile p is invalid: required command "
                          "'rootpw' is missing" },
  { "both-rootpw", "      rootpw: a\n      rootpw-crypted: $6$x$y\n",
    "'rootpw' and 'rootpw-crypted' exclude each other" },
  { "bad-crypted", "      rootpw-crypted: plaintext\n", "expected a crypt(3) hash" },
  { "positional-option", "      rootpw-crypted: $6$x$y\n      timezone-utc: true\n      selinux: \"--disabled\"\n",
    "kickstart.selinux: expected enforcing, permissive or disabled" },
  { "unknown-key", "      rootpw-crypted: $6$x$y\n      rebot: true\n",
    "test.yaml:9:7: kickstart: unknown key 'rebot'" },
  { "bad-finish", "      rootpw-crypted: $6$x$y\n      finish: explode\n",
    "kickstart.finish: expected reboot, poweroff, halt or shutdown" },
  { "autopart-and-part",
    "      rootpw-crypted: $6$x$y\n      autopart: true\n      part:\n        - mount: /\n",
    "'autopart' and 'part' exclude each other" },
  { "unknown-variable", "      rootpw-crypted: $6$x$y\n      url: http://${nope}/\n",
    "test.yaml:9:12: kickstart.url: unknown variable '${nope}'" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *yaml = g_strconcat (KS_HEAD, c->yaml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KsCompiled) ks = compile_data (yaml, &error);

  g_assert_null (ks);
  g_assert_nonnull (error);
  if (strstr (error->message, c->expect) == NULL)
    g_error ("case %s: expected '%s' in '%s'", c->name, c->expect, error->message);
  g_assert_true (g_str_has_prefix (error->message, "test.yaml:"));
}

static void
test_quotes (void)
{
  const char *yaml = KS_HEAD "      rootpw-crypted: $6$x$y\n"
                             "      users:\n        - name: obrien\n"
                             "          gecos: \"Pat O'Brien \\\"the admin\\\" # not a comment\"\n"
                             "      network:\n        hostname: \"a b\"\n        device: link\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KsCompiled) ks = compile_data (yaml, &error);
  g_autoptr(GBytes) b = NULL;
  g_autofree char *s = NULL;
  g_autofree char *q1 = ks_quote ("plain-value_1.2:/x@y=z,$6$");
  g_autofree char *q2 = ks_quote ("it's");
  g_autofree char *q3 = ks_quote ("");

  g_assert_no_error (error);
  b = render (ks, "ks/p.cfg", NULL, NULL, &error);
  g_assert_no_error (error);
  s = gen_test_bytes_str (b);
  g_assert_nonnull (strstr (s, "user --name=obrien --gecos='Pat O'\\''Brien \"the admin\" # not a "
                               "comment'\n"));
  g_assert_nonnull (strstr (s, "network --bootproto=dhcp --device=link --hostname='a b'\n"));
  g_assert_cmpstr (q1, ==, "plain-value_1.2:/x@y=z,$6$");
  g_assert_cmpstr (q2, ==, "'it'\\''s'");
  g_assert_cmpstr (q3, ==, "''");
}

static void
test_template (void)
{
  g_autofree char *path = g_build_filename (DATA_DIR, "centos7.ks.in", NULL);
  g_autofree char *yaml = g_strdup_printf (
      "vars:\n  tz: Europe/Paris\n"
      "profiles:\n  t:\n    kernel: k\n    install-url: http://192.0.2.1/c7\n"
      "    kickstart-template: %s\n"
      "hosts:\n  db01:\n    mac: 52:54:00:00:00:07\n    profile: t\n", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(KsCompiled) ks = compile_data (yaml, &error);
  g_autoptr(GBytes) b = NULL;

  g_assert_no_error (error);
  b = render (ks, "ks.cfg", "52:54:00:00:00:07", NULL, &error);
  g_assert_no_error (error);
  gen_test_assert_golden (b, GOLDEN_DIR, "template-db01.cfg");
}

static void
test_template_errors (void)
{
  struct {
    const char *file;
    const char *expect;
  } cases[] = {
    { "unknown-var.ks.in", "unknown-var.ks.in:5: unknown variable '${nosuchvar}'" },
    { "unclosed.ks.in", "is invalid: %post opened on line 6 is never closed with %end" },
    { "does-not-exist.ks.in", "test.yaml:4:25: kickstart-template:" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (DATA_DIR, cases[i].file, NULL);
      g_autofree char *yaml = g_strdup_printf (
          "profiles:\n  t:\n    kernel: k\n    kickstart-template: %s\n", path);
      g_autoptr(GError) error = NULL;
      g_autoptr(KsCompiled) ks = compile_data (yaml, &error);
      g_assert_null (ks);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("%s: expected '%s' in '%s'", cases[i].file, cases[i].expect, error->message);
    }
}

static void
test_checker (void)
{
  const char *base = "lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw --iscrypted $6$x$y\n";
  struct {
    const char *extra;
    const char *expect; /* NULL: valid */
  } cases[] = {
    { "", NULL },
    { "%packages\n@core\n%end\n%post\necho\n%end\n", NULL },
    { "# comment\n\nreboot\n", NULL },
    { "lang de_DE\n", "'lang' may appear only once" },
    { "reboot\npoweroff\n", "'poweroff' conflicts with 'reboot'" },
    { "url --url=a\ncdrom\n", "'cdrom' conflicts with 'url'" },
    { "%post\necho\n", "%post opened on line 5 is never closed" },
    { "%end\n", "%end outside a section" },
    { "%packages\n%post\n%end\n", "%post inside %packages" },
    { "%post\n%pre\n%end\n", "%pre inside %post" },
    { "%bogus\n", "unknown section %bogus" },
    { "autopart\npart /\n", "'autopart' and 'part' exclude each other" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (base, cases[i].extra, NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = ks_check (text, &error);
      if (cases[i].expect == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else if (ok || strstr (error->message, cases[i].expect) == NULL)
        g_error ("case %u: expected '%s', got '%s'", i, cases[i].expect,
                 ok ? "valid" : error->message);
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (ks_check ("lang en\nkeyboard us\ntimezone UTC\n", &error));
    g_assert_nonnull (strstr (error->message, "required command 'rootpw' is missing"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kickstart/render/golden", test_golden);
  g_test_add_func ("/kickstart/render/not-found", test_not_found);
  g_test_add_func ("/kickstart/render/rootpw-hashed", test_rootpw_hashed);
  g_test_add_func ("/kickstart/render/quotes", test_quotes);
  g_test_add_func ("/kickstart/render/template", test_template);
  g_test_add_func ("/kickstart/render/template-errors", test_template_errors);
  g_test_add_func ("/kickstart/check", test_checker);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *p = g_strdup_printf ("/kickstart/bad/%s", bad_cases[i].name);
      g_test_add_data_func (p, &bad_cases[i], test_bad);
    }
  return g_test_run ();
}
