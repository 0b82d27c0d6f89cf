/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

G_BEGIN_DECLS

/* One http-repo instance's settings, read once from its section. */
typedef struct {
  char    *instance;
  char   **listen;                  /* NULL: all addresses, port 80 */
  char    *root;                    /* NULL: generated content only */
  guint    max_sessions;
  guint    max_sessions_per_client;
  gboolean directory_listing;
  guint64  max_header_size;         /* bytes: request line + headers */
  guint    max_headers;
  guint    header_timeout_s;        /* idle while a request is being read */
  guint    keepalive_timeout_s;     /* idle between requests */
  guint    threads;                 /* worker threads, each serving every listener */
  gboolean access_log;
} HttpRepoConfig;

void http_repo_config_clear (HttpRepoConfig *cfg);

typedef struct _HttpRepoServer HttpRepoServer;

/* Takes ownership of @cfg's contents. No I/O. */
HttpRepoServer *http_repo_server_new   (PxedHost *host, HttpRepoConfig *cfg);
/* Opens the root, binds the listeners and starts the worker threads (each
 * with its own epoll set serving every listening socket). */
gboolean        http_repo_server_start (HttpRepoServer *self, GError **error);
/* Stops accepting connections; running ones go on. */
void            http_repo_server_quiesce (HttpRepoServer *self);
guint           http_repo_server_get_n_connections (HttpRepoServer *self);
/* Requests in progress (idle keep-alive connections do not count). */
guint           http_repo_server_get_n_active (HttpRepoServer *self);
/* Closes everything (at once) and frees. */
void            http_repo_server_free  (HttpRepoServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HttpRepoServer, http_repo_server_free)

G_END_DECLS
