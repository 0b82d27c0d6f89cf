/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

G_BEGIN_DECLS

typedef struct {
  guint   max_sessions;
  guint   max_sessions_per_client;
  guint16 passive_min;       /* 0: ephemeral ports */
  guint16 passive_max;
  guint   idle_timeout_ms;   /* logged-in control connection without commands */
  guint   login_timeout_ms;  /* before a successful login */
  guint   data_timeout_ms;   /* data connection without progress */
  char   *banner;
} FtpServerConfig;

void ftp_server_config_clear (FtpServerConfig *cfg);
/* "30000-30100" or "30000"; FALSE when malformed or below 1024. */
gboolean ftp_parse_passive_ports (const char *text, guint16 *min, guint16 *max);

/* Every control and data connection of one plugin instance, on the host's
 * main context. */
typedef struct _FtpServer FtpServer;

FtpServer *ftp_server_new      (PxedHost *host, const char *instance, PxedContentRoot *root,
                                const FtpServerConfig *cfg);
/* New settings for new sessions (reload). */
void       ftp_server_set_config (FtpServer *server, const FtpServerConfig *cfg);
/* A PxedTcpAcceptFunc (user_data: the server). */
void       ftp_server_accept   (int fd, const struct sockaddr *peer, socklen_t peer_len,
                                gpointer user_data);
/* Refuses new connections, closes idle sessions, lets transfers finish,
 * then calls @done. */
void       ftp_server_stop     (FtpServer *server, PxedDoneFunc done, gpointer done_data);
/* Closes everything at once. */
void       ftp_server_free     (FtpServer *server);
/* Serves @root from the next command on. */
void       ftp_server_set_root (FtpServer *server, PxedContentRoot *root);
guint      ftp_server_get_n_sessions (FtpServer *server);

G_END_DECLS
