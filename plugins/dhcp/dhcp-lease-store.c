/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-lease-store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (pxed-dhcp-error-quark, dhcp_error)

#define JOURNAL_HEADER "# pxed dhcp lease journal v1: STATE ADDRESS [hw=] [client-id=] expires= [hostname=]\n"

void
dhcp_lease_record_clear (DhcpLeaseRecord *rec)
{
  g_clear_pointer (&rec->client_id, g_bytes_unref);
  g_clear_pointer (&rec->hostname, g_free);
}

static const char *
state_to_string (DhcpLeaseState s)
{
  switch (s)
    {
    case DHCP_LEASE_BOUND: return "bound";
    case DHCP_LEASE_DECLINED: return "declined";
    case DHCP_LEASE_OFFERED: /* never stored; written as free */
    case DHCP_LEASE_FREE:
    default: return "free";
    }
}

static void
append_hex (GString *out, const guint8 *p, gsize len, gboolean colons)
{
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, (colons && i > 0) ? ":%02x" : "%02x", p[i]);
}

void
dhcp_lease_record_format (const DhcpLeaseRecord *rec, GString *out)
{
  char ip[INET_ADDRSTRLEN];

  inet_ntop (AF_INET, &rec->addr, ip, sizeof ip);
  g_string_append_printf (out, "%s %s", state_to_string (rec->state), ip);
  if (rec->hlen > 0)
    {
      if (rec->htype != 1)
        g_string_append_printf (out, " htype=%u", rec->htype);
      g_string_append (out, " hw=");
      append_hex (out, rec->hw, MIN (rec->hlen, 16), TRUE);
    }
  if (rec->client_id != NULL && g_bytes_get_size (rec->client_id) > 0)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (rec->client_id, &len);
      g_string_append (out, " client-id=");
      append_hex (out, p, len, FALSE);
    }
  g_string_append_printf (out, " expires=%" G_GINT64_FORMAT, rec->expires);
  if (rec->hostname != NULL && *rec->hostname != '\0')
    {
      g_autofree char *esc = g_uri_escape_string (rec->hostname, NULL, FALSE);
      g_string_append_printf (out, " hostname=%s", esc);
    }
  g_string_append_c (out, '\n');
}

static gboolean
parse_hex (const char *s, gboolean colons, guint8 *out, gsize max, gsize *out_len)
{
  gsize n = 0;

  while (*s != '\0')
    {
      gint hi, lo;

      if (n >= max)
        return FALSE;
      hi = g_ascii_xdigit_value (s[0]);
      lo = hi >= 0 ? g_ascii_xdigit_value (s[1]) : -1;
      if (hi < 0 || lo < 0)
        return FALSE;
      out[n++] = (guint8) (hi << 4 | lo);
      s += 2;
      if (colons && *s == ':')
        s++;
    }
  *out_len = n;
  return TRUE;
}

gboolean
dhcp_lease_record_parse (const char *line, DhcpLeaseRecord *rec, GError **error)
{
  g_auto(GStrv) words = NULL;
  gboolean have_expires = FALSE;

  memset (rec, 0, sizeof *rec);
  while (*line == ' ' || *line == '\t')
    line++;
  if (*line == '\0' || *line == '#')
    return FALSE;
  words = g_strsplit (line, " ", -1);
  if (g_strv_length (words) < 2)
    goto bad;
  if (g_str_equal (words[0], "bound"))
    rec->state = DHCP_LEASE_BOUND;
  else if (g_str_equal (words[0], "free"))
    rec->state = DHCP_LEASE_FREE;
  else if (g_str_equal (words[0], "declined"))
    rec->state = DHCP_LEASE_DECLINED;
  else
    goto bad;
  if (inet_pton (AF_INET, words[1], &rec->addr) != 1)
    goto bad;
  rec->htype = 1;
  for (guint i = 2; words[i] != NULL; i++)
    {
      const char *w = words[i];
      char *end = NULL;

      if (*w == '\0')
        continue;
      if (g_str_has_prefix (w, "hw="))
        {
          gsize n;
          if (!parse_hex (w + 3, TRUE, rec->hw, 16, &n))
            goto bad;
          rec->hlen = (guint8) n;
        }
      else if (g_str_has_prefix (w, "htype="))
        {
          guint64 v;
          if (!g_ascii_string_to_unsigned (w + 6, 10, 0, 255, &v, NULL))
            goto bad;
          rec->htype = (guint8) v;
        }
      else if (g_str_has_prefix (w, "client-id="))
        {
          guint8 buf[255];
          gsize n;
          if (!parse_hex (w + 10, FALSE, buf, sizeof buf, &n))
            goto bad;
          g_clear_pointer (&rec->client_id, g_bytes_unref);
          rec->client_id = g_bytes_new (buf, n);
        }
      else if (g_str_has_prefix (w, "expires="))
        {
          errno = 0;
          rec->expires = g_ascii_strtoll (w + 8, &end, 10);
          if (errno != 0 || end == w + 8 || *end != '\0')
            goto bad;
          have_expires = TRUE;
        }
      else if (g_str_has_prefix (w, "hostname="))
        {
          g_free (rec->hostname);
          rec->hostname = g_uri_unescape_string (w + 9, NULL);
          if (rec->hostname == NULL)
            goto bad;
        }
      else if (*w == '#')
        break; /* trailing comment */
      /* unknown keys are ignored: newer versions may add some */
    }
  if (!have_expires)
    goto bad;
  return TRUE;

bad:
  dhcp_lease_record_clear (rec);
  g_set_error (error, DHCP_ERROR, DHCP_ERROR_PARSE, "bad lease line");
  return FALSE;
}

