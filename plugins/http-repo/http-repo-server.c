/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HTTP server of one http-repo instance.
 *
 * Threads: every listening socket gets a libmicrohttpd daemon with its own
 * epoll polling thread (or pool), which parses requests and sends bodies with
 * sendfile. In the MHD thread: method, header limits, percent-decoding (once)
 * and path normalisation; then
 *   - the fast path, for every path no generator claims
 *     (pxed_content_has_provider): the file is opened beneath the root
 *     (pxed_content_open_file) or the directory listed (pxed_content_list_dir),
 *     both thread-safe, and answered at once. The client facts (boot stage)
 *     are queued for the main thread without waiting for it;
 *   - the hop, for generated content (the content service renders on the
 *     main thread) and for an instance without a root: the connection is
 *     suspended and queued; the main thread (one GSource, woken with
 *     g_source_set_ready_time, drains the whole queue at once) calls
 *     pxed_content_open and pxed_clients_update, references the generated
 *     bytes (immutable GBytes) and resumes the connection.
 * Then, in the MHD thread: conditional requests, Range, headers, the
 * response. A file's descriptor is dup'ed (libmicrohttpd closes its copy).
 * Shared between the threads: the hop queue, the queued client facts, the
 * MAC cache and the connection counters, all under self->lock. */
#include "http-repo-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <string.h>
#include <unistd.h>

#include "http-repo-request.h"

typedef enum {
  REQUEST_NEW,
  REQUEST_WAITING, /* suspended, queued for the main thread */
  REQUEST_READY,   /* resumed with the main thread's answer */
  REQUEST_ANSWERED,
} RequestState;

typedef struct {
  HttpRepoServer        *server;
  struct MHD_Connection *connection;
  RequestState           state;
  gboolean               headers_seen;
  gint64                 start_us;
  char                  *target; /* raw request target, as received */
  const char            *target_end; /* where it ends in libmicrohttpd's buffer */
  char                   method[8];
  char                   ip[INET6_ADDRSTRLEN];
  char                  *mac; /* from the clients service, when it knows the IP */
  gboolean               head;
  gboolean               trailing_slash;
  char                  *path; /* normalised */

  /* the main thread's answer */
  guint    error_status; /* 0: found */
  gboolean is_dir;
  int      fd;           /* our own dup of the content's descriptor */
  guint64  size;
  gint64   mtime;
  gboolean generated;
  GBytes  *bytes;        /* generated content or a directory listing */

  /* what went out, for the access log */
  guint   status;
  guint64 body_bytes;
} HttpRepoRequest;

/* A fetch over HTTP, to become a boot stage on the main thread. */
typedef struct {
  char  ip[INET6_ADDRSTRLEN];
  char *path;
} HttpRepoFacts;

static void
facts_free (HttpRepoFacts *f)
{
  g_free (f->path);
  g_free (f);
}

/* At most this many fetches wait for the main thread; more are dropped
 * (the main thread is stuck, the boot stages are only informative). */
#define FACTS_MAX 4096
/* At most this many client addresses in the MAC cache of the access log. */
#define MACS_MAX 4096
/* Client facts are handed to the main thread this long after the first one
 * queued: one wake-up per batch, not one per request (both threads may share
 * a CPU, and every wake-up of the main thread is a context switch). */
#define FACTS_DELAY_US (20 * 1000)
/* Files up to this size are read into memory (one pread on the shared
 * descriptor) and sent with the headers in one sendmsg; bigger ones go out
 * with sendfile from a dup of the descriptor. */
#define SMALL_FILE_MAX (16 * 1024)
/* Files served recently stay referenced this long (at most RECENT_MAX of
 * them), so that the next request for one finds the content service's
 * shared descriptor still open: a lookup (O_PATH open and fstat, which still
 * sees every change) instead of a second open, fstat and close. */
#define RECENT_TTL_US (2 * G_USEC_PER_SEC)
#define RECENT_MAX 64

typedef struct {
  PxedContent *content;
  gint64       used_us;
} RecentFile;

static void
recent_file_free (RecentFile *r)
{
  pxed_content_unref (r->content);
  g_free (r);
}

/* Open connections from one client address. */
typedef struct {
  char  ip[INET6_ADDRSTRLEN];
  guint count;
} ClientCount;

struct _HttpRepoServer {
  PxedHost        *host;
  HttpRepoConfig   cfg;
  PxedContentRoot *root;
  GPtrArray       *listeners; /* PxedTcpListener */
  GPtrArray       *daemons;   /* struct MHD_Daemon */
  gboolean         quiesced;
  GSource         *dispatch;

  GMutex      lock; /* everything below */
  GQueue      queue;
  gboolean    stopping;
  GPtrArray  *facts;      /* HttpRepoFacts*, in arrival order */
  GHashTable *facts_last; /* ip -> its latest HttpRepoFacts in facts */
  guint       n_facts_dropped;
  GHashTable *macs;       /* ip -> MAC, what the clients service knew */
  GHashTable *recent;     /* path -> RecentFile */
  GHashTable *per_client; /* ip -> ClientCount */
  guint       n_connections;
  guint       n_active;   /* requests between their first line and their end */
  gint64      reject_log_us;
  guint       n_rejected;
};

