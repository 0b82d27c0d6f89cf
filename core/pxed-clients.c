/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clients service: what the network learned about each machine, keyed
 * by MAC (or by IP while the MAC is unknown), with change events dispatched
 * from the main loop after the reporting handler returned. */
#include "pxed-config.h"

#include <string.h>

#include <pxed/pxed.h>

#include "pxed-host-private.h"

#define CLIENTS_MAX 65536

typedef struct {
  guint           id;
  PxedClientsFunc func;
  gpointer        user_data;
} ClientsHandler;

struct _PxedClients {
  GMainContext *context;
  GHashTable   *by_key; /* "aa:bb:.." or "ip:192.0.2.1" -> PxedClientFacts */
  GHashTable   *by_ip;  /* ip -> key (owned) */
  GArray       *handlers;
  guint         next_id;
  GPtrArray    *pending; /* PxedClientFacts copies awaiting dispatch */
  GSource      *dispatch_source;
};

PxedClientFacts *
pxed_client_facts_copy (const PxedClientFacts *f)
{
  PxedClientFacts *c = g_new0 (PxedClientFacts, 1);

  c->mac = g_strdup (f->mac);
  c->ip = g_strdup (f->ip);
  c->arch = f->arch;
  c->uuid = g_strdup (f->uuid);
  c->hostname = g_strdup (f->hostname);
  c->vendor_class = g_strdup (f->vendor_class);
  c->user_class = g_strdup (f->user_class);
  c->stage = g_strdup (f->stage);
  c->last_file = g_strdup (f->last_file);
  c->updated_us = f->updated_us;
  return c;
}

void
pxed_client_facts_free (PxedClientFacts *f)
{
  if (f == NULL)
    return;
  g_free (f->mac);
  g_free (f->ip);
  g_free (f->uuid);
  g_free (f->hostname);
  g_free (f->vendor_class);
  g_free (f->user_class);
  g_free (f->stage);
  g_free (f->last_file);
  g_free (f);
}

char *
pxed_clients_normalize_mac (const char *text)
{
  guint8 bytes[6];
  guint n = 0;
  const char *p = text;

  if (text == NULL)
    return NULL;
  while (*p != '\0')
    {
      int hi, lo;
      if (*p == ':' || *p == '-' || *p == '.')
        {
          p++;
          continue;
        }
      hi = g_ascii_xdigit_value (p[0]);
      lo = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0 || n == G_N_ELEMENTS (bytes))
        return NULL;
      bytes[n++] = (guint8) (hi << 4 | lo);
      p += 2;
    }
  if (n != G_N_ELEMENTS (bytes))
    return NULL;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3],
                          bytes[4], bytes[5]);
}

static void
replace (char **field, const char *value)
{
  if (value != NULL && g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static gboolean
clients_dispatch (gpointer user_data)
{
  PxedClients *c = user_data;
  g_autoptr(GPtrArray) batch = c->pending;

  c->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_client_facts_free);
  g_source_unref (c->dispatch_source);
  c->dispatch_source = NULL;
  for (guint i = 0; i < batch->len; i++)
    for (guint h = 0; h < c->handlers->len; h++)
      {
        ClientsHandler *handler = &g_array_index (c->handlers, ClientsHandler, h);
        handler->func (g_ptr_array_index (batch, i), handler->user_data);
      }
  return G_SOURCE_REMOVE;
}

static void
clients_evict_oldest (PxedClients *c)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_us = G_MAXINT64;

  g_hash_table_iter_init (&iter, c->by_key);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PxedClientFacts *f = value;
      if (f->updated_us < oldest_us)
        {
          oldest_us = f->updated_us;
          oldest = key;
        }
    }
  if (oldest != NULL)
    {
      PxedClientFacts *f = g_hash_table_lookup (c->by_key, oldest);
      if (f->ip != NULL && g_strcmp0 (g_hash_table_lookup (c->by_ip, f->ip), oldest) == 0)
        g_hash_table_remove (c->by_ip, f->ip);
      g_hash_table_remove (c->by_key, oldest);
    }
}

