/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxed: command line, then the daemon. */
#include "pxed-config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxed-daemon.h"
#include "pxed-log-private.h"

static char *opt_config_dir = NULL;
static char *opt_vendor_config_dir = NULL;
static char *opt_runtime_config_dir = NULL;
static char *opt_plugin_dir = NULL;
static char *opt_log_level = NULL;
static char *opt_describe = NULL;
static gboolean opt_check_config = FALSE;
static gboolean opt_list_plugins = FALSE;
static gboolean opt_version = FALSE;
static gboolean opt_foreground = FALSE;
/* pxed render PATH ... */
static char *opt_mac = NULL;
static char *opt_ip = NULL;
static int opt_arch = -1;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config_dir,
    "Configuration directory (pxed.yaml and conf.d/); default " PXED_CONFDIR, "DIR" },
  { "vendor-config", 0, 0, G_OPTION_ARG_FILENAME, &opt_vendor_config_dir,
    "Vendor tier: DIR/conf.d is read first; default " PXED_VENDORCONFDIR
    " unless --config is given", "DIR" },
  { "runtime-config", 0, 0, G_OPTION_ARG_FILENAME, &opt_runtime_config_dir,
    "Runtime tier: DIR/conf.d is read after the vendor tier; default " PXED_RUNTIMECONFDIR
    " unless --config is given", "DIR" },
  { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_plugin_dir,
    "Plugin directory (overrides pxed.yaml's plugin-dir)", "DIR" },
  { "check-config", 't', 0, G_OPTION_ARG_NONE, &opt_check_config,
    "Validate the configuration and every plugin's section, then exit", NULL },
  { "list-plugins", 0, 0, G_OPTION_ARG_NONE, &opt_list_plugins,
    "List the plugins in the plugin directory", NULL },
  { "describe", 0, 0, G_OPTION_ARG_STRING, &opt_describe,
    "Print every option of PLUGIN", "PLUGIN" },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version", NULL },
  { "log-level", 0, 0, G_OPTION_ARG_STRING, &opt_log_level,
    "error, warning, message, info or debug (overrides pxed.yaml)", "LEVEL" },
  { "foreground", 'f', 0, G_OPTION_ARG_NONE, &opt_foreground,
    "Stay in the foreground (systemd, containers, tests)", NULL },
  { "mac", 0, 0, G_OPTION_ARG_STRING, &opt_mac, "render: the client's MAC address", "MAC" },
  { "ip", 0, 0, G_OPTION_ARG_STRING, &opt_ip, "render: the client's IP address", "ADDRESS" },
  { "arch", 0, 0, G_OPTION_ARG_INT, &opt_arch, "render: the client's architecture (option 93)", "N" },
  { NULL }
};

static const char *
plugin_dir_for_listing (void)
{
  g_autofree char *path = NULL;
  g_autoptr(PxedDocument) doc = NULL;
  g_autoptr(PxedSection) core = NULL;
  static char *dir = NULL;

  if (opt_plugin_dir != NULL)
    return opt_plugin_dir;
  path = g_build_filename (opt_config_dir, "pxed.yaml", NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      doc = pxed_document_load_file (path, NULL);
      if (doc != NULL)
        core = pxed_section_new (doc, pxed_document_get_root (doc), "pxed", "pxed",
                                 pxed_core_options, NULL, NULL);
    }
  if (core != NULL && pxed_section_get_string (core, "plugin-dir") != NULL)
    {
      dir = g_strdup (pxed_section_get_string (core, "plugin-dir"));
      return dir;
    }
  return PXED_PLUGINDIR;
}

