/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kickstart files from structured YAML (or a template), per machine. */
#include "kickstart-render.h"

#include <crypt.h>
#include <string.h>

typedef struct {
  const PxedProfile *profile;
  char              *rootpw;        /* crypted */
  GPtrArray         *user_pw;       /* crypted, one per users[] item (NULL: none) */
  char              *template_path;
  char              *template_text;
  gboolean           validated; /* rendered and checked once at compile time */
  GHashTable        *index;     /* key -> node of the kickstart mapping */
} KsProfile;

struct _KsCompiled {
  PxedInventory *inv;
  GHashTable    *profiles; /* name -> KsProfile* */
};

typedef struct {
  KsCompiled              *ks;
  KsProfile               *kp;
  const PxedInventoryHost *host;
  const GenFacts          *facts;
  GString                 *out;
} Ctx;

/* ---- quoting and hashing ------------------------------------------------------ */

static gboolean
ks_is_safe_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("_.,:/@=+$%^*~-", c) != NULL;
}

char *
ks_quote (const char *value)
{
  GString *s;
  gboolean safe = *value != '\0';

  for (const char *p = value; *p != '\0' && safe; p++)
    safe = ks_is_safe_char (*p);
  if (safe)
    return g_strdup (value);
  s = g_string_new ("'");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (s, "'\\''");
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '\'');
  return g_string_free (s, FALSE);
}

char *
ks_hash_password (const char *plaintext, GError **error)
{
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data *data;
  char *hash;
  char *ret = NULL;

  /* NULL random bytes: libxcrypt reads them from the kernel (getrandom). */
  if (crypt_gensalt_rn ("$6$", 0, NULL, 0, salt, sizeof salt) == NULL)
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED,
                   "cannot make a SHA-512 crypt salt");
      return NULL;
    }
  data = g_new0 (struct crypt_data, 1);
  /* crypt_rn, not crypt_r: sanitizers intercept crypt_r and cannot reach
   * the real one in a library loaded after start (this plugin's libcrypt). */
  hash = crypt_rn (plaintext, salt, data, sizeof *data);
  if (hash == NULL || hash[0] != '$')
    g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_FAILED,
                 "SHA-512 crypt failed");
  else
    ret = g_strdup (hash);
  explicit_bzero (data, sizeof *data);
  g_free (data);
  return ret;
}

/* ---- node helpers ---------------------------------------------------------------- */

static gboolean
text_ok (const char *s, gboolean multi_line)
{
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if ((*p < 0x20 && !(multi_line && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
check_keys (const PxedNode *map, const char *what, const char *const *allowed, GError **error)
{
  if (pxed_node_get_kind (map) != PXED_NODE_MAPPING)
    {
      pxed_node_set_error (map, error, PXED_CONFIG_ERROR_TYPE, "%s: expected a mapping", what);
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (map); i++)
    {
      const char *key = pxed_node_get_key (map, i);
      if (key == NULL || !g_strv_contains (allowed, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);
          pxed_node_set_error (pxed_node_get_key_node (map, i), error,
                               PXED_CONFIG_ERROR_UNKNOWN_KEY,
                               "%s: unknown key '%s' (expected one of: %s)", what,
                               key != NULL ? key : "", list);
          return FALSE;
        }
    }
  return TRUE;
}

/* pxed_node_lookup() on the kickstart mapping, through its index. */
static const PxedNode *
ctx_lookup (Ctx *c, const PxedNode *map, const char *key)
{
  if (c->kp->index != NULL && map == c->kp->profile->kickstart)
    return g_hash_table_lookup (c->kp->index, key);
  return pxed_node_lookup (map, key);
}

/* Key checks run when a profile is compiled; renders of an already
 * validated profile skip them. */
static gboolean
ctx_check_keys (Ctx *c, const PxedNode *map, const char *what, const char *const *allowed,
                GError **error)
{
  if (c->kp->validated)
    return TRUE;
  return check_keys (map, what, allowed, error);
}

/* A scalar value, variables expanded, single line; a positional argument
 * may not start with '-' (it would read as an option). */
static char *
ctx_value (Ctx *c, const PxedNode *node, const char *what, gboolean positional, GError **error)
{
  const char *s = pxed_node_get_scalar (node);
  g_autoptr(GError) local = NULL;
  g_autofree char *v = NULL;

  if (pxed_node_get_kind (node) != PXED_NODE_SCALAR || s == NULL || *s == '\0')
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_TYPE,
                           "kickstart.%s: expected a non-empty text", what);
      return NULL;
    }
  if (!text_ok (s, FALSE))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.%s: newlines and control characters are not allowed", what);
      return NULL;
    }
  v = gen_expand (c->ks->inv, s, c->kp->profile, c->host, c->facts, &local);
  if (v == NULL)
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID, "kickstart.%s: %s", what,
                           local->message);
      return NULL;
    }
  if (positional && (v[0] == '-' || v[0] == '%' || v[0] == '#'))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.%s: '%s' may not start with '-', '%%' or '#'", what, v);
      return NULL;
    }
  return g_steal_pointer (&v);
}

static char *
ctx_get (Ctx *c, const PxedNode *map, const char *key, gboolean positional, GError **error)
{
  const PxedNode *n = ctx_lookup (c, map, key);
  if (n == NULL)
    return NULL;
  return ctx_value (c, n, key, positional, error);
}

static gboolean
node_bool (const PxedNode *map, const char *key, gboolean def, gboolean *out, GError **error)
{
  const PxedNode *n = pxed_node_lookup (map, key);
  *out = def;
  if (n == NULL)
    return TRUE;
  return pxed_node_get_bool (n, out, error);
}

/* A list of scalars (a lone scalar is a list of one). */
static GPtrArray *
ctx_list (Ctx *c, const PxedNode *n, const char *what, gboolean positional, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  if (pxed_node_get_kind (n) == PXED_NODE_SCALAR)
    {
      char *v = ctx_value (c, n, what, positional, error);
      if (v == NULL)
        return NULL;
      g_ptr_array_add (list, v);
      return g_steal_pointer (&list);
    }
  if (pxed_node_get_kind (n) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_TYPE, "kickstart.%s: expected a list",
                           what);
      return NULL;
    }
  for (guint i = 0; i < pxed_node_get_n_items (n); i++)
    {
      char *v = ctx_value (c, pxed_node_get_item (n, i), what, positional, error);
      if (v == NULL)
        return NULL;
      g_ptr_array_add (list, v);
    }
  return g_steal_pointer (&list);
}