void
pxed_clients_update (PxedHost *host, const PxedClientFacts *facts)
{
  PxedClients *c = host->clients;
  g_autofree char *mac = facts->mac != NULL ? pxed_clients_normalize_mac (facts->mac) : NULL;
  g_autofree char *key = NULL;
  PxedClientFacts *f;

  if (mac != NULL)
    key = g_strdup (mac);
  else if (facts->ip != NULL)
    {
      const char *known = g_hash_table_lookup (c->by_ip, facts->ip);
      key = known != NULL ? g_strdup (known) : g_strconcat ("ip:", facts->ip, NULL);
    }
  else
    return;

  f = g_hash_table_lookup (c->by_key, key);
  if (f == NULL && mac != NULL && facts->ip != NULL)
    {
      /* A machine first seen by IP only (TFTP before DHCP told us its MAC). */
      g_autofree char *ip_key = g_strconcat ("ip:", facts->ip, NULL);
      gpointer old_key, old_value;
      if (g_hash_table_steal_extended (c->by_key, ip_key, &old_key, &old_value))
        {
          f = old_value;
          g_free (old_key);
          g_hash_table_insert (c->by_key, g_strdup (key), f);
        }
    }
  if (f == NULL)
    {
      if (g_hash_table_size (c->by_key) >= CLIENTS_MAX)
        clients_evict_oldest (c);
      f = g_new0 (PxedClientFacts, 1);
      f->arch = -1;
      g_hash_table_insert (c->by_key, g_strdup (key), f);
    }
  replace (&f->mac, mac);
  if (facts->ip != NULL && g_strcmp0 (f->ip, facts->ip) != 0)
    {
      if (f->ip != NULL && g_strcmp0 (g_hash_table_lookup (c->by_ip, f->ip), key) == 0)
        g_hash_table_remove (c->by_ip, f->ip);
      replace (&f->ip, facts->ip);
    }
  if (f->ip != NULL && g_strcmp0 (g_hash_table_lookup (c->by_ip, f->ip), key) != 0)
    g_hash_table_insert (c->by_ip, g_strdup (f->ip), g_strdup (key));
  if (facts->arch >= 0)
    f->arch = facts->arch;
  replace (&f->uuid, facts->uuid);
  replace (&f->hostname, facts->hostname);
  replace (&f->vendor_class, facts->vendor_class);
  replace (&f->user_class, facts->user_class);
  replace (&f->stage, facts->stage);
  replace (&f->last_file, facts->last_file);
  f->updated_us = g_get_monotonic_time ();

  if (c->handlers->len > 0)
    {
      g_ptr_array_add (c->pending, pxed_client_facts_copy (f));
      if (c->dispatch_source == NULL)
        {
          c->dispatch_source = g_idle_source_new ();
          g_source_set_priority (c->dispatch_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (c->dispatch_source, clients_dispatch, c, NULL);
          g_source_attach (c->dispatch_source, c->context);
        }
    }
}

PxedClientFacts *
pxed_clients_lookup_mac (PxedHost *host, const char *mac)
{
  g_autofree char *norm = pxed_clients_normalize_mac (mac);
  PxedClientFacts *f;

  if (norm == NULL)
    return NULL;
  f = g_hash_table_lookup (host->clients->by_key, norm);
  return f != NULL ? pxed_client_facts_copy (f) : NULL;
}

PxedClientFacts *
pxed_clients_lookup_ip (PxedHost *host, const char *ip)
{
  const char *key;
  PxedClientFacts *f;

  if (ip == NULL)
    return NULL;
  key = g_hash_table_lookup (host->clients->by_ip, ip);
  if (key == NULL)
    return NULL;
  f = g_hash_table_lookup (host->clients->by_key, key);
  return f != NULL ? pxed_client_facts_copy (f) : NULL;
}

guint
pxed_clients_connect (PxedHost *host, PxedClientsFunc func, gpointer user_data)
{
  PxedClients *c = host->clients;
  ClientsHandler h = { ++c->next_id, func, user_data };

  g_array_append_val (c->handlers, h);
  return h.id;
}

void
pxed_clients_disconnect (PxedHost *host, guint id)
{
  PxedClients *c = host->clients;

  for (guint i = 0; i < c->handlers->len; i++)
    if (g_array_index (c->handlers, ClientsHandler, i).id == id)
      {
        g_array_remove_index (c->handlers, i);
        return;
      }
}

PxedClients *
pxed_clients_new (GMainContext *context)
{
  PxedClients *c = g_new0 (PxedClients, 1);

  c->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  c->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) pxed_client_facts_free);
  c->by_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->handlers = g_array_new (FALSE, FALSE, sizeof (ClientsHandler));
  c->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_client_facts_free);
  return c;
}

void
pxed_clients_free (PxedClients *c)
{
  if (c == NULL)
    return;
  if (c->dispatch_source != NULL)
    {
      g_source_destroy (c->dispatch_source);
      g_source_unref (c->dispatch_source);
    }
  g_hash_table_unref (c->by_key);
  g_hash_table_unref (c->by_ip);
  g_array_unref (c->handlers);
  g_ptr_array_unref (c->pending);
  g_main_context_unref (c->context);
  g_free (c);
}
