/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-codec.h"

#include <string.h>

G_DEFINE_QUARK (pxed-dhcp-codec-error-quark, dhcp_codec_error)

static const guint8 dhcp_magic_cookie[4] = { 99, 130, 83, 99 };

#define DHCP_OFF_SNAME 44
#define DHCP_OFF_FILE 108
#define DHCP_MAX_UDP_PAYLOAD 65507
#define DHCP_BOOTP_MIN_LEN 300

/* ---- Parsing ------------------------------------------------------------- */

typedef struct {
  guint8 code;
  guint32 pos; /* into the raw buffer */
  guint32 len;
} DhcpSegment;

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
read_addr (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return v;
}

/* Collects the options of one field [start, start + size). @allow_overload
 * only in the options field proper. */
static gboolean
dhcp_parse_area (const guint8 *buf, gsize start, gsize size, GArray *segments,
                 gint *overload, GError **error)
{
  gsize pos = 0;

  while (pos < size)
    {
      guint8 code = buf[start + pos];
      gsize len;

      if (code == DHCP_OPT_PAD)
        {
          pos++;
          continue;
        }
      if (code == DHCP_OPT_END)
        return TRUE;
      if (size - pos < 2)
        {
          g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_BAD_OPTION,
                       "option %u has no length byte", code);
          return FALSE;
        }
      len = buf[start + pos + 1];
      if (size - pos - 2 < len)
        {
          g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_BAD_OPTION,
                       "option %u (length %" G_GSIZE_FORMAT ") runs past the end", code, len);
          return FALSE;
        }
      if (code == DHCP_OPT_OVERLOAD)
        {
          if (overload != NULL)
            {
              if (len != 1 || buf[start + pos + 2] < 1 || buf[start + pos + 2] > 3)
                {
                  g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_BAD_OVERLOAD,
                               "invalid option overload value");
                  return FALSE;
                }
              *overload = buf[start + pos + 2];
            }
          /* never stored; ignored inside overloaded fields */
        }
      else
        {
          DhcpSegment seg = { code, (guint32) (start + pos + 2), (guint32) len };
          g_array_append_val (segments, seg);
        }
      pos += 2 + len;
    }
  return TRUE;
}

DhcpMessage *
dhcp_message_parse (const guint8 *buf, gsize len, GError **error)
{
  g_autoptr(DhcpMessage) msg = NULL;
  g_autoptr(GArray) segments = NULL;
  gint overload = 0;
  gsize total = 0;
  guint32 fill[256];

  g_return_val_if_fail (buf != NULL || len == 0, NULL);

  if (len < DHCP_MIN_LEN)
    {
      g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_TRUNCATED,
                   "message of %" G_GSIZE_FORMAT " bytes is shorter than %d", len, DHCP_MIN_LEN);
      return NULL;
    }
  if (memcmp (buf + DHCP_HEADER_LEN, dhcp_magic_cookie, 4) != 0)
    {
      g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_BAD_COOKIE, "wrong magic cookie");
      return NULL;
    }
  if (buf[2] > 16)
    {
      g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_BAD_HLEN,
                   "hardware address length %u > 16", buf[2]);
      return NULL;
    }

  msg = g_new0 (DhcpMessage, 1);
  msg->op = buf[0];
  msg->htype = buf[1];
  msg->hlen = buf[2];
  msg->hops = buf[3];
  msg->xid = read_be32 (buf + 4);
  msg->secs = (guint16) ((buf[8] << 8) | buf[9]);
  msg->flags = (guint16) ((buf[10] << 8) | buf[11]);
  msg->ciaddr = read_addr (buf + 12);
  msg->yiaddr = read_addr (buf + 16);
  msg->siaddr = read_addr (buf + 20);
  msg->giaddr = read_addr (buf + 24);
  memcpy (msg->chaddr, buf + 28, 16);
  memcpy (msg->sname, buf + DHCP_OFF_SNAME, DHCP_SNAME_LEN);
  memcpy (msg->file, buf + DHCP_OFF_FILE, DHCP_FILE_LEN);

  segments = g_array_new (FALSE, FALSE, sizeof (DhcpSegment));
  if (!dhcp_parse_area (buf, DHCP_MIN_LEN, len - DHCP_MIN_LEN, segments, &overload, error))
    return NULL;
  /* RFC 2131 4.1: the file field first, then sname. */
  if (overload & 1)
    {
      msg->file_is_options = TRUE;
      if (!dhcp_parse_area (buf, DHCP_OFF_FILE, DHCP_FILE_LEN, segments, NULL, error))
        {
          g_prefix_error (error, "overloaded file field: ");
          return NULL;
        }
    }
  if (overload & 2)
    {
      msg->sname_is_options = TRUE;
      if (!dhcp_parse_area (buf, DHCP_OFF_SNAME, DHCP_SNAME_LEN, segments, NULL, error))
        {
          g_prefix_error (error, "overloaded sname field: ");
          return NULL;
        }
    }

  /* Concatenate repeated options (RFC 3396) into one buffer. */
  for (guint i = 0; i < segments->len; i++)
    {
      const DhcpSegment *seg = &g_array_index (segments, DhcpSegment, i);
      msg->has[seg->code] = TRUE;
      msg->len[seg->code] += seg->len;
      total += seg->len;
    }
  msg->data = g_malloc (total > 0 ? total : 1);
  total = 0;
  for (guint c = 0; c < 256; c++)
    {
      msg->off[c] = (guint32) total;
      fill[c] = (guint32) total;
      total += msg->len[c];
    }
  for (guint i = 0; i < segments->len; i++)
    {
      const DhcpSegment *seg = &g_array_index (segments, DhcpSegment, i);
      memcpy (msg->data + fill[seg->code], buf + seg->pos, seg->len);
      fill[seg->code] += seg->len;
    }
  return g_steal_pointer (&msg);
}

