/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gen-common.h"

#include <string.h>

void
gen_facts_init (GenFacts *facts)
{
  memset (facts, 0, sizeof *facts);
  facts->arch = -1;
}

void
gen_facts_clear (GenFacts *facts)
{
  g_clear_pointer (&facts->mac, g_free);
  g_clear_pointer (&facts->ip, g_free);
  g_clear_pointer (&facts->uuid, g_free);
  facts->arch = -1;
}

void
gen_facts_from_request (GenFacts *facts, PxedHost *host, const PxedRequestInfo *request)
{
  g_autoptr(PxedClientFacts) known = NULL;

  gen_facts_init (facts);
  if (request == NULL)
    return;
  if (request->mac != NULL)
    facts->mac = pxed_inventory_normalize_mac (request->mac);
  facts->ip = g_strdup (request->ip);
  facts->arch = request->arch;

  if (host == NULL)
    return;
  if (facts->mac != NULL)
    known = pxed_clients_lookup_mac (host, facts->mac);
  if (known == NULL && facts->ip != NULL)
    known = pxed_clients_lookup_ip (host, facts->ip);
  if (known == NULL)
    return;
  if (facts->mac == NULL && known->mac != NULL)
    facts->mac = pxed_inventory_normalize_mac (known->mac);
  if (facts->ip == NULL && known->ip != NULL)
    facts->ip = g_strdup (known->ip);
  if (facts->uuid == NULL && known->uuid != NULL)
    facts->uuid = g_strdup (known->uuid);
  if (facts->arch < 0)
    facts->arch = known->arch;
}

const PxedInventoryHost *
gen_facts_find_host (PxedInventory *inv, const GenFacts *facts)
{
  const PxedInventoryHost *h = NULL;
  if (inv == NULL || facts == NULL)
    return NULL;
  if (facts->mac != NULL)
    return pxed_inventory_find_mac (inv, facts->mac);
  if (facts->ip != NULL)
    h = pxed_inventory_find_ip (inv, facts->ip);
  if (h == NULL && facts->uuid != NULL)
    h = pxed_inventory_find_uuid (inv, facts->uuid);
  return h;
}

void
gen_mac_dashes (const char *mac, char *out, gsize size)
{
  gsize i;
  if (size == 0)
    return;
  for (i = 0; mac != NULL && mac[i] != '\0' && i + 1 < size; i++)
    out[i] = mac[i] == ':' ? '-' : mac[i];
  out[i] = '\0';
}

void
gen_builtins_fill (const char **out, const GenFacts *facts, const PxedInventoryHost *host,
                   const PxedProfile *profile, const char *install_url, char *mac_dashes,
                   gsize mac_dashes_size)
{
  const char *mac = host != NULL ? host->mac : (facts != NULL ? facts->mac : NULL);
  const char *ip = host != NULL && host->ip != NULL ? host->ip : (facts != NULL ? facts->ip : NULL);
  const char *uuid = host != NULL && host->uuid != NULL ? host->uuid
                                                        : (facts != NULL ? facts->uuid : NULL);
  guint n = 0;

  gen_mac_dashes (mac, mac_dashes, mac_dashes_size);
  out[n++] = "mac";
  out[n++] = mac != NULL ? mac : "";
  out[n++] = "mac-dashes";
  out[n++] = mac_dashes;
  out[n++] = "ip";
  out[n++] = ip != NULL ? ip : "";
  out[n++] = "hostname";
  out[n++] = host != NULL ? host->name : "";
  out[n++] = "uuid";
  out[n++] = uuid != NULL ? uuid : "";
  out[n++] = "profile";
  out[n++] = profile != NULL ? profile->name : "";
  if (install_url != NULL)
    {
      out[n++] = "install-url";
      out[n++] = install_url;
    }
  out[n] = NULL;
}