static void
out_opt (Ctx *c, const char *opt, const char *value)
{
  g_autofree char *q = ks_quote (value);
  g_string_append (c->out, " --");
  g_string_append (c->out, opt);
  g_string_append_c (c->out, '=');
  g_string_append (c->out, q);
}

static gboolean
out_opt_key (Ctx *c, const PxedNode *map, const char *key, const char *opt, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *v = ctx_get (c, map, key, FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (v != NULL)
    out_opt (c, opt != NULL ? opt : key, v);
  return TRUE;
}

static gboolean
out_flag_key (Ctx *c, const PxedNode *map, const char *key, const char *flag, GError **error)
{
  gboolean b = FALSE;
  if (!node_bool (map, key, FALSE, &b, error))
    return FALSE;
  if (b)
    g_string_append_printf (c->out, " --%s", flag != NULL ? flag : key);
  return TRUE;
}

static gboolean
out_list_opt (Ctx *c, const PxedNode *map, const char *key, const char *opt, GError **error)
{
  const PxedNode *n = pxed_node_lookup (map, key);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GString) joined = g_string_new (NULL);
  if (n == NULL)
    return TRUE;
  if ((list = ctx_list (c, n, key, FALSE, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      const char *v = g_ptr_array_index (list, i);
      if (strchr (v, ',') != NULL)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_INVALID,
                               "kickstart.%s: '%s' may not contain ','", key, v);
          return FALSE;
        }
      g_string_append_printf (joined, "%s%s", i > 0 ? "," : "", v);
    }
  if (list->len > 0)
    out_opt (c, opt != NULL ? opt : key, joined->str);
  return TRUE;
}

/* ---- the structured kickstart ------------------------------------------------------ */

static const char *const ks_keys[] = {
  "url", "repos", "text", "lang", "keyboard", "timezone", "timezone-utc", "rootpw",
  "rootpw-crypted", "users", "auth", "network", "firewall", "selinux", "services", "skipx",
  "firstboot", "bootloader", "zerombr", "clearpart", "autopart", "part", "finish", "packages",
  "pre", "post", NULL,
};

static gboolean
render_simple (Ctx *c, const PxedNode *ks, const char *key, const char *cmd, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *v = ctx_get (c, ks, key, TRUE, &local);
  g_autofree char *q = NULL;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (v == NULL)
    return TRUE;
  q = ks_quote (v);
  g_string_append_printf (c->out, "%s %s\n", cmd, q);
  return TRUE;
}

static gboolean
render_bool_cmd (Ctx *c, const PxedNode *ks, const char *key, const char *yes, const char *no,
                 GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, key);
  gboolean b = FALSE;
  if (n == NULL)
    return TRUE;
  if (!pxed_node_get_bool (n, &b, error))
    return FALSE;
  if (b && yes != NULL)
    g_string_append_printf (c->out, "%s\n", yes);
  else if (!b && no != NULL)
    g_string_append_printf (c->out, "%s\n", no);
  return TRUE;
}

static gboolean
render_source (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, "url");
  const PxedNode *repos = ctx_lookup (c, ks, "repos");
  g_autofree char *url = NULL;
  g_autoptr(GError) local = NULL;

  if (n != NULL)
    url = ctx_value (c, n, "url", FALSE, error);
  else if (c->kp->profile->install_url != NULL)
    url = gen_expand (c->ks->inv, c->kp->profile->install_url, c->kp->profile, c->host,
                      c->facts, &local);
  if (local != NULL)
    {
      pxed_node_set_error (c->kp->profile->node, error, PXED_CONFIG_ERROR_INVALID, "%s",
                           local->message);
      return FALSE;
    }
  if (n != NULL && url == NULL)
    return FALSE;
  if (url != NULL)
    {
      g_string_append (c->out, "url");
      out_opt (c, "url", url);
      g_string_append_c (c->out, '\n');
    }
  if (repos == NULL)
    return TRUE;
  if (pxed_node_get_kind (repos) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (repos, error, PXED_CONFIG_ERROR_TYPE,
                           "kickstart.repos: expected a list of {name, baseurl}");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (repos); i++)
    {
      static const char *const keys[] = { "name", "baseurl", "mirrorlist", "cost", NULL };
      const PxedNode *r = pxed_node_get_item (repos, i);
      if (!ctx_check_keys (c, r, "kickstart.repos[]", keys, error))
        return FALSE;
      if (pxed_node_lookup (r, "name") == NULL
          || (pxed_node_lookup (r, "baseurl") == NULL && pxed_node_lookup (r, "mirrorlist") == NULL))
        {
          pxed_node_set_error (r, error, PXED_CONFIG_ERROR_MISSING,
                               "kickstart.repos[%u]: needs 'name' and 'baseurl' (or 'mirrorlist')",
                               i);
          return FALSE;
        }
      g_string_append (c->out, "repo");
      if (!out_opt_key (c, r, "name", NULL, error) || !out_opt_key (c, r, "baseurl", NULL, error)
          || !out_opt_key (c, r, "mirrorlist", NULL, error)
          || !out_opt_key (c, r, "cost", NULL, error))
        return FALSE;
      g_string_append_c (c->out, '\n');
    }
  return TRUE;
}