/* ---- Generic wrappers ------------------------------------------------------ */

gboolean
dhcp_lease_store_load (DhcpLeaseStore *store, DhcpLeaseLoadFunc func, gpointer data, GError **error)
{
  return store->klass->load (store, func, data, error);
}

void
dhcp_lease_store_append (DhcpLeaseStore *store, const DhcpLeaseRecord *rec)
{
  store->klass->append (store, rec);
}

gboolean
dhcp_lease_store_has_pending (DhcpLeaseStore *store)
{
  return store->klass->has_pending (store);
}

void
dhcp_lease_store_flush (DhcpLeaseStore *store, DhcpLeaseFlushFunc func, gpointer data)
{
  store->klass->flush (store, func, data);
}

gboolean
dhcp_lease_store_flush_sync (DhcpLeaseStore *store, GError **error)
{
  return store->klass->flush_sync (store, error);
}

void
dhcp_lease_store_compact (DhcpLeaseStore *store, GPtrArray *records)
{
  store->klass->compact (store, records);
}

guint64
dhcp_lease_store_get_n_appended (DhcpLeaseStore *store)
{
  return store->klass->get_n_appended (store);
}

void
dhcp_lease_store_free (DhcpLeaseStore *store)
{
  if (store != NULL)
    store->klass->free (store);
}

/* ---- Memory backend -------------------------------------------------------- */

typedef struct {
  DhcpLeaseStore parent;
  guint64 n_appended;
} DhcpMemoryStore;

static gboolean
memory_load (DhcpLeaseStore *store, DhcpLeaseLoadFunc func, gpointer data, GError **error)
{
  return TRUE;
}

static void
memory_append (DhcpLeaseStore *store, const DhcpLeaseRecord *rec)
{
  ((DhcpMemoryStore *) store)->n_appended++;
}

static gboolean
memory_has_pending (DhcpLeaseStore *store)
{
  return FALSE;
}

static void
memory_flush (DhcpLeaseStore *store, DhcpLeaseFlushFunc func, gpointer data)
{
  func (NULL, data);
}

static gboolean
memory_flush_sync (DhcpLeaseStore *store, GError **error)
{
  return TRUE;
}

static void
memory_compact (DhcpLeaseStore *store, GPtrArray *records)
{
  ((DhcpMemoryStore *) store)->n_appended = 0;
}

static guint64
memory_get_n_appended (DhcpLeaseStore *store)
{
  return ((DhcpMemoryStore *) store)->n_appended;
}

static void
memory_free (DhcpLeaseStore *store)
{
  g_free (store);
}

static const DhcpLeaseStoreClass memory_class = {
  "memory", memory_load, memory_append, memory_has_pending, memory_flush, memory_flush_sync,
  memory_compact, memory_get_n_appended, memory_free,
};