void
http_repo_config_clear (HttpRepoConfig *cfg)
{
  g_clear_pointer (&cfg->instance, g_free);
  g_clear_pointer (&cfg->listen, g_strfreev);
  g_clear_pointer (&cfg->root, g_free);
}

/* ---- Helpers ------------------------------------------------------------------- */

static void
address_to_ip (const struct sockaddr *addr, char out[INET6_ADDRSTRLEN])
{
  out[0] = '\0';
  if (addr == NULL)
    return;
  if (addr->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) addr)->sin_addr, out, INET6_ADDRSTRLEN);
  else if (addr->sa_family == AF_INET6)
    {
      const struct in6_addr *a6 = &((const struct sockaddr_in6 *) addr)->sin6_addr;

      /* a dual-stack socket: report IPv4 clients as IPv4 */
      if (IN6_IS_ADDR_V4MAPPED (a6))
        inet_ntop (AF_INET, &a6->s6_addr[12], out, INET6_ADDRSTRLEN);
      else
        inet_ntop (AF_INET6, a6, out, INET6_ADDRSTRLEN);
    }
}

static const char *
status_text (guint status)
{
  switch (status)
    {
    case 400: return "400 Bad Request\n";
    case 403: return "403 Forbidden\n";
    case 404: return "404 Not Found\n";
    case 405: return "405 Method Not Allowed\n";
    case 412: return "412 Precondition Failed\n";
    case 413: return "413 Content Too Large\n";
    case 414: return "414 URI Too Long\n";
    case 416: return "416 Range Not Satisfiable\n";
    case 431: return "431 Request Header Fields Too Large\n";
    case 503: return "503 Service Unavailable\n";
    default: return "500 Internal Server Error\n";
    }
}

static guint
content_error_status (const GError *error)
{
  if (g_error_matches (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_TOO_LARGE))
    return 414; /* only paths can be too large here */
  return pxed_content_error_to_http (error);
}

/* ---- Requests ------------------------------------------------------------------ */

static HttpRepoRequest *
request_new (HttpRepoServer *self, struct MHD_Connection *connection, const char *target)
{
  HttpRepoRequest *req = g_new0 (HttpRepoRequest, 1);
  const union MHD_ConnectionInfo *info;

  req->server = self;
  req->connection = connection;
  req->start_us = g_get_monotonic_time ();
  req->target = g_strdup (target != NULL ? target : "");
  req->fd = -1;
  g_mutex_lock (&self->lock);
  self->n_active++;
  g_mutex_unlock (&self->lock);
  info = MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info != NULL)
    address_to_ip (info->client_addr, req->ip);
  return req;
}

static void
request_free (HttpRepoRequest *req)
{
  g_mutex_lock (&req->server->lock);
  req->server->n_active--;
  g_mutex_unlock (&req->server->lock);
  if (req->fd >= 0)
    close (req->fd);
  g_clear_pointer (&req->bytes, g_bytes_unref);
  g_free (req->path);
  g_free (req->mac);
  g_free (req->target);
  g_free (req);
}

static enum MHD_Result
request_queue (HttpRepoRequest *req, guint status, struct MHD_Response *response)
{
  enum MHD_Result ret;

  req->status = status;
  req->state = REQUEST_ANSWERED;
  ret = MHD_queue_response (req->connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

static enum MHD_Result
request_respond_status (HttpRepoRequest *req, guint status)
{
  const char *text = status_text (status);
  struct MHD_Response *response =
    MHD_create_response_from_buffer (strlen (text), (void *) text, MHD_RESPMEM_PERSISTENT);

  if (response == NULL)
    return MHD_NO;
  MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
  if (status == 405)
    MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW, HTTP_REPO_ALLOW);
  req->body_bytes = req->head ? 0 : strlen (text);
  return request_queue (req, status, response);
}

static void
unref_bytes (void *data)
{
  g_bytes_unref (data);
}

static struct MHD_Response *
response_from_bytes (GBytes *bytes, guint64 offset, guint64 length)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  if (offset > size || length > size - offset)
    return NULL;
  return MHD_create_response_from_buffer_with_free_callback_cls (
    (size_t) length, (void *) (data + offset), unref_bytes, g_bytes_ref (bytes));
}