static gboolean
render_users (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *users = ctx_lookup (c, ks, "users");
  if (users == NULL)
    return TRUE;
  if (pxed_node_get_kind (users) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (users, error, PXED_CONFIG_ERROR_TYPE,
                           "kickstart.users: expected a list of users");
      return FALSE;
    }
  for (guint i = 0; i < pxed_node_get_n_items (users); i++)
    {
      static const char *const keys[] = { "name", "password", "password-crypted", "groups",
                                           "gecos", "shell", "homedir", "uid", NULL };
      const PxedNode *u = pxed_node_get_item (users, i);
      const char *pw = i < c->kp->user_pw->len ? g_ptr_array_index (c->kp->user_pw, i) : NULL;
      if (!ctx_check_keys (c, u, "kickstart.users[]", keys, error))
        return FALSE;
      if (pxed_node_lookup (u, "name") == NULL)
        {
          pxed_node_set_error (u, error, PXED_CONFIG_ERROR_MISSING,
                               "kickstart.users[%u]: missing required key 'name'", i);
          return FALSE;
        }
      g_string_append (c->out, "user");
      if (!out_opt_key (c, u, "name", NULL, error) || !out_list_opt (c, u, "groups", NULL, error)
          || !out_opt_key (c, u, "gecos", NULL, error) || !out_opt_key (c, u, "shell", NULL, error)
          || !out_opt_key (c, u, "homedir", NULL, error) || !out_opt_key (c, u, "uid", NULL, error))
        return FALSE;
      if (pw != NULL)
        {
          g_string_append (c->out, " --iscrypted");
          out_opt (c, "password", pw);
        }
      g_string_append_c (c->out, '\n');
    }
  return TRUE;
}

static gboolean
render_network_one (Ctx *c, const PxedNode *n, GError **error)
{
  static const char *const keys[] = { "device", "bootproto", "ip", "netmask", "gateway",
                                      "nameserver", "hostname", "activate", "onboot", "ipv6",
                                      "mtu", NULL };
  g_autoptr(GError) local = NULL;
  g_autofree char *proto = NULL;
  g_autofree char *hostname = NULL;

  if (!ctx_check_keys (c, n, "kickstart.network", keys, error))
    return FALSE;
  proto = ctx_get (c, n, "bootproto", FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (proto != NULL && !g_str_equal (proto, "dhcp") && !g_str_equal (proto, "static")
      && !g_str_equal (proto, "bootp") && !g_str_equal (proto, "ibft"))
    {
      pxed_node_set_error (pxed_node_lookup (n, "bootproto"), error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.network.bootproto: expected dhcp, static, bootp or ibft");
      return FALSE;
    }
  g_string_append (c->out, "network");
  out_opt (c, "bootproto", proto != NULL ? proto : "dhcp");
  if (!out_opt_key (c, n, "device", NULL, error))
    return FALSE;
  if (proto != NULL && g_str_equal (proto, "static"))
    {
      const char *ip = c->host != NULL ? c->host->ip : NULL;
      if (pxed_node_lookup (n, "ip") != NULL)
        {
          if (!out_opt_key (c, n, "ip", NULL, error))
            return FALSE;
        }
      else if (ip != NULL)
        out_opt (c, "ip", ip);
      if (!out_opt_key (c, n, "netmask", NULL, error)
          || !out_opt_key (c, n, "gateway", NULL, error))
        return FALSE;
    }
  if (!out_list_opt (c, n, "nameserver", NULL, error) || !out_opt_key (c, n, "ipv6", NULL, error)
      || !out_opt_key (c, n, "mtu", NULL, error))
    return FALSE;
  hostname = ctx_get (c, n, "hostname", FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (hostname != NULL)
    out_opt (c, "hostname", hostname);
  else if (c->host != NULL)
    out_opt (c, "hostname", c->host->name);
  if (!out_flag_key (c, n, "activate", NULL, error))
    return FALSE;
  if (pxed_node_lookup (n, "onboot") != NULL)
    {
      gboolean b = TRUE;
      if (!node_bool (n, "onboot", TRUE, &b, error))
        return FALSE;
      out_opt (c, "onboot", b ? "yes" : "no");
    }
  g_string_append_c (c->out, '\n');
  return TRUE;
}

static gboolean
render_network (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, "network");
  if (n == NULL)
    {
      /* Known machines still get their name. */
      if (c->host != NULL)
        {
          g_string_append (c->out, "network --bootproto=dhcp");
          out_opt (c, "hostname", c->host->name);
          g_string_append_c (c->out, '\n');
        }
      return TRUE;
    }
  if (pxed_node_get_kind (n) == PXED_NODE_SEQUENCE)
    {
      for (guint i = 0; i < pxed_node_get_n_items (n); i++)
        if (!render_network_one (c, pxed_node_get_item (n, i), error))
          return FALSE;
      return TRUE;
    }
  return render_network_one (c, n, error);
}

static gboolean
render_firewall (Ctx *c, const PxedNode *ks, GError **error)
{
  static const char *const keys[] = { "enabled", "services", "ports", NULL };
  const PxedNode *n = ctx_lookup (c, ks, "firewall");
  gboolean enabled = TRUE;

  if (n == NULL)
    return TRUE;
  if (pxed_node_get_kind (n) == PXED_NODE_SCALAR)
    {
      if (!pxed_node_get_bool (n, &enabled, error))
        return FALSE;
      g_string_append (c->out, enabled ? "firewall --enabled\n" : "firewall --disabled\n");
      return TRUE;
    }
  if (!ctx_check_keys (c, n, "kickstart.firewall", keys, error)
      || !node_bool (n, "enabled", TRUE, &enabled, error))
    return FALSE;
  g_string_append (c->out, enabled ? "firewall --enabled" : "firewall --disabled");
  if (enabled && (!out_list_opt (c, n, "services", "service", error)
                  || !out_list_opt (c, n, "ports", "port", error)))
    return FALSE;
  g_string_append_c (c->out, '\n');
  return TRUE;
}

static gboolean
render_selinux (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, "selinux");
  const char *s;
  if (n == NULL)
    return TRUE;
  s = pxed_node_get_scalar (n);
  if (s == NULL || !(g_str_equal (s, "enforcing") || g_str_equal (s, "permissive")
                     || g_str_equal (s, "disabled")))
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.selinux: expected enforcing, permissive or disabled");
      return FALSE;
    }
  g_string_append_printf (c->out, "selinux --%s\n", s);
  return TRUE;
}

