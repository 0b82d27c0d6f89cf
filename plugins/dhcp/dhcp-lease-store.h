/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where leases are kept. An interface with two backends now (memory, an
 * append-only journal) so a shared database can serve several pxed later.
 *
 * The journal is one human-readable line per change:
 *   bound 192.0.2.10 hw=52:54:00:12:34:56 client-id=01525400123456 expires=1764025200 hostname=node1
 *   free 192.0.2.10 hw=52:54:00:12:34:56 expires=1764025200
 *   declined 192.0.2.11 expires=1764021000
 * replayed in order (the last line for an address wins). Appends are buffered
 * and made durable together by one write + fdatasync in a worker thread
 * (group commit); compaction writes a new file, fsyncs it, renames it over
 * the journal and fsyncs the directory. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DHCP_LEASE_FREE = 0,     /* expired or released: remembered for its client */
  DHCP_LEASE_OFFERED,      /* never stored */
  DHCP_LEASE_BOUND,
  DHCP_LEASE_DECLINED,     /* quarantined until it expires */
} DhcpLeaseState;

typedef struct {
  guint32        addr;       /* network byte order */
  DhcpLeaseState state;
  guint8         htype, hlen;
  guint8         hw[16];
  GBytes        *client_id;  /* option 61, or NULL */
  char          *hostname;   /* or NULL */
  gint64         expires;    /* seconds since the epoch */
} DhcpLeaseRecord;

void     dhcp_lease_record_clear  (DhcpLeaseRecord *rec);
/* Appends one journal line (with '\n'). */
void     dhcp_lease_record_format (const DhcpLeaseRecord *rec, GString *out);
/* Parses one line (without '\n'); FALSE on a comment, blank or bad line
 * (error set only for a bad one). */
gboolean dhcp_lease_record_parse  (const char *line, DhcpLeaseRecord *rec, GError **error);

typedef struct _DhcpLeaseStore DhcpLeaseStore;

typedef void (*DhcpLeaseLoadFunc)  (const DhcpLeaseRecord *rec, gpointer user_data);
/* @error is NULL on success. */
typedef void (*DhcpLeaseFlushFunc) (const GError *error, gpointer user_data);

/* A backend. */
typedef struct {
  const char *name;
  gboolean (*load)        (DhcpLeaseStore *store, DhcpLeaseLoadFunc func, gpointer data, GError **error);
  void     (*append)      (DhcpLeaseStore *store, const DhcpLeaseRecord *rec);
  gboolean (*has_pending) (DhcpLeaseStore *store);
  void     (*flush)       (DhcpLeaseStore *store, DhcpLeaseFlushFunc func, gpointer data);
  gboolean (*flush_sync)  (DhcpLeaseStore *store, GError **error);
  void     (*compact)     (DhcpLeaseStore *store, GPtrArray *records);
  guint64  (*get_n_appended) (DhcpLeaseStore *store);
  void     (*free)        (DhcpLeaseStore *store);
} DhcpLeaseStoreClass;

struct _DhcpLeaseStore {
  const DhcpLeaseStoreClass *klass;
};

DhcpLeaseStore *dhcp_lease_store_new_memory  (void);
/* @context: where flush callbacks run. Opens (creates) @path on load. */
DhcpLeaseStore *dhcp_lease_store_new_journal (const char *path, GMainContext *context);

gboolean dhcp_lease_store_load        (DhcpLeaseStore *store, DhcpLeaseLoadFunc func, gpointer data,
                                       GError **error);
/* Buffers @rec; durable after the next flush completes. */
void     dhcp_lease_store_append      (DhcpLeaseStore *store, const DhcpLeaseRecord *rec);
gboolean dhcp_lease_store_has_pending (DhcpLeaseStore *store);
/* Makes everything appended so far durable, then calls @func on the store's
 * main context (possibly before returning, for the memory backend). One
 * flush at a time: the caller waits for @func before the next. */
void     dhcp_lease_store_flush       (DhcpLeaseStore *store, DhcpLeaseFlushFunc func, gpointer data);
gboolean dhcp_lease_store_flush_sync  (DhcpLeaseStore *store, GError **error);
/* Replaces the journal with @records (DhcpLeaseRecord*), asynchronously, in
 * order with flushes. */
void     dhcp_lease_store_compact     (DhcpLeaseStore *store, GPtrArray *records);
/* Lines appended since the last compaction. */
guint64  dhcp_lease_store_get_n_appended (DhcpLeaseStore *store);
void     dhcp_lease_store_free        (DhcpLeaseStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpLeaseStore, dhcp_lease_store_free)

#define DHCP_ERROR (dhcp_error_quark ())
typedef enum {
  DHCP_ERROR_FAILED,
  DHCP_ERROR_IO,
  DHCP_ERROR_PARSE,
} DhcpError;
GQuark dhcp_error_quark (void);

G_END_DECLS