DhcpLeaseStore *
dhcp_lease_store_new_memory (void)
{
  DhcpMemoryStore *s = g_new0 (DhcpMemoryStore, 1);

  s->parent.klass = &memory_class;
  return &s->parent;
}

/* ---- Journal backend ------------------------------------------------------- */

typedef enum { JOB_FLUSH, JOB_COMPACT } JobKind;

typedef struct _DhcpJournalStore DhcpJournalStore;

typedef struct {
  JobKind kind;
  DhcpJournalStore *store;
  GString *data;
  DhcpLeaseFlushFunc func;
  gpointer user_data;
  GError *error;
  gboolean *closed; /* g_atomic_rc_box shared with the store */
} JournalJob;

struct _DhcpJournalStore {
  DhcpLeaseStore parent;
  char *path;
  GMainContext *context;
  GString *pending;
  guint64 n_appended;
  GThreadPool *worker;
  gboolean *closed;
  /* worker-owned */
  int fd;
  off_t good_size;
};

static gboolean
journal_write_all (int fd, const char *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0)
        {
          int e = errno;
          if (e == EINTR)
            continue;
          g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "write: %s", g_strerror (e));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
journal_open (DhcpJournalStore *self, GError **error)
{
  struct stat st;

  if (self->fd >= 0)
    return TRUE;
  self->fd = open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (self->fd < 0)
    {
      int e = errno;
      g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "open %s: %s", self->path, g_strerror (e));
      return FALSE;
    }
  self->good_size = fstat (self->fd, &st) == 0 ? st.st_size : 0;
  return TRUE;
}

static gboolean
journal_do_flush (DhcpJournalStore *self, GString *data, GError **error)
{
  struct stat st;

  if (!journal_open (self, error))
    return FALSE;
  /* where a failed write must be cut back to (robust to outside appends) */
  if (fstat (self->fd, &st) == 0)
    self->good_size = st.st_size;
  if (!journal_write_all (self->fd, data->str, data->len, error) || fdatasync (self->fd) < 0)
    {
      int e = errno;
      if (error != NULL && *error == NULL)
        g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "fdatasync %s: %s", self->path, g_strerror (e));
      /* never leave a partial line that the next append would extend */
      if (ftruncate (self->fd, self->good_size) < 0)
        g_debug ("ftruncate %s failed: %s", self->path, g_strerror (errno));
      return FALSE;
    }
  self->good_size += (off_t) data->len;
  return TRUE;
}

static gboolean
journal_do_compact (DhcpJournalStore *self, GString *data, GError **error)
{
  g_autofree char *tmp = g_strconcat (self->path, ".new", NULL);
  g_autofree char *dir = g_path_get_dirname (self->path);
  int fd, dfd;

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "open %s: %s", tmp, g_strerror (e));
      return FALSE;
    }
  if (!journal_write_all (fd, data->str, data->len, error) || fsync (fd) < 0 ||
      rename (tmp, self->path) < 0)
    {
      int e = errno;
      if (error != NULL && *error == NULL)
        g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "compacting %s: %s", self->path, g_strerror (e));
      close (fd);
      unlink (tmp);
      return FALSE;
    }
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
  close (fd);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  return journal_open (self, error);
}

static gboolean
journal_job_done (gpointer user_data)
{
  JournalJob *job = user_data;

  if (*job->closed)
    ; /* the store is gone: nobody to tell */
  else if (job->func != NULL)
    job->func (job->error, job->user_data);
  else if (job->error != NULL)
    g_warning ("lease journal: %s", job->error->message);
  g_atomic_rc_box_release (job->closed);
  g_clear_error (&job->error);
  g_string_free (job->data, TRUE);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
journal_worker (gpointer data, gpointer user_data)
{
  JournalJob *job = data;
  DhcpJournalStore *self = job->store;

  if (job->kind == JOB_FLUSH)
    journal_do_flush (self, job->data, &job->error);
  else
    journal_do_compact (self, job->data, &job->error);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, journal_job_done, job, NULL);
}