void
dhcp_message_free (DhcpMessage *msg)
{
  if (msg == NULL)
    return;
  g_free (msg->data);
  g_free (msg);
}

const guint8 *
dhcp_message_get_option (const DhcpMessage *msg, guint8 code, gsize *len)
{
  if (!msg->has[code])
    {
      if (len != NULL)
        *len = 0;
      return NULL;
    }
  if (len != NULL)
    *len = msg->len[code];
  return msg->data + msg->off[code];
}

gboolean
dhcp_message_has_option (const DhcpMessage *msg, guint8 code)
{
  return msg->has[code];
}

gboolean
dhcp_message_get_u8 (const DhcpMessage *msg, guint8 code, guint8 *out)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (msg, code, &len);

  if (p == NULL || len != 1)
    return FALSE;
  *out = p[0];
  return TRUE;
}

gboolean
dhcp_message_get_u16 (const DhcpMessage *msg, guint8 code, guint16 *out)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (msg, code, &len);

  if (p == NULL || len != 2)
    return FALSE;
  *out = (guint16) ((p[0] << 8) | p[1]);
  return TRUE;
}

gboolean
dhcp_message_get_u32 (const DhcpMessage *msg, guint8 code, guint32 *out)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (msg, code, &len);

  if (p == NULL || len != 4)
    return FALSE;
  *out = read_be32 (p);
  return TRUE;
}

gboolean
dhcp_message_get_ip (const DhcpMessage *msg, guint8 code, guint32 *out)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (msg, code, &len);

  if (p == NULL || len != 4)
    return FALSE;
  *out = read_addr (p);
  return TRUE;
}

gsize
dhcp_string_trim_len (const guint8 *data, gsize len)
{
  const guint8 *nul = memchr (data, 0, len);

  if (nul != NULL)
    len = (gsize) (nul - data);
  while (len > 0 && (data[len - 1] == 0xff || data[len - 1] == 0))
    len--;
  return len;
}

char *
dhcp_message_get_string (const DhcpMessage *msg, guint8 code)
{
  gsize len;
  const guint8 *p = dhcp_message_get_option (msg, code, &len);

  if (p == NULL)
    return NULL;
  len = dhcp_string_trim_len (p, len);
  if (len == 0)
    return NULL;
  return g_strndup ((const char *) p, len);
}

