/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The content tree: one path normaliser for every transport, generator
 * providers matched by glob, and files opened beneath a root so that nothing
 * outside it can ever be opened.
 *
 * Opening a file beneath a root:
 *   1. the path is normalised once (pxed_content_normalize_path);
 *   2. providers whose pattern matches are asked, in registration order;
 *   3. else the path is resolved beneath the root's O_PATH descriptor with
 *      openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), first as O_PATH (no
 *      device open() is ever triggered), then fstat(): only regular files go
 *      on; they are reopened O_RDONLY the same way and the inode is checked
 *      again, so a swap between the two opens is refused.
 *   Kernels (or seccomp filters) without openat2 get a component walk:
 *   openat(O_PATH | O_NOFOLLOW) one name at a time, symlinks read with
 *   readlinkat() and resolved by hand, ".." popping a stack of directory
 *   descriptors, with the same rules as RESOLVE_BENEATH: an absolute symlink
 *   or a ".." above the root is refused (EXDEV), more than 40 symlinks is a
 *   loop (ELOOP). The kernel never follows a link on our behalf there, so
 *   magic links (/proc/self/root, /proc/self/fd/N) cannot be used either.
 *
 * Concurrent opens of one file (same device, inode, size and mtime, same
 * normalised path) share one PxedContent and so one descriptor: a boot storm
 * of a hundred machines reads one fd with pread(). The cache entry goes away
 * with the last reference.
 *
 * Threads: providers are registered, removed and rendered on the main thread,
 * but the provider list is guarded by a reader/writer lock, so transports
 * with their own I/O threads may ask pxed_content_has_provider() and open
 * plain files with pxed_content_open_file() from there (the cache has its
 * own lock; roots and contents are immutable apart from atomic refcounts).
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pxed-content"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pxed-content-private.h"
#include "pxed-host-private.h"

/* Most symlinks one resolution follows (the kernel's MAXSYMLINKS). */
#define WALK_MAX_SYMLINKS 40
/* Deepest directory nesting the walk holds descriptors for. */
#define WALK_MAX_DEPTH 256
/* Raw client paths longer than this are refused before looking at them. */
#define RAW_PATH_MAX (4 * PXED_CONTENT_PATH_MAX)
/* Longest client text put into a log line. */
#define LOG_PATH_MAX 256

/* ---- Types ------------------------------------------------------------------ */

typedef struct {
  gint           ref_count; /* atomic */
  guint          id;
  gboolean       removed;
  char          *pattern;
  PxedContentRenderFunc func;
  gpointer       user_data;
  GDestroyNotify destroy;
} Provider;

struct _PxedContentService {
  GRWLock    providers_lock; /* providers and next_id */
  GPtrArray *providers; /* Provider*, registration order */
  guint      next_id;
  GMutex     lock;      /* guards cache and the svc field of cached contents */
  GHashTable *cache;    /* PxedContent* set, keyed by dev/ino/path */
};

struct _PxedContent {
  gint                ref_count;
  char               *path;
  guint64             size;
  gint64              mtime;
  int                 fd;
  GBytes             *bytes;
  /* Shared-file cache. */
  PxedContentService *svc; /* non-NULL while in svc->cache (atomic access) */
  dev_t               dev;
  ino_t               ino;
  gint64              mtime_nsec;
};

struct _PxedContentRoot {
  gint  ref_count;
  int   fd;
  char *dir;
};

static gint resolve_mode = PXED_CONTENT_RESOLVE_AUTO;
/* AUTO's verdict: 0 not probed yet, 1 openat2 works, 2 use the walk. */
static gint openat2_state = 0;

/* ---- Logging helpers ---------------------------------------------------------- */

/* A printable copy of client bytes for the log. */
static char *
content_sanitize (const char *data, gsize len)
{
  GString *s = g_string_sized_new (MIN (len, LOG_PATH_MAX) + 8);

  for (gsize i = 0; i < len && s->len < LOG_PATH_MAX; i++)
    {
      guchar c = (guchar) data[i];
      if (c < 0x20 || c >= 0x7f || c == '\\')
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, (char) c);
    }
  if (s->len >= LOG_PATH_MAX)
    g_string_append (s, "...");
  return g_string_free (s, FALSE);
}

static void
content_log (GLogLevelFlags level, const char *path, gsize len, const char *what)
{
  g_autofree char *safe = content_sanitize (path, len);

  g_log_structured (G_LOG_DOMAIN, level,
                    "PXED_PATH", safe,
                    "MESSAGE", "%s: %s", safe, what);
}

/* ---- Normaliser ------------------------------------------------------------------ */

