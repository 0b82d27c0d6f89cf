/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FTP control-channel parsing: line splitting with telnet IAC removal,
 * command verbs, PORT/EPRT/REST arguments (RFC 959, 2428, 3659). */
#include "ftp-command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

G_DEFINE_QUARK (pxed-ftp-command-error-quark, ftp_command_error)

/* ---- Line reader ------------------------------------------------------------------ */

#define READER_CAPACITY (FTP_LINE_MAX * 2 + 4)

enum { TELNET_IAC = 255, TELNET_WILL = 251, TELNET_DONT = 254 };

typedef enum {
  TELNET_STATE_DATA,
  TELNET_STATE_IAC,
  TELNET_STATE_OPTION,
} TelnetState;

struct _FtpLineReader {
  guint8     *buf;
  gsize       start;     /* first unconsumed byte */
  gsize       end;       /* one past the last buffered byte */
  TelnetState telnet;
  gboolean    skipping;  /* discarding the rest of an overlong line */
};

FtpLineReader *
ftp_line_reader_new (void)
{
  FtpLineReader *reader = g_new0 (FtpLineReader, 1);

  reader->buf = g_malloc (READER_CAPACITY + 1);
  return reader;
}

void
ftp_line_reader_free (FtpLineReader *reader)
{
  if (reader == NULL)
    return;
  g_free (reader->buf);
  g_free (reader);
}

static void
ftp_line_reader_compact (FtpLineReader *reader)
{
  if (reader->start == 0)
    return;
  memmove (reader->buf, reader->buf + reader->start, reader->end - reader->start);
  reader->end -= reader->start;
  reader->start = 0;
}

gsize
ftp_line_reader_room (FtpLineReader *reader)
{
  return READER_CAPACITY - (reader->end - reader->start);
}

gsize
ftp_line_reader_feed (FtpLineReader *reader, const guint8 *data, gsize len)
{
  gsize taken = 0;

  ftp_line_reader_compact (reader);
  while (taken < len && reader->end < READER_CAPACITY)
    {
      guint8 c = data[taken++];

      switch (reader->telnet)
        {
        case TELNET_STATE_DATA:
          if (c == TELNET_IAC)
            reader->telnet = TELNET_STATE_IAC;
          else
            reader->buf[reader->end++] = c;
          break;
        case TELNET_STATE_IAC:
          if (c == TELNET_IAC)
            {
              reader->buf[reader->end++] = c;
              reader->telnet = TELNET_STATE_DATA;
            }
          else if (c >= TELNET_WILL && c <= TELNET_DONT)
            reader->telnet = TELNET_STATE_OPTION;
          else
            reader->telnet = TELNET_STATE_DATA; /* IP, DM, AYT...: dropped */
          break;
        case TELNET_STATE_OPTION:
        default:
          reader->telnet = TELNET_STATE_DATA;
          break;
        }
    }
  return taken;
}

gboolean
ftp_line_reader_has_line (FtpLineReader *reader)
{
  return memchr (reader->buf + reader->start, '\n', reader->end - reader->start) != NULL ||
         reader->end - reader->start > FTP_LINE_MAX + 1;
}

const char *
ftp_line_reader_next (FtpLineReader *reader, gsize *len, GError **error)
{
  guint8 *line = reader->buf + reader->start;
  gsize avail = reader->end - reader->start;
  guint8 *nl = memchr (line, '\n', avail);
  gsize n;

  if (nl == NULL)
    {
      if (avail > FTP_LINE_MAX + 1)
        {
          /* No terminator within the limit: the rest is garbage. */
          reader->start = reader->end = 0;
          g_set_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_TOO_LONG,
                       "command line longer than %u bytes", FTP_LINE_MAX);
        }
      return NULL;
    }
  n = (gsize) (nl - line);
  reader->start += n + 1;
  if (n > 0 && line[n - 1] == '\r')
    n--;
  if (n > FTP_LINE_MAX)
    {
      g_set_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_TOO_LONG,
                   "command line longer than %u bytes", FTP_LINE_MAX);
      return NULL;
    }
  line[n] = '\0';
  *len = n;
  return (const char *) line;
}

/* ---- Verbs ------------------------------------------------------------------------- */