static enum MHD_Result
request_respond_directory (HttpRepoRequest *req)
{
  struct MHD_Response *response;

  if (!req->trailing_slash)
    {
      g_autofree char *encoded = http_repo_encode_path (req->path);
      g_autofree char *location = g_strconcat ("/", encoded, *encoded != '\0' ? "/" : "", NULL);

      response = MHD_create_response_from_buffer (0, NULL, MHD_RESPMEM_PERSISTENT);
      if (response == NULL)
        return MHD_NO;
      MHD_add_response_header (response, MHD_HTTP_HEADER_LOCATION, location);
      return request_queue (req, 301, response);
    }
  if (req->bytes == NULL)
    return request_respond_status (req, 403);
  response = response_from_bytes (req->bytes, 0, g_bytes_get_size (req->bytes));
  if (response == NULL)
    return MHD_NO;
  MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
  MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  req->body_bytes = req->head ? 0 : g_bytes_get_size (req->bytes);
  return request_queue (req, 200, response);
}

static enum MHD_Result
request_respond (HttpRepoRequest *req)
{
  struct MHD_Connection *c = req->connection;
  char etag[HTTP_REPO_ETAG_LEN] = "";
  char date[HTTP_REPO_DATE_LEN];
  HttpRepoResource res = { .size = req->size, .mtime = req->mtime, .generated = req->generated };
  HttpRepoConditions cond = {
    .head = req->head,
    .range = MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE),
    .if_range = MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE),
    .if_match = MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH),
    .if_none_match =
      MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
    .if_modified_since =
      MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
    .if_unmodified_since =
      MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_UNMODIFIED_SINCE),
  };
  HttpRepoPlan plan;
  struct MHD_Response *response;

  if (req->error_status != 0)
    return request_respond_status (req, req->error_status);
  if (req->is_dir)
    return request_respond_directory (req);

  if (!req->generated)
    {
      http_repo_format_etag (req->size, req->mtime, etag);
      res.etag = etag;
    }
  http_repo_plan_response (&cond, &res, &plan);

  if (plan.status == 412)
    return request_respond_status (req, 412);
  if (plan.status == 304 && req->fd >= 0 && req->size > 0)
    {
      /* libmicrohttpd sends no body with a 304 but a Content-Length of the
       * response's size, which must be what a 200 would say (RFC 9110 8.6) */
      response = MHD_create_response_from_fd_at_offset64 (req->size, req->fd, 0);
      if (response != NULL)
        req->fd = -1;
    }
  else if (plan.status == 304 && req->bytes != NULL && req->size > 0)
    response = response_from_bytes (req->bytes, 0, req->size);
  else if (plan.length == 0 || plan.status == 304 || plan.status == 416)
    {
      /* no body: a 416, or an empty file */
      response = MHD_create_response_from_buffer (0, NULL, MHD_RESPMEM_PERSISTENT);
    }
  else if (req->bytes != NULL)
    response = response_from_bytes (req->bytes, plan.offset, plan.length);
  else
    {
      response = MHD_create_response_from_fd_at_offset64 (plan.length, req->fd, plan.offset);
      if (response != NULL)
        req->fd = -1; /* the response closes it */
    }
  if (response == NULL)
    return MHD_NO;

  if (plan.status != 304)
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             http_repo_content_type (req->path));
  if (req->generated)
    {
      /* rendered for this client: never to be served to another one */
      MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
  else
    {
      http_repo_format_date (req->mtime, date);
      MHD_add_response_header (response, MHD_HTTP_HEADER_LAST_MODIFIED, date);
      MHD_add_response_header (response, MHD_HTTP_HEADER_ETAG, etag);
    }
  if (plan.status != 304)
    MHD_add_response_header (response, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  if (plan.status == 206)
    {
      char range[80];

      g_snprintf (range, sizeof range,
                  "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                  plan.offset, plan.offset + plan.length - 1, req->size);
      MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_RANGE, range);
    }
  else if (plan.status == 416)
    {
      char range[40];

      g_snprintf (range, sizeof range, "bytes */%" G_GUINT64_FORMAT, req->size);
      MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_RANGE, range);
    }
  req->body_bytes = req->head ? 0 : plan.length;
  return request_queue (req, plan.status, response);
}

static enum MHD_Result request_serve_root (HttpRepoRequest *req);

