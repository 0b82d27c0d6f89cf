/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays a libFuzzer corpus without libFuzzer, so ordinary builds (and the
 * sanitizer build in CI) run every regression input through the target. */
#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static int
replay_path (const char *path, guint *n_inputs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        if (replay_path (g_ptr_array_index (names, i), n_inputs) != 0)
          return 1;
      return 0;
    }
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  (*n_inputs)++;
  return 0;
}

int
main (int argc, char **argv)
{
  guint n_inputs = 0;

  for (int i = 1; i < argc; i++)
    if (replay_path (argv[i], &n_inputs) != 0)
      return 1;
  if (n_inputs == 0)
    {
      g_printerr ("no corpus inputs replayed\n");
      return 1;
    }
  g_print ("replayed %u inputs\n", n_inputs);
  return 0;
}
