/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HttpRepoReader: http-parser fed from a bounded buffer, one request at a
 * time. http-parser hands every field over in pieces (as input arrives);
 * the pieces of one field lie one after the other in the buffer, so a field
 * is kept as an offset and a length, and the buffer only moves between
 * requests or with those offsets adjusted (http_repo_reader_space). */
#include "http-repo-reader.h"

#include <string.h>

static const char *const wanted_headers[HTTP_REPO_N_HDR] = {
  "Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
};

void
http_repo_parsed_clear (HttpRepoParsed *p)
{
  g_free (p->target);
  for (guint i = 0; i < HTTP_REPO_N_HDR; i++)
    g_free (p->hdr[i]);
  memset (p, 0, sizeof *p);
}

/* ---- http-parser callbacks ------------------------------------------------------ */

/* Ends the header field just read (name and value), keeping the ones that
 * decide the response (the first of each). */
static void
end_header (HttpRepoReader *r)
{
  if (!r->field_seen)
    return;
  r->n_headers++;
  for (guint i = 0; i < HTTP_REPO_N_HDR; i++)
    if (!r->hdr_set[i] && strlen (wanted_headers[i]) == r->field_len &&
        g_ascii_strncasecmp (r->buf + r->field_off, wanted_headers[i], r->field_len) == 0)
      {
        r->hdr_set[i] = TRUE;
        r->hdr_off[i] = r->value_off;
        r->hdr_len[i] = r->in_value ? r->value_len : 0;
        break;
      }
  r->field_seen = FALSE;
  r->in_value = FALSE;
}

static int
on_message_begin (http_parser *p)
{
  HttpRepoReader *r = p->data;

  r->in_request = TRUE;
  r->headers_done = r->message_done = r->early = FALSE;
  r->url_seen = r->field_seen = r->in_value = FALSE;
  r->url_len = 0;
  r->n_headers = 0;
  memset (r->hdr_set, 0, sizeof r->hdr_set);
  return 0;
}

/* One more piece of a field: the first sets where it starts in r->buf, the
 * others (they follow it directly there) make it longer. */
static void
extend_field (HttpRepoReader *r, gboolean *seen, gsize *off, gsize *len, const char *at,
              size_t n)
{
  if (!*seen)
    {
      *seen = TRUE;
      *off = (gsize) (at - r->buf);
      *len = 0;
    }
  *len += n;
}

static int
on_url (http_parser *p, const char *at, size_t len)
{
  HttpRepoReader *r = p->data;

  extend_field (r, &r->url_seen, &r->url_off, &r->url_len, at, len);
  return 0;
}

static int
on_header_field (http_parser *p, const char *at, size_t len)
{
  HttpRepoReader *r = p->data;

  if (r->in_value)
    end_header (r);
  extend_field (r, &r->field_seen, &r->field_off, &r->field_len, at, len);
  return 0;
}

static int
on_header_value (http_parser *p, const char *at, size_t len)
{
  HttpRepoReader *r = p->data;

  extend_field (r, &r->in_value, &r->value_off, &r->value_len, at, len);
  return 0;
}

/* The request's fields, copied out of the buffer into r->cur. */
static void
take_fields (HttpRepoReader *r)
{
  HttpRepoParsed *cur = &r->cur;

  http_repo_parsed_clear (cur);
  g_strlcpy (cur->method, http_method_str ((enum http_method) r->parser.method),
             sizeof cur->method);
  cur->target = g_strndup (r->buf + r->url_off, r->url_len);
  for (guint i = 0; i < HTTP_REPO_N_HDR; i++)
    if (r->hdr_set[i])
      {
        gsize len = r->hdr_len[i];

        while (len > 0 && (r->buf[r->hdr_off[i] + len - 1] == ' ' ||
                           r->buf[r->hdr_off[i] + len - 1] == '\t'))
          len--;
        cur->hdr[i] = g_strndup (r->buf + r->hdr_off[i], len);
      }
  cur->head = r->parser.method == HTTP_HEAD;
  cur->keep_alive = http_should_keep_alive (&r->parser) != 0;
  cur->http10 = r->parser.http_major == 1 && r->parser.http_minor == 0;
}

static int
on_headers_complete (http_parser *p)
{
  HttpRepoReader *r = p->data;

  end_header (r);
  r->headers_done = TRUE;
  take_fields (r);
  if ((p->method != HTTP_GET && p->method != HTTP_HEAD) || p->http_major != 1 ||
      r->n_headers > r->max_headers)
    {
      /* answered now, without reading a body; the connection closes */
      r->early = TRUE;
      http_parser_pause (p, 1);
    }
  return 0;
}

