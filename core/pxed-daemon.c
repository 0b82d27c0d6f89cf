/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service lifecycle: load → validate → create every instance → start →
 * drop privileges → READY=1; SIGHUP reloads with prepare/commit/abort;
 * SIGTERM/SIGINT drain running work within a deadline and exit 0. */
#include "pxed-config.h"

#include <errno.h>
#include <glib-unix.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pxed-daemon.h"
#include "pxed-log-private.h"

typedef struct {
  char                 *name; /* instance name: the conf.d file stem */
  const PxedPluginInfo *info;
  PxedSection          *sec;
  PxedPlugin           *plugin;
  gboolean              started;
} Instance;

typedef struct {
  PxedDaemon *daemon;
  Instance   *instance;
  gboolean    done;
} StopRequest;

struct _PxedDaemon {
  GMainContext *context;
  GMainLoop    *loop;
  PxedHost     *host;
  PxedLoader   *loader;
  PxedConfig   *config;
  char         *config_dir;
  char         *vendor_config_dir;  /* lower conf.d tiers, or NULL */
  char         *runtime_config_dir;
  char         *plugin_dir_override;
  char         *log_level_override;
  GPtrArray    *instances; /* Instance, in conf.d order */
  GPtrArray    *stops;     /* StopRequest in flight */
  gboolean      shutting_down;
  GSource      *deadline;
  GSource      *signal_sources[3];
  gboolean      privileges_dropped;
};

/* ---- sd_notify -------------------------------------------------------------- */

void
pxed_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gsize len;
  int fd;

  if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen (path) >= sizeof addr.sun_path)
    return;
  len = strlen (path);
  memcpy (addr.sun_path, path, len);
  if (addr.sun_path[0] == '@')
    addr.sun_path[0] = '\0'; /* abstract namespace */
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &addr,
              (socklen_t) (offsetof (struct sockaddr_un, sun_path) + len)) < 0)
    g_debug ("sd_notify: %s", g_strerror (errno));
  close (fd);
}

/* ---- instances ------------------------------------------------------------------ */

static void
instance_free (Instance *inst)
{
  if (inst->plugin != NULL)
    inst->info->destroy (inst->plugin);
  if (inst->sec != NULL)
    pxed_section_unref (inst->sec);
  g_free (inst->name);
  g_free (inst);
}

static Instance *
instance_create (PxedDaemon *d, PxedLoader *loader, const PxedSection *sec, GError **error)
{
  const char *plugin = pxed_section_get_plugin (sec);
  const PxedPluginInfo *info;
  Instance *inst;

  info = pxed_loader_load (loader, pxed_config_get_plugin_dir (d->config), plugin, error);
  if (info == NULL)
    return NULL;
  inst = g_new0 (Instance, 1);
  inst->name = g_strdup (pxed_section_get_instance (sec));
  inst->info = info;
  inst->sec = pxed_section_ref ((PxedSection *) sec);
  inst->plugin = info->create (d->host, sec, error);
  if (inst->plugin == NULL)
    {
      g_prefix_error (error, "%s: ", pxed_section_get_file (sec));
      instance_free (inst);
      return NULL;
    }
  return inst;
}

static gboolean
instance_start (Instance *inst, GError **error)
{
  if (!inst->info->start (inst->plugin, error))
    {
      g_prefix_error (error, "instance '%s' (plugin %s) failed to start: ", inst->name,
                      inst->info->name);
      return FALSE;
    }
  inst->started = TRUE;
  return TRUE;
}

static void stop_request_done (gpointer user_data);

/* Asks @inst to drain; it is destroyed when done (or at the deadline). */
static void
instance_stop (PxedDaemon *d, Instance *inst)
{
  StopRequest *req = g_new0 (StopRequest, 1);

  req->daemon = d;
  req->instance = inst;
  g_ptr_array_add (d->stops, req);
  if (!inst->started)
    {
      stop_request_done (req);
      return;
    }
  inst->info->stop (inst->plugin, stop_request_done, req);
}

static void maybe_finish_shutdown (PxedDaemon *d);