/* Step 1, in the MHD thread. */
static enum MHD_Result
request_begin (HttpRepoRequest *req, const char *method, const char *version)
{
  HttpRepoServer *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = NULL;
  gboolean stopping;
  int n_headers;

  g_strlcpy (req->method, method, sizeof req->method);
  if (strcmp (method, MHD_HTTP_METHOD_HEAD) == 0)
    req->head = TRUE;
  else if (strcmp (method, MHD_HTTP_METHOD_GET) != 0)
    return request_respond_status (req, 405);

  /* libmicrohttpd hands the target over as a C string: a NUL byte inside it
   * would silently cut it. The version follows the target's end directly
   * unless something (a NUL, extra spaces) sits between them. */
  if (req->target_end != NULL && version != NULL && version != req->target_end + 1)
    {
      g_info ("%s: malformed request line", req->ip);
      return request_respond_status (req, 400);
    }

  n_headers = MHD_get_connection_values (req->connection, MHD_HEADER_KIND, NULL, NULL);
  if (n_headers < 0 || (guint) n_headers > self->cfg.max_headers)
    return request_respond_status (req, 431);

  decoded = http_repo_decode_target (req->target, strlen (req->target), &req->trailing_slash,
                                     &error);
  if (decoded == NULL)
    {
      g_info ("%s: %s", req->ip, error->message);
      return request_respond_status (
        req, g_error_matches (error, HTTP_REPO_ERROR, HTTP_REPO_ERROR_URI_TOO_LONG) ? 414 : 400);
    }
  req->path = pxed_content_normalize_path (decoded, strlen (decoded), &error);
  if (req->path == NULL)
    {
      g_autofree char *shown = pxed_log_sanitize (decoded, strlen (decoded), 128);

      g_info ("%s: refused path \"%s\": %s", req->ip, shown, error->message);
      if (strlen (decoded) > PXED_CONTENT_PATH_MAX)
        return request_respond_status (req, 414);
      return request_respond_status (req, content_error_status (error));
    }

  /* files and directories beneath the root never need the main thread */
  if (self->root != NULL && !pxed_content_has_provider (self->host, req->path))
    return request_serve_root (req);

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  if (!stopping)
    {
      req->state = REQUEST_WAITING;
      MHD_suspend_connection (req->connection);
      g_queue_push_tail (&self->queue, req);
      /* under the lock: the source is destroyed only after stopping is set */
      g_source_set_ready_time (self->dispatch, 0);
    }
  g_mutex_unlock (&self->lock);
  if (stopping)
    return request_respond_status (req, 503);
  return MHD_YES;
}

/* The MAC last known for @req's address, for the access log. */
static void
request_lookup_mac (HttpRepoRequest *req)
{
  HttpRepoServer *self = req->server;
  const char *mac;

  g_mutex_lock (&self->lock);
  mac = g_hash_table_lookup (self->macs, req->ip);
  if (mac != NULL)
    req->mac = g_strdup (mac);
  g_mutex_unlock (&self->lock);
}

/* Main thread: what the clients service knows about @ip (NULL: nothing),
 * remembered for the MHD threads' access log. */
static PxedClientFacts *
server_lookup_client (HttpRepoServer *self, const char *ip)
{
  PxedClientFacts *known = pxed_clients_lookup_ip (self->host, ip);

  g_mutex_lock (&self->lock);
  if (known != NULL && known->mac != NULL)
    {
      const char *old = g_hash_table_lookup (self->macs, ip);

      if (g_strcmp0 (old, known->mac) != 0)
        {
          if (old == NULL && g_hash_table_size (self->macs) >= MACS_MAX)
            g_hash_table_remove_all (self->macs);
          g_hash_table_insert (self->macs, g_strdup (ip), g_strdup (known->mac));
        }
    }
  else
    g_hash_table_remove (self->macs, ip);
  g_mutex_unlock (&self->lock);
  return known;
}

/* Main thread: a fetch of @path by @ip is a boot stage of that machine. */
static void
server_update_client (HttpRepoServer *self, const char *ip, const char *path)
{
  g_autofree char *stage = g_strconcat ("http:", path, NULL);
  PxedClientFacts facts = {
    .ip = (char *) ip, .arch = -1, .stage = stage, .last_file = (char *) path,
  };

  pxed_clients_update (self->host, &facts);
}

/* MHD thread: queues the boot stage of a fetch for the main thread, without
 * waiting. A repeat of the fetch already waiting last for the same address
 * (keep-alive clients asking for one file again and again) is not queued
 * twice. */
static void
request_post_facts (HttpRepoRequest *req)
{
  HttpRepoServer *self = req->server;
  HttpRepoFacts *last, *f;
  gboolean wake;

  if (req->ip[0] == '\0')
    return;
  g_mutex_lock (&self->lock);
  last = g_hash_table_lookup (self->facts_last, req->ip);
  if (self->stopping || (last != NULL && strcmp (last->path, req->path) == 0))
    {
      /* going away, or the same fetch is already waiting */
    }
  else if (self->facts->len >= FACTS_MAX)
    self->n_facts_dropped++;
  else
    {
      f = g_new (HttpRepoFacts, 1);
      memcpy (f->ip, req->ip, sizeof f->ip);
      f->path = g_strdup (req->path);
      /* a queued hop has already asked for an immediate wake-up */
      wake = self->facts->len == 0 && g_queue_is_empty (&self->queue);
      g_ptr_array_add (self->facts, f);
      g_hash_table_insert (self->facts_last, f->ip, f);
      /* under the lock: the source is destroyed only after stopping is set */
      if (wake)
        g_source_set_ready_time (self->dispatch, g_get_monotonic_time () + FACTS_DELAY_US);
    }
  g_mutex_unlock (&self->lock);
}

/* Any thread: the answer to @req from the outcome of opening its path
 * (@content, or @error). Returns TRUE when content was found (the fetch is
 * a boot stage). Directory listings are read here (thread-safe, beneath the
 * root only). */
