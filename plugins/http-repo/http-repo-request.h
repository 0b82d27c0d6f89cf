/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parts of HTTP request handling that are our own code, written as pure
 * functions of their inputs so they can be unit tested and fuzzed: the
 * request target (percent-decoding), Range, conditional requests, dates,
 * entity tags, content types and directory listings. The wire protocol
 * itself (request line, headers, bodies) is http-parser's; connections,
 * keep-alive and pipelining are http-repo-server.c's. */

#include <pxed/pxed.h>

G_BEGIN_DECLS

#define HTTP_REPO_ERROR (http_repo_error_quark ())
typedef enum {
  HTTP_REPO_ERROR_FAILED,
  HTTP_REPO_ERROR_BAD_REQUEST,  /* 400 */
  HTTP_REPO_ERROR_URI_TOO_LONG, /* 414 */
} HttpRepoError;
GQuark http_repo_error_quark (void);

/* Longest request target (before decoding) we look at; longer gets 414. */
#define HTTP_REPO_TARGET_MAX (3 * PXED_CONTENT_PATH_MAX)

/* Decodes the path of a request target exactly once: "%XX" becomes the byte
 * XX. The query ("?...") and fragment are dropped. Refuses a target that is
 * not origin-form (must start with '/'), a '%' not followed by two hex
 * digits, an encoded or raw NUL, and raw control characters. The result is
 * what the content service's normaliser gets; nothing else decodes it.
 * @trailing_slash tells whether the decoded path ends with '/'. */
char *http_repo_decode_target (const char *target, gsize len, gboolean *trailing_slash,
                               GError **error);

/* Percent-encodes a normalised path for a Location header or an href: keeps
 * unreserved characters and '/', encodes every other byte. */
char *http_repo_encode_path (const char *path);

/* The Content-Type for a file name, by extension; never NULL. */
const char *http_repo_content_type (const char *path);

/* HTTP dates (RFC 9110 5.6.7): IMF-fixdate, and the obsolete RFC 850 and
 * asctime forms when parsing. */
#define HTTP_REPO_DATE_LEN 30 /* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */
gboolean http_repo_parse_date  (const char *text, gint64 *out);
void     http_repo_format_date (gint64 t, char out[HTTP_REPO_DATE_LEN]);

/* A strong entity tag for a file of @size bytes modified at @mtime. */
#define HTTP_REPO_ETAG_LEN 40
void http_repo_format_etag (guint64 size, gint64 mtime, char out[HTTP_REPO_ETAG_LEN]);

/* TRUE when the If-None-Match / If-Match style @list ("*" or a comma list
 * of entity tags) matches @etag; @weak selects weak comparison. */
gboolean http_repo_etag_list_matches (const char *list, const char *etag, gboolean weak);

typedef enum {
  HTTP_REPO_RANGE_NONE,          /* no usable Range: send everything (200) */
  HTTP_REPO_RANGE_SATISFIABLE,   /* one range: 206 */
  HTTP_REPO_RANGE_UNSATISFIABLE, /* 416 */
} HttpRepoRange;

/* Parses a Range header against a representation of @size bytes. One range
 * (first-last, first-, -suffix) gives SATISFIABLE with the offset and length
 * to send. Several ranges, other units or a syntax error give NONE: the
 * whole representation is sent with 200, as RFC 9110 14.2 allows. No range
 * overlapping the representation gives UNSATISFIABLE. */
HttpRepoRange http_repo_parse_range (const char *header, guint64 size, guint64 *offset,
                                     guint64 *length);

/* The request headers that decide the response; NULL when absent. */
typedef struct {
  gboolean    head;
  const char *range;
  const char *if_range;
  const char *if_match;
  const char *if_none_match;
  const char *if_modified_since;
  const char *if_unmodified_since;
} HttpRepoConditions;

/* What is being sent. Generated content has no validators: it is rendered
 * per client and never cached. */
typedef struct {
  guint64  size;
  gint64   mtime;
  gboolean generated;
  const char *etag; /* NULL for generated content */
} HttpRepoResource;

typedef struct {
  guint   status; /* 200, 206, 304, 412, 416 */
  guint64 offset;
  guint64 length; /* body bytes (0 for 304/412/416) */
} HttpRepoPlan;

/* Evaluates preconditions (RFC 9110 13.2.2 order) and Range for a GET or
 * HEAD of @res. */
void http_repo_plan_response (const HttpRepoConditions *cond, const HttpRepoResource *res,
                              HttpRepoPlan *plan);

/* An HTML page listing @entries (PxedDirEntry) of the directory at @path
 * (normalised, "" for the root). Names are escaped for HTML and URLs. */
GBytes *http_repo_render_listing (const char *path, GPtrArray *entries);

/* "GET" and "HEAD" are served; everything else gets 405 with this Allow. */
#define HTTP_REPO_ALLOW "GET, HEAD"

G_END_DECLS