static void
stop_request_done (gpointer user_data)
{
  StopRequest *req = user_data;
  PxedDaemon *d = req->daemon;

  if (req->done)
    return;
  req->done = TRUE;
  g_debug ("instance '%s' stopped", req->instance->name);
  instance_free (g_steal_pointer (&req->instance));
  g_ptr_array_remove (d->stops, req);
  g_free (req);
  maybe_finish_shutdown (d);
}

/* ---- privileges -------------------------------------------------------------------- */

static gboolean
prepare_state_dir (PxedDaemon *d, uid_t uid, gid_t gid, GError **error)
{
  const char *dir = pxed_host_get_state_dir (d->host);

  if (g_mkdir_with_parents (dir, 0750) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create state directory %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (uid != (uid_t) -1 && chown (dir, uid, gid) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot hand state directory %s to uid %u: %s", dir, (guint) uid,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
drop_privileges (PxedDaemon *d, GError **error)
{
  const PxedSection *core = pxed_config_get_core (d->config);
  const char *user = pxed_section_get_string (core, "user");
  const char *group = pxed_section_get_string (core, "group");
  struct passwd *pw;
  uid_t uid;
  gid_t gid;

  if (user == NULL || *user == '\0')
    return prepare_state_dir (d, (uid_t) -1, (gid_t) -1, error);
  if (geteuid () != 0)
    {
      g_info ("not running as root: staying uid %u (user '%s' ignored)", (guint) geteuid (), user);
      return prepare_state_dir (d, (uid_t) -1, (gid_t) -1, error);
    }
  pw = getpwnam (user);
  if (pw == NULL)
    {
      g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                   "user '%s' (pxed.yaml) does not exist", user);
      return FALSE;
    }
  uid = pw->pw_uid;
  gid = pw->pw_gid;
  if (group != NULL && *group != '\0')
    {
      struct group *gr = getgrnam (group);
      if (gr == NULL)
        {
          g_set_error (error, PXED_CONFIG_ERROR, PXED_CONFIG_ERROR_INVALID,
                       "group '%s' (pxed.yaml) does not exist", group);
          return FALSE;
        }
      gid = gr->gr_gid;
    }
  if (!prepare_state_dir (d, uid, gid, error))
    return FALSE;
  if (setgroups (1, &gid) < 0 || setresgid (gid, gid, gid) < 0 || setresuid (uid, uid, uid) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot drop privileges to %s: %s", user, g_strerror (errno));
      return FALSE;
    }
  /* Paranoia: getting root back must be impossible now. */
  if (uid != 0 && setuid (0) == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM, "privileges were not dropped");
      return FALSE;
    }
  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  d->privileges_dropped = TRUE;
  g_info ("running as %s (uid %u, gid %u)", user, (guint) uid, (guint) gid);
  return TRUE;
}

/* ---- configuration -------------------------------------------------------------------- */

static void
apply_core_settings (PxedDaemon *d, PxedConfig *config)
{
  const PxedSection *core = pxed_config_get_core (config);

  pxed_log_set_level (d->log_level_override != NULL ? d->log_level_override
                                                    : pxed_section_get_string (core, "log-level"));
  pxed_log_set_debug_domains (pxed_section_get_strv (core, "debug-domains"));
}

static PxedConfig *
load_config (PxedDaemon *d, GError **error)
{
  return pxed_config_load_tiers (d->config_dir, d->vendor_config_dir, d->runtime_config_dir,
                                 d->plugin_dir_override, pxed_loader_resolve, d->loader, error);
}

gboolean
pxed_daemon_load (PxedDaemon *d, gboolean check_only, GError **error)
{
  g_autoptr(PxedConfig) config = load_config (d, error);

  if (config == NULL)
    return FALSE;
  d->config = pxed_config_ref (config);
  apply_core_settings (d, config);
  pxed_host_set_config (d->host, config);
  for (guint i = 0; i < pxed_config_get_n_sections (config); i++)
    {
      Instance *inst = instance_create (d, d->loader, pxed_config_get_section (config, i), error);
      if (inst == NULL)
        return FALSE;
      g_ptr_array_add (d->instances, inst);
    }
  if (check_only)
    g_ptr_array_set_size (d->instances, 0);
  return TRUE;
}

gboolean
pxed_daemon_start_generators (PxedDaemon *d, GError **error)
{
  for (guint i = 0; i < d->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (d->instances, i);
      if (inst->info->kind == PXED_PLUGIN_KIND_GENERATOR && !instance_start (inst, error))
        return FALSE;
    }
  return TRUE;
}

static Instance *
find_instance (GPtrArray *instances, const char *name)
{
  for (guint i = 0; i < instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (instances, i);
      if (g_strcmp0 (inst->name, name) == 0)
        return inst;
    }
  return NULL;
}

typedef struct {
  Instance *old;      /* running instance, or NULL when added */
  Instance *fresh;    /* replacement (restart or added), or NULL */
  gpointer  prepared; /* reload_prepare result for in-place changes */
  gboolean  in_place;
  const PxedSection *sec;
} ReloadStep;

static void
daemon_reload (PxedDaemon *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedConfig) config = NULL;
  g_autoptr(GArray) steps = g_array_new (FALSE, TRUE, sizeof (ReloadStep));
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autofree char *reloading = NULL;
  g_autoptr(PxedConfig) old_config = NULL;
  gboolean ok = TRUE, inventory_changed;
  guint n_changed = 0;

  reloading = g_strdup_printf ("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time ());
  pxed_notify (reloading);
  g_message ("reloading configuration from %s", d->config_dir);

  config = load_config (d, &error);
  if (config == NULL)
    {
      g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

      /* One log line per configuration error. */
      for (guint i = 0; lines[i] != NULL; i++)
        g_warning ("reload refused, the running configuration stays: %s", lines[i]);
      pxed_notify ("READY=1\nSTATUS=reload refused; previous configuration kept");
      return;
    }

  /* Prepare: nothing visible changes until every step succeeded. The new
   * snapshot is the host's while preparing, so that create() and
   * reload_prepare() check against it (generators render every profile);
   * nothing is served from the loop meanwhile, and an abort puts the old one
   * back. Generators are re-created when the inventory changed. */
  old_config = pxed_config_ref (d->config);
  inventory_changed = !pxed_inventory_equal (pxed_config_get_inventory (old_config),
                                             pxed_config_get_inventory (config));
  pxed_host_set_config (d->host, config);
  for (guint i = 0; ok && i < pxed_config_get_n_sections (config); i++)
    {
      const PxedSection *sec = pxed_config_get_section (config, i);
      Instance *old = find_instance (d->instances, pxed_section_get_instance (sec));
      ReloadStep step = { .old = old, .sec = sec };

      if (old != NULL && g_strcmp0 (old->info->name, pxed_section_get_plugin (sec)) == 0 &&
          pxed_section_equal (old->sec, sec) &&
          !(inventory_changed && old->info->kind == PXED_PLUGIN_KIND_GENERATOR))
        continue; /* unchanged */
      if (old != NULL && g_strcmp0 (old->info->name, pxed_section_get_plugin (sec)) == 0 &&
          old->info->reload_prepare != NULL)
        {
          step.in_place = TRUE;
          step.prepared = old->info->reload_prepare (old->plugin, sec, &error);
          if (step.prepared == NULL)
            {
              g_prefix_error (&error, "%s: ", pxed_section_get_file (sec));
              ok = FALSE;
              break;
            }
        }
      else
        {
          step.fresh = instance_create (d, d->loader, sec, &error);
          if (step.fresh == NULL)
            {
              ok = FALSE;
              break;
            }
        }
      g_array_append_val (steps, step);
    }
  if (ok)
    for (guint i = 0; i < d->instances->len; i++)
      {
        Instance *inst = g_ptr_array_index (d->instances, i);
        if (pxed_config_find_section (config, inst->name) == NULL)
          g_ptr_array_add (removed, inst);
      }

  if (!ok)
    {
      for (guint i = 0; i < steps->len; i++)
        {
          ReloadStep *s = &g_array_index (steps, ReloadStep, i);
          if (s->in_place)
            s->old->info->reload_abort (s->old->plugin, s->prepared);
          else if (s->fresh != NULL)
            instance_free (s->fresh);
        }
      pxed_host_set_config (d->host, old_config);
      g_warning ("reload refused, the running configuration stays: %s", error->message);
      pxed_notify ("READY=1\nSTATUS=reload refused; previous configuration kept");
      return;
    }

  /* Commit. Sockets of instances being replaced stay open while held. */
  pxed_net_hold (d->host->net);
  g_clear_pointer (&d->config, pxed_config_unref);
  d->config = pxed_config_ref (config);
  apply_core_settings (d, config);

  for (guint i = 0; i < removed->len; i++)
    {
      Instance *inst = g_ptr_array_index (removed, i);
      g_message ("stopping instance '%s' (its conf.d file is gone or disabled)", inst->name);
      guint idx;
      if (g_ptr_array_find (d->instances, inst, &idx))
        g_ptr_array_steal_index (d->instances, idx);
      instance_stop (d, inst);
      n_changed++;
    }
  for (guint i = 0; i < steps->len; i++)
    {
      ReloadStep *s = &g_array_index (steps, ReloadStep, i);
      n_changed++;
      if (s->in_place)
        {
          s->old->info->reload_commit (s->old->plugin, s->prepared);
          pxed_section_unref (s->old->sec);
          s->old->sec = pxed_section_ref ((PxedSection *) s->sec);
          g_message ("instance '%s' reconfigured", s->old->name);
          continue;
        }
      if (s->old != NULL)
        {
          guint idx;
          if (g_ptr_array_find (d->instances, s->old, &idx))
            g_ptr_array_steal_index (d->instances, idx);
          instance_stop (d, s->old);
          g_message ("restarting instance '%s'", s->fresh->name);
        }
      else
        g_message ("starting instance '%s' (plugin %s)", s->fresh->name, s->fresh->info->name);
      g_ptr_array_add (d->instances, s->fresh);
      if (!instance_start (s->fresh, &error))
        {
          g_warning ("%s", error->message);
          g_clear_error (&error);
        }
    }
  pxed_net_release (d->host->net);
  g_message ("configuration reloaded (%u instance%s changed)", n_changed, n_changed == 1 ? "" : "s");
  pxed_notify ("READY=1\nSTATUS=configuration reloaded");
}

/* ---- shutdown ------------------------------------------------------------------------ */

static void
maybe_finish_shutdown (PxedDaemon *d)
{
  if (d->shutting_down && d->instances->len == 0 && d->stops->len == 0)
    g_main_loop_quit (d->loop);
}

static gboolean
on_deadline (gpointer user_data)
{
  PxedDaemon *d = user_data;

  g_warning ("drain deadline reached: cutting %u instance%s short", d->stops->len,
             d->stops->len == 1 ? "" : "s");
  /* destroy() cancels whatever still runs; the ABI forbids calling @done
   * after it, so the requests can go with their instances. */
  for (guint i = 0; i < d->stops->len; i++)
    {
      StopRequest *req = g_ptr_array_index (d->stops, i);
      instance_free (g_steal_pointer (&req->instance));
      g_free (req);
    }
  g_ptr_array_set_size (d->stops, 0);
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

static void
daemon_shutdown (PxedDaemon *d, const char *why)
{
  guint64 deadline_ms;

  if (d->shutting_down)
    return;
  d->shutting_down = TRUE;
  pxed_notify ("STOPPING=1");
  g_message ("%s: stopping, draining work in progress", why);
  deadline_ms = pxed_section_get_duration_ms (pxed_config_get_core (d->config), "drain-timeout");
  d->deadline = g_timeout_source_new ((guint) MIN (deadline_ms, G_MAXUINT));
  g_source_set_callback (d->deadline, on_deadline, d, NULL);
  g_source_attach (d->deadline, d->context);
  while (d->instances->len > 0)
    {
      Instance *inst = g_ptr_array_steal_index (d->instances, d->instances->len - 1);
      instance_stop (d, inst);
    }
  maybe_finish_shutdown (d);
}

static gboolean
on_sigterm (gpointer user_data)
{
  daemon_shutdown (user_data, "SIGTERM");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  daemon_shutdown (user_data, "SIGINT");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sighup (gpointer user_data)
{
  PxedDaemon *d = user_data;

  if (!d->shutting_down)
    daemon_reload (d);
  return G_SOURCE_CONTINUE;
}

/* Every transfer, connection and shared file costs descriptors: the soft
 * limit goes up to the hard one (systemd's LimitNOFILE sets both; a shell's
 * soft limit is often 1024). Nothing here uses select(). */
static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
    return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &rl) < 0)
    g_debug ("raising the open files limit: %s", g_strerror (errno));
}

