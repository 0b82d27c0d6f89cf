/* SPDX-License-Identifier: MIT */
/* An out-of-tree pxed plugin, built only against the installed SDK:
 *   cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags --libs pxed-plugin) \
 *      -o pxed-hello.so hello.c
 * It is a generator: it serves hello.txt (and hello/NAME) with a message from
 * its conf.d file, rendered for the requesting client. */
#include <pxed/pxed.h>

struct _PxedPlugin {
  PxedHost *host;
  char     *message;
  guint     providers[2];
};

static const PxedOptionSpec hello_options[] = {
  { .key = "message", .type = PXED_OPTION_STRING, .default_value = "Hello",
    .doc = "What hello.txt says" },
  { .key = NULL }
};

static GBytes *
hello_render (const char *path, const PxedRequestInfo *req, gpointer user_data, GError **error)
{
  PxedPlugin *self = user_data;
  char *text;

  if (g_str_has_prefix (path, "hello/") && g_str_equal (path + 6, "missing"))
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND, "no %s", path);
      return NULL;
    }
  text = g_strdup_printf ("%s, %s (%s)\n", self->message, req->ip != NULL ? req->ip : "stranger",
                          path);
  return g_bytes_new_take (text, strlen (text));
}

static PxedPlugin *
hello_create (PxedHost *host, const PxedSection *sec, G_GNUC_UNUSED GError **error)
{
  PxedPlugin *self = g_new0 (PxedPlugin, 1);
  self->host = host;
  self->message = g_strdup (pxed_section_get_string (sec, "message"));
  return self;
}

static gboolean
hello_start (PxedPlugin *self, G_GNUC_UNUSED GError **error)
{
  self->providers[0] = pxed_content_add_provider (self->host, "hello.txt", hello_render, self, NULL);
  self->providers[1] = pxed_content_add_provider (self->host, "hello/*", hello_render, self, NULL);
  return TRUE;
}

static void
hello_stop (PxedPlugin *self, PxedDoneFunc done, gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->providers); i++)
    if (self->providers[i] != 0)
      pxed_content_remove_provider (self->host, self->providers[i]);
  done (data);
}

static void
hello_destroy (PxedPlugin *self)
{
  g_free (self->message);
  g_free (self);
}

static const PxedPluginInfo hello_info = {
  PXED_PLUGIN_INFO_INIT,
  .name = "hello",
  .kind = PXED_PLUGIN_KIND_GENERATOR,
  .summary = "Example third-party generator",
  .version = "1.0",
  .license = "MIT",
  .options = hello_options,
  .create = hello_create,
  .start = hello_start,
  .stop = hello_stop,
  .destroy = hello_destroy,
};

PXED_PLUGIN_DEFINE (hello_info)
