/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "ftp-command.h"
#include "ftp-listing.h"

G_BEGIN_DECLS

/* The protocol logic of one control connection, free of I/O: it is fed
 * command lines and answers with reply text plus an action for the I/O layer
 * (open a passive port, send a file or a listing, abort, close). Files and
 * directories are looked up through an FtpBackend. */

typedef struct {
  /* Fills @out (name = basename) for the virtual path @path ("/a/b"); FALSE
   * when it does not exist or may not be shown. */
  gboolean   (*stat) (gpointer data, const char *path, FtpEntry *out);
  /* The entries of directory @path (GPtrArray of FtpEntry, sorted), or NULL
   * when it is not a listable directory. */
  GPtrArray *(*list) (gpointer data, const char *path);
} FtpBackend;

typedef enum {
  FTP_DATA_NONE,    /* no PASV/EPSV/PORT/EPRT yet (or consumed by a transfer) */
  FTP_DATA_PASSIVE, /* a passive listener is open */
  FTP_DATA_ACTIVE,  /* connect to the PORT/EPRT address */
} FtpDataMode;

typedef enum {
  FTP_ACTION_NONE,
  FTP_ACTION_CLOSE,    /* send the reply, then close the control connection */
  FTP_ACTION_PASSIVE,  /* open a passive listener, then ftp_session_passive_opened() */
  FTP_ACTION_ACTIVE,   /* a PORT/EPRT address was accepted: drop any passive listener */
  FTP_ACTION_RETR,     /* send file @path from @offset over the data connection */
  FTP_ACTION_SEND,     /* send @data (a listing) over the data connection */
  FTP_ACTION_ABORT,    /* abort the running transfer (reply 426 + 226) */
} FtpActionKind;

typedef struct {
  FtpActionKind kind;
  gboolean      extended; /* PASSIVE: EPSV (229) rather than PASV (227) */
  char         *path;     /* RETR: virtual path; SEND: what was listed */
  guint64       offset;   /* RETR: REST position */
  GBytes       *data;     /* SEND */
  const char   *opening;  /* SEND: text of the 150 reply */
} FtpAction;

void ftp_action_clear (FtpAction *action);

typedef struct _FtpSession FtpSession;

/* @peer and @local are the control connection's addresses (IPv4-mapped
 * addresses are treated as IPv4). */
FtpSession *ftp_session_new  (const FtpBackend *backend, gpointer backend_data,
                              const struct sockaddr *peer, socklen_t peer_len,
                              const struct sockaddr *local, socklen_t local_len);
void        ftp_session_free (FtpSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtpSession, ftp_session_free)

/* Appends the 220 greeting; @banner lines are split on '\n'. */
void ftp_session_greet (FtpSession *session, const char *banner, GString *reply);

/* Handles one line from the reader: appends the reply (CRLF terminated) to
 * @reply and sets @action (cleared first). @now is the wall clock in seconds
 * (listing dates). */
void ftp_session_handle_line (FtpSession *session, const char *line, gsize len, gint64 now,
                              GString *reply, FtpAction *action);
/* Handles one already parsed command. */
void ftp_session_handle (FtpSession *session, const FtpCommand *cmd, gint64 now,
                         GString *reply, FtpAction *action);

/* The passive listener for the last FTP_ACTION_PASSIVE is bound at @port:
 * appends the 227/229 reply. */
void ftp_session_passive_opened (FtpSession *session, guint16 port, GString *reply);
/* A transfer started/finished (ABOR knows whether something runs). */
void ftp_session_set_transfer_active (FtpSession *session, gboolean active);
gboolean ftp_session_get_transfer_active (FtpSession *session);
/* The data connection was used or dropped: back to FTP_DATA_NONE, REST cleared. */
void ftp_session_data_done (FtpSession *session);

FtpDataMode            ftp_session_get_data_mode      (FtpSession *session);
const struct sockaddr *ftp_session_get_active_address (FtpSession *session, socklen_t *len);
const struct sockaddr *ftp_session_get_peer           (FtpSession *session, socklen_t *len);
const struct sockaddr *ftp_session_get_local          (FtpSession *session, socklen_t *len);
gboolean               ftp_session_is_logged_in       (FtpSession *session);
const char            *ftp_session_get_cwd            (FtpSession *session);
gboolean               ftp_session_is_binary          (FtpSession *session);
const char            *ftp_session_get_client_ip      (FtpSession *session);

/* Failed USER attempts after which the connection is closed. */
#define FTP_SESSION_MAX_LOGIN_FAILURES 3

G_END_DECLS