static gboolean
request_set_result (HttpRepoRequest *req, PxedContent *content, const GError *error)
{
  HttpRepoServer *self = req->server;

  if (content == NULL &&
      g_error_matches (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY) &&
      self->root != NULL)
    {
      req->is_dir = TRUE;
      if (req->trailing_slash && self->cfg.directory_listing)
        {
          g_autoptr(GError) list_error = NULL;
          g_autoptr(GPtrArray) entries = pxed_content_list_dir (self->root, req->path, &list_error);

          if (entries != NULL)
            req->bytes = http_repo_render_listing (req->path, entries);
          else
            {
              g_info ("%s: listing \"%s\": %s", req->ip, req->path, list_error->message);
              req->error_status = content_error_status (list_error);
            }
        }
      return FALSE;
    }
  if (content == NULL)
    {
      g_autofree char *shown = pxed_log_sanitize (req->path, strlen (req->path), 128);

      g_info ("%s: \"%s\": %s", req->ip, shown, error != NULL ? error->message : "not found");
      req->error_status = error != NULL ? content_error_status (error) : 500;
      if (req->error_status == 400 && g_error_matches (error, PXED_CONTENT_ERROR,
                                                       PXED_CONTENT_ERROR_IS_DIRECTORY))
        req->error_status = 404;
      return FALSE;
    }

  req->size = pxed_content_get_size (content);
  req->mtime = pxed_content_get_mtime (content);
  req->generated = pxed_content_is_generated (content);
  if (pxed_content_get_bytes (content) != NULL)
    req->bytes = g_bytes_ref (pxed_content_get_bytes (content));
  if (req->bytes == NULL && req->size <= SMALL_FILE_MAX)
    {
      char *data = g_malloc (MAX (req->size, 1));
      gssize n = pxed_content_pread (content, data, req->size, 0);

      if (n == (gssize) req->size)
        req->bytes = g_bytes_new_take (data, req->size);
      else
        g_free (data); /* changed meanwhile: sendfile says what is there */
    }
  if (req->bytes == NULL)
    {
      req->fd = fcntl (pxed_content_get_fd (content), F_DUPFD_CLOEXEC, 3);
      if (req->fd < 0)
        {
          g_warning ("dup of \"%s\": %s", req->path, g_strerror (errno));
          req->error_status = 503;
          return FALSE;
        }
    }
  return TRUE;
}

/* MHD thread: keeps @content referenced for a while (see RECENT_TTL_US). */
static void
server_remember (HttpRepoServer *self, PxedContent *content)
{
  const char *path = pxed_content_get_path (content);
  RecentFile *r, *old = NULL;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  r = g_hash_table_lookup (self->recent, path);
  if (r != NULL && r->content == content)
    r->used_us = now;
  else if (!self->stopping && (r != NULL || g_hash_table_size (self->recent) < RECENT_MAX))
    {
      if (r != NULL)
        g_hash_table_steal (self->recent, path);
      old = r;
      r = g_new (RecentFile, 1);
      r->content = pxed_content_ref (content);
      r->used_us = now;
      g_hash_table_insert (self->recent, (gpointer) pxed_content_get_path (content), r);
    }
  g_mutex_unlock (&self->lock);
  if (old != NULL)
    recent_file_free (old); /* outside the lock: takes the content service's */
}

/* Main thread: drops the files not served for RECENT_TTL_US; returns when
 * the next one expires (-1: none left). Called with self->lock held. */
static gint64
server_expire_recent (HttpRepoServer *self, GPtrArray *expired)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = -1;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->recent);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      RecentFile *r = value;

      if (now - r->used_us >= RECENT_TTL_US)
        {
          g_hash_table_iter_steal (&iter);
          g_ptr_array_add (expired, r);
        }
      else if (next < 0 || r->used_us + RECENT_TTL_US < next)
        next = r->used_us + RECENT_TTL_US;
    }
  return next;
}

/* The fast path, in the MHD thread: a path no generator claims, beneath the
 * root. */
static enum MHD_Result
request_serve_root (HttpRepoRequest *req)
{
  HttpRepoServer *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedContent) content = NULL;

  request_lookup_mac (req);
  if (req->path[0] != '\0')
    content = pxed_content_open_file (self->host, self->root, req->path, &error);
  else
    g_set_error_literal (&error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY, "root");
  if (request_set_result (req, content, error))
    {
      server_remember (self, content);
      request_post_facts (req);
    }
  req->state = REQUEST_READY;
  return request_respond (req);
}