static gboolean
render_services (Ctx *c, const PxedNode *ks, GError **error)
{
  static const char *const keys[] = { "enabled", "disabled", NULL };
  const PxedNode *n = ctx_lookup (c, ks, "services");
  if (n == NULL)
    return TRUE;
  if (!ctx_check_keys (c, n, "kickstart.services", keys, error))
    return FALSE;
  g_string_append (c->out, "services");
  if (!out_list_opt (c, n, "disabled", NULL, error) || !out_list_opt (c, n, "enabled", NULL, error))
    return FALSE;
  g_string_append_c (c->out, '\n');
  return TRUE;
}

static gboolean
render_bootloader (Ctx *c, const PxedNode *ks, GError **error)
{
  static const char *const keys[] = { "location", "append", "boot-drive", "timeout", NULL };
  const PxedNode *n = ctx_lookup (c, ks, "bootloader");
  if (n == NULL)
    return TRUE;
  if (!ctx_check_keys (c, n, "kickstart.bootloader", keys, error))
    return FALSE;
  g_string_append (c->out, "bootloader");
  if (!out_opt_key (c, n, "location", NULL, error) || !out_opt_key (c, n, "append", NULL, error)
      || !out_opt_key (c, n, "boot-drive", NULL, error)
      || !out_opt_key (c, n, "timeout", NULL, error))
    return FALSE;
  g_string_append_c (c->out, '\n');
  return TRUE;
}

static gboolean
render_disks (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n;

  if (!render_bool_cmd (c, ks, "zerombr", "zerombr", NULL, error))
    return FALSE;
  if ((n = ctx_lookup (c, ks, "clearpart")) != NULL)
    {
      static const char *const keys[] = { "all", "linux", "none", "initlabel", "drives", NULL };
      if (!ctx_check_keys (c, n, "kickstart.clearpart", keys, error))
        return FALSE;
      g_string_append (c->out, "clearpart");
      if (!out_flag_key (c, n, "all", NULL, error) || !out_flag_key (c, n, "linux", NULL, error)
          || !out_flag_key (c, n, "none", NULL, error)
          || !out_flag_key (c, n, "initlabel", NULL, error)
          || !out_list_opt (c, n, "drives", NULL, error))
        return FALSE;
      g_string_append_c (c->out, '\n');
    }
  if ((n = ctx_lookup (c, ks, "autopart")) != NULL)
    {
      static const char *const keys[] = { "type", "encrypted", "nohome", NULL };
      if (ctx_lookup (c, ks, "part") != NULL)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_CONFLICT,
                               "kickstart: 'autopart' and 'part' exclude each other");
          return FALSE;
        }
      if (pxed_node_get_kind (n) == PXED_NODE_SCALAR)
        {
          gboolean b = FALSE;
          if (!pxed_node_get_bool (n, &b, error))
            return FALSE;
          if (b)
            g_string_append (c->out, "autopart\n");
        }
      else
        {
          if (!ctx_check_keys (c, n, "kickstart.autopart", keys, error))
            return FALSE;
          g_string_append (c->out, "autopart");
          if (!out_opt_key (c, n, "type", NULL, error)
              || !out_flag_key (c, n, "encrypted", NULL, error)
              || !out_flag_key (c, n, "nohome", NULL, error))
            return FALSE;
          g_string_append_c (c->out, '\n');
        }
    }
  if ((n = ctx_lookup (c, ks, "part")) != NULL)
    {
      static const char *const keys[] = { "mount", "fstype", "size", "grow", "ondisk",
                                          "maxsize", "recommended", NULL };
      if (pxed_node_get_kind (n) != PXED_NODE_SEQUENCE)
        {
          pxed_node_set_error (n, error, PXED_CONFIG_ERROR_TYPE,
                               "kickstart.part: expected a list of partitions");
          return FALSE;
        }
      for (guint i = 0; i < pxed_node_get_n_items (n); i++)
        {
          const PxedNode *p = pxed_node_get_item (n, i);
          g_autoptr(GError) local = NULL;
          g_autofree char *mount = NULL;
          g_autofree char *q = NULL;
          if (!ctx_check_keys (c, p, "kickstart.part[]", keys, error))
            return FALSE;
          mount = ctx_get (c, p, "mount", TRUE, &local);
          if (mount == NULL)
            {
              if (local != NULL)
                g_propagate_error (error, g_steal_pointer (&local));
              else
                pxed_node_set_error (p, error, PXED_CONFIG_ERROR_MISSING,
                                     "kickstart.part[%u]: missing required key 'mount'", i);
              return FALSE;
            }
          q = ks_quote (mount);
          g_string_append_printf (c->out, "part %s", q);
          if (!out_opt_key (c, p, "fstype", NULL, error) || !out_opt_key (c, p, "size", NULL, error)
              || !out_opt_key (c, p, "maxsize", NULL, error)
              || !out_flag_key (c, p, "grow", NULL, error)
              || !out_flag_key (c, p, "recommended", NULL, error)
              || !out_opt_key (c, p, "ondisk", NULL, error))
            return FALSE;
          g_string_append_c (c->out, '\n');
        }
    }
  return TRUE;
}

static gboolean
render_finish (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, "finish");
  const char *s;
  if (n == NULL)
    return TRUE;
  s = pxed_node_get_scalar (n);
  if (s == NULL || !(g_str_equal (s, "reboot") || g_str_equal (s, "poweroff")
                     || g_str_equal (s, "halt") || g_str_equal (s, "shutdown")))
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.finish: expected reboot, poweroff, halt or shutdown");
      return FALSE;
    }
  g_string_append_printf (c->out, "%s\n", s);
  return TRUE;
}

