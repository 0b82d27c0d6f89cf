/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest virtual path the session builds (the content service's limit). */
#define FTP_PATH_MAX 1024

/* One directory entry as listings show it: no owner, no server path. */
typedef struct {
  char    *name;
  gboolean is_dir;
  guint64  size;
  gint64   mtime; /* seconds since the epoch */
} FtpEntry;

FtpEntry *ftp_entry_new  (const char *name, gboolean is_dir, guint64 size, gint64 mtime);
void      ftp_entry_free (FtpEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtpEntry, ftp_entry_free)

/* Joins @arg to the virtual directory @cwd ("/" or "/a/b") and normalises it:
 * empty and "." components vanish, ".." pops one level and stops at the root
 * (so "CWD .." at the root stays there), '\' counts as a separator. Returns an
 * absolute virtual path ("/", "/a/b"), or NULL when it would exceed
 * FTP_PATH_MAX. */
char    *ftp_path_join (const char *cwd, const char *arg);
/* The last component of an absolute virtual path ("" for the root). */
const char *ftp_path_basename (const char *path);

/* FALSE for names a listing cannot carry on one line (CR, LF, NUL). */
gboolean ftp_name_is_listable (const char *name);

/* MLST facts (RFC 3659 section 7). */
typedef enum {
  FTP_FACT_TYPE = 1 << 0,
  FTP_FACT_SIZE = 1 << 1,
  FTP_FACT_MODIFY = 1 << 2,
  FTP_FACT_PERM = 1 << 3,
  FTP_FACT_ALL = 0xf,
} FtpFacts;

/* "-r--r--r--    1 ftp      ftp          1234 Nov 24 22:14 name\r\n"; dates
 * older than six months (or in the future) show the year instead of the time. */
void ftp_format_list_line (GString *out, const FtpEntry *entry, gint64 now);
/* "type=file;size=1234;modify=20261124221400;perm=r; " (the facts, ending with
 * the space that precedes the name). */
void ftp_format_facts     (GString *out, const FtpEntry *entry, guint facts);
/* YYYYMMDDHHMMSS in UTC (MDTM, modify fact). */
void ftp_format_time      (char buf[15], gint64 t);
/* The FEAT line for MLST: "type*;size*;modify*;perm*;" with '*' on selected facts. */
char *ftp_format_mlst_feature (guint facts);
/* Parses "OPTS MLST type;size;" into a fact set; unknown facts are ignored. */
guint ftp_parse_facts (const char *text);

G_END_DECLS