static gboolean
text_is_single_line (const char *s)
{
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

char *
gen_expand (PxedInventory *inv, const char *text, const PxedProfile *profile,
            const PxedInventoryHost *host, const GenFacts *facts, GError **error)
{
  const char *builtins[GEN_BUILTINS_MAX + 1];
  char dashes[32];
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;

  if (text == NULL)
    return NULL;
  if (strchr (text, '$') == NULL)
    return g_strdup (text);
  if (profile != NULL && profile->install_url != NULL && text != profile->install_url
      && strstr (text, "${install-url}") != NULL)
    {
      gen_builtins_fill (builtins, facts, host, profile, NULL, dashes, sizeof dashes);
      url = pxed_inventory_expand (inv, profile->install_url, profile, host, builtins, error);
      if (url == NULL)
        return NULL;
    }
  gen_builtins_fill (builtins, facts, host, profile, url, dashes, sizeof dashes);
  out = pxed_inventory_expand (inv, text, profile, host, builtins, error);
  if (out == NULL)
    return NULL;
  if (!text_is_single_line (out))
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                   "expanding '%s' gave a value with control characters", text);
      return NULL;
    }
  return g_steal_pointer (&out);
}

void
gen_set_not_found (GError **error, const char *path)
{
  g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND, "%s: not generated here",
               path);
}

/* ---- cache ----------------------------------------------------------------- */

struct _GenCache {
  guint       max_entries;
  guint64     generation;
  GHashTable *entries; /* key -> GBytes* or the NOT_FOUND marker */
};

static char not_found_marker;

static void
cache_value_free (gpointer data)
{
  if (data != &not_found_marker)
    g_bytes_unref (data);
}

GenCache *
gen_cache_new (guint max_entries)
{
  GenCache *cache = g_new0 (GenCache, 1);
  cache->max_entries = max_entries > 0 ? max_entries : 4096;
  cache->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cache_value_free);
  return cache;
}

void
gen_cache_free (GenCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->entries);
  g_free (cache);
}

void
gen_cache_clear (GenCache *cache)
{
  g_hash_table_remove_all (cache->entries);
}

guint
gen_cache_size (GenCache *cache)
{
  return g_hash_table_size (cache->entries);
}

static char *
cache_key (const char *path, const GenFacts *facts)
{
  /* Fields are separated by a byte that can appear in none of them. */
  GString *key = g_string_sized_new (128);
  char arch[16];
  g_string_append (key, path);
  g_string_append_c (key, '\x1f');
  if (facts->mac != NULL)
    g_string_append (key, facts->mac);
  g_string_append_c (key, '\x1f');
  if (facts->ip != NULL)
    g_string_append (key, facts->ip);
  g_string_append_c (key, '\x1f');
  if (facts->uuid != NULL)
    g_string_append (key, facts->uuid);
  g_string_append_c (key, '\x1f');
  g_snprintf (arch, sizeof arch, "%d", facts->arch);
  g_string_append (key, arch);
  return g_string_free (key, FALSE);
}

gboolean
gen_cache_lookup (GenCache *cache, guint64 generation, const char *path, const GenFacts *facts,
                  GBytes **bytes)
{
  g_autofree char *key = NULL;
  gpointer value;

  if (generation != cache->generation)
    {
      gen_cache_clear (cache);
      cache->generation = generation;
      return FALSE;
    }
  key = cache_key (path, facts);
  if (!g_hash_table_lookup_extended (cache->entries, key, NULL, &value))
    return FALSE;
  *bytes = value == &not_found_marker ? NULL : g_bytes_ref (value);
  return TRUE;
}

void
gen_cache_insert (GenCache *cache, guint64 generation, const char *path, const GenFacts *facts,
                  GBytes *bytes)
{
  if (generation != cache->generation)
    {
      gen_cache_clear (cache);
      cache->generation = generation;
    }
  /* Bounded: a flood of distinct clients restarts the cache instead of
   * growing it without limit. */
  if (g_hash_table_size (cache->entries) >= cache->max_entries)
    gen_cache_clear (cache);
  g_hash_table_replace (cache->entries, cache_key (path, facts),
                        bytes != NULL ? g_bytes_ref (bytes) : (gpointer) &not_found_marker);
}