static gboolean
package_ok (const char *s)
{
  if (!g_ascii_isalnum (s[0]) && s[0] != '@' && s[0] != '-' && s[0] != '_')
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("@^-_.+*:/ ", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
render_packages (Ctx *c, const PxedNode *ks, GError **error)
{
  const PxedNode *n = ctx_lookup (c, ks, "packages");
  if (n == NULL)
    return TRUE;
  if (pxed_node_get_kind (n) != PXED_NODE_SEQUENCE)
    {
      pxed_node_set_error (n, error, PXED_CONFIG_ERROR_TYPE,
                           "kickstart.packages: expected a list of packages and @groups");
      return FALSE;
    }
  g_string_append (c->out, "\n%packages\n");
  for (guint i = 0; i < pxed_node_get_n_items (n); i++)
    {
      const PxedNode *item = pxed_node_get_item (n, i);
      const char *s = pxed_node_get_scalar (item);
      if (s == NULL || !package_ok (s))
        {
          pxed_node_set_error (item, error, PXED_CONFIG_ERROR_INVALID,
                               "kickstart.packages[%u]: not a package, @group or -exclusion", i);
          return FALSE;
        }
      g_string_append_printf (c->out, "%s\n", s);
    }
  g_string_append (c->out, "%end\n");
  return TRUE;
}

/* A script body goes out verbatim (no variables: shell uses ${...}); a line
 * starting with '%' would end or open a section, so it is refused. */
static gboolean
script_ok (const PxedNode *node, const char *what, const char *s, GError **error)
{
  guint line = 1;
  if (!text_ok (s, TRUE))
    {
      pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                           "kickstart.%s: control characters are not allowed", what);
      return FALSE;
    }
  for (const char *p = s; *p != '\0'; line++)
    {
      const char *q = p;
      while (*q == ' ' || *q == '\t')
        q++;
      if (*q == '%')
        {
          pxed_node_set_error (node, error, PXED_CONFIG_ERROR_INVALID,
                               "kickstart.%s: line %u starts with '%%', which would end the "
                               "section", what, line);
          return FALSE;
        }
      p = strchr (p, '\n');
      if (p == NULL)
        break;
      p++;
    }
  return TRUE;
}

static gboolean
render_script (Ctx *c, const PxedNode *ks, const char *key, GError **error)
{
  static const char *const keys[] = { "script", "interpreter", "nochroot", "log", "erroronfail",
                                      NULL };
  const PxedNode *n = ctx_lookup (c, ks, key);
  guint count;

  if (n == NULL)
    return TRUE;
  count = pxed_node_get_kind (n) == PXED_NODE_SEQUENCE ? pxed_node_get_n_items (n) : 1;
  for (guint i = 0; i < count; i++)
    {
      const PxedNode *item = pxed_node_get_kind (n) == PXED_NODE_SEQUENCE
                                 ? pxed_node_get_item (n, i)
                                 : n;
      const PxedNode *body = item;
      const char *s;

      g_string_append_printf (c->out, "\n%%%s", key);
      if (pxed_node_get_kind (item) == PXED_NODE_MAPPING)
        {
          if (!ctx_check_keys (c, item, key, keys, error))
            return FALSE;
          body = pxed_node_lookup (item, "script");
          if (body == NULL)
            {
              pxed_node_set_error (item, error, PXED_CONFIG_ERROR_MISSING,
                                   "kickstart.%s: missing required key 'script'", key);
              return FALSE;
            }
          if (!out_opt_key (c, item, "interpreter", NULL, error)
              || !out_opt_key (c, item, "log", NULL, error)
              || (g_str_equal (key, "post") && !out_flag_key (c, item, "nochroot", NULL, error))
              || !out_flag_key (c, item, "erroronfail", NULL, error))
            return FALSE;
        }
      s = pxed_node_get_scalar (body);
      if (s == NULL)
        {
          pxed_node_set_error (body, error, PXED_CONFIG_ERROR_TYPE,
                               "kickstart.%s: expected the script text", key);
          return FALSE;
        }
      if (!script_ok (body, key, s, error))
        return FALSE;
      g_string_append_c (c->out, '\n');
      g_string_append (c->out, s);
      if (*s != '\0' && s[strlen (s) - 1] != '\n')
        g_string_append_c (c->out, '\n');
      g_string_append (c->out, "%end\n");
    }
  return TRUE;
}

static gboolean
render_structured (Ctx *c, GError **error)
{
  const PxedNode *ks = c->kp->profile->kickstart;
  gboolean utc = FALSE;

  if (!ctx_check_keys (c, ks, "kickstart", ks_keys, error))
    return FALSE;
  if (c->kp->index == NULL)
    {
      c->kp->index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < pxed_node_get_n_items (ks); i++)
        g_hash_table_insert (c->kp->index, (gpointer) pxed_node_get_key (ks, i),
                             (gpointer) pxed_node_get_item (ks, i));
    }
  if (!render_source (c, ks, error) || !render_bool_cmd (c, ks, "text", "text", "graphical", error)
      || !render_simple (c, ks, "lang", "lang", error))
    return FALSE;
  if (ctx_lookup (c, ks, "keyboard") != NULL)
    {
      g_autofree char *kb = ctx_get (c, ks, "keyboard", TRUE, error);
      if (kb == NULL)
        return FALSE;
      for (const char *k = kb; *k != '\0'; k++)
        if (!g_ascii_isalnum (*k) && *k != '-' && *k != '_')
          {
            pxed_node_set_error (ctx_lookup (c, ks, "keyboard"), error,
                                 PXED_CONFIG_ERROR_INVALID,
                                 "kickstart.keyboard: '%s' is not a keymap name", kb);
            return FALSE;
          }
      /* CentOS 7 syntax, the layout list quoted as anaconda writes it. */
      g_string_append_printf (c->out, "keyboard --vckeymap=%s --xlayouts='%s'\n", kb, kb);
    }
  if (ctx_lookup (c, ks, "timezone") != NULL)
    {
      g_autofree char *tz = ctx_get (c, ks, "timezone", TRUE, error);
      g_autofree char *q = NULL;
      if (tz == NULL || !node_bool (ks, "timezone-utc", FALSE, &utc, error))
        return FALSE;
      q = ks_quote (tz);
      g_string_append_printf (c->out, "timezone %s%s\n", q, utc ? " --isUtc" : "");
    }
  if (c->kp->rootpw != NULL)
    {
      g_autofree char *q = ks_quote (c->kp->rootpw);
      g_string_append_printf (c->out, "rootpw --iscrypted %s\n", q);
    }
  if (!render_users (c, ks, error))
    return FALSE;
  if (ctx_lookup (c, ks, "auth") != NULL)
    {
      /* Options verbatim ("--enableshadow --passalgo=sha512"): one line, so
       * they cannot add a command. */
      g_autofree char *a = ctx_get (c, ks, "auth", FALSE, error);
      if (a == NULL)
        return FALSE;
      if (strchr (a, '#') != NULL || strchr (a, '%') != NULL)
        {
          pxed_node_set_error (ctx_lookup (c, ks, "auth"), error, PXED_CONFIG_ERROR_INVALID,
                               "kickstart.auth: '#' and '%%' are not allowed");
          return FALSE;
        }
      g_string_append_printf (c->out, "auth %s\n", a);
    }
  if (!render_network (c, ks, error) || !render_firewall (c, ks, error)
      || !render_selinux (c, ks, error) || !render_services (c, ks, error)
      || !render_bool_cmd (c, ks, "skipx", "skipx", NULL, error)
      || !render_bool_cmd (c, ks, "firstboot", "firstboot --enable", "firstboot --disable", error)
      || !render_bootloader (c, ks, error) || !render_disks (c, ks, error)
      || !render_finish (c, ks, error) || !render_packages (c, ks, error)
      || !render_script (c, ks, "pre", error) || !render_script (c, ks, "post", error))
    return FALSE;
  return TRUE;
}

