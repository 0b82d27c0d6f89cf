/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tftp-packet.h"

#include <string.h>

G_DEFINE_QUARK (pxed-tftp-error-quark, tftp_error)

static inline guint16
tftp_read_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline void
tftp_write_u16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) (v & 0xff);
}

/* Takes the NUL-terminated string at *pos of @buf (length @len); FALSE when
 * no NUL follows. */
static gboolean
tftp_take_string (const char *buf, gsize len, gsize *pos, const char **out, gsize *out_len)
{
  const char *start = buf + *pos;
  const char *nul;

  if (*pos >= len)
    return FALSE;
  nul = memchr (start, '\0', len - *pos);
  if (nul == NULL)
    return FALSE;
  *out = start;
  if (out_len != NULL)
    *out_len = (gsize) (nul - start);
  *pos += (gsize) (nul - start) + 1;
  return TRUE;
}

gboolean
tftp_request_parse (const guint8 *data, gsize len, TftpRequest *req, GError **error)
{
  gsize pos = 0;
  gsize body_len;
  guint16 opcode;
  const char *name, *value;
  gsize name_len;

  g_return_val_if_fail (req != NULL, FALSE);

  req->n_options = 0;
  req->filename = NULL;
  req->mode_text = NULL;
  req->filename_len = 0;

  if (len < 2)
    {
      g_set_error_literal (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_TRUNCATED,
                           "packet shorter than an opcode");
      return FALSE;
    }
  opcode = tftp_read_u16 (data);
  if (opcode != TFTP_OP_RRQ && opcode != TFTP_OP_WRQ)
    {
      g_set_error (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_OPCODE,
                   "opcode %u is not a request", opcode);
      return FALSE;
    }
  req->opcode = opcode;
  if (len > TFTP_REQUEST_MAX)
    {
      g_set_error (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_TRUNCATED,
                   "request of %" G_GSIZE_FORMAT " bytes is too long", len);
      return FALSE;
    }
  body_len = len - 2;
  memcpy (req->buf, data + 2, body_len);
  req->buf[body_len] = '\0';

  if (!tftp_take_string (req->buf, body_len, &pos, &req->filename, &req->filename_len))
    {
      g_set_error_literal (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_TRUNCATED,
                           "filename not terminated");
      return FALSE;
    }
  if (req->filename_len == 0)
    {
      g_set_error_literal (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_FILENAME,
                           "empty filename");
      return FALSE;
    }
  if (!tftp_take_string (req->buf, body_len, &pos, &req->mode_text, NULL))
    {
      g_set_error_literal (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_TRUNCATED,
                           "mode not terminated");
      return FALSE;
    }
  if (g_ascii_strcasecmp (req->mode_text, "octet") == 0)
    req->mode = TFTP_MODE_OCTET;
  else if (g_ascii_strcasecmp (req->mode_text, "netascii") == 0)
    req->mode = TFTP_MODE_NETASCII;
  else
    {
      g_set_error_literal (error, TFTP_ERROR_QUARK, TFTP_REQUEST_ERROR_MODE,
                           "unsupported transfer mode");
      return FALSE;
    }

  /* Options: name NUL value NUL pairs; anything incomplete at the end is
   * ignored (some clients pad requests). */
  while (pos < body_len)
    {
      if (!tftp_take_string (req->buf, body_len, &pos, &name, &name_len))
        break;
      if (!tftp_take_string (req->buf, body_len, &pos, &value, NULL))
        break;
      if (name_len == 0)
        continue;
      if (req->n_options == TFTP_OPTIONS_MAX)
        break;
      req->options[req->n_options].name = name;
      req->options[req->n_options].value = value;
      req->n_options++;
    }
  return TRUE;
}

TftpErrorCode
tftp_request_error_to_code (const GError *error)
{
  if (error == NULL || error->domain != TFTP_ERROR_QUARK)
    return TFTP_ERR_UNDEFINED;
  return TFTP_ERR_ILLEGAL_OP;
}

