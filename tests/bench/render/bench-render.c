/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 10,000 per-host renders of each generator, uncached (the pure renderers)
 * and cached (the render cache every provider consults first). Not part of
 * meson test: run tests/bench/render/run.sh. Target: 10,000 per-host
 * renders in under 100 ms. */
#include <stdio.h>
#include <time.h>

#include "gen-test-util.h"
#include "grub-render.h"
#include "kickstart-render.h"
#include "syslinux-render.h"

#define TARGET_MS 100.0

static char *
make_inventory (const char *example, guint n_hosts)
{
  GString *s = g_string_new (example);
  /* The example ends with its hosts: mapping; append more hosts to it.
   * Addresses from 198.18.0.0/15 (benchmark space). */
  for (guint i = 0; i < n_hosts; i++)
    g_string_append_printf (s, "  bench%05u:\n    mac: 02:00:00:%02x:%02x:%02x\n"
                               "    ip: 198.18.%u.%u\n    profile: centos7-ftp\n",
                            i, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, i / 250, i % 250 + 1);
  return g_string_free (s, FALSE);
}

/* CPU time of this thread: other processes on a busy machine do not count. */
static gint64
cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define REPEAT 5

typedef GBytes *(*RenderOne) (gpointer ctx, const char *path, const GenFacts *facts,
                              GError **error);

static GBytes *
do_syslinux (gpointer ctx, const char *path, const GenFacts *facts, GError **error)
{
  SyslinuxOptions opts = { .ui = "menu.c32" };
  return syslinux_render (ctx, &opts, path, facts, error);
}

static GBytes *
do_grub (gpointer ctx, const char *path, const GenFacts *facts, GError **error)
{
  GrubOptions opts = { .prefix = "grub" };
  return grub_render (ctx, &opts, path, facts, error);
}

static GBytes *
do_kickstart (gpointer ctx, const char *path, const GenFacts *facts, GError **error)
{
  return ks_render (ctx, path, facts, error);
}

static double
run (const char *name, RenderOne fn, gpointer ctx, const char *prefix, char sep,
     const char *suffix, guint n, GenCache *cache, gsize *bytes_out)
{
  gint64 t0 = cpu_us ();
  gsize total = 0;

  for (guint i = 0; i < n; i++)
    {
      char path[64];
      GenFacts facts = { .ip = NULL, .arch = -1 };
      char ip[32];
      GBytes *b = NULL;
      g_autoptr(GError) error = NULL;

      g_snprintf (path, sizeof path, "%s02%c00%c00%c%02x%c%02x%c%02x%s", prefix, sep, sep, sep,
                  (i >> 16) & 0xff, sep, (i >> 8) & 0xff, sep, i & 0xff, suffix);
      g_snprintf (ip, sizeof ip, "198.18.%u.%u", i / 250, i % 250 + 1);
      facts.ip = ip;
      if (cache == NULL || !gen_cache_lookup (cache, 1, path, &facts, &b))
        {
          b = fn (ctx, path, &facts, &error);
          if (b == NULL)
            {
              fprintf (stderr, "%s: %s: %s\n", name, path, error->message);
              exit (2);
            }
          if (cache != NULL)
            gen_cache_insert (cache, 1, path, &facts, b);
        }
      total += g_bytes_get_size (b);
      g_bytes_unref (b);
    }
  *bytes_out = total;
  return (cpu_us () - t0) / 1000.0;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autofree char *example = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedInventory) inv = NULL;
  g_autoptr(KsCompiled) ks = NULL;
  g_autoptr(GenCache) cache = NULL;
  gint64 t0;
  double load_ms, compile_ms;
  gboolean ok = TRUE;
  struct {
    const char *name;
    RenderOne   fn;
    const char *prefix;
    char        sep;
    const char *suffix;
  } gens[] = {
    { "syslinux pxelinux.cfg/01-<mac>", do_syslinux, "pxelinux.cfg/01-", '-', "" },
    { "grub grub.cfg-01-<mac>", do_grub, "grub/grub.cfg-01-", '-', "" },
    { "kickstart ks/<mac>.cfg", do_kickstart, "ks/", ':', ".cfg" },
  };

  if (!g_file_get_contents (EXAMPLE_INVENTORY, &example, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  yaml = make_inventory (example, n);
  t0 = g_get_monotonic_time ();
  inv = gen_test_inventory_from_data (yaml, &error);
  load_ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (inv == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  t0 = g_get_monotonic_time ();
  ks = ks_compile (inv, &error);
  compile_ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (ks == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  printf ("inventory: %u hosts parsed in %.1f ms; kickstarts compiled and checked in %.1f ms\n\n",
          n + 1, load_ms, compile_ms);
  printf ("%u per-host renders per row, thread CPU time, best of %d\n", n, REPEAT);
  printf ("%-40s %10s %10s %8s %8s\n", "generator", "total ms", "us/render", "bytes", "<100ms");
  for (guint g = 0; g < G_N_ELEMENTS (gens); g++)
    for (guint cached = 0; cached < 2; cached++)
      {
        gpointer ctx = g == 2 ? (gpointer) ks : (gpointer) inv;
        gsize bytes = 0;
        double ms = G_MAXDOUBLE;
        g_autofree char *label = g_strdup_printf ("%s%s", gens[g].name, cached ? " (cached)" : "");

        cache = gen_cache_new (2 * n);
        if (cached)
          run (gens[g].name, gens[g].fn, ctx, gens[g].prefix, gens[g].sep, gens[g].suffix, n, cache,
               &bytes); /* warm */
        /* Best of REPEAT: the machine is shared. */
        for (guint r = 0; r < REPEAT; r++)
          ms = MIN (ms, run (gens[g].name, gens[g].fn, ctx, gens[g].prefix, gens[g].sep,
                             gens[g].suffix, n, cached ? cache : NULL, &bytes));
        g_clear_pointer (&cache, gen_cache_free);
        printf ("%-40s %10.1f %10.2f %8zu %8s\n", label, ms, ms * 1000.0 / n, bytes / n,
                ms < TARGET_MS * n / 10000.0 ? "ok" : "SLOW");
        if (ms >= TARGET_MS * n / 10000.0)
          ok = FALSE;
      }
  return ok ? 0 : 1;
}