/* ---- templates -------------------------------------------------------------------- */

static gboolean
render_template (Ctx *c, GError **error)
{
  const char *text = c->kp->template_text;
  const char *builtins[GEN_BUILTINS_MAX + 3];
  char dashes[32];
  guint line = 1;
  g_autofree char *url = NULL;

  if (c->kp->profile->install_url != NULL)
    {
      g_autoptr(GError) local = NULL;
      url = gen_expand (c->ks->inv, c->kp->profile->install_url, c->kp->profile, c->host,
                        c->facts, &local);
      if (url == NULL)
        {
          g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID, "%s",
                       local->message);
          return FALSE;
        }
    }
  gen_builtins_fill (builtins, c->facts, c->host, c->kp->profile, url, dashes, sizeof dashes);

  /* Line by line, so an error names the template's line. */
  for (const char *p = text; *p != '\0'; line++)
    {
      const char *nl = strchr (p, '\n');
      g_autofree char *src = g_strndup (p, nl != NULL ? (gsize) (nl - p) : strlen (p));
      g_autoptr(GError) local = NULL;
      g_autofree char *expanded = pxed_inventory_expand (c->ks->inv, src, c->kp->profile, c->host,
                                                         builtins, &local);
      if (expanded == NULL)
        {
          g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID, "%s:%u: %s",
                       c->kp->template_path, line, local->message);
          return FALSE;
        }
      if (!text_ok (expanded, TRUE))
        {
          g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                       "%s:%u: control characters are not allowed", c->kp->template_path, line);
          return FALSE;
        }
      g_string_append (c->out, expanded);
      if (nl == NULL)
        {
          g_string_append_c (c->out, '\n');
          break;
        }
      g_string_append_c (c->out, '\n');
      p = nl + 1;
    }
  return TRUE;
}

/* ---- checker ------------------------------------------------------------------------ */

static const char *const single_use[] = {
  "install", "upgrade", "url", "cdrom", "nfs", "harddrive", "liveimg", "lang", "keyboard",
  "timezone", "rootpw", "auth", "authconfig", "bootloader", "zerombr", "clearpart", "autopart",
  "selinux", "firewall", "reboot", "poweroff", "halt", "shutdown", "text", "graphical",
  "cmdline", "skipx", "firstboot", "xconfig", "eula", "services", "ignoredisk", "autostep",
  "interactive", "vnc", NULL,
};
static const char *const groups[][6] = {
  { "url", "cdrom", "nfs", "harddrive", "liveimg", NULL },
  { "reboot", "poweroff", "halt", "shutdown", NULL },
  { "text", "graphical", "cmdline", NULL },
  { "auth", "authconfig", NULL },
};
static const char *const required[] = { "lang", "keyboard", "timezone", "rootpw", NULL };
static const char *const sections[] = {
  "%packages", "%pre", "%post", "%pre-install", "%onerror", "%traceback", "%addon",
  "%anaconda", NULL,
};

static guint
ks_group_of (const char *cmd)
{
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    if (g_strv_contains (groups[g], cmd))
      return g + 1;
  return 0;
}

/* Bits for the commands the checker tracks, looked up once in a table. */
static GHashTable *
ks_command_table (void)
{
  static gsize table;
  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      /* value: index + 1 in the low byte, conflict group + 1 above it */
      for (guint i = 0; single_use[i] != NULL; i++)
        g_hash_table_insert (t, (gpointer) single_use[i],
                             GUINT_TO_POINTER ((i + 1) | ks_group_of (single_use[i]) << 8));
      g_once_init_leave (&table, (gsize) t);
    }
  return (GHashTable *) table;
}