static gboolean
set_invalid (GError **error, const char *why)
{
  g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH, "invalid path: %s", why);
  return FALSE;
}

/* A leading "::" is syslinux's "relative to the server root" prefix
 * (CLIENTS.md: `::/images/vmlinuz` in a syslinux config avoids the EFI build
 * prepending its own directory). pxelinux strips it before sending, but an
 * older or hand-made client that puts it on the wire means the same thing,
 * so it is dropped here: "::/a", "::a" and "/a" all name "a". It is
 * stripped (repeatedly) from the start of the first name only, so "a/::b"
 * keeps its "::". This can only make a name beginning with "::" in the root
 * itself unreachable; every other rule still applies to what follows it
 * ("::.." is refused). */
char *
pxed_content_normalize_path (const char *path, gsize len, GError **error)
{
  g_autoptr(GString) out = NULL;
  const char *p, *end;

  if (path == NULL)
    {
      set_invalid (error, "no path");
      return NULL;
    }
  if (len == (gsize) -1)
    len = strlen (path);
  if (len > RAW_PATH_MAX)
    {
      set_invalid (error, "too long");
      return NULL;
    }

  p = path;
  end = path + len;

  out = g_string_sized_new (MIN (len, (gsize) PXED_CONTENT_PATH_MAX) + 1);
  while (p < end)
    {
      const char *start;
      gsize clen;

      if (*p == '/' || *p == '\\')
        {
          p++;
          continue;
        }
      /* The "::" prefix, before the first name only (repeated, so that the
       * result never starts with it and normalising is idempotent). */
      if (out->len == 0 && end - p >= 2 && p[0] == ':' && p[1] == ':')
        {
          p += 2;
          continue;
        }
      start = p;
      while (p < end && *p != '/' && *p != '\\')
        {
          guchar c = (guchar) *p;
          if (c == '\0')
            {
              set_invalid (error, "NUL byte");
              return NULL;
            }
          if (c < 0x20 || c == 0x7f)
            {
              set_invalid (error, "control character");
              return NULL;
            }
          p++;
        }
      clen = (gsize) (p - start);
      if (clen == 1 && start[0] == '.')
        continue;
      if (clen == 2 && start[0] == '.' && start[1] == '.')
        {
          set_invalid (error, "'..' component");
          return NULL;
        }
      if (clen > PXED_CONTENT_NAME_MAX)
        {
          set_invalid (error, "name too long");
          return NULL;
        }
      if (out->len > 0)
        g_string_append_c (out, '/');
      g_string_append_len (out, start, (gssize) clen);
      if (out->len > PXED_CONTENT_PATH_MAX)
        {
          set_invalid (error, "path too long");
          return NULL;
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- Resolution beneath a root ---------------------------------------------- */

void
pxed_content_set_resolve_mode (PxedContentResolveMode mode)
{
  g_atomic_int_set (&resolve_mode, (gint) mode);
}

static int
sys_openat2 (int dirfd, const char *path, guint64 flags)
{
  /* openat2 refuses O_PATH combined with anything but O_DIRECTORY,
   * O_NOFOLLOW and O_CLOEXEC. */
  struct open_how how = {
    .flags = flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  return (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Decides, once, whether openat2 is usable (a seccomp filter may answer
 * ENOSYS or EPERM for a syscall it does not know). */
static void
probe_openat2 (int root_fd)
{
  int fd;
  int err;

  if (g_atomic_int_get (&openat2_state) != 0)
    return;
  fd = sys_openat2 (root_fd, ".", O_PATH);
  err = errno;
  if (fd >= 0)
    {
      close (fd);
      g_atomic_int_set (&openat2_state, 1);
      return;
    }
  if (err == ENOSYS || err == EPERM || err == EINVAL || err == E2BIG)
    {
      g_info ("openat2() unavailable (%s): resolving paths component by component",
              g_strerror (err));
      g_atomic_int_set (&openat2_state, 2);
    }
}

PxedContentResolveMode
pxed_content_get_resolve_mode (void)
{
  gint mode = g_atomic_int_get (&resolve_mode);

  if (mode != PXED_CONTENT_RESOLVE_AUTO)
    return (PxedContentResolveMode) mode;
  return g_atomic_int_get (&openat2_state) == 2 ? PXED_CONTENT_RESOLVE_WALK
                                                : PXED_CONTENT_RESOLVE_OPENAT2;
}

/* A descriptor closed when it goes out of scope (GLib 2.74 has no g_autofd). */
typedef int ContentFd;

static void
content_fd_close (ContentFd fd)
{
  if (fd >= 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
    }
}
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (ContentFd, content_fd_close, -1)

static void
content_fd_clear (gpointer p)
{
  content_fd_close (*(int *) p);
}

static int
fail_with_errno (int err)
{
  errno = err;
  return -1;
}

/* Pushes the components of @s (separated by '/') onto @todo so that the
 * first component ends up on top. */
static void
push_components (GPtrArray *todo, const char *s)
{
  g_auto(GStrv) parts = g_strsplit (s, "/", -1);
  guint n = g_strv_length (parts);

  for (guint i = n; i > 0; i--)
    g_ptr_array_add (todo, g_strdup (parts[i - 1]));
}

/* The fallback: resolves @path beneath @root_fd one component at a time and
 * opens the result with @flags (O_PATH, or O_RDONLY...; only that last open
 * may touch the object itself). Returns -1 with errno as openat2 would. */
static int
walk_open (int root_fd, const char *path, int flags)
{
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) dirs = g_array_new (FALSE, FALSE, sizeof (int)); /* open dirs below root */
  int cur = root_fd;
  guint n_links = 0;

  g_array_set_clear_func (dirs, content_fd_clear);
  push_components (todo, path);
  while (todo->len > 0)
    {
      g_autofree char *comp = g_ptr_array_steal_index (todo, todo->len - 1);
      g_auto(ContentFd) fd = -1;
      g_auto(ContentFd) result = -1;
      struct stat st, st2;

      if (comp[0] == '\0' || strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (dirs->len == 0)
            return fail_with_errno (EXDEV); /* above the root */
          g_array_remove_index (dirs, dirs->len - 1);
          cur = dirs->len > 0 ? g_array_index (dirs, int, dirs->len - 1) : root_fd;
          continue;
        }
      fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || fstat (fd, &st) < 0)
        return -1;
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX + 1];
          ssize_t n;

          if (++n_links > WALK_MAX_SYMLINKS)
            return fail_with_errno (ELOOP);
          n = readlinkat (fd, "", target, sizeof target);
          if (n < 0)
            return -1;
          if ((gsize) n >= sizeof target)
            return fail_with_errno (ENAMETOOLONG);
          if (n == 0)
            return fail_with_errno (ENOENT);
          if (target[0] == '/')
            return fail_with_errno (EXDEV); /* absolute links leave the root */
          target[n] = '\0';
          push_components (todo, target);
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          int dir_fd;

          if (dirs->len >= WALK_MAX_DEPTH)
            return fail_with_errno (ENAMETOOLONG);
          dir_fd = g_steal_fd (&fd);
          g_array_append_val (dirs, dir_fd);
          cur = dir_fd;
          continue;
        }
      /* Anything else must be the last component. */
      if (todo->len > 0)
        return fail_with_errno (ENOTDIR);
      if (flags & O_PATH)
        return g_steal_fd (&fd);
      result = openat (cur, comp, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
      if (result < 0)
        return -1;
      if (fstat (result, &st2) < 0)
        return -1;
      if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
        return fail_with_errno (EAGAIN); /* replaced while we looked */
      return g_steal_fd (&result);
    }
  /* The result is a directory: the top of the stack, or the root. */
  return openat (cur, ".", flags | O_CLOEXEC | O_NOCTTY);
}

/* Opens @path (normalised, relative) beneath @root_fd with @flags. */
static int
beneath_open (int root_fd, const char *path, int flags)
{
  const char *rel = path[0] != '\0' ? path : ".";

  if (pxed_content_get_resolve_mode () == PXED_CONTENT_RESOLVE_OPENAT2)
    {
      for (guint attempt = 0; attempt < 8; attempt++)
        {
          int fd = sys_openat2 (root_fd, rel, (guint64) flags);
          if (fd >= 0)
            return fd;
          if (errno == EAGAIN)
            continue;
          if (errno == ENOSYS && g_atomic_int_get (&resolve_mode) == PXED_CONTENT_RESOLVE_AUTO)
            {
              g_atomic_int_set (&openat2_state, 2);
              break;
            }
          return -1;
        }
      if (g_atomic_int_get (&openat2_state) != 2)
        return -1;
    }
  return walk_open (root_fd, rel, flags);
}

/* Maps an errno of a resolution to a content error; the message never names
 * the root. */
static void
set_errno_error (GError **error, int err, const char *path)
{
  PxedContentError code;

  switch (err)
    {
    case ENOENT:
    case ENOTDIR:
      code = PXED_CONTENT_ERROR_NOT_FOUND;
      break;
    case EXDEV:  /* escape attempt beneath RESOLVE_BENEATH */
    case ELOOP:  /* symlink loop, or a magic link */
    case EACCES:
    case EPERM:
    case ENXIO:
    case EAGAIN: /* replaced while opening */
    case ENODEV:
      code = PXED_CONTENT_ERROR_DENIED;
      break;
    case ENAMETOOLONG:
      code = PXED_CONTENT_ERROR_INVALID_PATH;
      break;
    case EISDIR:
      code = PXED_CONTENT_ERROR_IS_DIRECTORY;
      break;
    default:
      code = PXED_CONTENT_ERROR_FAILED;
      break;
    }
  g_set_error (error, PXED_CONTENT_ERROR, code, "%s: %s", path, g_strerror (err));
}

/* ---- Roots ------------------------------------------------------------------------ */

PxedContentRoot *
pxed_content_root_new (PxedHost *host, const char *dir, GError **error)
{
  PxedContentRoot *root;
  int fd;

  g_return_val_if_fail (dir != NULL, NULL);

  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, PXED_CONTENT_ERROR,
                   err == ENOENT || err == ENOTDIR ? PXED_CONTENT_ERROR_NOT_FOUND
                                                   : PXED_CONTENT_ERROR_FAILED,
                   "cannot open root directory %s: %s", dir, g_strerror (err));
      return NULL;
    }
  probe_openat2 (fd);
  root = g_new0 (PxedContentRoot, 1);
  root->ref_count = 1;
  root->fd = fd;
  root->dir = g_strdup (dir);
  return root;
}

PxedContentRoot *
pxed_content_root_ref (PxedContentRoot *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  g_atomic_int_inc (&root->ref_count);
  return root;
}

void
pxed_content_root_unref (PxedContentRoot *root)
{
  if (root == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&root->ref_count))
    return;
  close (root->fd);
  g_free (root->dir);
  g_free (root);
}