static gboolean
journal_load (DhcpLeaseStore *store, DhcpLeaseLoadFunc func, gpointer data, GError **error)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  char *line, *next;
  guint lineno = 0, n_bad = 0;

  if (!g_file_get_contents (self->path, &contents, &len, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, DHCP_ERROR, DHCP_ERROR_IO, "%s", local_error->message);
          return FALSE;
        }
      return TRUE;
    }
  for (line = contents; line < contents + len; line = next)
    {
      char *nl = memchr (line, '\n', (gsize) (contents + len - line));
      DhcpLeaseRecord rec;
      g_autoptr(GError) perr = NULL;

      lineno++;
      if (nl == NULL)
        {
          /* a torn last line: the write it belongs to never completed */
          g_info ("%s:%u: ignoring an unterminated last line", self->path, lineno);
          break;
        }
      *nl = '\0';
      next = nl + 1;
      if (dhcp_lease_record_parse (line, &rec, &perr))
        {
          func (&rec, data);
          dhcp_lease_record_clear (&rec);
        }
      else if (perr != NULL && n_bad++ < 10)
        g_message ("%s:%u: ignoring a bad lease line", self->path, lineno);
    }
  return TRUE;
}

static void
journal_append (DhcpLeaseStore *store, const DhcpLeaseRecord *rec)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;

  dhcp_lease_record_format (rec, self->pending);
  self->n_appended++;
}

static gboolean
journal_has_pending (DhcpLeaseStore *store)
{
  return ((DhcpJournalStore *) store)->pending->len > 0;
}

static void
journal_push (DhcpJournalStore *self, JobKind kind, GString *data, DhcpLeaseFlushFunc func,
              gpointer user_data)
{
  JournalJob *job = g_new0 (JournalJob, 1);

  job->kind = kind;
  job->store = self;
  job->data = data;
  job->func = func;
  job->user_data = user_data;
  job->closed = g_atomic_rc_box_acquire (self->closed);
  g_thread_pool_push (self->worker, job, NULL);
}

static void
journal_flush (DhcpLeaseStore *store, DhcpLeaseFlushFunc func, gpointer data)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;
  GString *batch = self->pending;

  self->pending = g_string_sized_new (4096);
  journal_push (self, JOB_FLUSH, batch, func, data);
}

static gboolean
journal_flush_sync (DhcpLeaseStore *store, GError **error)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;
  gboolean ok;

  /* wait for the worker to finish queued jobs first */
  g_thread_pool_free (self->worker, FALSE, TRUE);
  self->worker = g_thread_pool_new (journal_worker, NULL, 1, TRUE, NULL);
  ok = journal_do_flush (self, self->pending, error);
  g_string_truncate (self->pending, 0);
  return ok;
}

static void
journal_compact (DhcpLeaseStore *store, GPtrArray *records)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;
  GString *data = g_string_sized_new (64 + records->len * 96);

  g_string_append (data, JOURNAL_HEADER);
  for (guint i = 0; i < records->len; i++)
    dhcp_lease_record_format (g_ptr_array_index (records, i), data);
  /* what is pending is in @records already: it goes out in order after */
  self->n_appended = 0;
  journal_push (self, JOB_COMPACT, data, NULL, NULL);
}

static guint64
journal_get_n_appended (DhcpLeaseStore *store)
{
  return ((DhcpJournalStore *) store)->n_appended;
}

static void
journal_free (DhcpLeaseStore *store)
{
  DhcpJournalStore *self = (DhcpJournalStore *) store;

  /* finishes queued jobs; their completions are dropped with the context */
  g_thread_pool_free (self->worker, FALSE, TRUE);
  *self->closed = TRUE;
  g_atomic_rc_box_release (self->closed);
  if (self->fd >= 0)
    close (self->fd);
  g_string_free (self->pending, TRUE);
  g_main_context_unref (self->context);
  g_free (self->path);
  g_free (self);
}

static const DhcpLeaseStoreClass journal_class = {
  "journal", journal_load, journal_append, journal_has_pending, journal_flush, journal_flush_sync,
  journal_compact, journal_get_n_appended, journal_free,
};

DhcpLeaseStore *
dhcp_lease_store_new_journal (const char *path, GMainContext *context)
{
  DhcpJournalStore *self = g_new0 (DhcpJournalStore, 1);

  self->parent.klass = &journal_class;
  self->path = g_strdup (path);
  self->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  self->pending = g_string_sized_new (4096);
  self->fd = -1;
  self->closed = g_atomic_rc_box_new0 (gboolean);
  self->worker = g_thread_pool_new (journal_worker, NULL, 1, TRUE, NULL);
  return &self->parent;
}