gboolean
ks_check (const char *text, GError **error)
{
  GHashTable *table = ks_command_table ();
  guint64 seen = 0;         /* bit i: single_use[i] seen */
  const char *group_seen[G_N_ELEMENTS (groups)] = { NULL };
  const char *open = NULL;
  guint open_line = 0;
  gboolean has_autopart = FALSE, has_part = FALSE;
  guint lineno = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (single_use) <= 64);
  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *nl = strchr (line, '\n');
      const char *l = line;
      const char *end;
      char first[32];
      gsize len;

      lineno++;
      line = nl != NULL ? nl + 1 : NULL;
      while (*l == ' ' || *l == '\t')
        l++;
      if (*l == '\0' || *l == '\n' || *l == '#')
        continue;
      end = l;
      while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n')
        end++;
      len = (gsize) (end - l);
      if (len >= sizeof first)
        len = sizeof first - 1; /* long words are no command we track */
      memcpy (first, l, len);
      first[len] = '\0';

      if (first[0] == '%')
        {
          if (g_str_equal (first, "%end"))
            {
              if (open == NULL)
                {
                  g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                               "line %u: %%end outside a section", lineno);
                  return FALSE;
                }
              open = NULL;
              continue;
            }
          if (open != NULL)
            {
              if (g_str_equal (open, "%packages") || g_strv_contains (sections, first))
                {
                  g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                               "line %u: %s inside %s (opened on line %u) before its %%end",
                               lineno, first, open, open_line);
                  return FALSE;
                }
              continue; /* inside a script: its own business */
            }
          for (guint k = 0; sections[k] != NULL && open == NULL; k++)
            if (g_str_equal (sections[k], first))
              open = sections[k];
          if (open != NULL)
            {
              open_line = lineno;
              continue;
            }
          if (g_str_equal (first, "%include") || g_str_equal (first, "%ksappend"))
            continue;
          g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                       "line %u: unknown section %s", lineno, first);
          return FALSE;
        }
      if (open != NULL)
        continue;
      {
        guint v = GPOINTER_TO_UINT (g_hash_table_lookup (table, first));
        guint idx = v & 0xff;
        if (idx > 0)
          {
            guint g = v >> 8;
            if (seen & (G_GUINT64_CONSTANT (1) << (idx - 1)))
              {
                g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                             "line %u: '%s' may appear only once", lineno, first);
                return FALSE;
              }
            if (g > 0 && group_seen[g - 1] != NULL)
              {
                g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                             "line %u: '%s' conflicts with '%s'", lineno, first,
                             group_seen[g - 1]);
                return FALSE;
              }
            seen |= G_GUINT64_CONSTANT (1) << (idx - 1);
            if (g > 0)
              group_seen[g - 1] = single_use[idx - 1];
          }
      }
      if (g_str_equal (first, "autopart"))
        has_autopart = TRUE;
      if (g_str_equal (first, "part") || g_str_equal (first, "partition"))
        has_part = TRUE;
    }
  if (open != NULL)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                   "%s opened on line %u is never closed with %%end", open, open_line);
      return FALSE;
    }
  if (has_autopart && has_part)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                   "'autopart' and 'part' exclude each other");
      return FALSE;
    }
  for (guint r = 0; required[r] != NULL; r++)
    if (!(seen & (G_GUINT64_CONSTANT (1)
                  << ((GPOINTER_TO_UINT (g_hash_table_lookup (table, required[r])) & 0xff) - 1))))
      {
        g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_FAILED,
                     "required command '%s' is missing", required[r]);
        return FALSE;
      }
  return TRUE;
}

/* ---- compile and render ------------------------------------------------------------- */

static void
ks_profile_free (gpointer data)
{
  KsProfile *kp = data;
  if (kp->rootpw != NULL)
    explicit_bzero (kp->rootpw, strlen (kp->rootpw));
  g_free (kp->rootpw);
  g_ptr_array_unref (kp->user_pw);
  g_free (kp->template_path);
  g_free (kp->template_text);
  if (kp->index != NULL)
    g_hash_table_unref (kp->index);
  g_free (kp);
}

void
ks_compiled_free (KsCompiled *ks)
{
  if (ks == NULL)
    return;
  g_hash_table_unref (ks->profiles);
  pxed_inventory_unref (ks->inv);
  g_free (ks);
}

PxedInventory *
ks_compiled_get_inventory (KsCompiled *ks)
{
  return ks->inv;
}

/* A crypted password: either *-crypted (must look like crypt(3) output) or
 * the plaintext key, hashed now. */