const char *
pxed_content_root_get_dir (PxedContentRoot *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  return root->dir;
}

/* ---- Content objects ----------------------------------------------------------- */

static guint
content_key_hash (gconstpointer p)
{
  const PxedContent *c = p;
  return (guint) c->ino ^ (guint) ((guint64) c->ino >> 32) ^ (guint) c->dev * 31u ^ g_str_hash (c->path);
}

static gboolean
content_key_equal (gconstpointer a, gconstpointer b)
{
  const PxedContent *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino && strcmp (x->path, y->path) == 0;
}

static void
content_free (PxedContent *content)
{
  if (content->fd >= 0)
    close (content->fd);
  g_clear_pointer (&content->bytes, g_bytes_unref);
  g_free (content->path);
  g_free (content);
}

PxedContent *
pxed_content_ref (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, NULL);
  g_atomic_int_inc (&content->ref_count);
  return content;
}

/* Thread-safe. A cached content drops its last reference under the
 * service's lock, so a lookup never revives a dying entry. */
void
pxed_content_unref (PxedContent *content)
{
  PxedContentService *svc;

  if (content == NULL)
    return;
  svc = g_atomic_pointer_get (&content->svc);
  if (svc == NULL)
    {
      if (g_atomic_int_dec_and_test (&content->ref_count))
        content_free (content);
      return;
    }
  g_mutex_lock (&svc->lock);
  if (g_atomic_int_dec_and_test (&content->ref_count))
    {
      if (g_atomic_pointer_get (&content->svc) != NULL
          && g_hash_table_lookup (svc->cache, content) == content)
        g_hash_table_remove (svc->cache, content);
      g_mutex_unlock (&svc->lock);
      content_free (content);
      return;
    }
  g_mutex_unlock (&svc->lock);
}