static int
list_plugins (void)
{
  const char *dir = plugin_dir_for_listing ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = pxed_loader_scan (dir, &error);
  g_autoptr(PxedLoader) loader = pxed_loader_new ();
  int status = 0;

  if (paths == NULL)
    {
      g_printerr ("pxed: plugin directory %s: %s\n", dir, error->message);
      return 1;
    }
  g_print ("%-12s %-10s %-8s %-4s %-48s %s\n", "NAME", "KIND", "VERSION", "ABI", "SUMMARY", "PATH");
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) local_error = NULL;
      const PxedPluginInfo *info = pxed_loader_load_path (loader, path, &local_error);
      g_autofree char *abi = NULL;

      if (info == NULL)
        {
          g_printerr ("pxed: %s\n", local_error->message);
          status = 1;
          continue;
        }
      abi = g_strdup_printf ("%u.%u", info->abi_major, info->abi_minor);
      g_print ("%-12s %-10s %-8s %-4s %-48s %s\n", info->name, pxed_plugin_kind_to_string (info->kind),
               info->version, abi, info->summary, path);
    }
  return status;
}

static char *
format_range (const PxedOptionSpec *o)
{
  if (o->min == 0 && o->max == 0)
    return g_strdup ("-");
  switch (o->type)
    {
    case PXED_OPTION_DURATION:
      return g_strdup_printf ("%" G_GUINT64_FORMAT "ms..%" G_GUINT64_FORMAT "ms", o->min, o->max);
    case PXED_OPTION_SIZE:
      return g_strdup_printf ("%" G_GUINT64_FORMAT "B..%" G_GUINT64_FORMAT "B", o->min, o->max);
    default:
      return g_strdup_printf ("%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT, o->min, o->max);
    }
}

static int
describe_plugin (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedLoader) loader = pxed_loader_new ();
  const PxedPluginInfo *info = pxed_loader_load (loader, plugin_dir_for_listing (), name, &error);

  if (info == NULL)
    {
      g_printerr ("pxed: %s\n", error->message);
      return 1;
    }
  g_print ("%s %s (%s plugin, ABI %u.%u, %s)\n%s\n%s\n\n", info->name, info->version,
           pxed_plugin_kind_to_string (info->kind), info->abi_major, info->abi_minor,
           info->license, info->summary, pxed_loader_get_path (loader, name));
  g_print ("%-26s %-9s %-22s %-24s %s\n", "OPTION", "TYPE", "DEFAULT", "RANGE", "DESCRIPTION");
  for (const PxedOptionSpec *o = info->options; o != NULL && o->key != NULL; o++)
    {
      g_autofree char *range = o->choices != NULL ? g_strdup (o->choices) : format_range (o);
      g_autofree char *flags = g_strdup_printf ("%s%s%s",
                                                (o->flags & PXED_OPTION_FLAG_REQUIRED) ? " [required]" : "",
                                                (o->flags & PXED_OPTION_FLAG_EXCLUSIVE) ? " [exclusive]" : "",
                                                (o->flags & PXED_OPTION_FLAG_DEPRECATED) ? " [deprecated]" : "");
      g_print ("%-26s %-9s %-22s %-24s %s%s\n", o->key, pxed_option_type_to_string (o->type),
               o->default_value != NULL ? o->default_value : "-", range,
               o->doc != NULL ? o->doc : "", flags);
    }
  return 0;
}

