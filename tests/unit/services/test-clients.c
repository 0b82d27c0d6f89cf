/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pxed-host-private.h"
#include "pxed-log-private.h"
#include "pxed-loader-private.h"

static void
test_clients_normalize_mac (void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "52:54:00:AB:cd:01", "52:54:00:ab:cd:01" },
    { "52-54-00-ab-cd-01", "52:54:00:ab:cd:01" },
    { "5254.00ab.cd01", "52:54:00:ab:cd:01" },
    { "525400abcd01", "52:54:00:ab:cd:01" },
    { "52:54:00:ab:cd", NULL },
    { "52:54:00:ab:cd:01:02", NULL },
    { "52:54:00:ab:cd:0g", NULL },
    { "5:54:00:ab:cd:01", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = pxed_clients_normalize_mac (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static guint events;
static char *last_stage;

static void
on_event (const PxedClientFacts *facts, gpointer user_data)
{
  events++;
  g_free (last_stage);
  last_stage = g_strdup (facts->stage);
}

static void
test_clients_update_lookup (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  PxedClientFacts dhcp = { .mac = "52:54:00:AB:CD:01", .ip = "198.51.100.10", .arch = 7,
                           .vendor_class = "PXEClient:Arch:00007:UNDI:003010", .stage = "dhcp-ack" };
  PxedClientFacts tftp = { .ip = "198.51.100.10", .arch = -1, .stage = "tftp:grubx64.efi",
                           .last_file = "grubx64.efi" };
  g_autoptr(PxedClientFacts) by_ip = NULL;
  g_autoptr(PxedClientFacts) by_mac = NULL;
  guint id = pxed_clients_connect (host, on_event, NULL);

  pxed_clients_update (host, &dhcp);
  /* Events come from the main loop, after the reporter returned. */
  g_assert_cmpuint (events, ==, 0);
  pxed_clients_update (host, &tftp);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (events, ==, 2);
  g_assert_cmpstr (last_stage, ==, "tftp:grubx64.efi");

  by_ip = pxed_clients_lookup_ip (host, "198.51.100.10");
  g_assert_nonnull (by_ip);
  g_assert_cmpstr (by_ip->mac, ==, "52:54:00:ab:cd:01");
  g_assert_cmpint (by_ip->arch, ==, 7);
  g_assert_cmpstr (by_ip->last_file, ==, "grubx64.efi");
  by_mac = pxed_clients_lookup_mac (host, "52-54-00-ab-cd-01");
  g_assert_nonnull (by_mac);
  g_assert_cmpstr (by_mac->vendor_class, ==, "PXEClient:Arch:00007:UNDI:003010");
  g_assert_null (pxed_clients_lookup_ip (host, "198.51.100.11"));
  g_assert_null (pxed_clients_lookup_mac (host, "nonsense"));
  pxed_clients_disconnect (host, id);
  g_clear_pointer (&last_stage, g_free);
}

/* A machine seen first by IP (TFTP) is merged when DHCP reports its MAC. */
static void
test_clients_merge_ip_first (void)
{
  g_autoptr(PxedHost) host = pxed_host_new (NULL);
  PxedClientFacts tftp = { .ip = "198.51.100.20", .arch = -1, .last_file = "pxelinux.0" };
  PxedClientFacts dhcp = { .mac = "52:54:00:00:00:20", .ip = "198.51.100.20", .arch = 0 };
  PxedClientFacts moved = { .mac = "52:54:00:00:00:20", .ip = "198.51.100.21", .arch = -1 };
  g_autoptr(PxedClientFacts) f = NULL;
  g_autoptr(PxedClientFacts) old = NULL;

  pxed_clients_update (host, &tftp);
  pxed_clients_update (host, &dhcp);
  f = pxed_clients_lookup_mac (host, "52:54:00:00:00:20");
  g_assert_cmpstr (f->last_file, ==, "pxelinux.0");
  g_assert_cmpint (f->arch, ==, 0);
  /* A new address moves the IP index. */
  pxed_clients_update (host, &moved);
  old = pxed_clients_lookup_ip (host, "198.51.100.20");
  g_assert_null (old);
  g_clear_pointer (&f, pxed_client_facts_free);
  f = pxed_clients_lookup_ip (host, "198.51.100.21");
  g_assert_cmpstr (f->mac, ==, "52:54:00:00:00:20");
}

static void
test_log_sanitize (void)
{
  g_autofree char *a = pxed_log_sanitize ("ok\x01\n\\z", 6, 100);
  g_autofree char *b = pxed_log_sanitize ("abcdefgh", 8, 4);

  g_assert_cmpstr (a, ==, "ok\\x01\\x0a\\x5cz");
  g_assert_cmpstr (b, ==, "abcd...");
}

static void
test_log_format (void)
{
  g_autofree char *line = pxed_log_format_line (G_LOG_LEVEL_INFO, "pxed-tftp", "10-tftp",
                                                "198.51.100.10", "sent pxelinux.0");
  g_assert_true (g_regex_match_simple ("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d info    "
                                       "pxed-tftp\\[10-tftp\\]: 198\\.51\\.100\\.10: sent pxelinux\\.0$",
                                       line, 0, 0));
  g_clear_pointer (&line, g_free);
  /* what a client sent cannot start a new line or garble the output */
  line = pxed_log_format_line (G_LOG_LEVEL_INFO, "pxed-http-repo", NULL, NULL,
                               "\"\xc0\xae/x\": no\r\nfake line\x7f, caf\xc3\xa9\tok");
  g_assert_true (g_str_has_suffix (line, "pxed-http-repo: \"\\xc0\\xae/x\": no\\x0d\\x0afake "
                                         "line\\x7f, caf\xc3\xa9\tok"));
  g_assert_true (pxed_log_set_level ("debug"));
  g_assert_true (pxed_log_set_level ("message"));
  g_assert_false (pxed_log_set_level ("verbose"));
}

static void
test_loader_names (void)
{
  g_autofree char *a = pxed_loader_name_from_path ("/usr/lib/pxed/plugins/pxed-http-repo.so");
  g_autofree char *b = pxed_loader_name_from_path ("/x/libpxed-tftp.so");
  g_autofree char *c = pxed_loader_name_from_path ("/x/pxed-.so");

  g_assert_cmpstr (a, ==, "http-repo");
  g_assert_null (b);
  g_assert_null (c);
}

static PxedPlugin *fake_create (PxedHost *h, const PxedSection *s, GError **e) { return NULL; }
static gboolean fake_start (PxedPlugin *p, GError **e) { return TRUE; }
static void fake_stop (PxedPlugin *p, PxedDoneFunc done, gpointer data) { done (data); }
static void fake_destroy (PxedPlugin *p) { }

static void
test_loader_check_info (void)
{
  PxedPluginInfo info = { PXED_PLUGIN_INFO_INIT, .name = "x", .kind = PXED_PLUGIN_KIND_GENERATOR,
                          .summary = "s", .version = "1", .license = "MIT",
                          .create = fake_create, .start = fake_start, .stop = fake_stop,
                          .destroy = fake_destroy };
  g_autoptr(GError) error = NULL;

  g_assert_true (pxed_loader_check_info (&info, "x", "/p/pxed-x.so", &error));
  info.info_size = 16;
  g_assert_false (pxed_loader_check_info (&info, "x", "/p/pxed-x.so", &error));
  g_assert_error (error, PXED_PLUGIN_ERROR, PXED_PLUGIN_ERROR_DESCRIPTOR);
  g_clear_error (&error);
  info.info_size = sizeof info;
  info.destroy = NULL;
  g_assert_false (pxed_loader_check_info (&info, "x", "/p/pxed-x.so", &error));
  g_assert_cmpstr (error->message, ==, "plugin /p/pxed-x.so: descriptor lacks the required field 'destroy'");
  g_clear_error (&error);
  info.destroy = fake_destroy;
  info.kind = 7;
  g_assert_false (pxed_loader_check_info (&info, "x", "/p/pxed-x.so", &error));
  g_assert_cmpstr (error->message, ==, "plugin /p/pxed-x.so: unknown plugin kind 7");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clients/normalize-mac", test_clients_normalize_mac);
  g_test_add_func ("/clients/update-lookup", test_clients_update_lookup);
  g_test_add_func ("/clients/merge-ip-first", test_clients_merge_ip_first);
  g_test_add_func ("/log/sanitize", test_log_sanitize);
  g_test_add_func ("/log/format", test_log_format);
  g_test_add_func ("/loader/names", test_loader_names);
  g_test_add_func ("/loader/check-info", test_loader_check_info);
  return g_test_run ();
}