const char *
pxed_content_get_path (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, NULL);
  return content->path;
}

guint64
pxed_content_get_size (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, 0);
  return content->size;
}

gint64
pxed_content_get_mtime (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, 0);
  return content->mtime;
}

gboolean
pxed_content_is_generated (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, FALSE);
  return content->bytes != NULL;
}

int
pxed_content_get_fd (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, -1);
  return content->fd;
}

GBytes *
pxed_content_get_bytes (PxedContent *content)
{
  g_return_val_if_fail (content != NULL, NULL);
  return content->bytes;
}

gssize
pxed_content_pread (PxedContent *content, void *buf, gsize len, guint64 offset)
{
  g_return_val_if_fail (content != NULL, -1);
  g_return_val_if_fail (buf != NULL || len == 0, -1);

  if (content->bytes != NULL)
    {
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (content->bytes, &size);
      gsize n;

      if (offset >= size)
        return 0;
      n = MIN (len, size - (gsize) offset);
      memcpy (buf, data + offset, n);
      return (gssize) n;
    }
  if (offset > G_MAXINT64)
    {
      errno = EINVAL;
      return -1;
    }
  for (;;)
    {
      ssize_t n = pread (content->fd, buf, MIN (len, (gsize) G_MAXSSIZE), (off_t) offset);
      if (n < 0 && errno == EINTR)
        continue;
      return n;
    }
}