static int
render (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDaemon) daemon = pxed_daemon_new (opt_config_dir, opt_plugin_dir, opt_log_level);
  g_autoptr(PxedContent) content = NULL;
  g_autofree char *mac = NULL;
  PxedRequestInfo req = { .protocol = "render", .arch = opt_arch };
  PxedHost *host;
  GBytes *bytes;

  if (opt_mac != NULL)
    {
      mac = pxed_clients_normalize_mac (opt_mac);
      if (mac == NULL)
        {
          g_printerr ("pxed: '%s' is not a MAC address\n", opt_mac);
          return 2;
        }
    }
  req.mac = mac;
  req.ip = opt_ip;
  pxed_daemon_set_config_tiers (daemon, opt_vendor_config_dir, opt_runtime_config_dir);
  if (!pxed_daemon_load (daemon, FALSE, &error) || !pxed_daemon_start_generators (daemon, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  host = pxed_daemon_get_host (daemon);
  if (mac != NULL || opt_ip != NULL)
    {
      PxedClientFacts facts = { .mac = mac, .ip = opt_ip, .arch = opt_arch };
      pxed_clients_update (host, &facts);
    }
  content = pxed_content_open (host, NULL, path, &req, &error);
  if (content == NULL)
    {
      g_printerr ("pxed: %s: %s\n", path, error->message);
      return 1;
    }
  bytes = pxed_content_get_bytes (content);
  if (bytes != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      fwrite (data, 1, len, stdout);
    }
  return 0;
}

/* Classic background start: the parent exits once the child is ready. */
static int
daemonize (int *ready_fd)
{
  int pipefd[2];
  pid_t pid;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return -1;
  pid = fork ();
  if (pid < 0)
    return -1;
  if (pid > 0)
    {
      char status;
      close (pipefd[1]);
      _exit (read (pipefd[0], &status, 1) == 1 ? 0 : 1);
    }
  close (pipefd[0]);
  setsid ();
  {
    int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0)
      {
        dup2 (null, STDIN_FILENO);
        dup2 (null, STDOUT_FILENO);
        close (null);
      }
  }
  *ready_fd = pipefd[1];
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedDaemon) daemon = NULL;
  const char *render_path = NULL;
  int ready_fd = -1;

  setlocale (LC_ALL, "");
  pxed_log_init ();

  ctx = g_option_context_new ("[render PATH] - PXE boot server");
  g_option_context_set_summary (ctx,
                                "Serves DHCP, proxyDHCP, TFTP, FTP and HTTP from one process, with\n"
                                "boot menus and kickstart files generated per machine.\n\n"
                                "pxed render PATH [--mac M] [--ip A] [--arch N] prints the file a\n"
                                "machine would receive.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("pxed: %s\n", error->message);
      return 2;
    }
  /* The lower tiers are read by default only with the default config dir,
   * so that --config DIR alone reads DIR and nothing else. */
  if (opt_config_dir == NULL)
    {
      opt_config_dir = g_strdup (PXED_CONFDIR);
      if (opt_vendor_config_dir == NULL)
        opt_vendor_config_dir = g_strdup (PXED_VENDORCONFDIR);
      if (opt_runtime_config_dir == NULL)
        opt_runtime_config_dir = g_strdup (PXED_RUNTIMECONFDIR);
    }
  if (opt_log_level != NULL && !pxed_log_set_level (opt_log_level))
    {
      g_printerr ("pxed: --log-level: '%s' is not error, warning, message, info or debug\n",
                  opt_log_level);
      return 2;
    }
  if (argc >= 2 && g_str_equal (argv[1], "render"))
    {
      if (argc != 3)
        {
          g_printerr ("pxed: usage: pxed render PATH [--mac M] [--ip A] [--arch N]\n");
          return 2;
        }
      render_path = argv[2];
    }
  else if (argc > 1)
    {
      g_printerr ("pxed: unexpected argument '%s'\n", argv[1]);
      return 2;
    }

  if (opt_version)
    {
      g_print ("pxed %s (plugin ABI %u.%u)\n", PXED_VERSION, PXED_PLUGIN_ABI_MAJOR, PXED_PLUGIN_ABI_MINOR);
      return 0;
    }
  if (opt_list_plugins)
    return list_plugins ();
  if (opt_describe != NULL)
    return describe_plugin (opt_describe);
  if (render_path != NULL)
    return render (render_path);

  daemon = pxed_daemon_new (opt_config_dir, opt_plugin_dir, opt_log_level);
  pxed_daemon_set_config_tiers (daemon, opt_vendor_config_dir, opt_runtime_config_dir);
  if (!pxed_daemon_load (daemon, opt_check_config, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (opt_check_config)
    {
      g_print ("configuration OK\n");
      return 0;
    }
  if (!opt_foreground && daemonize (&ready_fd) < 0)
    {
      g_printerr ("pxed: cannot go to the background: %s\n", g_strerror (errno));
      return 1;
    }
  return pxed_daemon_run (daemon, ready_fd);
}