/* ---- menu ---------------------------------------------------------------------- */

gboolean
gen_menu_build (PxedInventory *inv, const PxedInventoryHost *host, GenMenu *menu)
{
  const PxedMenu *m = pxed_inventory_menu (inv);
  const PxedProfile *hp = NULL;
  gboolean have_hp = FALSE;

  memset (menu, 0, sizeof *menu);
  if (host != NULL && host->profile != NULL)
    hp = pxed_inventory_find_profile (inv, host->profile);

  if (m != NULL)
    {
      menu->title = m->title;
      menu->timeout_ds = m->timeout_ds;
      menu->prompt = m->prompt;
      menu->default_label = m->default_label;
      for (guint i = 0; i < m->n_entries && menu->n_entries < G_N_ELEMENTS (menu->entries) - 1;
           i++)
        {
          GenEntry *e = &menu->entries[menu->n_entries++];
          e->label = m->entries[i].label;
          e->text = m->entries[i].text;
          e->local = m->entries[i].local;
          e->profile = m->entries[i].profile != NULL
                           ? pxed_inventory_find_profile (inv, m->entries[i].profile)
                           : NULL;
          if (hp != NULL && !have_hp && e->profile == hp)
            {
              menu->default_label = e->label;
              have_hp = TRUE;
            }
        }
    }
  if (hp != NULL && !have_hp)
    {
      GenEntry *e = &menu->entries[menu->n_entries++];
      gboolean clash = FALSE;
      for (guint i = 0; i + 1 < menu->n_entries; i++)
        if (g_str_equal (menu->entries[i].label, hp->name))
          clash = TRUE;
      g_snprintf (menu->extra_label, sizeof menu->extra_label, "%s%s",
                  clash ? "profile-" : "", hp->name);
      e->label = menu->extra_label;
      e->text = hp->label;
      e->profile = hp;
      menu->default_label = e->label;
    }
  return menu->n_entries > 0;
}

/* ---- providers ------------------------------------------------------------------- */

struct _GenProvider {
  PxedHost     *host;
  char         *log_domain;
  char         *instance;
  GenRenderFunc render;
  gpointer      render_data;
  GenCache     *cache;
  GArray       *ids;
};

GenProvider *
gen_provider_new (PxedHost *host, const char *log_domain, const char *instance,
                  GenRenderFunc render, gpointer render_data, guint cache_entries)
{
  GenProvider *gp = g_new0 (GenProvider, 1);
  gp->host = host;
  gp->log_domain = g_strdup (log_domain);
  gp->instance = g_strdup (instance);
  gp->render = render;
  gp->render_data = render_data;
  gp->cache = gen_cache_new (cache_entries);
  gp->ids = g_array_new (FALSE, FALSE, sizeof (guint));
  return gp;
}

void
gen_provider_start (GenProvider *gp, const char *const *patterns)
{
  for (guint i = 0; patterns[i] != NULL; i++)
    {
      guint id = pxed_content_add_provider (gp->host, patterns[i], gen_provider_render, gp, NULL);
      g_array_append_val (gp->ids, id);
    }
}

void
gen_provider_stop (GenProvider *gp)
{
  for (guint i = 0; i < gp->ids->len; i++)
    pxed_content_remove_provider (gp->host, g_array_index (gp->ids, guint, i));
  g_array_set_size (gp->ids, 0);
  gen_cache_clear (gp->cache);
}

void
gen_provider_free (GenProvider *gp)
{
  if (gp == NULL)
    return;
  if (gp->ids->len > 0)
    gen_provider_stop (gp);
  g_array_unref (gp->ids);
  gen_cache_free (gp->cache);
  g_free (gp->log_domain);
  g_free (gp->instance);
  g_free (gp);
}