static PxedContent *
content_new_generated (const char *path, GBytes *bytes)
{
  PxedContent *content = g_new0 (PxedContent, 1);

  content->ref_count = 1;
  content->path = g_strdup (path);
  content->bytes = bytes;
  content->size = g_bytes_get_size (bytes);
  content->mtime = g_get_real_time () / G_USEC_PER_SEC;
  content->fd = -1;
  return content;
}

/* ---- Service and providers ------------------------------------------------------ */

static Provider *
provider_ref (Provider *p)
{
  g_atomic_int_inc (&p->ref_count);
  return p;
}

/* The last reference is dropped on the main thread: only it takes
 * references (pxed_content_has_provider() takes none). */
static void
provider_unref (Provider *p)
{
  if (!g_atomic_int_dec_and_test (&p->ref_count))
    return;
  if (p->destroy != NULL)
    p->destroy (p->user_data);
  g_free (p->pattern);
  g_free (p);
}

PxedContentService *
pxed_content_service_new (void)
{
  PxedContentService *svc = g_new0 (PxedContentService, 1);

  svc->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_unref);
  g_rw_lock_init (&svc->providers_lock);
  svc->next_id = 1;
  g_mutex_init (&svc->lock);
  svc->cache = g_hash_table_new (content_key_hash, content_key_equal);
  return svc;
}

void
pxed_content_service_free (PxedContentService *svc)
{
  GHashTableIter iter;
  gpointer key;

  if (svc == NULL)
    return;
  /* Contents still referenced by someone outlive the service: detach them. */
  g_mutex_lock (&svc->lock);
  g_hash_table_iter_init (&iter, svc->cache);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_atomic_pointer_set (&((PxedContent *) key)->svc, NULL);
  g_hash_table_remove_all (svc->cache);
  g_mutex_unlock (&svc->lock);

  for (guint i = 0; i < svc->providers->len; i++)
    ((Provider *) g_ptr_array_index (svc->providers, i))->removed = TRUE;
  g_ptr_array_unref (svc->providers);
  g_rw_lock_clear (&svc->providers_lock);
  g_hash_table_unref (svc->cache);
  g_mutex_clear (&svc->lock);
  g_free (svc);
}

guint
pxed_content_service_get_n_open (PxedContentService *svc)
{
  guint n;

  g_return_val_if_fail (svc != NULL, 0);
  g_mutex_lock (&svc->lock);
  n = g_hash_table_size (svc->cache);
  g_mutex_unlock (&svc->lock);
  return n;
}

