/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The input side of one HTTP connection, without the socket: a buffer of
 * max-header-size bytes, http-parser fed from it, and the few header fields
 * that decide a response picked out. One request at a time: after a
 * complete request the reader pauses until the response is out
 * (http_repo_reader_done), so pipelined requests are answered in order. A
 * pure state machine: unit tested with every split of its input and fuzzed. */

#include <glib.h>
#include <http_parser.h>

G_BEGIN_DECLS

/* The request headers that decide a response, in the order of
 * HttpRepoConditions. */
typedef enum {
  HTTP_REPO_HDR_RANGE,
  HTTP_REPO_HDR_IF_RANGE,
  HTTP_REPO_HDR_IF_MATCH,
  HTTP_REPO_HDR_IF_NONE_MATCH,
  HTTP_REPO_HDR_IF_MODIFIED_SINCE,
  HTTP_REPO_HDR_IF_UNMODIFIED_SINCE,
  HTTP_REPO_N_HDR,
} HttpRepoHeader;

typedef enum {
  HTTP_REPO_READ_MORE,    /* needs more input */
  HTTP_REPO_READ_REQUEST, /* a complete GET or HEAD */
  HTTP_REPO_READ_ERROR,   /* answer with the status, then close */
  HTTP_REPO_READ_EOF,     /* the peer closed between two requests */
} HttpRepoReadResult;

/* What was read of one request. Strings are owned (g_free). */
typedef struct {
  char     method[16];
  char    *target;                /* raw request target; NULL when not read */
  char    *hdr[HTTP_REPO_N_HDR];  /* trailing blanks removed; NULL: absent */
  gboolean head;
  gboolean keep_alive;            /* what the client asked for (version, Connection) */
  gboolean http10;
  guint    status;                /* with HTTP_REPO_READ_ERROR: 400 405 414 431 505 */
  const char *why;                /* with HTTP_REPO_READ_ERROR: for the log */
} HttpRepoParsed;

void http_repo_parsed_clear (HttpRepoParsed *p);

typedef struct {
  http_parser parser;
  char    *buf;
  gsize    len, pos, cap;
  gsize    req_start;   /* where the request being read begins in buf */
  guint    max_headers;
  gboolean eof;
  gboolean in_request;
  gboolean headers_done;
  gboolean message_done;
  gboolean early;       /* stopped at the end of the headers (405, 505, 431) */
  gboolean paused;
  gboolean url_seen, field_seen, in_value;
  gsize    url_off, url_len;
  gsize    field_off, field_len, value_off, value_len;
  guint    n_headers;
  gsize    hdr_off[HTTP_REPO_N_HDR], hdr_len[HTTP_REPO_N_HDR];
  gboolean hdr_set[HTTP_REPO_N_HDR];
  HttpRepoParsed cur;   /* the request being read */
} HttpRepoReader;

/* @cap: the most bytes a request line plus headers may take. */
void http_repo_reader_init  (HttpRepoReader *r, gsize cap, guint max_headers);
void http_repo_reader_clear (HttpRepoReader *r);

/* Where to put the next input: returns the free space (compacting the
 * buffer first), 0 when the request being read fills max-header-size (then
 * http_repo_reader_next answers 414 or 431). */
char *http_repo_reader_space  (HttpRepoReader *r, gsize *avail);
/* Between two requests with nothing buffered: frees the buffer (an idle
 * keep-alive connection then costs no max-header-size bytes); the next
 * http_repo_reader_space allocates it again. FALSE when it is in use. */
gboolean http_repo_reader_release (HttpRepoReader *r);
/* @n bytes were put at http_repo_reader_space; 0 means the peer closed. */
void  http_repo_reader_commit (HttpRepoReader *r, gsize n);

/* Parses what is buffered. REQUEST and ERROR fill @out (cleared first);
 * after REQUEST the reader waits for http_repo_reader_done. */
HttpRepoReadResult http_repo_reader_next (HttpRepoReader *r, HttpRepoParsed *out);
/* The response to the last request is out: go on with the next one. */
void http_repo_reader_done (HttpRepoReader *r);

/* TRUE while some bytes of a request are in (header-timeout applies),
 * FALSE between requests (keepalive-timeout applies). */
gboolean http_repo_reader_in_request (const HttpRepoReader *r);
/* TRUE when buffered input is waiting to be parsed. */
gboolean http_repo_reader_has_input (const HttpRepoReader *r);

G_END_DECLS