GenCache *
gen_provider_get_cache (GenProvider *gp)
{
  return gp->cache;
}

GBytes *
gen_provider_render (const char *path, const PxedRequestInfo *request, gpointer user_data,
                     GError **error)
{
  GenProvider *gp = user_data;
  g_auto(GenFacts) facts = { 0 };
  g_autoptr(PxedInventory) inv = NULL;
  g_autoptr(GError) local = NULL;
  guint64 generation = gp->host != NULL ? pxed_host_get_generation (gp->host) : 0;
  GBytes *bytes = NULL;

  gen_facts_from_request (&facts, gp->host, request);
  if (gen_cache_lookup (gp->cache, generation, path, &facts, &bytes))
    {
      if (bytes == NULL)
        gen_set_not_found (error, path);
      return bytes;
    }

  inv = pxed_inventory_get_current (gp->host);
  if (inv == NULL)
    {
      gen_set_not_found (error, path);
      return NULL;
    }
  bytes = gp->render (inv, gp->render_data, path, &facts, &local);
  if (bytes != NULL)
    {
      gen_cache_insert (gp->cache, generation, path, &facts, bytes);
      pxed_log_client (gp->log_domain, G_LOG_LEVEL_INFO, gp->instance, facts.mac, facts.ip,
                       "rendered %s (%" G_GSIZE_FORMAT " bytes)", path, g_bytes_get_size (bytes));
      return bytes;
    }
  if (g_error_matches (local, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND))
    {
      gen_cache_insert (gp->cache, generation, path, &facts, NULL);
      pxed_log_client (gp->log_domain, G_LOG_LEVEL_DEBUG, gp->instance, facts.mac, facts.ip,
                       "%s: %s", path, local->message);
    }
  else
    pxed_log_client (gp->log_domain, G_LOG_LEVEL_WARNING, gp->instance, facts.mac, facts.ip,
                     "cannot render %s: %s", path, local->message);
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

/* ---- boot files -------------------------------------------------------------------- */

gboolean
gen_check_section_files (PxedHost *host, const PxedSection *sec, GError **error)
{
  const char *check_root = pxed_section_get_string (sec, "check-root");
  g_autoptr(PxedInventory) inv = NULL;

  if (check_root == NULL)
    return TRUE;
  inv = pxed_inventory_get_current (host);
  return inv == NULL || gen_check_profile_files (inv, check_root, error);
}

gboolean
gen_check_profile_files (PxedInventory *inv, const char *root, GError **error)
{
  guint n = 0;
  const PxedProfile *const *profiles = pxed_inventory_list_profiles (inv, &n);
  GenFacts facts;

  gen_facts_init (&facts);
  for (guint i = 0; i < n; i++)
    {
      const PxedProfile *p = profiles[i];
      const char *keys[] = { "kernel", "initrd" };
      const char *values[] = { p->kernel, p->initrd };
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          g_autoptr(GError) local = NULL;
          g_autofree char *rel = NULL;
          g_autofree char *path = NULL;
          const PxedNode *where = pxed_node_lookup (p->node, keys[k]);

          if (values[k] == NULL)
            continue;
          rel = gen_expand (inv, values[k], p, NULL, &facts, &local);
          if (rel == NULL)
            {
              pxed_node_set_error (where, error, PXED_CONFIG_ERROR_INVALID, "%s", local->message);
              return FALSE;
            }
          path = g_build_filename (root, rel + strspn (rel, "/"), NULL);
          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            {
              pxed_node_set_error (where, error, PXED_CONFIG_ERROR_INVALID,
                                   "profiles.%s.%s: %s does not exist beneath %s", p->name,
                                   keys[k], rel, root);
              return FALSE;
            }
        }
    }
  return TRUE;
}