guint
pxed_content_add_provider (PxedHost *host, const char *pattern, PxedContentRenderFunc func,
                           gpointer user_data, GDestroyNotify destroy)
{
  Provider *p;

  g_return_val_if_fail (host != NULL && host->content != NULL, 0);
  g_return_val_if_fail (pattern != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  p = g_new0 (Provider, 1);
  p->ref_count = 1;
  p->pattern = g_strdup (pattern);
  p->func = func;
  p->user_data = user_data;
  p->destroy = destroy;
  g_rw_lock_writer_lock (&host->content->providers_lock);
  p->id = host->content->next_id++;
  g_ptr_array_add (host->content->providers, p);
  g_rw_lock_writer_unlock (&host->content->providers_lock);
  g_debug ("provider %u registered for %s", p->id, pattern);
  return p->id;
}

void
pxed_content_remove_provider (PxedHost *host, guint id)
{
  PxedContentService *svc;
  Provider *found = NULL;

  g_return_if_fail (host != NULL && host->content != NULL);
  svc = host->content;
  g_rw_lock_writer_lock (&svc->providers_lock);
  for (guint i = 0; i < svc->providers->len; i++)
    {
      Provider *p = g_ptr_array_index (svc->providers, i);
      if (p->id == id)
        {
          p->removed = TRUE;
          found = g_ptr_array_steal_index (svc->providers, i);
          break;
        }
    }
  g_rw_lock_writer_unlock (&svc->providers_lock);
  /* outside the lock: the destroy notify may call back into this service */
  if (found != NULL)
    provider_unref (found);
  else
    g_warning ("no content provider with id %u", id);
}

gboolean
pxed_content_is_generated_dir (PxedHost *host, const char *path)
{
  g_autofree char *norm = NULL;
  gboolean found = FALSE;
  gsize n;

  g_return_val_if_fail (host != NULL && host->content != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  norm = pxed_content_normalize_path (path, strlen (path), NULL);
  if (norm == NULL || norm[0] == '\0')
    return FALSE;
  n = strlen (norm);
  g_rw_lock_reader_lock (&host->content->providers_lock);
  for (guint i = 0; i < host->content->providers->len && !found; i++)
    {
      const Provider *p = g_ptr_array_index (host->content->providers, i);
      gsize literal = strcspn (p->pattern, "*?");
      if (literal > n && strncmp (p->pattern, norm, n) == 0 && p->pattern[n] == '/')
        found = TRUE;
    }
  g_rw_lock_reader_unlock (&host->content->providers_lock);
  return found;
}

/* Glob match on bytes: '*' matches any run (including '/'), '?' one byte. */
static gboolean
glob_match (const char *pattern, const char *s)
{
  const char *star = NULL, *resume = NULL;

  while (*s != '\0')
    {
      if (*pattern == '*')
        {
          star = pattern++;
          resume = s;
        }
      else if (*pattern == '?' || *pattern == *s)
        {
          pattern++;
          s++;
        }
      else if (star != NULL)
        {
          pattern = star + 1;
          s = ++resume;
        }
      else
        return FALSE;
    }
  while (*pattern == '*')
    pattern++;
  return *pattern == '\0';
}

static const PxedRequestInfo unknown_request = { .protocol = NULL, .arch = -1 };

/* Asks the matching providers. Returns content, or NULL with @error set for
 * a hard failure, or NULL without error when no provider answered. */
static PxedContent *
providers_render (PxedContentService *svc, const char *path, const PxedRequestInfo *request,
                  GError **error)
{
  g_autoptr(GPtrArray) matching = NULL;

  /* A snapshot: a render function may add or remove providers. */
  g_rw_lock_reader_lock (&svc->providers_lock);
  for (guint i = 0; i < svc->providers->len; i++)
    {
      Provider *p = g_ptr_array_index (svc->providers, i);
      if (!glob_match (p->pattern, path))
        continue;
      if (matching == NULL)
        matching = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_unref);
      g_ptr_array_add (matching, provider_ref (p));
    }
  g_rw_lock_reader_unlock (&svc->providers_lock);
  if (matching == NULL)
    return NULL;
  for (guint i = 0; i < matching->len; i++)
    {
      Provider *p = g_ptr_array_index (matching, i);
      g_autoptr(GError) local = NULL;
      GBytes *bytes;

      if (p->removed)
        continue;
      bytes = p->func (path, request != NULL ? request : &unknown_request, p->user_data, &local);
      if (bytes != NULL)
        {
          g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
                            "PXED_PATH", path,
                            "MESSAGE", "%s: generated by provider %u (%s), %" G_GSIZE_FORMAT " bytes",
                            path, p->id, p->pattern, g_bytes_get_size (bytes));
          return content_new_generated (path, bytes);
        }
      if (local == NULL || g_error_matches (local, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND))
        continue;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return NULL;
}

/* ---- Opening -------------------------------------------------------------------- */

/* Logs why @path was refused (never shown to the client) and passes it on. */
static PxedContent *
open_failed (const char *path, GError *local, GError **error)
{
  GLogLevelFlags level = g_error_matches (local, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND)
                           ? G_LOG_LEVEL_DEBUG
                           : G_LOG_LEVEL_INFO;

  content_log (level, path, strlen (path), local->message);
  g_propagate_error (error, local);
  return NULL;
}

static PxedContent *
open_file (PxedContentService *svc, PxedContentRoot *root, const char *path, GError **error)
{
  g_auto(ContentFd) pfd = -1;
  g_auto(ContentFd) fd = -1;
  PxedContent *content;
  struct stat st, st2;

  if (path[0] == '\0')
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY, "root is a directory");
      return NULL;
    }

  /* O_PATH first: the object is looked at, never opened. */
  pfd = beneath_open (root->fd, path, O_PATH);
  if (pfd < 0 || fstat (pfd, &st) < 0)
    {
      GError *local = NULL;
      set_errno_error (&local, errno, path);
      return open_failed (path, local, error);
    }
  if (S_ISDIR (st.st_mode))
    return open_failed (path,
                        g_error_new (PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY,
                                     "%s: is a directory", path),
                        error);
  if (!S_ISREG (st.st_mode))
    return open_failed (path,
                        g_error_new (PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED,
                                     "%s: not a regular file", path),
                        error);

  /* Shared descriptor for an unchanged file already open. */
  if (svc != NULL)
    {
      PxedContent key = { .dev = st.st_dev, .ino = st.st_ino, .path = (char *) path };
      g_mutex_lock (&svc->lock);
      content = g_hash_table_lookup (svc->cache, &key);
      if (content != NULL && content->size == (guint64) st.st_size
          && content->mtime == (gint64) st.st_mtim.tv_sec
          && content->mtime_nsec == (gint64) st.st_mtim.tv_nsec)
        {
          pxed_content_ref (content);
          g_mutex_unlock (&svc->lock);
          return content;
        }
      g_mutex_unlock (&svc->lock);
    }

  fd = beneath_open (root->fd, path, O_RDONLY | O_NONBLOCK);
  if (fd < 0)
    {
      GError *local = NULL;
      set_errno_error (&local, errno, path);
      return open_failed (path, local, error);
    }
  if (fstat (fd, &st2) < 0 || !S_ISREG (st2.st_mode) || st2.st_dev != st.st_dev
      || st2.st_ino != st.st_ino)
    return open_failed (path,
                        g_error_new (PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED,
                                     "%s: replaced while being opened", path),
                        error);

  content = g_new0 (PxedContent, 1);
  content->ref_count = 1;
  content->path = g_strdup (path);
  content->fd = g_steal_fd (&fd);
  content->size = (guint64) st2.st_size;
  content->mtime = (gint64) st2.st_mtim.tv_sec;
  content->mtime_nsec = (gint64) st2.st_mtim.tv_nsec;
  content->dev = st2.st_dev;
  content->ino = st2.st_ino;
  if (svc != NULL)
    {
      PxedContent *old;
      g_mutex_lock (&svc->lock);
      old = g_hash_table_lookup (svc->cache, content);
      if (old != NULL)
        {
          /* Changed since it was opened: the old one serves its holders. */
          g_hash_table_remove (svc->cache, old);
          g_atomic_pointer_set (&old->svc, NULL);
        }
      g_hash_table_add (svc->cache, content);
      g_atomic_pointer_set (&content->svc, svc);
      g_mutex_unlock (&svc->lock);
    }
  return content;
}

