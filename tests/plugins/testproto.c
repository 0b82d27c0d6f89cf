/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small protocol plugin for the core's own tests: answers every UDP
 * datagram with "INSTANCE GREETING DATA", reconfigures its greeting in place
 * on reload, and takes `drain-delay` to stop. Built several times with
 * defects (TESTPROTO_*) to exercise the loader's refusals. */
#include <string.h>

#include <pxed/pxed.h>

#ifndef TESTPROTO_NAME
#define TESTPROTO_NAME "testproto"
#endif
#ifndef TESTPROTO_ABI_MAJOR
#define TESTPROTO_ABI_MAJOR PXED_PLUGIN_ABI_MAJOR
#endif
#ifndef TESTPROTO_ABI_MINOR
#define TESTPROTO_ABI_MINOR PXED_PLUGIN_ABI_MINOR
#endif

struct _PxedPlugin {
  PxedHost            *host;
  char                *instance;
  char                *greeting;
  char               **listen;
  guint64              drain_ms;
  GPtrArray           *subs;
  GSource             *drain;
  PxedDoneFunc         done;
  gpointer             done_data;
  guint                provider;
};

static const PxedOptionSpec testproto_options[] = {
  { "listen", PXED_OPTION_LIST, "127.0.0.1:7", 0, 0, PXED_OPTION_FLAG_EXCLUSIVE,
    "UDP addresses to answer on" },
  { "greeting", PXED_OPTION_STRING, "hello", 0, 0, 0, "Word put in every answer" },
  { "drain-delay", PXED_OPTION_DURATION, "0", 0, 600000, 0, "How long stopping takes" },
  { "serve-file", PXED_OPTION_STRING, NULL, 0, 0, 0,
    "Generated file name served with the greeting as content" },
  { NULL }
};

static void
testproto_datagram (const PxedDatagram *d, gpointer user_data)
{
  PxedPlugin *self = user_data;
  g_autofree char *data = g_strndup ((const char *) d->data, d->len);
  g_autofree char *reply = g_strdup_printf ("%s %s %s", self->instance, self->greeting, data);
  g_autoptr(GError) error = NULL;

  if (!pxed_net_udp_reply (d, (const struct sockaddr *) &d->peer, d->peer_len, reply,
                           strlen (reply), &error))
    g_warning ("%s", error->message);
}

static GBytes *
testproto_render (const char *path, const PxedRequestInfo *req, gpointer user_data, GError **error)
{
  PxedPlugin *self = user_data;
  return g_bytes_new (self->greeting, strlen (self->greeting));
}

static gboolean
testproto_validate (const PxedSection *sec, GError **error)
{
  if (g_strcmp0 (pxed_section_get_string (sec, "greeting"), "forbidden") == 0)
    {
      pxed_section_set_error (sec, "greeting", error, "greeting: 'forbidden' is not allowed");
      return FALSE;
    }
  return TRUE;
}

static PxedPlugin *
testproto_create (PxedHost *host, const PxedSection *sec, GError **error)
{
  PxedPlugin *self = g_new0 (PxedPlugin, 1);

  self->host = host;
  self->instance = g_strdup (pxed_section_get_instance (sec));
  self->greeting = g_strdup (pxed_section_get_string (sec, "greeting"));
  self->listen = g_strdupv ((char **) pxed_section_get_strv (sec, "listen"));
  self->drain_ms = pxed_section_get_duration_ms (sec, "drain-delay");
  self->subs = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_udp_unsubscribe);
  return self;
}

static gboolean
testproto_start (PxedPlugin *self, GError **error)
{
  for (guint i = 0; self->listen != NULL && self->listen[i] != NULL; i++)
    {
      PxedUdpSubscription *sub = pxed_net_udp_subscribe (self->host, self->listen[i], 7,
                                                         testproto_datagram, self, error);
      if (sub == NULL)
        return FALSE;
      g_ptr_array_add (self->subs, sub);
    }
  self->provider = pxed_content_add_provider (self->host, "testproto/*", testproto_render, self,
                                              NULL);
  g_message ("%s answering with '%s'", self->instance, self->greeting);
  return TRUE;
}

static gpointer
testproto_reload_prepare (PxedPlugin *self, const PxedSection *sec, GError **error)
{
  g_auto(GStrv) listen = g_strdupv ((char **) pxed_section_get_strv (sec, "listen"));

  if (!g_strv_equal ((const char *const *) listen, (const char *const *) self->listen))
    {
      pxed_section_set_error (sec, "listen", error, "listen: cannot change without a restart");
      return NULL;
    }
  return pxed_section_ref ((PxedSection *) sec);
}

static void
testproto_reload_commit (PxedPlugin *self, gpointer prepared)
{
  PxedSection *sec = prepared;

  g_free (self->greeting);
  self->greeting = g_strdup (pxed_section_get_string (sec, "greeting"));
  self->drain_ms = pxed_section_get_duration_ms (sec, "drain-delay");
  pxed_section_unref (sec);
  g_message ("%s now answering with '%s'", self->instance, self->greeting);
}

static void
testproto_reload_abort (PxedPlugin *self, gpointer prepared)
{
  pxed_section_unref (prepared);
}

static gboolean
testproto_drained (gpointer user_data)
{
  PxedPlugin *self = user_data;

  g_clear_pointer (&self->drain, g_source_unref);
  g_message ("%s drained", self->instance);
  self->done (self->done_data);
  return G_SOURCE_REMOVE;
}

static void
testproto_stop (PxedPlugin *self, PxedDoneFunc done, gpointer done_data)
{
  g_ptr_array_set_size (self->subs, 0);
  if (self->provider != 0)
    pxed_content_remove_provider (self->host, self->provider);
  self->provider = 0;
  self->done = done;
  self->done_data = done_data;
  if (self->drain_ms == 0)
    {
      done (done_data);
      return;
    }
  self->drain = g_timeout_source_new ((guint) self->drain_ms);
  g_source_set_callback (self->drain, testproto_drained, self, NULL);
  g_source_attach (self->drain, pxed_host_get_context (self->host));
}

static void
testproto_destroy (PxedPlugin *self)
{
  if (self->drain != NULL)
    {
      g_source_destroy (self->drain);
      g_source_unref (self->drain);
    }
  g_ptr_array_unref (self->subs);
  g_strfreev (self->listen);
  g_free (self->greeting);
  g_free (self->instance);
  g_free (self);
}

static const PxedPluginInfo testproto_info = {
  .abi_major = TESTPROTO_ABI_MAJOR,
  .abi_minor = TESTPROTO_ABI_MINOR,
  .info_size = sizeof (PxedPluginInfo),
  .name = TESTPROTO_NAME,
  .kind = PXED_PLUGIN_KIND_PROTOCOL,
  .summary = "Test protocol for the core's tests",
  .version = "1.0",
  .license = "LGPL-2.1-or-later",
  .options = testproto_options,
  .validate = testproto_validate,
  .create = testproto_create,
  .start = testproto_start,
  .reload_prepare = testproto_reload_prepare,
  .reload_commit = testproto_reload_commit,
  .reload_abort = testproto_reload_abort,
  .stop = testproto_stop,
  .destroy = testproto_destroy,
};

#ifdef TESTPROTO_NO_ENTRY
G_MODULE_EXPORT const PxedPluginInfo *pxed_plugin_get_information (void);
G_MODULE_EXPORT const PxedPluginInfo *
pxed_plugin_get_information (void)
{
  return &testproto_info;
}
#else
PXED_PLUGIN_DEFINE (testproto_info)
#endif
