/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* TFTP wire format (RFC 1350) and option negotiation (RFC 2347, 2348, 2349,
 * 7440). Pure functions over byte buffers: no sockets, no files, so the
 * fuzz target and the unit tests exercise exactly what the plugin runs. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TFTP_OP_RRQ = 1,
  TFTP_OP_WRQ = 2,
  TFTP_OP_DATA = 3,
  TFTP_OP_ACK = 4,
  TFTP_OP_ERROR = 5,
  TFTP_OP_OACK = 6,
} TftpOpcode;

typedef enum {
  TFTP_ERR_UNDEFINED = 0,
  TFTP_ERR_NOT_FOUND = 1,
  TFTP_ERR_ACCESS = 2,
  TFTP_ERR_DISK_FULL = 3,
  TFTP_ERR_ILLEGAL_OP = 4,
  TFTP_ERR_UNKNOWN_TID = 5,
  TFTP_ERR_EXISTS = 6,
  TFTP_ERR_NO_USER = 7,
  TFTP_ERR_OPTION = 8,
} TftpErrorCode;

typedef enum {
  TFTP_MODE_OCTET = 1,
  TFTP_MODE_NETASCII = 2,
} TftpMode;

#define TFTP_BLKSIZE_DEFAULT 512
#define TFTP_BLKSIZE_MIN 8
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_WINDOWSIZE_MIN 1
#define TFTP_WINDOWSIZE_MAX 65535
#define TFTP_TIMEOUT_MIN 1
#define TFTP_TIMEOUT_MAX 255
/* Requests carry at most this many options; later ones are ignored. */
#define TFTP_OPTIONS_MAX 16
/* Longest request we look at: a full Ethernet-sized datagram is plenty. */
#define TFTP_REQUEST_MAX 1500

#define TFTP_ERROR_QUARK (tftp_error_quark ())
GQuark tftp_error_quark (void);

/* Why a request was refused: the TFTP error code to answer with is
 * tftp_request_error_to_code(). */
typedef enum {
  TFTP_REQUEST_ERROR_TRUNCATED = 1, /* too short, missing NUL */
  TFTP_REQUEST_ERROR_OPCODE,        /* not RRQ/WRQ */
  TFTP_REQUEST_ERROR_FILENAME,      /* empty or overlong */
  TFTP_REQUEST_ERROR_MODE,          /* neither octet nor netascii */
} TftpRequestError;

typedef struct {
  const char *name;  /* as sent (case preserved) */
  const char *value;
} TftpOption;

/* A parsed RRQ/WRQ. Strings point into @buf, a NUL-terminated copy. */
typedef struct {
  TftpOpcode opcode;
  TftpMode   mode;
  const char *filename;
  gsize       filename_len;
  const char *mode_text;
  TftpOption  options[TFTP_OPTIONS_MAX];
  guint       n_options;
  char        buf[TFTP_REQUEST_MAX + 1];
} TftpRequest;

/* Parses a read or write request. A request longer than TFTP_REQUEST_MAX,
 * an opcode other than 1/2, a missing NUL, an empty filename or an unknown
 * mode fail with TFTP_ERROR. An option name without its value at the end is
 * ignored, as are options beyond TFTP_OPTIONS_MAX. */
gboolean tftp_request_parse (const guint8 *data, gsize len, TftpRequest *req, GError **error);

/* The TFTP error code for a failed tftp_request_parse(). */
TftpErrorCode tftp_request_error_to_code (const GError *error);

/* Parses a TFTP option value: decimal digits only, no sign, no spaces, at
 * most 10 digits. FALSE for anything else. */
gboolean tftp_option_parse_uint (const char *text, guint64 *out);

/* What the server allows. */
typedef struct {
  guint blksize_max;    /* configured maximum, <= TFTP_BLKSIZE_MAX */
  guint blksize_mtu;    /* from the interface MTU, 0 when unknown */
  guint windowsize_max; /* 1 disables windowing */
  gboolean allow_timeout; /* honour the client's timeout option */
} TftpLimits;

/* The outcome of negotiation. */
typedef struct {
  guint    blksize;    /* 512 unless negotiated */
  guint    windowsize; /* 1 unless negotiated */
  guint    timeout_s;  /* 0 unless negotiated */
  gboolean has_blksize, has_windowsize, has_timeout, has_tsize;
  guint64  tsize;
} TftpNegotiated;

/* Negotiates the options of @req against @limits for a file of @size bytes
 * (the size sent to the client: for netascii, tsize is never answered).
 * Unknown options and out-of-range or non-numeric values are ignored. */
void tftp_negotiate (const TftpRequest *req, const TftpLimits *limits, guint64 size,
                     TftpNegotiated *out);
/* TRUE when an OACK must be sent (at least one option was accepted). */
gboolean tftp_negotiated_needs_oack (const TftpNegotiated *neg);
/* "blksize=1468 tsize=1234 windowsize=4" or "" (for logs). */
char *tftp_negotiated_to_string (const TftpNegotiated *neg);

/* Builders: write into @buf (of @size bytes) and return the length, or 0
 * when it does not fit. */
gsize tftp_build_oack  (const TftpNegotiated *neg, guint8 *buf, gsize size);
gsize tftp_build_error (TftpErrorCode code, const char *text, guint8 *buf, gsize size);
gsize tftp_build_ack   (guint16 block, guint8 *buf, gsize size);
/* The 4-byte DATA header. */
void  tftp_build_data_header (guint16 block, guint8 header[4]);

/* A received DATA/ACK/ERROR/OACK on a transfer port. */
typedef struct {
  TftpOpcode opcode;
  guint16    block;      /* DATA, ACK */
  guint16    error_code; /* ERROR */
  const guint8 *payload; /* DATA data, ERROR text (maybe not NUL-terminated), OACK body */
  gsize      payload_len;
} TftpPacket;

/* Parses a packet received on a transfer port: FALSE when it is shorter
 * than its opcode requires or the opcode is not 3..6. */
gboolean tftp_packet_parse (const guint8 *data, gsize len, TftpPacket *out);

/* Converts to netascii: LF -> CR LF, CR -> CR NUL. */
GBytes *tftp_netascii_encode (const guint8 *data, gsize len);
/* And back (for clients and tests). Returns FALSE for a CR followed by
 * something other than LF or NUL. A CR as the last byte is kept pending in
 * *@cr_pending. */
gboolean tftp_netascii_decode (const guint8 *data, gsize len, GByteArray *out,
                               gboolean *cr_pending);

G_END_DECLS
