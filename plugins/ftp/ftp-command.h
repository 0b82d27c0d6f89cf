/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/* Longest command line accepted, terminator excluded (RFC 959 sets no limit;
 * vsftpd uses 4 KiB). A longer line is refused and the connection closed. */
#define FTP_LINE_MAX 4096

#define FTP_COMMAND_ERROR (ftp_command_error_quark ())
typedef enum {
  FTP_COMMAND_ERROR_FAILED,
  FTP_COMMAND_ERROR_TOO_LONG,   /* line over FTP_LINE_MAX */
  FTP_COMMAND_ERROR_INVALID,    /* NUL, bare CR, control characters */
  FTP_COMMAND_ERROR_EMPTY,
} FtpCommandError;
GQuark ftp_command_error_quark (void);

/* Every verb the server knows. Anything else parses as FTP_VERB_UNKNOWN. */
typedef enum {
  FTP_VERB_UNKNOWN = 0,
  /* access */
  FTP_VERB_USER, FTP_VERB_PASS, FTP_VERB_ACCT, FTP_VERB_REIN, FTP_VERB_QUIT,
  /* information */
  FTP_VERB_SYST, FTP_VERB_FEAT, FTP_VERB_OPTS, FTP_VERB_HELP, FTP_VERB_NOOP, FTP_VERB_STAT,
  /* navigation */
  FTP_VERB_PWD, FTP_VERB_CWD, FTP_VERB_CDUP,
  /* parameters */
  FTP_VERB_TYPE, FTP_VERB_MODE, FTP_VERB_STRU, FTP_VERB_ALLO,
  /* data connection */
  FTP_VERB_PASV, FTP_VERB_EPSV, FTP_VERB_PORT, FTP_VERB_EPRT,
  /* transfers and listings */
  FTP_VERB_RETR, FTP_VERB_REST, FTP_VERB_ABOR, FTP_VERB_LIST, FTP_VERB_NLST,
  FTP_VERB_MLSD, FTP_VERB_MLST, FTP_VERB_SIZE, FTP_VERB_MDTM,
  /* refused: writes */
  FTP_VERB_STOR, FTP_VERB_STOU, FTP_VERB_APPE, FTP_VERB_DELE, FTP_VERB_MKD, FTP_VERB_RMD,
  FTP_VERB_RNFR, FTP_VERB_RNTO, FTP_VERB_SITE, FTP_VERB_MFMT, FTP_VERB_MFCT, FTP_VERB_MFF,
  /* refused: not implemented */
  FTP_VERB_SMNT, FTP_VERB_AUTH, FTP_VERB_PBSZ, FTP_VERB_PROT, FTP_VERB_CCC, FTP_VERB_ADAT,
  FTP_VERB_LANG, FTP_VERB_HOST,
  FTP_VERB_LAST
} FtpVerb;

typedef struct {
  FtpVerb     verb;
  char        name[5];   /* upper-cased verb as sent (up to 4 letters), "" when unknown */
  const char *arg;       /* points into the parsed line; "" when none */
} FtpCommand;

/* ---- Line reader --------------------------------------------------------------- */

/* Splits the control stream into command lines: LF or CRLF terminated, telnet
 * IAC sequences (RFC 854: IP, DM, WILL/WONT/DO/DONT, IAC IAC) removed. */
typedef struct _FtpLineReader FtpLineReader;

FtpLineReader *ftp_line_reader_new   (void);
void           ftp_line_reader_free  (FtpLineReader *reader);
/* Free room for ftp_line_reader_feed(); 0 when the buffered lines must be
 * consumed first. */
gsize          ftp_line_reader_room  (FtpLineReader *reader);
/* Appends at most ftp_line_reader_room() bytes; returns the count taken. */
gsize          ftp_line_reader_feed  (FtpLineReader *reader, const guint8 *data, gsize len);
/* Returns the next complete line without its terminator (NUL terminated, may
 * contain NUL bytes: @len tells), NULL when none is complete yet or on error
 * (FTP_COMMAND_ERROR_TOO_LONG: the connection must be closed). The line stays
 * valid until the next call on @reader. */
const char    *ftp_line_reader_next  (FtpLineReader *reader, gsize *len, GError **error);
/* TRUE when a complete line is buffered. */
gboolean       ftp_line_reader_has_line (FtpLineReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtpLineReader, ftp_line_reader_free)

/* ---- Parsing --------------------------------------------------------------------- */

/* Parses one command line (as returned by the reader). @cmd->arg points into
 * @line. Fails for empty lines and lines holding NUL, CR or other control
 * characters (header injection into replies, logs and paths). */
gboolean ftp_command_parse (const char *line, gsize len, FtpCommand *cmd, GError **error);
/* Looks up a verb by (case-insensitive) name. */
FtpVerb  ftp_verb_from_name (const char *name, gsize len);
const char *ftp_verb_to_name (FtpVerb verb);
/* Commands handled while a transfer runs (ABOR, STAT, NOOP); others wait. */
gboolean ftp_verb_allowed_during_transfer (FtpVerb verb);

/* PORT h1,h2,h3,h4,p1,p2 into an AF_INET address. */
gboolean ftp_parse_port (const char *arg, struct sockaddr_storage *out, socklen_t *out_len);
/* EPRT |proto|address|port| (RFC 2428) into AF_INET or AF_INET6. Sets
 * *bad_proto when the syntax is fine but the protocol is neither 1 nor 2. */
gboolean ftp_parse_eprt (const char *arg, struct sockaddr_storage *out, socklen_t *out_len,
                         gboolean *bad_proto);
/* REST argument: a decimal byte offset. */
gboolean ftp_parse_rest (const char *arg, guint64 *out);

/* Maps an IPv4-mapped IPv6 address (::ffff:a.b.c.d) to AF_INET in place. */
void     ftp_address_unmap (struct sockaddr_storage *addr, socklen_t *len);
/* TRUE when the host parts (not the ports) are the same address. */
gboolean ftp_address_same_host (const struct sockaddr *a, const struct sockaddr *b);
guint16  ftp_address_get_port (const struct sockaddr *addr);

G_END_DECLS