/* The hop, step 2, in the main thread: generated content (or no root). */
static void
request_resolve (HttpRepoServer *self, HttpRepoRequest *req)
{
  PxedRequestInfo info = { .protocol = "http", .ip = req->ip, .arch = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PxedContent) content = NULL;
  g_autoptr(PxedClientFacts) known = NULL;

  /* what DHCP told us about this address, for generators and the log */
  if (req->ip[0] != '\0')
    known = server_lookup_client (self, req->ip);
  if (known != NULL)
    {
      req->mac = g_strdup (known->mac);
      info.mac = req->mac;
      info.arch = known->arch;
    }

  if (req->path[0] != '\0')
    content = pxed_content_open (self->host, self->root, req->path, &info, &error);
  else
    g_set_error_literal (&error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY, "root");

  /* a fetch over HTTP is a boot stage of this machine */
  if (request_set_result (req, content, error) && req->ip[0] != '\0')
    server_update_client (self, req->ip, req->path);
}

static gboolean
server_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  HttpRepoServer *self = user_data;
  GQueue batch = G_QUEUE_INIT;
  HttpRepoRequest *req;

  g_autoptr(GPtrArray) facts = NULL;
  guint n_dropped;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&self->lock);
  batch = self->queue;
  g_queue_init (&self->queue);
  facts = g_steal_pointer (&self->facts);
  self->facts = g_ptr_array_new_with_free_func ((GDestroyNotify) facts_free);
  g_hash_table_remove_all (self->facts_last);
  n_dropped = self->n_facts_dropped;
  self->n_facts_dropped = 0;
  g_mutex_unlock (&self->lock);

  /* boot stages of files served by the MHD threads, in arrival order */
  for (guint i = 0; i < facts->len; i++)
    {
      HttpRepoFacts *f = g_ptr_array_index (facts, i);
      PxedClientFacts *known = server_lookup_client (self, f->ip); /* for the MAC cache */

      if (known != NULL)
        pxed_client_facts_free (known);
      server_update_client (self, f->ip, f->path);
    }
  if (n_dropped > 0)
    g_info ("main thread busy: %u HTTP boot stage update(s) dropped", n_dropped);

  while ((req = g_queue_pop_head (&batch)) != NULL)
    {
      request_resolve (self, req);
      req->state = REQUEST_READY;
      MHD_resume_connection (req->connection);
    }

  /* recently served files: drop the stale ones, come back for the others
   * (unless a hop or client facts already asked for a sooner wake-up) */
  {
    g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) recent_file_free);
    gint64 next;

    g_mutex_lock (&self->lock);
    next = server_expire_recent (self, expired);
    if (next >= 0 && g_queue_is_empty (&self->queue) && self->facts->len == 0)
      g_source_set_ready_time (source, next);
    g_mutex_unlock (&self->lock);
  }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs dispatch_funcs = {
  .dispatch = server_dispatch,
};

/* ---- libmicrohttpd callbacks (MHD threads) --------------------------------------- */

static void *
server_uri_log (void *cls, const char *uri, struct MHD_Connection *connection)
{
  HttpRepoServer *self = cls;
  HttpRepoRequest *req;

  if (self->cfg.header_timeout_s != self->cfg.keepalive_timeout_s)
    MHD_set_connection_option (connection, MHD_CONNECTION_OPTION_TIMEOUT,
                               self->cfg.header_timeout_s);
  req = request_new (self, connection, uri);
  req->target_end = uri + strlen (uri);
  return req;
}

static enum MHD_Result
server_handle (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
  HttpRepoServer *self = cls;
  HttpRepoRequest *req = *con_cls;

  if (req == NULL)
    *con_cls = req = request_new (self, connection, url);
  if (!req->headers_seen)
    {
      req->headers_seen = TRUE;
      /* other methods are refused at once, without reading their body (the
       * connection is closed after the answer) */
      if (strcmp (method, MHD_HTTP_METHOD_GET) != 0 && strcmp (method, MHD_HTTP_METHOD_HEAD) != 0)
        return request_begin (req, method, version);
      /* libmicrohttpd 0.9.75 closes the connection after a response queued
       * from this first call (before any body was read): answer in the
       * next one */
      return MHD_YES;
    }
  if (*upload_data_size != 0)
    {
      /* a body on a GET: read and dropped */
      *upload_data_size = 0;
      return MHD_YES;
    }
  switch (req->state)
    {
    case REQUEST_NEW:
      return request_begin (req, method, version);
    case REQUEST_READY:
      return request_respond (req);
    case REQUEST_WAITING:
    case REQUEST_ANSWERED:
    default:
      return MHD_YES;
    }
}

static void
server_completed (void *cls, struct MHD_Connection *connection, void **con_cls,
                  enum MHD_RequestTerminationCode toe)
{
  HttpRepoServer *self = cls;
  HttpRepoRequest *req = *con_cls;