gboolean
tftp_option_parse_uint (const char *text, guint64 *out)
{
  guint64 v = 0;
  gsize i;

  if (text == NULL || text[0] == '\0')
    return FALSE;
  for (i = 0; text[i] != '\0'; i++)
    {
      if (i >= 10 || !g_ascii_isdigit (text[i]))
        return FALSE;
      v = v * 10 + (guint64) (text[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* The first option named @name (case-insensitive), or NULL. */
static const char *
tftp_request_lookup (const TftpRequest *req, const char *name)
{
  for (guint i = 0; i < req->n_options; i++)
    if (g_ascii_strcasecmp (req->options[i].name, name) == 0)
      return req->options[i].value;
  return NULL;
}

void
tftp_negotiate (const TftpRequest *req, const TftpLimits *limits, guint64 size,
                TftpNegotiated *out)
{
  const char *v;
  guint64 n;

  memset (out, 0, sizeof *out);
  out->blksize = TFTP_BLKSIZE_DEFAULT;
  out->windowsize = 1;

  v = tftp_request_lookup (req, "blksize");
  if (v != NULL && tftp_option_parse_uint (v, &n) && n >= TFTP_BLKSIZE_MIN
      && n <= TFTP_BLKSIZE_MAX)
    {
      guint max = MIN (limits->blksize_max, TFTP_BLKSIZE_MAX);

      if (limits->blksize_mtu != 0)
        max = MIN (max, limits->blksize_mtu);
      max = MAX (max, TFTP_BLKSIZE_MIN);
      out->blksize = (guint) MIN (n, max);
      out->has_blksize = TRUE;
    }

  v = tftp_request_lookup (req, "windowsize");
  if (v != NULL && limits->windowsize_max > 1 && tftp_option_parse_uint (v, &n)
      && n >= TFTP_WINDOWSIZE_MIN && n <= TFTP_WINDOWSIZE_MAX)
    {
      out->windowsize = (guint) MIN (n, limits->windowsize_max);
      out->has_windowsize = TRUE;
    }

  v = tftp_request_lookup (req, "timeout");
  if (v != NULL && limits->allow_timeout && tftp_option_parse_uint (v, &n)
      && n >= TFTP_TIMEOUT_MIN && n <= TFTP_TIMEOUT_MAX)
    {
      out->timeout_s = (guint) n;
      out->has_timeout = TRUE;
    }

  /* RFC 2349: the size in octets; meaningless for netascii, whose size on
   * the wire differs from the file's. */
  v = tftp_request_lookup (req, "tsize");
  if (v != NULL && req->mode == TFTP_MODE_OCTET && tftp_option_parse_uint (v, &n))
    {
      out->tsize = size;
      out->has_tsize = TRUE;
    }
}

gboolean
tftp_negotiated_needs_oack (const TftpNegotiated *neg)
{
  return neg->has_blksize || neg->has_windowsize || neg->has_timeout || neg->has_tsize;
}

char *
tftp_negotiated_to_string (const TftpNegotiated *neg)
{
  GString *s = g_string_new (NULL);

  if (neg->has_blksize)
    g_string_append_printf (s, " blksize=%u", neg->blksize);
  if (neg->has_tsize)
    g_string_append_printf (s, " tsize=%" G_GUINT64_FORMAT, neg->tsize);
  if (neg->has_timeout)
    g_string_append_printf (s, " timeout=%u", neg->timeout_s);
  if (neg->has_windowsize)
    g_string_append_printf (s, " windowsize=%u", neg->windowsize);
  if (s->len > 0)
    g_string_erase (s, 0, 1);
  return g_string_free (s, FALSE);
}

static gboolean
tftp_put_string (guint8 *buf, gsize size, gsize *pos, const char *text)
{
  gsize n = strlen (text) + 1;

  if (size - *pos < n)
    return FALSE;
  memcpy (buf + *pos, text, n);
  *pos += n;
  return TRUE;
}

static gboolean
tftp_put_option (guint8 *buf, gsize size, gsize *pos, const char *name, guint64 value)
{
  char num[24];

  g_snprintf (num, sizeof num, "%" G_GUINT64_FORMAT, value);
  return tftp_put_string (buf, size, pos, name) && tftp_put_string (buf, size, pos, num);
}

gsize
tftp_build_oack (const TftpNegotiated *neg, guint8 *buf, gsize size)
{
  gsize pos = 2;

  if (size < 2)
    return 0;
  tftp_write_u16 (buf, TFTP_OP_OACK);
  if (neg->has_blksize && !tftp_put_option (buf, size, &pos, "blksize", neg->blksize))
    return 0;
  if (neg->has_tsize && !tftp_put_option (buf, size, &pos, "tsize", neg->tsize))
    return 0;
  if (neg->has_timeout && !tftp_put_option (buf, size, &pos, "timeout", neg->timeout_s))
    return 0;
  if (neg->has_windowsize
      && !tftp_put_option (buf, size, &pos, "windowsize", neg->windowsize))
    return 0;
  return pos;
}

gsize
tftp_build_error (TftpErrorCode code, const char *text, guint8 *buf, gsize size)
{
  gsize pos = 4;

  if (size < 5)
    return 0;
  tftp_write_u16 (buf, TFTP_OP_ERROR);
  tftp_write_u16 (buf + 2, (guint16) code);
  if (!tftp_put_string (buf, size, &pos, text != NULL ? text : ""))
    return 0;
  return pos;
}

gsize
tftp_build_ack (guint16 block, guint8 *buf, gsize size)
{
  if (size < 4)
    return 0;
  tftp_write_u16 (buf, TFTP_OP_ACK);
  tftp_write_u16 (buf + 2, block);
  return 4;
}

void
tftp_build_data_header (guint16 block, guint8 header[4])
{
  tftp_write_u16 (header, TFTP_OP_DATA);
  tftp_write_u16 (header + 2, block);
}

gboolean
tftp_packet_parse (const guint8 *data, gsize len, TftpPacket *out)
{
  memset (out, 0, sizeof *out);
  if (len < 2)
    return FALSE;
  out->opcode = tftp_read_u16 (data);
  switch (out->opcode)
    {
    case TFTP_OP_DATA:
    case TFTP_OP_ACK:
      if (len < 4)
        return FALSE;
      out->block = tftp_read_u16 (data + 2);
      out->payload = data + 4;
      out->payload_len = len - 4;
      return TRUE;
    case TFTP_OP_ERROR:
      if (len < 4)
        return FALSE;
      out->error_code = tftp_read_u16 (data + 2);
      out->payload = data + 4;
      out->payload_len = len - 4;
      return TRUE;
    case TFTP_OP_OACK:
      out->payload = data + 2;
      out->payload_len = len - 2;
      return TRUE;
    case TFTP_OP_RRQ:
    case TFTP_OP_WRQ:
    default:
      return FALSE;
    }
}

GBytes *
tftp_netascii_encode (const guint8 *data, gsize len)
{
  gsize extra = 0;
  guint8 *out, *p;

  for (gsize i = 0; i < len; i++)
    if (data[i] == '\n' || data[i] == '\r')
      extra++;
  out = g_malloc (len + extra + 1);
  p = out;
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        {
          *p++ = '\r';
          *p++ = '\n';
        }
      else if (data[i] == '\r')
        {
          *p++ = '\r';
          *p++ = '\0';
        }
      else
        *p++ = data[i];
    }
  return g_bytes_new_take (out, len + extra);
}

gboolean
tftp_netascii_decode (const guint8 *data, gsize len, GByteArray *out, gboolean *cr_pending)
{
  static const guint8 lf = '\n', cr = '\r';

  for (gsize i = 0; i < len; i++)
    {
      if (*cr_pending)
        {
          *cr_pending = FALSE;
          if (data[i] == '\n')
            g_byte_array_append (out, &lf, 1);
          else if (data[i] == '\0')
            g_byte_array_append (out, &cr, 1);
          else
            return FALSE;
        }
      else if (data[i] == '\r')
        *cr_pending = TRUE;
      else
        g_byte_array_append (out, data + i, 1);
    }
  return TRUE;
}