static gboolean
compile_password (const PxedNode *map, const char *plain_key, const char *crypted_key,
                  const char *what, char **out, GError **error)
{
  const PxedNode *plain = pxed_node_lookup (map, plain_key);
  const PxedNode *crypted = pxed_node_lookup (map, crypted_key);
  const char *s;

  *out = NULL;
  if (plain != NULL && crypted != NULL)
    {
      pxed_node_set_error (crypted, error, PXED_CONFIG_ERROR_CONFLICT,
                           "%s: '%s' and '%s' exclude each other", what, plain_key, crypted_key);
      return FALSE;
    }
  if (crypted != NULL)
    {
      s = pxed_node_get_scalar (crypted);
      if (s == NULL || s[0] != '$' || !text_ok (s, FALSE) || strchr (s, ' ') != NULL
          || strchr (s, '\'') != NULL)
        {
          pxed_node_set_error (crypted, error, PXED_CONFIG_ERROR_INVALID,
                               "%s.%s: expected a crypt(3) hash such as $6$salt$hash", what,
                               crypted_key);
          return FALSE;
        }
      *out = g_strdup (s);
      return TRUE;
    }
  if (plain != NULL)
    {
      g_autoptr(GError) local = NULL;
      s = pxed_node_get_scalar (plain);
      if (s == NULL || *s == '\0' || !text_ok (s, FALSE))
        {
          pxed_node_set_error (plain, error, PXED_CONFIG_ERROR_INVALID,
                               "%s.%s: expected a non-empty single-line password", what,
                               plain_key);
          return FALSE;
        }
      *out = ks_hash_password (s, &local);
      if (*out == NULL)
        {
          pxed_node_set_error (plain, error, PXED_CONFIG_ERROR_FAILED, "%s.%s: %s", what,
                               plain_key, local->message);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
template_resolve_path (const PxedProfile *p)
{
  g_autofree char *dir = NULL;
  if (g_path_is_absolute (p->kickstart_template))
    return g_strdup (p->kickstart_template);
  dir = g_path_get_dirname (pxed_node_get_file (p->node));
  return g_build_filename (dir, p->kickstart_template, NULL);
}

static gboolean
render_into (KsCompiled *ks, KsProfile *kp, const PxedInventoryHost *host,
             const GenFacts *facts, GString *out, GError **error)
{
  Ctx c = { ks, kp, host, facts, out };
  g_string_append_printf (out, "# Kickstart generated by pxed: profile %s", kp->profile->name);
  if (host != NULL)
    g_string_append_printf (out, ", host %s (%s)", host->name, host->mac);
  g_string_append_c (out, '\n');
  if (kp->template_text != NULL)
    return render_template (&c, error);
  return render_structured (&c, error);
}

char *
ks_render_profile (KsCompiled *ks, const PxedProfile *profile, const PxedInventoryHost *host,
                   const GenFacts *facts, GError **error)
{
  KsProfile *kp = g_hash_table_lookup (ks->profiles, profile->name);
  g_autoptr(GString) out = g_string_sized_new (2048);
  g_autoptr(GError) local = NULL;
  GenFacts empty;

  if (kp == NULL)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND,
                   "profile %s has no kickstart", profile->name);
      return NULL;
    }
  if (facts == NULL)
    {
      gen_facts_init (&empty);
      facts = &empty;
    }
  if (!render_into (ks, kp, host, facts, out, error))
    return NULL;
  if (!ks_check (out->str, &local))
    {
      const PxedNode *where = profile->kickstart != NULL
                                  ? profile->kickstart
                                  : pxed_node_lookup (profile->node, "kickstart-template");
      pxed_node_set_error (where != NULL ? where : profile->node, error,
                           PXED_CONFIG_ERROR_INVALID,
                           "the kickstart of profile %s%s%s is invalid: %s", profile->name,
                           host != NULL ? " for host " : "", host != NULL ? host->name : "",
                           local->message);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

KsCompiled *
ks_compile (PxedInventory *inv, GError **error)
{
  g_autoptr(KsCompiled) ks = g_new0 (KsCompiled, 1);
  const PxedProfile *const *profiles;
  const PxedInventoryHost *const *hosts;
  guint n_profiles = 0, n_hosts = 0;

  ks->inv = pxed_inventory_ref (inv);
  ks->profiles = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, ks_profile_free);
  profiles = pxed_inventory_list_profiles (inv, &n_profiles);
  for (guint i = 0; i < n_profiles; i++)
    {
      const PxedProfile *p = profiles[i];
      KsProfile *kp;
      g_autofree char *what = g_strdup_printf ("profiles.%s.kickstart", p->name);

      if (p->kickstart == NULL && p->kickstart_template == NULL)
        continue;
      kp = g_new0 (KsProfile, 1);
      kp->profile = p;
      kp->user_pw = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (ks->profiles, (gpointer) p->name, kp);

      if (p->kickstart != NULL)
        {
          const PxedNode *users = pxed_node_lookup (p->kickstart, "users");
          if (!compile_password (p->kickstart, "rootpw", "rootpw-crypted", what, &kp->rootpw,
                                 error))
            return NULL;
          for (guint u = 0; users != NULL && u < pxed_node_get_n_items (users); u++)
            {
              const PxedNode *un = pxed_node_get_item (users, u);
              char *pw = NULL;
              if (pxed_node_get_kind (un) == PXED_NODE_MAPPING
                  && !compile_password (un, "password", "password-crypted", "users[]", &pw, error))
                return NULL;
              g_ptr_array_add (kp->user_pw, pw);
            }
        }
      else
        {
          g_autoptr(GError) local = NULL;
          kp->template_path = template_resolve_path (p);
          if (!g_file_get_contents (kp->template_path, &kp->template_text, NULL, &local))
            {
              pxed_node_set_error (pxed_node_lookup (p->node, "kickstart-template"), error,
                                   PXED_CONFIG_ERROR_INVALID, "kickstart-template: %s",
                                   local->message);
              return NULL;
            }
          if (!g_utf8_validate (kp->template_text, -1, NULL))
            {
              pxed_node_set_error (pxed_node_lookup (p->node, "kickstart-template"), error,
                                   PXED_CONFIG_ERROR_INVALID,
                                   "kickstart-template: %s is not UTF-8 text", kp->template_path);
              return NULL;
            }
        }

      /* Render once for an unknown machine: every structural error is found
       * now, located, instead of at install time. */
      {
        g_autofree char *text = ks_render_profile (ks, p, NULL, NULL, error);
        if (text == NULL)
          return NULL;
        kp->validated = TRUE;
      }
    }

  /* Host variables change the output: check every host's kickstart too. */
  hosts = pxed_inventory_list_hosts (inv, &n_hosts);
  for (guint i = 0; i < n_hosts; i++)
    {
      const PxedProfile *p = hosts[i]->profile != NULL
                                 ? pxed_inventory_find_profile (inv, hosts[i]->profile)
                                 : NULL;
      g_autofree char *text = NULL;
      if (p == NULL || !g_hash_table_contains (ks->profiles, p->name))
        continue;
      text = ks_render_profile (ks, p, hosts[i], NULL, error);
      if (text == NULL)
        return NULL;
    }
  return g_steal_pointer (&ks);
}

GBytes *
ks_render (KsCompiled *ks, const char *path, const GenFacts *facts, GError **error)
{
  const PxedInventoryHost *host = NULL;
  const PxedProfile *profile = NULL;
  char *text;

  if (g_str_equal (path, "ks.cfg"))
    {
      /* The requesting machine, as the clients service knows it. */
      host = gen_facts_find_host (ks->inv, facts);
      if (host == NULL || host->profile == NULL)
        {
          gen_set_not_found (error, path);
          return NULL;
        }
      profile = pxed_inventory_find_profile (ks->inv, host->profile);
    }
  else if (g_str_has_prefix (path, "ks/") && g_str_has_suffix (path, ".cfg")
           && strchr (path + 3, '/') == NULL)
    {
      g_autofree char *name = g_strndup (path + 3, strlen (path) - 7);
      g_autofree char *mac = pxed_inventory_normalize_mac (name);
      if (mac != NULL)
        {
          host = pxed_inventory_find_mac (ks->inv, mac);
          if (host == NULL || host->profile == NULL)
            {
              gen_set_not_found (error, path);
              return NULL;
            }
          profile = pxed_inventory_find_profile (ks->inv, host->profile);
        }
      else
        {
          profile = pxed_inventory_find_profile (ks->inv, name);
          /* A known machine asking for its profile gets its own details. */
          host = gen_facts_find_host (ks->inv, facts);
        }
    }
  if (profile == NULL || !g_hash_table_contains (ks->profiles, profile->name))
    {
      gen_set_not_found (error, path);
      return NULL;
    }
  text = ks_render_profile (ks, profile, host, facts, error);
  if (text == NULL)
    return NULL;
  return g_bytes_new_take (text, strlen (text));
}