static const struct {
  const char *name;
  FtpVerb     verb;
} verb_table[] = {
  { "USER", FTP_VERB_USER }, { "PASS", FTP_VERB_PASS }, { "ACCT", FTP_VERB_ACCT },
  { "REIN", FTP_VERB_REIN }, { "QUIT", FTP_VERB_QUIT }, { "SYST", FTP_VERB_SYST },
  { "FEAT", FTP_VERB_FEAT }, { "OPTS", FTP_VERB_OPTS }, { "HELP", FTP_VERB_HELP },
  { "NOOP", FTP_VERB_NOOP }, { "STAT", FTP_VERB_STAT }, { "PWD", FTP_VERB_PWD },
  { "XPWD", FTP_VERB_PWD },  { "CWD", FTP_VERB_CWD },   { "XCWD", FTP_VERB_CWD },
  { "CDUP", FTP_VERB_CDUP }, { "XCUP", FTP_VERB_CDUP }, { "TYPE", FTP_VERB_TYPE },
  { "MODE", FTP_VERB_MODE }, { "STRU", FTP_VERB_STRU }, { "ALLO", FTP_VERB_ALLO },
  { "PASV", FTP_VERB_PASV }, { "EPSV", FTP_VERB_EPSV }, { "PORT", FTP_VERB_PORT },
  { "EPRT", FTP_VERB_EPRT }, { "RETR", FTP_VERB_RETR }, { "REST", FTP_VERB_REST },
  { "ABOR", FTP_VERB_ABOR }, { "LIST", FTP_VERB_LIST }, { "NLST", FTP_VERB_NLST },
  { "MLSD", FTP_VERB_MLSD }, { "MLST", FTP_VERB_MLST }, { "SIZE", FTP_VERB_SIZE },
  { "MDTM", FTP_VERB_MDTM }, { "STOR", FTP_VERB_STOR }, { "STOU", FTP_VERB_STOU },
  { "APPE", FTP_VERB_APPE }, { "DELE", FTP_VERB_DELE }, { "MKD", FTP_VERB_MKD },
  { "XMKD", FTP_VERB_MKD },  { "RMD", FTP_VERB_RMD },   { "XRMD", FTP_VERB_RMD },
  { "RNFR", FTP_VERB_RNFR }, { "RNTO", FTP_VERB_RNTO }, { "SITE", FTP_VERB_SITE },
  { "MFMT", FTP_VERB_MFMT }, { "MFCT", FTP_VERB_MFCT }, { "MFF", FTP_VERB_MFF },
  { "SMNT", FTP_VERB_SMNT }, { "AUTH", FTP_VERB_AUTH }, { "PBSZ", FTP_VERB_PBSZ },
  { "PROT", FTP_VERB_PROT }, { "CCC", FTP_VERB_CCC },   { "ADAT", FTP_VERB_ADAT },
  { "LANG", FTP_VERB_LANG }, { "HOST", FTP_VERB_HOST },
};

FtpVerb
ftp_verb_from_name (const char *name, gsize len)
{
  if (len == 0 || len > 4)
    return FTP_VERB_UNKNOWN;
  for (gsize i = 0; i < G_N_ELEMENTS (verb_table); i++)
    {
      if (strlen (verb_table[i].name) == len &&
          g_ascii_strncasecmp (verb_table[i].name, name, len) == 0)
        return verb_table[i].verb;
    }
  return FTP_VERB_UNKNOWN;
}

const char *
ftp_verb_to_name (FtpVerb verb)
{
  for (gsize i = 0; i < G_N_ELEMENTS (verb_table); i++)
    {
      if (verb_table[i].verb == verb)
        return verb_table[i].name;
    }
  return "?";
}

gboolean
ftp_verb_allowed_during_transfer (FtpVerb verb)
{
  /* QUIT waits for the transfer to end (RFC 959 section 4.1.1). */
  return verb == FTP_VERB_ABOR || verb == FTP_VERB_STAT || verb == FTP_VERB_NOOP;
}

gboolean
ftp_command_parse (const char *line, gsize len, FtpCommand *cmd, GError **error)
{
  gsize vlen = 0;

  memset (cmd, 0, sizeof *cmd);
  cmd->arg = "";
  if (len == 0)
    {
      g_set_error_literal (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_EMPTY, "empty command");
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) line[i];
      if (c < 0x20 || c == 0x7f)
        {
          g_set_error (error, FTP_COMMAND_ERROR, FTP_COMMAND_ERROR_INVALID,
                       "control character 0x%02x in command", c);
          return FALSE;
        }
    }
  while (vlen < len && line[vlen] != ' ')
    vlen++;
  cmd->verb = ftp_verb_from_name (line, vlen);
  if (vlen <= 4)
    {
      for (gsize i = 0; i < vlen; i++)
        cmd->name[i] = g_ascii_toupper (line[i]);
      cmd->name[vlen] = '\0';
    }
  if (vlen < len)
    cmd->arg = line + vlen + 1;
  return TRUE;
}

/* ---- Arguments ------------------------------------------------------------------------ */

static gboolean
parse_decimal (const char *text, gsize len, guint64 max, guint64 *out)
{
  guint64 v = 0;

  if (len == 0 || len > 20)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      if (v > (max - (guint64) (text[i] - '0')) / 10)
        return FALSE;
      v = v * 10 + (guint64) (text[i] - '0');
    }
  *out = v;
  return TRUE;
}