static int
on_message_complete (http_parser *p)
{
  HttpRepoReader *r = p->data;

  r->message_done = TRUE;
  http_parser_pause (p, 1); /* one request at a time */
  return 0;
}

static const http_parser_settings settings = {
  .on_message_begin = on_message_begin,
  .on_url = on_url,
  .on_header_field = on_header_field,
  .on_header_value = on_header_value,
  .on_headers_complete = on_headers_complete,
  .on_message_complete = on_message_complete,
};

/* ---- The reader ------------------------------------------------------------------ */

void
http_repo_reader_init (HttpRepoReader *r, gsize cap, guint max_headers)
{
  memset (r, 0, sizeof *r);
  r->cap = MAX (cap, 16);
  /* the buffer comes with the first input (see http_repo_reader_release) */
  r->max_headers = max_headers;
  http_parser_init (&r->parser, HTTP_REQUEST);
  r->parser.data = r;
}

void
http_repo_reader_clear (HttpRepoReader *r)
{
  g_clear_pointer (&r->buf, g_free);
  http_repo_parsed_clear (&r->cur);
}

gboolean
http_repo_reader_in_request (const HttpRepoReader *r)
{
  return r->in_request || r->pos < r->len;
}

gboolean
http_repo_reader_has_input (const HttpRepoReader *r)
{
  return !r->paused && (r->pos < r->len || r->eof);
}

/* Where the input still needed begins: what was parsed goes, except the
 * target and headers of the request being read (its fields are offsets into
 * them until the headers are complete) and a method that more input decides
 * (empty lines before it excepted). */
static gsize
keep_from (const HttpRepoReader *r)
{
  if (HTTP_PARSER_ERRNO (&r->parser) == HPE_INVALID_METHOD ||
      (r->in_request && !r->headers_done && !r->url_seen))
    {
      gsize k = r->req_start;

      while (k < r->len && (r->buf[k] == '\r' || r->buf[k] == '\n'))
        k++;
      return k;
    }
  if (r->in_request && !r->headers_done && r->url_seen)
    return r->url_off;
  return r->pos;
}

gboolean
http_repo_reader_release (HttpRepoReader *r)
{
  if (r->buf == NULL || r->in_request || r->pos < r->len ||
      HTTP_PARSER_ERRNO (&r->parser) != HPE_OK)
    return FALSE;
  g_clear_pointer (&r->buf, g_free);
  r->len = r->pos = r->req_start = 0;
  return TRUE;
}

char *
http_repo_reader_space (HttpRepoReader *r, gsize *avail)
{
  gsize keep;

  if (r->buf == NULL)
    r->buf = g_malloc (r->cap);
  keep = keep_from (r);

  if (keep > 0 && (r->len == r->cap || r->pos == r->len))
    {
      memmove (r->buf, r->buf + keep, r->len - keep);
      r->len -= keep;
      r->pos -= keep;
      r->req_start -= MIN (r->req_start, keep);
      r->url_off -= MIN (r->url_off, keep);
      r->field_off -= MIN (r->field_off, keep);
      r->value_off -= MIN (r->value_off, keep);
      for (guint i = 0; i < HTTP_REPO_N_HDR; i++)
        r->hdr_off[i] -= MIN (r->hdr_off[i], keep);
    }
  *avail = r->cap - r->len;
  return r->buf + r->len;
}

void
http_repo_reader_commit (HttpRepoReader *r, gsize n)
{
  if (n == 0)
    r->eof = TRUE;
  r->len += MIN (n, r->cap - r->len);
}

/* Longest method looked at. */
#define METHOD_MAX 32

/* A method token (RFC 9110 5.6.2) followed by a space: a well-formed request
 * line with a method http-parser does not know. Returns its length, 0 when
 * it is not one, -1 when @s is a token so far and more input decides. */
static gssize
method_token_len (const char *s, gsize len)
{
  for (gsize i = 0; i < len && i < METHOD_MAX; i++)
    {
      if (s[i] == ' ')
        return (gssize) i;
      if (!g_ascii_isalnum (s[i]) && strchr ("!#$%&'*+-.^_`|~", s[i]) == NULL)
        return 0;
    }
  return len < METHOD_MAX ? -1 : 0;
}