guint8
dhcp_message_get_type (const DhcpMessage *msg)
{
  guint8 t = 0;

  if (!dhcp_message_get_u8 (msg, DHCP_OPT_MESSAGE_TYPE, &t) || t < DHCP_DISCOVER || t > DHCP_INFORM)
    return 0;
  return t;
}

char *
dhcp_message_get_mac (const DhcpMessage *msg)
{
  if (msg->hlen != 6)
    return NULL;
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", msg->chaddr[0], msg->chaddr[1],
                          msg->chaddr[2], msg->chaddr[3], msg->chaddr[4], msg->chaddr[5]);
}

gsize
dhcp_message_get_max_reply_size (const DhcpMessage *msg)
{
  guint16 v;
  gsize size;

  if (!dhcp_message_get_u16 (msg, DHCP_OPT_MAX_SIZE, &v) || v < 576)
    return DHCP_MIN_MAX_SIZE;
  size = (gsize) v - DHCP_IP_UDP_OVERHEAD;
  return CLAMP (size, DHCP_MIN_MAX_SIZE, DHCP_MAX_UDP_PAYLOAD);
}

gboolean
dhcp_message_requested (const DhcpMessage *msg, guint8 code)
{
  gsize len;
  const guint8 *prl = dhcp_message_get_option (msg, DHCP_OPT_PRL, &len);

  return prl != NULL && memchr (prl, code, len) != NULL;
}

void
dhcp_message_reply_destination (const DhcpMessage *msg, gboolean nak, guint32 *addr,
                                guint16 *port)
{
  if (msg->giaddr != 0)
    {
      *addr = msg->giaddr;
      *port = DHCP_SERVER_PORT;
    }
  else if (!nak && msg->ciaddr != 0)
    {
      *addr = msg->ciaddr;
      *port = DHCP_CLIENT_PORT;
    }
  else
    {
      *addr = G_MAXUINT32;
      *port = DHCP_CLIENT_PORT;
    }
}

const char *
dhcp_message_type_to_string (guint8 type)
{
  static const char *const names[] = {
    "UNKNOWN", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
  };

  return type < G_N_ELEMENTS (names) ? names[type] : "UNKNOWN";
}

/* ---- Encoding ------------------------------------------------------------ */

struct _DhcpBuilder {
  guint8 op, htype, hlen, hops;
  guint32 xid;
  guint16 flags;
  guint32 ciaddr, yiaddr, siaddr, giaddr;
  guint8 chaddr[16];
  char sname[DHCP_SNAME_LEN];
  char file[DHCP_FILE_LEN];
  GBytes *opts[256];
  guint8 prl[256];
  gsize n_prl;
  gboolean have_prl;
  gboolean only_if_requested[256];
  gsize max_size;
};

DhcpBuilder *
dhcp_builder_new (guint8 op, guint8 message_type)
{
  DhcpBuilder *b = g_new0 (DhcpBuilder, 1);

  b->op = op;
  b->htype = 1;
  b->hlen = 6;
  b->max_size = DHCP_MIN_MAX_SIZE;
  if (message_type != 0)
    dhcp_builder_set_option_u8 (b, DHCP_OPT_MESSAGE_TYPE, message_type);
  return b;
}

void
dhcp_builder_free (DhcpBuilder *b)
{
  if (b == NULL)
    return;
  for (guint i = 0; i < 256; i++)
    g_clear_pointer (&b->opts[i], g_bytes_unref);
  g_free (b);
}

void
dhcp_builder_copy_request (DhcpBuilder *b, const DhcpMessage *request)
{
  b->xid = request->xid;
  b->flags = request->flags;
  b->giaddr = request->giaddr;
  b->hops = request->hops;
  b->htype = request->htype;
  b->hlen = request->hlen;
  memcpy (b->chaddr, request->chaddr, 16);
}

void dhcp_builder_set_xid (DhcpBuilder *b, guint32 xid) { b->xid = xid; }
void dhcp_builder_set_flags (DhcpBuilder *b, guint16 flags) { b->flags = flags; }
void dhcp_builder_set_ciaddr (DhcpBuilder *b, guint32 addr) { b->ciaddr = addr; }
void dhcp_builder_set_yiaddr (DhcpBuilder *b, guint32 addr) { b->yiaddr = addr; }
void dhcp_builder_set_siaddr (DhcpBuilder *b, guint32 addr) { b->siaddr = addr; }
void dhcp_builder_set_giaddr (DhcpBuilder *b, guint32 addr) { b->giaddr = addr; }

