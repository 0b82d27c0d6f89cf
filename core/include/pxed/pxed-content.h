/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

#include "pxed-plugin.h"

G_BEGIN_DECLS

/* Longest normalised path and longest component the content service accepts. */
#define PXED_CONTENT_PATH_MAX 1024
#define PXED_CONTENT_NAME_MAX 255

/* Who is asking: handed to generators so they render per machine. Any field
 * may be NULL / -1 when the transport does not know it. */
typedef struct {
  const char *protocol; /* "tftp", "http", "ftp", "render" */
  const char *ip;       /* textual client address */
  const char *mac;      /* "aa:bb:cc:dd:ee:ff" */
  gint        arch;     /* DHCP option 93 value, -1 when unknown */
  gpointer    reserved[4];
} PxedRequestInfo;

/* Normalises a client path once, for every transport: maps '\' to '/',
 * strips leading separators, collapses "//" and "./", refuses NUL bytes,
 * control characters, any ".." component and overlong names. Returns a
 * relative path ("" is the root itself) or NULL with PXED_CONTENT_ERROR_INVALID_PATH. */
char *pxed_content_normalize_path (const char *path, gsize len, GError **error);

/* ---- Opened content -------------------------------------------------------- */

typedef struct _PxedContent PxedContent;

PxedContent *pxed_content_ref          (PxedContent *content);
void         pxed_content_unref        (PxedContent *content);
/* The normalised path it was opened as. */
const char  *pxed_content_get_path     (PxedContent *content);
guint64      pxed_content_get_size     (PxedContent *content);
/* Modification time in seconds since the epoch (load time for generated content). */
gint64       pxed_content_get_mtime    (PxedContent *content);
gboolean     pxed_content_is_generated (PxedContent *content);
/* Regular files: a read-only descriptor shared by every transfer of the same
 * file (use pread/sendfile, never read/lseek). -1 for generated content. */
int          pxed_content_get_fd       (PxedContent *content);
/* Generated content: its bytes. NULL for files. */
GBytes      *pxed_content_get_bytes    (PxedContent *content);
/* Reads up to @len bytes at @offset from either kind; -1 with errno on error. */
gssize       pxed_content_pread        (PxedContent *content, void *buf, gsize len, guint64 offset);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedContent, pxed_content_unref)

/* ---- Roots: directories served beneath ------------------------------------- */

typedef struct _PxedContentRoot PxedContentRoot;

/* Opens @dir once (O_PATH) so every later open is relative to it. */
PxedContentRoot *pxed_content_root_new   (PxedHost *host, const char *dir, GError **error);
PxedContentRoot *pxed_content_root_ref   (PxedContentRoot *root);
void             pxed_content_root_unref (PxedContentRoot *root);
const char      *pxed_content_root_get_dir (PxedContentRoot *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedContentRoot, pxed_content_root_unref)

/* Opens @path (raw, as the client sent it; normalised here): generators whose
 * pattern matches are asked first, then the file beneath @root (may be NULL
 * for generated content only). Only regular files are opened: a directory
 * gives PXED_CONTENT_ERROR_IS_DIRECTORY, FIFOs, devices, sockets and symlinks
 * leading out of the root give DENIED or NOT_FOUND. */
PxedContent *pxed_content_open (PxedHost *host, PxedContentRoot *root, const char *path,
                                const PxedRequestInfo *request, GError **error);

/* Thread-safe (callable from any thread, e.g. a transport's own I/O thread):
 * opens @path (raw; normalised here) beneath @root only, never asking a
 * generator, with the same rules as pxed_content_open() and the same shared
 * descriptor cache. @host may be NULL (no sharing). A transport that wants
 * generators to win calls pxed_content_has_provider() first and hands paths
 * that have one to pxed_content_open() on the main thread. */
PxedContent *pxed_content_open_file (PxedHost *host, PxedContentRoot *root, const char *path,
                                     GError **error);
/* Thread-safe: TRUE when a registered generator's pattern matches
 * @normalized_path (already normalised). Rendering stays on the main thread;
 * a provider added or removed concurrently may or may not be seen. */
gboolean     pxed_content_has_provider (PxedHost *host, const char *normalized_path);

typedef struct {
  char    *name;
  gboolean is_dir;
  guint64  size;
  gint64   mtime;
} PxedDirEntry;

void pxed_dir_entry_free (PxedDirEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedDirEntry, pxed_dir_entry_free)

/* Lists directory @path beneath @root (regular files and directories only,
 * sorted by name, no hidden "." entries). Returns a GPtrArray of PxedDirEntry.
 * Thread-safe (it only uses the root), like pxed_content_is_dir(). */
GPtrArray *pxed_content_list_dir (PxedContentRoot *root, const char *path, GError **error);
/* TRUE when @path is a directory beneath @root. */
gboolean   pxed_content_is_dir   (PxedContentRoot *root, const char *path);
/* TRUE when @path (a directory path, normalised here) only exists through
 * generators: a provider's pattern continues with "@path/" before its first
 * wildcard ("pxelinux.cfg" and "efi64" for "efi64/pxelinux.cfg/ *"). FTP lets
 * clients CWD into such directories. */
gboolean   pxed_content_is_generated_dir (PxedHost *host, const char *path);

/* ---- Generators -------------------------------------------------------------- */

/* Renders @path (normalised) for @request. Returning NULL with
 * PXED_CONTENT_ERROR_NOT_FOUND lets the next provider or the root answer. */
typedef GBytes *(*PxedContentRenderFunc) (const char *path, const PxedRequestInfo *request,
                                          gpointer user_data, GError **error);

/* Registers a provider for paths matching @pattern (a glob: '*' and '?',
 * where '*' also matches '/'). Returns an id for pxed_content_remove_provider().
 * Main thread; the provider list itself is guarded by a lock so that
 * pxed_content_has_provider() may run in other threads meanwhile. */
guint pxed_content_add_provider    (PxedHost *host, const char *pattern,
                                    PxedContentRenderFunc func, gpointer user_data,
                                    GDestroyNotify destroy);
void  pxed_content_remove_provider (PxedHost *host, guint id);

/* ---- Error mapping for transports -------------------------------------------- */

/* TFTP error code (RFC 1350): 1 file not found, 2 access violation, 0 other. */
guint        pxed_content_error_to_tftp (const GError *error);
/* HTTP status: 404, 403, 400, 413, 500. */
guint        pxed_content_error_to_http (const GError *error);
/* The only text a client is told: "File not found", "Access violation"… */
const char  *pxed_content_error_to_text (const GError *error);

G_END_DECLS