static HttpRepoReadResult
give (HttpRepoReader *r, HttpRepoParsed *out, HttpRepoReadResult result)
{
  http_repo_parsed_clear (out);
  *out = r->cur;
  memset (&r->cur, 0, sizeof r->cur);
  return result;
}

static HttpRepoReadResult
give_error (HttpRepoReader *r, HttpRepoParsed *out, guint status, const char *why)
{
  r->paused = TRUE; /* nothing more is read from this connection */
  r->cur.status = status;
  r->cur.why = why;
  r->cur.keep_alive = FALSE;
  return give (r, out, HTTP_REPO_READ_ERROR);
}

HttpRepoReadResult
http_repo_reader_next (HttpRepoReader *r, HttpRepoParsed *out)
{
  enum http_errno err;

  if (r->paused)
    return HTTP_REPO_READ_MORE;
  if (HTTP_PARSER_ERRNO (&r->parser) == HPE_INVALID_METHOD)
    r->pos = r->len; /* the parser has stopped; the method is decided below */
  else if (r->pos < r->len)
    r->pos += http_parser_execute (&r->parser, &settings, r->buf + r->pos, r->len - r->pos);
  else if (r->eof)
    http_parser_execute (&r->parser, &settings, NULL, 0);
  err = HTTP_PARSER_ERRNO (&r->parser);

  if (err == HPE_PAUSED && r->early)
    {
      if (!g_str_equal (r->cur.method, "GET") && !g_str_equal (r->cur.method, "HEAD"))
        return give_error (r, out, 405, "method not allowed");
      if (r->parser.http_major != 1)
        return give_error (r, out, 505, "HTTP version not supported");
      return give_error (r, out, 431, "too many header fields");
    }
  if (err == HPE_PAUSED && r->message_done)
    {
      r->paused = TRUE;
      return give (r, out, HTTP_REPO_READ_REQUEST);
    }
  if (err != HPE_OK)
    {
      /* empty lines before a request line are skipped (RFC 9112 2.2) */
      gsize from = err == HPE_INVALID_METHOD ? keep_from (r) : r->req_start;
      const char *start = r->buf + from;
      gsize avail = r->len - from;
      gssize mlen = err == HPE_INVALID_METHOD ? method_token_len (start, avail) : 0;

      /* more input can come (the buffer makes room up to keep_from) */
      gboolean more = !r->eof && avail < r->cap;

      if (mlen < 0 && more)
        return HTTP_REPO_READ_MORE; /* the rest of the method decides */
      if (mlen > 0 && more && memchr (start, '\n', avail) == NULL)
        return HTTP_REPO_READ_MORE; /* the target, for the log */
      if (mlen > 0)
        {
          /* a method http-parser does not know: 405, as for a known one */
          const char *t = start + mlen + 1;
          const char *eol = memchr (start, '\n', avail);
          const char *end = memchr (t, ' ', (gsize) ((eol != NULL ? eol : start + avail) - t));

          http_repo_parsed_clear (&r->cur);
          memcpy (r->cur.method, start, MIN ((gsize) mlen, sizeof r->cur.method - 1));
          if (end != NULL)
            r->cur.target = g_strndup (t, (gsize) (end - t));
          return give_error (r, out, 405, "method not allowed");
        }
      if (err == HPE_HEADER_OVERFLOW)
        return give_error (r, out, 431, http_errno_description (err));
      return give_error (r, out, 400, http_errno_description (err));
    }
  if (r->eof)
    {
      if (!r->in_request && r->pos == r->len)
        {
          r->paused = TRUE;
          return HTTP_REPO_READ_EOF;
        }
      if (r->pos == r->len)
        return give_error (r, out, 400, "connection closed in the middle of a request");
    }
  if (r->in_request && !r->headers_done && r->len == r->cap && keep_from (r) == 0)
    {
      /* the request line and headers do not fit in max-header-size */
      if (!r->field_seen && r->n_headers == 0 && !r->in_value)
        return give_error (r, out, 414, "request line longer than max-header-size");
      return give_error (r, out, 431, "headers larger than max-header-size");
    }
  return HTTP_REPO_READ_MORE;
}

void
http_repo_reader_done (HttpRepoReader *r)
{
  if (!r->message_done)
    return;
  r->message_done = FALSE;
  r->in_request = FALSE;
  r->paused = FALSE;
  r->req_start = r->pos;
  http_parser_pause (&r->parser, 0);
}