void
dhcp_builder_set_chaddr (DhcpBuilder *b, guint8 htype, const guint8 *chaddr, guint8 hlen)
{
  b->htype = htype;
  b->hlen = MIN (hlen, 16);
  memset (b->chaddr, 0, sizeof b->chaddr);
  memcpy (b->chaddr, chaddr, b->hlen);
}

static gboolean
copy_field (char *dest, gsize size, const char *src)
{
  gsize len = src != NULL ? strlen (src) : 0;

  if (len >= size)
    return FALSE;
  memset (dest, 0, size);
  if (len > 0)
    memcpy (dest, src, len);
  return TRUE;
}

gboolean
dhcp_builder_set_sname (DhcpBuilder *b, const char *sname)
{
  return copy_field (b->sname, sizeof b->sname, sname);
}

gboolean
dhcp_builder_set_file (DhcpBuilder *b, const char *file)
{
  return copy_field (b->file, sizeof b->file, file);
}

void
dhcp_builder_set_option (DhcpBuilder *b, guint8 code, const void *data, gsize len)
{
  g_return_if_fail (code != DHCP_OPT_PAD && code != DHCP_OPT_END && code != DHCP_OPT_OVERLOAD);
  g_return_if_fail (data != NULL || len == 0);

  g_clear_pointer (&b->opts[code], g_bytes_unref);
  b->opts[code] = g_bytes_new (data, len);
}

void
dhcp_builder_set_option_u8 (DhcpBuilder *b, guint8 code, guint8 v)
{
  dhcp_builder_set_option (b, code, &v, 1);
}

void
dhcp_builder_set_option_u16 (DhcpBuilder *b, guint8 code, guint16 v)
{
  guint8 p[2] = { (guint8) (v >> 8), (guint8) v };

  dhcp_builder_set_option (b, code, p, 2);
}

void
dhcp_builder_set_option_u32 (DhcpBuilder *b, guint8 code, guint32 v)
{
  guint8 p[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };

  dhcp_builder_set_option (b, code, p, 4);
}

void
dhcp_builder_set_option_ip (DhcpBuilder *b, guint8 code, guint32 addr)
{
  dhcp_builder_set_option (b, code, &addr, 4);
}

void
dhcp_builder_set_option_str (DhcpBuilder *b, guint8 code, const char *s)
{
  dhcp_builder_set_option (b, code, s, strlen (s));
}

void
dhcp_builder_unset_option (DhcpBuilder *b, guint8 code)
{
  g_clear_pointer (&b->opts[code], g_bytes_unref);
}

gboolean
dhcp_builder_has_option (DhcpBuilder *b, guint8 code)
{
  return b->opts[code] != NULL;
}

void
dhcp_builder_set_request_list (DhcpBuilder *b, const guint8 *codes, gsize n)
{
  gboolean seen[256] = { FALSE };

  b->n_prl = 0;
  b->have_prl = TRUE;
  for (gsize i = 0; i < n; i++)
    {
      if (seen[codes[i]])
        continue;
      seen[codes[i]] = TRUE;
      b->prl[b->n_prl++] = codes[i];
    }
}

void
dhcp_builder_set_max_size (DhcpBuilder *b, gsize max_size)
{
  b->max_size = CLAMP (max_size, DHCP_MIN_MAX_SIZE, DHCP_MAX_UDP_PAYLOAD);
}

void
dhcp_builder_set_only_if_requested (DhcpBuilder *b, guint8 code, gboolean only)
{
  b->only_if_requested[code] = only;
}

static gsize
option_wire_size (gsize len)
{
  gsize chunks = len == 0 ? 1 : (len + 254) / 255;

  return 2 * chunks + len;
}

static gboolean
is_mandatory (guint8 code)
{
  return code == DHCP_OPT_MESSAGE_TYPE || code == DHCP_OPT_SERVER_ID || code == DHCP_OPT_RELAY_AGENT;
}

