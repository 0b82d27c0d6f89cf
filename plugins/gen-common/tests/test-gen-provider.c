/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generator glue on a real host: facts from the clients service, the
 * render cache keyed by (path, facts, generation), and pxed_content_open(). */
#include <glib/gstdio.h>

#include "gen-test-util.h"
#include "pxed-host-private.h"

typedef struct {
  guint renders;
} Counter;

/* Renders "<mac> <ip> <hostname>" for pxelinux.cfg/default only. */
static GBytes *
count_render (PxedInventory *inv, gpointer data, const char *path, const GenFacts *facts,
              GError **error)
{
  Counter *c = data;
  const PxedInventoryHost *h = gen_facts_find_host (inv, facts);
  g_autofree char *s = NULL;

  c->renders++;
  if (!g_str_equal (path, "pxelinux.cfg/default"))
    {
      gen_set_not_found (error, path);
      return NULL;
    }
  s = g_strdup_printf ("%s %s %s", facts->mac != NULL ? facts->mac : "-",
                       facts->ip != NULL ? facts->ip : "-", h != NULL ? h->name : "-");
  return g_bytes_new (s, strlen (s));
}

static const PxedPluginInfo *
no_plugins (const char *dir, const char *name, gpointer data, GError **error)
{
  g_set_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_NOT_FOUND, "no plugins here");
  return NULL;
}

static PxedConfig *
load_config (const char *dir)
{
  g_autoptr(GError) error = NULL;
  PxedConfig *config = pxed_config_load (dir, NULL, no_plugins, NULL, &error);
  g_assert_no_error (error);
  return config;
}

static void
write_inventory (const char *dir, const char *name)
{
  g_autofree char *confd = g_build_filename (dir, "conf.d", NULL);
  g_autofree char *file = g_build_filename (confd, "50-inventory.yaml", NULL);
  g_autofree char *text = g_strdup_printf ("hosts:\n  %s:\n    mac: 52:54:00:12:34:56\n"
                                           "    ip: 192.0.2.10\n", name);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (g_mkdir_with_parents (confd, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, text, -1, &error));
}

static char *
render_str (GenProvider *gp, const char *path, const char *mac, const char *ip, GError **error)
{
  PxedRequestInfo req = { .protocol = "tftp", .ip = ip, .mac = mac, .arch = -1 };
  g_autoptr(GBytes) b = gen_provider_render (path, &req, gp, error);
  return b != NULL ? gen_test_bytes_str (b) : NULL;
}

static void
test_cache_and_reload (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pxed-gen-XXXXXX", NULL);
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  g_autoptr(PxedConfig) c1 = NULL;
  g_autoptr(PxedConfig) c2 = NULL;
  g_autoptr(GError) error = NULL;
  Counter counter = { 0 };
  GenProvider *gp;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;
  PxedClientFacts facts = { .mac = (char *) "52:54:00:12:34:56", .ip = (char *) "192.0.2.10",
                            .arch = 7 };

  write_inventory (dir, "before");
  c1 = load_config (dir);
  pxed_host_set_config (host, c1);
  gp = gen_provider_new (host, "test", "t", count_render, &counter, 100);

  /* A TFTP request knows only the IP; the clients service knows the MAC. */
  pxed_clients_update (host, &facts);
  a = render_str (gp, "pxelinux.cfg/default", NULL, "192.0.2.10", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "52:54:00:12:34:56 192.0.2.10 before");
  b = render_str (gp, "pxelinux.cfg/default", NULL, "192.0.2.10", &error);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpuint (counter.renders, ==, 1);
  /* Other facts: another entry. */
  c = render_str (gp, "pxelinux.cfg/default", NULL, "192.0.2.77", &error);
  g_assert_cmpstr (c, ==, "- 192.0.2.77 -");
  g_assert_cmpuint (counter.renders, ==, 2);
  /* NOT_FOUND is cached too (pxelinux probes many names). */
  g_assert_null (render_str (gp, "pxelinux.cfg/C000020A", NULL, "192.0.2.10", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (render_str (gp, "pxelinux.cfg/C000020A", NULL, "192.0.2.10", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (counter.renders, ==, 3);
  g_assert_cmpuint (gen_cache_size (gen_provider_get_cache (gp)), ==, 3);

  /* Reload: a new snapshot (new generation) invalidates every entry. */
  write_inventory (dir, "after");
  c2 = load_config (dir);
  pxed_host_set_config (host, c2);
  d = render_str (gp, "pxelinux.cfg/default", NULL, "192.0.2.10", &error);
  g_assert_cmpstr (d, ==, "52:54:00:12:34:56 192.0.2.10 after");
  g_assert_cmpuint (counter.renders, ==, 4);
  g_assert_cmpuint (gen_cache_size (gen_provider_get_cache (gp)), ==, 1);

  /* Through the content service, the way transports ask. */
  {
    static const char *const patterns[] = { "pxelinux.cfg/*", NULL };
    PxedRequestInfo req = { .protocol = "tftp", .ip = "192.0.2.10", .arch = -1 };
    g_autoptr(PxedContent) content = NULL;
    gen_provider_start (gp, patterns);
    content = pxed_content_open (host, NULL, "/pxelinux.cfg//default", &req, &error);
    g_assert_no_error (error);
    g_assert_true (pxed_content_is_generated (content));
    e = gen_test_bytes_str (pxed_content_get_bytes (content));
    g_assert_cmpstr (e, ==, d);
    gen_provider_stop (gp);
    g_clear_pointer (&content, pxed_content_unref);
    content = pxed_content_open (host, NULL, "pxelinux.cfg/default", &req, &error);
    g_assert_null (content);
    g_clear_error (&error);
  }
  /* Bounded: a flood of distinct clients restarts the cache. */
  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *ip = g_strdup_printf ("198.51.100.%u", i);
      g_free (f);
      f = render_str (gp, "pxelinux.cfg/default", NULL, ip, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (gen_cache_size (gen_provider_get_cache (gp)), <=, 100);

  gen_provider_free (gp);
  {
    g_autofree char *file = g_build_filename (dir, "conf.d", "50-inventory.yaml", NULL);
    g_autofree char *confd = g_build_filename (dir, "conf.d", NULL);
    g_unlink (file);
    g_rmdir (confd);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gen/provider/cache-and-reload", test_cache_and_reload);
  return g_test_run ();
}