  if (req == NULL)
    return;
  *con_cls = NULL;
  if (self->cfg.access_log)
    {
      g_autofree char *shown = pxed_log_sanitize (req->target, strlen (req->target), 256);
      g_autofree char *method = pxed_log_sanitize (req->method, strlen (req->method), 8);
      gint64 us = g_get_monotonic_time () - req->start_us;

      char status[8] = "-";

      /* status "-": libmicrohttpd itself answered (or nobody did) */
      if (req->status != 0)
        g_snprintf (status, sizeof status, "%u", req->status);
      pxed_log_client (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, self->cfg.instance, req->mac, req->ip,
                       "%s %s %s %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT ".%03dms%s",
                       req->method[0] != '\0' ? method : "-", shown, status,
                       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? req->body_bytes : 0,
                       us / 1000, (int) (us % 1000),
                       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    }
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
      self->cfg.header_timeout_s != self->cfg.keepalive_timeout_s)
    MHD_set_connection_option (connection, MHD_CONNECTION_OPTION_TIMEOUT,
                               self->cfg.keepalive_timeout_s);
  request_free (req);
}

static void
server_log_rejection (HttpRepoServer *self, const char *ip, const char *why)
{
  gint64 now = g_get_monotonic_time ();

  /* at most one line a second: a flood must not become a log flood */
  self->n_rejected++;
  if (now - self->reject_log_us >= G_USEC_PER_SEC)
    {
      g_info ("%s: connection refused (%s); %u refused in the last second", ip, why,
              self->n_rejected);
      self->reject_log_us = now;
      self->n_rejected = 0;
    }
}

static enum MHD_Result
server_accept_policy (void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
  HttpRepoServer *self = cls;
  char ip[INET6_ADDRSTRLEN];
  enum MHD_Result ret = MHD_YES;
  ClientCount *cc;

  address_to_ip (addr, ip);
  g_mutex_lock (&self->lock);
  if (self->n_connections >= self->cfg.max_sessions)
    {
      server_log_rejection (self, ip, "max-sessions");
      ret = MHD_NO;
    }
  else if ((cc = g_hash_table_lookup (self->per_client, ip)) != NULL &&
           cc->count >= self->cfg.max_sessions_per_client)
    {
      server_log_rejection (self, ip, "max-sessions-per-client");
      ret = MHD_NO;
    }
  g_mutex_unlock (&self->lock);
  return ret;
}

static void
server_notify_connection (void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
  HttpRepoServer *self = cls;

  if (toe == MHD_CONNECTION_NOTIFY_STARTED)
    {
      const union MHD_ConnectionInfo *info =
        MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
      char ip[INET6_ADDRSTRLEN];
      ClientCount *cc;

      address_to_ip (info != NULL ? info->client_addr : NULL, ip);
      g_mutex_lock (&self->lock);
      cc = g_hash_table_lookup (self->per_client, ip);
      if (cc == NULL)
        {
          cc = g_new0 (ClientCount, 1);
          g_strlcpy (cc->ip, ip, sizeof cc->ip);
          g_hash_table_insert (self->per_client, cc->ip, cc);
        }
      cc->count++;
      self->n_connections++;
      g_mutex_unlock (&self->lock);
      *socket_context = cc; /* lives in the table while its count is positive */
    }
  else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL)
    {
      ClientCount *cc = *socket_context;

      g_mutex_lock (&self->lock);
      if (--cc->count == 0)
        g_hash_table_remove (self->per_client, cc->ip);
      self->n_connections--;
      g_mutex_unlock (&self->lock);
      *socket_context = NULL;
    }
}

static size_t
server_unescape_none (void *cls, struct MHD_Connection *c, char *s)
{
  /* decoding happens once, in http_repo_decode_target() */
  return strlen (s);
}

static void
server_mhd_log (void *cls, const char *fmt, va_list ap)
{
  g_autofree char *text = g_strdup_vprintf (fmt, ap);

  g_info ("libmicrohttpd: %s", g_strchomp (text));
}

/* ---- The server ------------------------------------------------------------------ */

HttpRepoServer *
http_repo_server_new (PxedHost *host, HttpRepoConfig *cfg)
{
  HttpRepoServer *self = g_new0 (HttpRepoServer, 1);

  self->host = host;
  self->cfg = *cfg;
  memset (cfg, 0, sizeof *cfg);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_net_tcp_listener_free);
  self->daemons = g_ptr_array_new ();
  g_mutex_init (&self->lock);
  g_queue_init (&self->queue);
  self->facts = g_ptr_array_new_with_free_func ((GDestroyNotify) facts_free);
  self->facts_last = g_hash_table_new (g_str_hash, g_str_equal);
  self->macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->recent = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) recent_file_free);
  self->per_client = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return self;
}

