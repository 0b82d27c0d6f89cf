/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Feeds arbitrary bytes through the FTP control path: line splitting (telnet
 * IAC, CRLF, overlong lines), command parsing and the session state machine
 * with an in-memory tree, in chunks the first byte chooses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "ftp-session.h"

static gboolean
fuzz_stat (gpointer data, const char *path, FtpEntry *out)
{
  if (strcmp (path, "/pub") == 0 || strcmp (path, "/pub/sub") == 0)
    {
      out->name = g_strdup (ftp_path_basename (path));
      out->is_dir = TRUE;
      return TRUE;
    }
  if (strcmp (path, "/pub/file") == 0 || strcmp (path, "/readme") == 0)
    {
      out->name = g_strdup (ftp_path_basename (path));
      out->size = 4096;
      out->mtime = 1700000000;
      return TRUE;
    }
  return FALSE;
}

static GPtrArray *
fuzz_list (gpointer data, const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ftp_entry_free);

  if (strcmp (path, "/") == 0)
    {
      g_ptr_array_add (entries, ftp_entry_new ("pub", TRUE, 0, 1700000000));
      g_ptr_array_add (entries, ftp_entry_new ("readme", FALSE, 4096, 1));
    }
  else if (strcmp (path, "/pub") == 0)
    {
      g_ptr_array_add (entries, ftp_entry_new ("sub", TRUE, 0, 0));
      g_ptr_array_add (entries, ftp_entry_new ("file", FALSE, 4096, -1));
      g_ptr_array_add (entries, ftp_entry_new ("bad\r\nname", FALSE, 1, 0));
    }
  else if (strcmp (path, "/pub/sub") != 0)
    {
      g_ptr_array_unref (entries);
      return NULL;
    }
  return entries;
}

static const FtpBackend fuzz_backend = { fuzz_stat, fuzz_list };

static void
check_reply (const GString *reply)
{
  /* Every reply line is "DDD " / "DDD-" / continuation, CRLF terminated, and
   * carries no bare CR or LF a client could take for another reply. */
  for (gsize i = 0; i < reply->len; i++)
    {
      if (reply->str[i] == '\n' && (i == 0 || reply->str[i - 1] != '\r'))
        __builtin_trap ();
      if (reply->str[i] == '\r' && (i + 1 >= reply->len || reply->str[i + 1] != '\n'))
        __builtin_trap ();
    }
  if (reply->len > 0 && reply->str[reply->len - 1] != '\n')
    __builtin_trap ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct sockaddr_in peer = { 0 }, local = { 0 };
  FtpLineReader *reader;
  FtpSession *session;
  GString *reply = g_string_new (NULL);
  FtpAction action = { 0 };
  gsize chunk, pos = 0;

  if (size == 0)
    return 0;
  chunk = (data[0] % 64) + 1;
  data++;
  size--;
  peer.sin_family = local.sin_family = AF_INET;
  peer.sin_addr.s_addr = htonl (0xc000020a); /* 192.0.2.10 */
  peer.sin_port = htons (40000);
  local.sin_addr.s_addr = htonl (0xc0000201); /* 192.0.2.1 */
  local.sin_port = htons (21);
  reader = ftp_line_reader_new ();
  session = ftp_session_new (&fuzz_backend, NULL, (struct sockaddr *) &peer, sizeof peer,
                             (struct sockaddr *) &local, sizeof local);
  /* Log in first so the input reaches every command. */
  ftp_session_handle_line (session, "USER ftp", 8, 1700000000, reply, &action);
  ftp_session_handle_line (session, "PASS x", 6, 1700000000, reply, &action);

  while (pos < size)
    {
      gsize n = ftp_line_reader_feed (reader, data + pos, MIN (chunk, size - pos));
      const char *line;
      gsize len = 0;
      GError *error = NULL;

      pos += n;
      while ((line = ftp_line_reader_next (reader, &len, &error)) != NULL || error != NULL)
        {
          if (error != NULL)
            {
              g_clear_error (&error);
              continue;
            }
          g_string_truncate (reply, 0);
          ftp_session_handle_line (session, line, len, 1700000000, reply, &action);
          check_reply (reply);
          switch (action.kind)
            {
            case FTP_ACTION_PASSIVE:
              g_string_truncate (reply, 0);
              ftp_session_passive_opened (session, 30000, reply);
              check_reply (reply);
              break;
            case FTP_ACTION_RETR:
            case FTP_ACTION_SEND:
              ftp_session_set_transfer_active (session, TRUE);
              break;
            case FTP_ACTION_ABORT:
              ftp_session_set_transfer_active (session, FALSE);
              ftp_session_data_done (session);
              break;
            default:
              break;
            }
          if (action.kind == FTP_ACTION_SEND)
            {
              ftp_session_set_transfer_active (session, FALSE);
              ftp_session_data_done (session);
            }
          ftp_action_clear (&action);
        }
      if (n == 0 && ftp_line_reader_room (reader) == 0)
        break;
    }
  ftp_action_clear (&action);
  ftp_session_free (session);
  ftp_line_reader_free (reader);
  g_string_free (reply, TRUE);
  return 0;
}