static void
emit_option (guint8 *out, gsize *pos, guint8 code, GBytes *value)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (value, &len);

  if (len == 0)
    {
      out[(*pos)++] = code;
      out[(*pos)++] = 0;
      return;
    }
  while (len > 0)
    {
      gsize chunk = MIN (len, 255);
      out[(*pos)++] = code;
      out[(*pos)++] = (guint8) chunk;
      memcpy (out + *pos, p, chunk);
      *pos += chunk;
      p += chunk;
      len -= chunk;
    }
}

enum { AREA_NONE = -1, AREA_MAIN = 0, AREA_FILE = 1, AREA_SNAME = 2 };

GBytes *
dhcp_builder_encode (DhcpBuilder *b, GError **error)
{
  guint8 priority[256 + 8];
  guint8 wire[256 + 8];
  gsize n_priority = 0, n_wire = 0;
  gboolean listed[256] = { FALSE };
  gboolean requested[256] = { FALSE };
  gint area[256];
  gsize need = 0, main_cap, caps[3] = { 0, 0, 0 };
  gboolean overload = FALSE, used_file = FALSE, used_sname = FALSE;
  gsize size, pos;
  guint8 *out;

  for (gsize i = 0; i < b->n_prl; i++)
    requested[b->prl[i]] = TRUE;

  /* Placement priority: mandatory first, then the request list, then the rest. */
#define ADD_PRIO(c)                                                      \
  do {                                                                   \
    if (b->opts[(c)] != NULL && !listed[(c)])                            \
      {                                                                  \
        listed[(c)] = TRUE;                                              \
        priority[n_priority++] = (c);                                    \
      }                                                                  \
  } while (0)
  ADD_PRIO (DHCP_OPT_MESSAGE_TYPE);
  ADD_PRIO (DHCP_OPT_SERVER_ID);
  ADD_PRIO (DHCP_OPT_RELAY_AGENT);
  ADD_PRIO (DHCP_OPT_LEASE_TIME);
  for (gsize i = 0; i < b->n_prl; i++)
    ADD_PRIO (b->prl[i]);
  for (guint c = 1; c < 255; c++)
    {
      if (b->opts[c] == NULL || listed[c])
        continue;
      if (b->only_if_requested[c] && b->have_prl && !requested[c])
        continue;
      ADD_PRIO ((guint8) c);
    }
#undef ADD_PRIO

  /* Wire order: 53, 54, request list order, the rest ascending, 82 last. */
  if (b->opts[DHCP_OPT_MESSAGE_TYPE] != NULL)
    wire[n_wire++] = DHCP_OPT_MESSAGE_TYPE;
  if (b->opts[DHCP_OPT_SERVER_ID] != NULL)
    wire[n_wire++] = DHCP_OPT_SERVER_ID;
  for (gsize i = 0; i < b->n_prl; i++)
    {
      guint8 c = b->prl[i];
      if (listed[c] && c != DHCP_OPT_MESSAGE_TYPE && c != DHCP_OPT_SERVER_ID &&
          c != DHCP_OPT_RELAY_AGENT)
        wire[n_wire++] = c;
    }
  for (guint c = 1; c < 255; c++)
    {
      if (!listed[c] || requested[c] || c == DHCP_OPT_MESSAGE_TYPE || c == DHCP_OPT_SERVER_ID ||
          c == DHCP_OPT_RELAY_AGENT)
        continue;
      wire[n_wire++] = (guint8) c;
    }
  if (listed[DHCP_OPT_RELAY_AGENT])
    wire[n_wire++] = DHCP_OPT_RELAY_AGENT;

  for (guint c = 0; c < 256; c++)
    area[c] = AREA_NONE;
  for (gsize i = 0; i < n_priority; i++)
    need += option_wire_size (g_bytes_get_size (b->opts[priority[i]]));

  main_cap = b->max_size - DHCP_MIN_LEN - 1; /* END */
  if (need <= main_cap)
    {
      for (gsize i = 0; i < n_priority; i++)
        area[priority[i]] = AREA_MAIN;
    }
  else
    {
      /* Overload: 3 bytes for option 52 in the options field; file and
       * sname only when they carry nothing of their own. */
      overload = TRUE;
      caps[AREA_MAIN] = main_cap - 3;
      caps[AREA_FILE] = b->file[0] == '\0' ? DHCP_FILE_LEN - 1 : 0;
      caps[AREA_SNAME] = b->sname[0] == '\0' ? DHCP_SNAME_LEN - 1 : 0;
      for (gsize i = 0; i < n_priority; i++)
        {
          guint8 c = priority[i];
          gsize sz = option_wire_size (g_bytes_get_size (b->opts[c]));

          for (gint a = AREA_MAIN; a <= AREA_SNAME; a++)
            {
              if (sz <= caps[a])
                {
                  caps[a] -= sz;
                  area[c] = a;
                  break;
                }
            }
          if (area[c] == AREA_NONE && is_mandatory (c))
            {
              g_set_error (error, DHCP_CODEC_ERROR, DHCP_CODEC_ERROR_TOO_LARGE,
                           "option %u does not fit in %" G_GSIZE_FORMAT " bytes", c, b->max_size);
              return NULL;
            }
        }
    }

  /* Lay out: header, cookie, options field, padded to the BOOTP minimum. */
  size = DHCP_MIN_LEN + 1 + (overload ? 3 : 0);
  for (gsize i = 0; i < n_wire; i++)
    if (area[wire[i]] == AREA_MAIN)
      size += option_wire_size (g_bytes_get_size (b->opts[wire[i]]));
  size = MAX (size, DHCP_BOOTP_MIN_LEN);
  out = g_malloc0 (size);

  out[0] = b->op;
  out[1] = b->htype;
  out[2] = b->hlen;
  out[3] = b->hops;
  out[4] = (guint8) (b->xid >> 24);
  out[5] = (guint8) (b->xid >> 16);
  out[6] = (guint8) (b->xid >> 8);
  out[7] = (guint8) b->xid;
  out[10] = (guint8) (b->flags >> 8);
  out[11] = (guint8) b->flags;
  memcpy (out + 12, &b->ciaddr, 4);
  memcpy (out + 16, &b->yiaddr, 4);
  memcpy (out + 20, &b->siaddr, 4);
  memcpy (out + 24, &b->giaddr, 4);
  memcpy (out + 28, b->chaddr, 16);
  memcpy (out + DHCP_OFF_SNAME, b->sname, DHCP_SNAME_LEN);
  memcpy (out + DHCP_OFF_FILE, b->file, DHCP_FILE_LEN);
  memcpy (out + DHCP_HEADER_LEN, dhcp_magic_cookie, 4);

  for (guint k = 0; k < 256; k++)
    {
      used_file |= area[k] == AREA_FILE;
      used_sname |= area[k] == AREA_SNAME;
    }
  pos = DHCP_MIN_LEN;
  for (gsize i = 0; i < n_wire; i++)
    {
      guint8 c = wire[i];
      if (area[c] != AREA_MAIN)
        continue;
      emit_option (out, &pos, c, b->opts[c]);
      if (c == DHCP_OPT_MESSAGE_TYPE && (used_file || used_sname))
        {
          out[pos++] = DHCP_OPT_OVERLOAD;
          out[pos++] = 1;
          out[pos++] = (guint8) ((used_file ? 1 : 0) | (used_sname ? 2 : 0));
        }
    }
  out[pos++] = DHCP_OPT_END;

  if (used_file || used_sname)
    {
      const gsize starts[3] = { 0, DHCP_OFF_FILE, DHCP_OFF_SNAME };
      const gsize sizes[3] = { 0, DHCP_FILE_LEN, DHCP_SNAME_LEN };

      for (gint a = AREA_FILE; a <= AREA_SNAME; a++)
        {
          gsize p = starts[a];
          gboolean used = FALSE;

          for (gsize i = 0; i < n_wire; i++)
            if (area[wire[i]] == a)
              used = TRUE;
          if (!used)
            continue;
          memset (out + starts[a], 0, sizes[a]);
          for (gsize i = 0; i < n_wire; i++)
            if (area[wire[i]] == a)
              emit_option (out, &p, wire[i], b->opts[wire[i]]);
          out[p++] = DHCP_OPT_END;
        }
    }
  return g_bytes_new_take (out, size);
}