gboolean
ftp_parse_port (const char *arg, struct sockaddr_storage *out, socklen_t *out_len)
{
  guint64 v[6];
  const char *p = arg;
  struct sockaddr_in *sin = (struct sockaddr_in *) out;
  guint32 host;

  for (guint i = 0; i < 6; i++)
    {
      const char *start = p;
      while (g_ascii_isdigit (*p))
        p++;
      if (!parse_decimal (start, (gsize) (p - start), 255, &v[i]))
        return FALSE;
      if (i < 5)
        {
          if (*p != ',')
            return FALSE;
          p++;
        }
    }
  if (*p != '\0')
    return FALSE;
  memset (out, 0, sizeof *out);
  sin->sin_family = AF_INET;
  host = (guint32) (v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
  sin->sin_addr.s_addr = htonl (host);
  sin->sin_port = htons ((guint16) (v[4] << 8 | v[5]));
  *out_len = sizeof (struct sockaddr_in);
  return TRUE;
}

gboolean
ftp_parse_eprt (const char *arg, struct sockaddr_storage *out, socklen_t *out_len,
                gboolean *bad_proto)
{
  char delim = arg[0];
  const char *f[4];
  gsize flen[3];
  const char *p;
  guint64 proto, port;
  char addr[INET6_ADDRSTRLEN + 1];

  *bad_proto = FALSE;
  if (delim < 33 || delim > 126)
    return FALSE;
  p = arg + 1;
  for (guint i = 0; i < 3; i++)
    {
      const char *d = strchr (p, delim);
      if (d == NULL)
        return FALSE;
      f[i] = p;
      flen[i] = (gsize) (d - p);
      p = d + 1;
    }
  f[3] = p;
  if (*f[3] != '\0')
    return FALSE;
  if (!parse_decimal (f[0], flen[0], 255, &proto) || !parse_decimal (f[2], flen[2], 65535, &port))
    return FALSE;
  if (flen[1] == 0 || flen[1] >= sizeof addr)
    return FALSE;
  memcpy (addr, f[1], flen[1]);
  addr[flen[1]] = '\0';
  memset (out, 0, sizeof *out);
  if (proto == 1)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) out;
      if (inet_pton (AF_INET, addr, &sin->sin_addr) != 1)
        return FALSE;
      sin->sin_family = AF_INET;
      sin->sin_port = htons ((guint16) port);
      *out_len = sizeof *sin;
      return TRUE;
    }
  if (proto == 2)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) out;
      if (inet_pton (AF_INET6, addr, &sin6->sin6_addr) != 1)
        return FALSE;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons ((guint16) port);
      *out_len = sizeof *sin6;
      ftp_address_unmap (out, out_len);
      return TRUE;
    }
  *bad_proto = TRUE;
  return FALSE;
}

gboolean
ftp_parse_rest (const char *arg, guint64 *out)
{
  return parse_decimal (arg, strlen (arg), G_MAXINT64, out);
}

/* ---- Addresses ------------------------------------------------------------------------ */

void
ftp_address_unmap (struct sockaddr_storage *addr, socklen_t *len)
{
  struct sockaddr_in6 sin6;
  struct sockaddr_in *sin = (struct sockaddr_in *) addr;

  if (addr->ss_family != AF_INET6)
    return;
  memcpy (&sin6, addr, sizeof sin6);
  if (!IN6_IS_ADDR_V4MAPPED (&sin6.sin6_addr))
    return;
  memset (addr, 0, sizeof *addr);
  sin->sin_family = AF_INET;
  sin->sin_port = sin6.sin6_port;
  memcpy (&sin->sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
  *len = sizeof *sin;
}

gboolean
ftp_address_same_host (const struct sockaddr *a, const struct sockaddr *b)
{
  if (a->sa_family != b->sa_family)
    return FALSE;
  if (a->sa_family == AF_INET)
    return ((const struct sockaddr_in *) a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *) b)->sin_addr.s_addr;
  if (a->sa_family == AF_INET6)
    return memcmp (&((const struct sockaddr_in6 *) a)->sin6_addr,
                   &((const struct sockaddr_in6 *) b)->sin6_addr, sizeof (struct in6_addr)) == 0;
  return FALSE;
}

guint16
ftp_address_get_port (const struct sockaddr *addr)
{
  if (addr->sa_family == AF_INET)
    return ntohs (((const struct sockaddr_in *) addr)->sin_port);
  if (addr->sa_family == AF_INET6)
    return ntohs (((const struct sockaddr_in6 *) addr)->sin6_port);
  return 0;
}