static gboolean
server_start_daemon (HttpRepoServer *self, int fd, GError **error)
{
  struct sockaddr_storage ss;
  socklen_t ss_len = sizeof ss;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                       MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  struct MHD_OptionItem pool[] = {
    { MHD_OPTION_THREAD_POOL_SIZE, self->cfg.threads, NULL },
    { MHD_OPTION_END, 0, NULL },
  };
  struct MHD_Daemon *d;

  if (getsockname (fd, (struct sockaddr *) &ss, &ss_len) == 0 && ss.ss_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  d = MHD_start_daemon (
    flags, 0, server_accept_policy, self, server_handle, self,
    MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log, self,
    MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
    MHD_OPTION_CONNECTION_LIMIT, (unsigned int) self->cfg.max_sessions,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) self->cfg.header_timeout_s,
    /* request line and headers live in the connection's memory pool, which
     * also holds the response headers: what does not fit gets 414 or 431 */
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (self->cfg.max_header_size + 2048),
    MHD_OPTION_URI_LOG_CALLBACK, server_uri_log, self,
    MHD_OPTION_NOTIFY_COMPLETED, server_completed, self,
    MHD_OPTION_NOTIFY_CONNECTION, server_notify_connection, self,
    MHD_OPTION_UNESCAPE_CALLBACK, server_unescape_none, self,
    MHD_OPTION_ARRAY, self->cfg.threads > 1 ? pool : &pool[1],
    MHD_OPTION_END);
  if (d == NULL)
    {
      g_set_error (error, PXED_NET_ERROR, PXED_NET_ERROR_FAILED,
                   "libmicrohttpd refused to start on the listening socket");
      return FALSE;
    }
  g_ptr_array_add (self->daemons, d);
  return TRUE;
}

gboolean
http_repo_server_start (HttpRepoServer *self, GError **error)
{
  static const char *const default_listen[] = { "0.0.0.0", "[::]", NULL };
  const char *const *listen =
    self->cfg.listen != NULL ? (const char *const *) self->cfg.listen : default_listen;

  if (self->cfg.root != NULL)
    {
      self->root = pxed_content_root_new (self->host, self->cfg.root, error);
      if (self->root == NULL)
        return FALSE;
    }

  for (guint i = 0; listen[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      PxedTcpListener *listener =
        pxed_net_tcp_listen (self->host, listen[i], 80, NULL, NULL, &local);

      if (listener == NULL && self->cfg.listen == NULL && strcmp (listen[i], "[::]") == 0)
        {
          /* the default on a host without IPv6: IPv4 alone */
          g_message ("not listening on [::]:80: %s", local->message);
          continue;
        }
      if (listener == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), "listen %s: ", listen[i]);
          return FALSE;
        }
      g_ptr_array_add (self->listeners, listener);
    }

  self->dispatch = g_source_new (&dispatch_funcs, sizeof (GSource));
  g_source_set_callback (self->dispatch, NULL, self, NULL);
  g_source_set_name (self->dispatch, "http-repo dispatch");
  g_source_attach (self->dispatch, pxed_host_get_context (self->host));

  for (guint i = 0; i < self->listeners->len; i++)
    {
      guint n_fds = 0;
      const int *fds = pxed_net_tcp_listener_get_fds (g_ptr_array_index (self->listeners, i),
                                                      &n_fds);

      for (guint j = 0; j < n_fds; j++)
        if (!server_start_daemon (self, fds[j], error))
          return FALSE;
    }
  g_info ("serving %s over HTTP on %u socket(s)",
          self->cfg.root != NULL ? self->cfg.root : "generated content", self->daemons->len);
  return TRUE;
}

void
http_repo_server_quiesce (HttpRepoServer *self)
{
  if (self->quiesced)
    return;
  /* the listening sockets stay open: they belong to the net service */
  for (guint i = 0; i < self->daemons->len; i++)
    MHD_quiesce_daemon (g_ptr_array_index (self->daemons, i));
  self->quiesced = TRUE;
}

guint
http_repo_server_get_n_connections (HttpRepoServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_connections;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
http_repo_server_get_n_active (HttpRepoServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_active;
  g_mutex_unlock (&self->lock);
  return n;
}

void
http_repo_server_free (HttpRepoServer *self)
{
  GQueue pending = G_QUEUE_INIT;
  HttpRepoRequest *req;

  if (self == NULL)
    return;

  /* no more hops to this thread; answer what waits with 503 */
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  pending = self->queue;
  g_queue_init (&self->queue);
  g_mutex_unlock (&self->lock);
  if (self->dispatch != NULL)
    {
      g_source_destroy (self->dispatch);
      g_clear_pointer (&self->dispatch, g_source_unref);
    }
  while ((req = g_queue_pop_head (&pending)) != NULL)
    {
      req->error_status = 503;
      req->state = REQUEST_READY;
      MHD_resume_connection (req->connection);
    }

  http_repo_server_quiesce (self);
  for (guint i = 0; i < self->daemons->len; i++)
    MHD_stop_daemon (g_ptr_array_index (self->daemons, i));
  g_ptr_array_unref (self->daemons);
  g_ptr_array_unref (self->listeners);
  g_clear_pointer (&self->root, pxed_content_root_unref);
  g_hash_table_unref (self->per_client);
  /* boot stages still queued are dropped: the instance is going away */
  g_hash_table_unref (self->facts_last);
  g_ptr_array_unref (self->facts);
  g_hash_table_unref (self->macs);
  g_hash_table_unref (self->recent);
  g_mutex_clear (&self->lock);
  http_repo_config_clear (&self->cfg);
  g_free (self);
}
