/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server against a real host (content, clients, net services) on
 * loopback: generated content (no validators, no caching, per-client
 * rendering), client facts, and a main loop that keeps running while the
 * worker thread serves. The client runs in its own thread. */
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http-repo-request.h"
#include "http-repo-server.h"
#include "pxed-host-private.h"

typedef struct {
  guint16   port;
  GString  *log;     /* what the client saw, checked by the main thread */
  gboolean  done;
  GMainContext *context;
} Client;

static GBytes *
render_ks (const char *path, const PxedRequestInfo *request, gpointer user_data, GError **error)
{
  guint *n_renders = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  (*n_renders)++;
  char *text = g_strdup_printf ("# kickstart %s for %s\n", path, request->ip);

  return g_bytes_new_take (text, strlen (text));
}

/* One request on a fresh connection; returns the whole answer. */
static char *
client_request (guint16 port, const char *request)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port) };
  GString *answer = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (write (fd, request, strlen (request)), ==, (ssize_t) strlen (request));
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (answer, buf, n);
  close (fd);
  return g_string_free (answer, FALSE);
}

static gpointer
client_thread (gpointer data)
{
  Client *c = data;
  g_autofree char *a = client_request (
    c->port, "GET /ks/host.cfg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  g_autofree char *b = client_request (
    c->port, "GET /ks/host.cfg HTTP/1.1\r\nHost: x\r\nRange: bytes=-5\r\n"
             "If-None-Match: *\r\nConnection: close\r\n\r\n");
  g_autofree char *d = client_request (
    c->port, "GET /file.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

  g_string_append_printf (c->log, "%s\n=====\n%s\n=====\n%s", a, b, d);
  g_atomic_int_set (&c->done, TRUE);
  g_main_context_wakeup (c->context);
  return NULL;
}

static guint16
pick_port (void)
{
  struct sockaddr_in sin = { .sin_family = AF_INET };
  socklen_t len = sizeof sin;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint16 port;

  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &sin, &len), ==, 0);
  port = ntohs (sin.sin_port);
  close (fd);
  return port;
}

static void
test_generated (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pxed-http-test-XXXXXX", &error);
  g_autofree char *file = NULL;
  g_autofree char *listen = NULL;
  g_autoptr(PxedHost) host = pxed_host_new (g_main_context_default ());
  g_autoptr(PxedClientFacts) facts = NULL;
  HttpRepoServer *server;
  GThread *thread;
  guint n_renders = 0;
  Client c = { .log = g_string_new (NULL), .context = g_main_context_default () };
  HttpRepoConfig cfg = {
    .instance = g_strdup ("test"),
    .max_sessions = 10,
    .max_sessions_per_client = 10,
    .max_header_size = 8192,
    .max_headers = 64,
    .header_timeout_s = 5,
    .keepalive_timeout_s = 5,
    .threads = 1,
    .access_log = TRUE,
  };
  char **parts;
  gint64 deadline;

  g_assert_no_error (error);
  file = g_build_filename (dir, "file.txt", NULL);
  g_assert_true (g_file_set_contents (file, "plain file\n", -1, NULL));
  c.port = pick_port ();
  listen = g_strdup_printf ("127.0.0.1:%u", c.port);
  cfg.listen = g_new0 (char *, 2);
  cfg.listen[0] = g_strdup (listen);
  cfg.root = g_strdup (dir);

  pxed_content_add_provider (host, "ks/*.cfg", render_ks, &n_renders, NULL);
  server = http_repo_server_new (host, &cfg);
  g_assert_true (http_repo_server_start (server, &error));
  g_assert_no_error (error);

  thread = g_thread_new ("client", client_thread, &c);
  while (!g_atomic_int_get (&c.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  parts = g_strsplit (c.log->str, "\n=====\n", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  /* generated: 200, exact length, never cached, no validators */
  g_assert_true (g_str_has_prefix (parts[0], "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (parts[0], "Cache-Control: no-store\r\n"));
  g_assert_nonnull (strstr (parts[0], "Content-Length: 38\r\n"));
  g_assert_null (strstr (parts[0], "ETag:"));
  g_assert_null (strstr (parts[0], "Last-Modified:"));
  g_assert_true (g_str_has_suffix (parts[0], "\r\n\r\n# kickstart ks/host.cfg for 127.0.0.1\n"));
  /* a range of generated content; If-None-Match never gives 304 */
  g_assert_true (g_str_has_prefix (parts[1], "HTTP/1.1 206 Partial Content\r\n"));
  g_assert_nonnull (strstr (parts[1], "Content-Range: bytes 33-37/38\r\n"));
  g_assert_true (g_str_has_suffix (parts[1], "\r\n\r\n.0.1\n"));
  /* a file from the root has validators */
  g_assert_true (g_str_has_prefix (parts[2], "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (parts[2], "ETag: \""));
  g_assert_true (g_str_has_suffix (parts[2], "\r\n\r\nplain file\n"));
  g_strfreev (parts);
  g_assert_cmpuint (n_renders, ==, 2);

  /* the clients service learned the boot stage (the last request); files
   * served by the worker post it to the main thread without waiting, so
   * it arrives a moment later */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_clear_pointer (&facts, pxed_client_facts_free);
      facts = pxed_clients_lookup_ip (host, "127.0.0.1");
      if ((facts != NULL && g_strcmp0 (facts->stage, "http:file.txt") == 0)
          || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_nonnull (facts);
  g_assert_cmpstr (facts->stage, ==, "http:file.txt");
  g_assert_cmpstr (facts->last_file, ==, "file.txt");

  http_repo_server_free (server);
  g_string_free (c.log, TRUE);
  g_unlink (file);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http-repo/server/generated", test_generated);
  return g_test_run ();
}