int
pxed_daemon_run (PxedDaemon *d, int ready_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  int signals[] = { SIGTERM, SIGINT, SIGHUP };
  GSourceFunc handlers[] = { on_sigterm, on_sigint, on_sighup };

  /* a client that goes away in the middle of a response must give EPIPE,
   * not kill the daemon (sendfile has no MSG_NOSIGNAL) */
  signal (SIGPIPE, SIG_IGN);
  raise_fd_limit ();
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      d->signal_sources[i] = g_unix_signal_source_new (signals[i]);
      g_source_set_callback (d->signal_sources[i], handlers[i], d, NULL);
      g_source_attach (d->signal_sources[i], d->context);
    }

  for (guint i = 0; i < d->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (d->instances, i);
      if (!instance_start (inst, &error))
        {
          g_critical ("%s", error->message);
          daemon_shutdown (d, "start-up failed");
          if (d->stops->len > 0)
            g_main_loop_run (d->loop);
          return 1;
        }
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", inst->name);
    }
  if (!drop_privileges (d, &error))
    {
      g_critical ("%s", error->message);
      daemon_shutdown (d, "start-up failed");
      if (d->stops->len > 0)
        g_main_loop_run (d->loop);
      return 1;
    }
  g_message ("pxed ready: %u instance%s%s%s", d->instances->len, d->instances->len == 1 ? "" : "s",
             names->len > 0 ? ": " : "", names->str);
  pxed_notify ("READY=1\nSTATUS=serving");
  if (ready_fd >= 0)
    {
      char ok = 0;
      if (write (ready_fd, &ok, 1) < 0)
        g_debug ("ready pipe: %s", g_strerror (errno));
      close (ready_fd);
    }
  g_main_loop_run (d->loop);
  g_message ("stopped");
  return 0;
}