PxedContent *
pxed_content_open (PxedHost *host, PxedContentRoot *root, const char *path,
                   const PxedRequestInfo *request, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *norm = NULL;
  PxedContentService *svc = host != NULL ? host->content : NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  norm = pxed_content_normalize_path (path, strlen (path), &local);
  if (norm == NULL)
    {
      content_log (G_LOG_LEVEL_INFO, path, strlen (path), local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  if (svc != NULL)
    {
      PxedContent *content = providers_render (svc, norm, request, &local);
      if (content != NULL)
        return content;
      if (local != NULL)
        {
          content_log (G_LOG_LEVEL_INFO, norm, strlen (norm), local->message);
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }

  if (root == NULL)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND,
                   "%s: no provider and no root", norm);
      content_log (G_LOG_LEVEL_DEBUG, norm, strlen (norm), "no provider and no root");
      return NULL;
    }
  return open_file (svc, root, norm, error);
}

PxedContent *
pxed_content_open_file (PxedHost *host, PxedContentRoot *root, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *norm = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  norm = pxed_content_normalize_path (path, strlen (path), &local);
  if (norm == NULL)
    {
      content_log (G_LOG_LEVEL_INFO, path, strlen (path), local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return open_file (host != NULL ? host->content : NULL, root, norm, error);
}

gboolean
pxed_content_has_provider (PxedHost *host, const char *normalized_path)
{
  PxedContentService *svc;
  gboolean found = FALSE;

  g_return_val_if_fail (normalized_path != NULL, FALSE);

  if (host == NULL || host->content == NULL)
    return FALSE;
  svc = host->content;
  g_rw_lock_reader_lock (&svc->providers_lock);
  for (guint i = 0; i < svc->providers->len && !found; i++)
    {
      const Provider *p = g_ptr_array_index (svc->providers, i);
      found = glob_match (p->pattern, normalized_path);
    }
  g_rw_lock_reader_unlock (&svc->providers_lock);
  return found;
}

/* ---- Directories ---------------------------------------------------------------- */

void
pxed_dir_entry_free (PxedDirEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static gint
dir_entry_compare (gconstpointer a, gconstpointer b)
{
  const PxedDirEntry *x = *(PxedDirEntry *const *) a;
  const PxedDirEntry *y = *(PxedDirEntry *const *) b;
  return strcmp (x->name, y->name);
}

/* A name the normaliser would accept as one component. */
static gboolean
listable_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > PXED_CONTENT_NAME_MAX || name[0] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) name[i];
      if (c < 0x20 || c == 0x7f || c == '\\')
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
pxed_content_list_dir (PxedContentRoot *root, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *norm = NULL;
  struct dirent *de;
  DIR *dir;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  norm = pxed_content_normalize_path (path, strlen (path), &local);
  if (norm == NULL)
    {
      content_log (G_LOG_LEVEL_INFO, path, strlen (path), local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* O_DIRECTORY refuses anything else before it is opened. */
  fd = beneath_open (root->fd, norm, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  if (fd < 0)
    {
      set_errno_error (&local, errno, norm[0] != '\0' ? norm : "/");
      content_log (G_LOG_LEVEL_DEBUG, norm, strlen (norm), local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int err = errno;
      close (fd);
      set_errno_error (error, err, norm);
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pxed_dir_entry_free);
  while ((de = readdir (dir)) != NULL)
    {
      PxedDirEntry *entry;
      struct stat st;

      if (!listable_name (de->d_name))
        continue;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISLNK (st.st_mode))
        {
          /* Listed only when it resolves beneath the root. */
          g_autofree char *child = norm[0] != '\0' ? g_strconcat (norm, "/", de->d_name, NULL)
                                                   : g_strdup (de->d_name);
          int pfd = beneath_open (root->fd, child, O_PATH);
          gboolean ok;
          if (pfd < 0)
            continue;
          ok = fstat (pfd, &st) == 0;
          close (pfd);
          if (!ok)
            continue;
        }
      if (!S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode))
        continue;
      entry = g_new0 (PxedDirEntry, 1);
      entry->name = g_strdup (de->d_name);
      entry->is_dir = S_ISDIR (st.st_mode);
      entry->size = entry->is_dir ? 0 : (guint64) st.st_size;
      entry->mtime = (gint64) st.st_mtim.tv_sec;
      g_ptr_array_add (entries, entry);
    }
  closedir (dir);
  g_ptr_array_sort (entries, dir_entry_compare);
  return g_steal_pointer (&entries);
}

gboolean
pxed_content_is_dir (PxedContentRoot *root, const char *path)
{
  g_autofree char *norm = NULL;
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  norm = pxed_content_normalize_path (path, strlen (path), NULL);
  if (norm == NULL)
    return FALSE;
  fd = beneath_open (root->fd, norm, O_PATH);
  if (fd < 0)
    return FALSE;
  ok = fstat (fd, &st) == 0 && S_ISDIR (st.st_mode);
  close (fd);
  return ok;
}

/* ---- Error mapping ------------------------------------------------------------------ */

guint
pxed_content_error_to_tftp (const GError *error)
{
  if (error == NULL || error->domain != PXED_CONTENT_ERROR)
    return 0;
  switch ((PxedContentError) error->code)
    {
    case PXED_CONTENT_ERROR_NOT_FOUND:
      return 1;
    case PXED_CONTENT_ERROR_DENIED:
    case PXED_CONTENT_ERROR_INVALID_PATH:
    case PXED_CONTENT_ERROR_IS_DIRECTORY:
      return 2;
    case PXED_CONTENT_ERROR_TOO_LARGE:
    case PXED_CONTENT_ERROR_FAILED:
    default:
      return 0;
    }
}

guint
pxed_content_error_to_http (const GError *error)
{
  if (error == NULL || error->domain != PXED_CONTENT_ERROR)
    return 500;
  switch ((PxedContentError) error->code)
    {
    case PXED_CONTENT_ERROR_NOT_FOUND:
      return 404;
    case PXED_CONTENT_ERROR_DENIED:
    case PXED_CONTENT_ERROR_IS_DIRECTORY:
      return 403;
    case PXED_CONTENT_ERROR_INVALID_PATH:
      return 400;
    case PXED_CONTENT_ERROR_TOO_LARGE:
      return 413;
    case PXED_CONTENT_ERROR_FAILED:
    default:
      return 500;
    }
}

const char *
pxed_content_error_to_text (const GError *error)
{
  if (error == NULL || error->domain != PXED_CONTENT_ERROR)
    return "Internal error";
  switch ((PxedContentError) error->code)
    {
    case PXED_CONTENT_ERROR_NOT_FOUND:
      return "File not found";
    case PXED_CONTENT_ERROR_DENIED:
      return "Access violation";
    case PXED_CONTENT_ERROR_INVALID_PATH:
      return "Invalid path";
    case PXED_CONTENT_ERROR_TOO_LARGE:
      return "File too large";
    case PXED_CONTENT_ERROR_IS_DIRECTORY:
      return "Not a file";
    case PXED_CONTENT_ERROR_FAILED:
    default:
      return "Internal error";
    }
}