/* ---- object ------------------------------------------------------------------------------- */

PxedDaemon *
pxed_daemon_new (const char *config_dir, const char *plugin_dir_override,
                 const char *log_level_override)
{
  PxedDaemon *d = g_new0 (PxedDaemon, 1);

  d->context = g_main_context_ref_thread_default ();
  d->loop = g_main_loop_new (d->context, FALSE);
  d->host = pxed_host_new (d->context);
  d->loader = pxed_loader_new ();
  d->config_dir = g_strdup (config_dir);
  d->plugin_dir_override = g_strdup (plugin_dir_override);
  d->log_level_override = g_strdup (log_level_override);
  d->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) instance_free);
  d->stops = g_ptr_array_new ();
  return d;
}

void
pxed_daemon_free (PxedDaemon *d)
{
  if (d == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (d->signal_sources); i++)
    if (d->signal_sources[i] != NULL)
      {
        g_source_destroy (d->signal_sources[i]);
        g_source_unref (d->signal_sources[i]);
      }
  if (d->deadline != NULL)
    {
      g_source_destroy (d->deadline);
      g_source_unref (d->deadline);
    }
  g_ptr_array_unref (d->instances);
  g_ptr_array_unref (d->stops);
  if (d->config != NULL)
    pxed_config_unref (d->config);
  pxed_host_free (d->host);
  pxed_loader_free (d->loader);
  g_main_loop_unref (d->loop);
  g_main_context_unref (d->context);
  g_free (d->config_dir);
  g_free (d->vendor_config_dir);
  g_free (d->runtime_config_dir);
  g_free (d->plugin_dir_override);
  g_free (d->log_level_override);
  g_free (d);
}

void
pxed_daemon_set_config_tiers (PxedDaemon *d, const char *vendor_dir, const char *runtime_dir)
{
  g_free (d->vendor_config_dir);
  g_free (d->runtime_config_dir);
  d->vendor_config_dir = g_strdup (vendor_dir);
  d->runtime_config_dir = g_strdup (runtime_dir);
}

PxedHost *
pxed_daemon_get_host (PxedDaemon *d)
{
  return d->host;
}

PxedLoader *
pxed_daemon_get_loader (PxedDaemon *d)
{
  return d->loader;
}
