/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <string.h>

#include "dhcp-lease-store.h"

static void
make_record (DhcpLeaseRecord *rec, const char *ip, DhcpLeaseState state, gint64 expires)
{
  memset (rec, 0, sizeof *rec);
  inet_pton (AF_INET, ip, &rec->addr);
  rec->state = state;
  rec->htype = 1;
  rec->hlen = 6;
  memcpy (rec->hw, "\x52\x54\x00\x12\x34\x56", 6);
  rec->expires = expires;
}

static void
test_format_parse (void)
{
  DhcpLeaseRecord rec, back;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  make_record (&rec, "192.0.2.10", DHCP_LEASE_BOUND, 1764025200);
  rec.client_id = g_bytes_new ("\x01\x52\x54\x00\x12\x34\x56", 7);
  rec.hostname = g_strdup ("node 1=x");
  dhcp_lease_record_format (&rec, s);
  g_assert_cmpstr (s->str, ==,
                   "bound 192.0.2.10 hw=52:54:00:12:34:56 client-id=01525400123456 "
                   "expires=1764025200 hostname=node%201%3Dx\n");
  g_string_truncate (s, s->len - 1);
  g_assert_true (dhcp_lease_record_parse (s->str, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back.addr, ==, rec.addr);
  g_assert_cmpint (back.state, ==, DHCP_LEASE_BOUND);
  g_assert_cmpuint (back.hlen, ==, 6);
  g_assert_cmpmem (back.hw, 6, rec.hw, 6);
  g_assert_true (g_bytes_equal (back.client_id, rec.client_id));
  g_assert_cmpstr (back.hostname, ==, "node 1=x");
  g_assert_cmpint (back.expires, ==, 1764025200);
  dhcp_lease_record_clear (&back);
  dhcp_lease_record_clear (&rec);

  /* declined: no hardware address; other htype */
  make_record (&rec, "192.0.2.11", DHCP_LEASE_DECLINED, 5);
  rec.hlen = 0;
  g_string_truncate (s, 0);
  dhcp_lease_record_format (&rec, s);
  g_assert_cmpstr (s->str, ==, "declined 192.0.2.11 expires=5\n");
  make_record (&rec, "192.0.2.12", DHCP_LEASE_FREE, 6);
  rec.htype = 6;
  g_string_truncate (s, 0);
  dhcp_lease_record_format (&rec, s);
  g_assert_cmpstr (s->str, ==, "free 192.0.2.12 htype=6 hw=52:54:00:12:34:56 expires=6\n");
  g_assert_true (dhcp_lease_record_parse ("free 192.0.2.12 htype=6 hw=52:54:00:12:34:56 expires=6 future=1 # c", &back, NULL));
  g_assert_cmpuint (back.htype, ==, 6);
  dhcp_lease_record_clear (&back);

  /* comments, blanks and bad lines */
  g_assert_false (dhcp_lease_record_parse ("# comment", &back, &error));
  g_assert_no_error (error);
  g_assert_false (dhcp_lease_record_parse ("", &back, &error));
  g_assert_no_error (error);
  {
    const char *bad[] = {
      "bound", "bound 192.0.2.300 expires=1", "lost 192.0.2.1 expires=1", "bound 192.0.2.1",
      "bound 192.0.2.1 expires=x", "bound 192.0.2.1 hw=zz expires=1", "bound 192.0.2.1 htype=300 expires=1",
      "bound 192.0.2.1 client-id=1 expires=1", "bound 192.0.2.1 hostname=%zz expires=1",
      "bound 192.0.2.1 hw=01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:17 expires=1",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) e = NULL;
        g_assert_false (dhcp_lease_record_parse (bad[i], &back, &e));
        g_assert_error (e, DHCP_ERROR, DHCP_ERROR_PARSE);
      }
  }
}

typedef struct {
  GMainLoop *loop;
  gboolean done;
  GError *error;
} FlushWait;

static void
flush_done (const GError *error, gpointer data)
{
  FlushWait *w = data;

  w->done = TRUE;
  if (error != NULL)
    w->error = g_error_copy (error);
}

static void
wait_flush (DhcpLeaseStore *store, GError **error)
{
  FlushWait w = { 0 };

  dhcp_lease_store_flush (store, flush_done, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  if (w.error != NULL)
    g_propagate_error (error, w.error);
}

static void
count_record (const DhcpLeaseRecord *rec, gpointer data)
{
  GPtrArray *out = data;
  GString *s = g_string_new (NULL);

  dhcp_lease_record_format (rec, s);
  g_ptr_array_add (out, g_string_free (s, FALSE));
}

static void
test_journal (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dhcp-journal-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "leases", NULL);
  g_autoptr(GError) error = NULL;
  DhcpLeaseRecord rec;
  g_autofree char *contents = NULL;

  {
    g_autoptr(DhcpLeaseStore) store = dhcp_lease_store_new_journal (path, NULL);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

    g_assert_true (dhcp_lease_store_load (store, count_record, seen, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (seen->len, ==, 0);
    g_assert_false (dhcp_lease_store_has_pending (store));
    make_record (&rec, "192.0.2.10", DHCP_LEASE_BOUND, 100);
    dhcp_lease_store_append (store, &rec);
    make_record (&rec, "192.0.2.11", DHCP_LEASE_BOUND, 200);
    dhcp_lease_store_append (store, &rec);
    g_assert_true (dhcp_lease_store_has_pending (store));
    g_assert_cmpuint (dhcp_lease_store_get_n_appended (store), ==, 2);
    wait_flush (store, &error);
    g_assert_no_error (error);
    g_assert_false (dhcp_lease_store_has_pending (store));
    /* durable once the callback ran */
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==,
                     "bound 192.0.2.10 hw=52:54:00:12:34:56 expires=100\n"
                     "bound 192.0.2.11 hw=52:54:00:12:34:56 expires=200\n");
    make_record (&rec, "192.0.2.10", DHCP_LEASE_FREE, 100);
    dhcp_lease_store_append (store, &rec);
    g_assert_true (dhcp_lease_store_flush_sync (store, &error));
    g_assert_no_error (error);
  }
  /* a torn last line (crash mid-write) and a bad line are skipped */
  {
    FILE *f = fopen (path, "a");
    fputs ("garbage line\nbound 192.0.2.12 hw=52:54:00:12:34:56 expi", f);
    fclose (f);
  }
  {
    g_autoptr(DhcpLeaseStore) store = dhcp_lease_store_new_journal (path, NULL);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) recs = g_ptr_array_new ();
    DhcpLeaseRecord r1;

    g_assert_true (dhcp_lease_store_load (store, count_record, seen, &error));
    g_assert_cmpuint (seen->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "free 192.0.2.10 hw=52:54:00:12:34:56 expires=100\n");

    /* compaction: the new file holds exactly the snapshot, then appends follow */
    make_record (&r1, "192.0.2.11", DHCP_LEASE_BOUND, 300);
    g_ptr_array_add (recs, &r1);
    dhcp_lease_store_compact (store, recs);
    g_assert_cmpuint (dhcp_lease_store_get_n_appended (store), ==, 0);
    make_record (&rec, "192.0.2.13", DHCP_LEASE_BOUND, 400);
    dhcp_lease_store_append (store, &rec);
    wait_flush (store, &error);
    g_assert_no_error (error);
    g_clear_pointer (&contents, g_free);
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "# pxed dhcp lease journal v1"));
    g_assert_nonnull (strstr (contents, "\nbound 192.0.2.11 hw=52:54:00:12:34:56 expires=300\n"
                                        "bound 192.0.2.13 hw=52:54:00:12:34:56 expires=400\n"));
    g_assert_null (strstr (contents, "192.0.2.10"));
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_journal_error (void)
{
  /* /dev/full: every write fails with ENOSPC */
  g_autoptr(DhcpLeaseStore) store = dhcp_lease_store_new_journal ("/dev/full", NULL);
  g_autoptr(GError) error = NULL;
  DhcpLeaseRecord rec;

  make_record (&rec, "192.0.2.10", DHCP_LEASE_BOUND, 100);
  dhcp_lease_store_append (store, &rec);
  wait_flush (store, &error);
  g_assert_error (error, DHCP_ERROR, DHCP_ERROR_IO);
  g_clear_error (&error);
  dhcp_lease_store_append (store, &rec);
  g_assert_false (dhcp_lease_store_flush_sync (store, &error));
  g_assert_error (error, DHCP_ERROR, DHCP_ERROR_IO);
}

static void
test_memory (void)
{
  g_autoptr(DhcpLeaseStore) store = dhcp_lease_store_new_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recs = g_ptr_array_new ();
  DhcpLeaseRecord rec;

  make_record (&rec, "192.0.2.10", DHCP_LEASE_BOUND, 100);
  g_assert_true (dhcp_lease_store_load (store, count_record, NULL, &error));
  dhcp_lease_store_append (store, &rec);
  g_assert_cmpuint (dhcp_lease_store_get_n_appended (store), ==, 1);
  g_assert_false (dhcp_lease_store_has_pending (store));
  wait_flush (store, &error);
  g_assert_no_error (error);
  g_assert_true (dhcp_lease_store_flush_sync (store, &error));
  dhcp_lease_store_compact (store, recs);
  g_assert_cmpuint (dhcp_lease_store_get_n_appended (store), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/lease-store/format-parse", test_format_parse);
  g_test_add_func ("/dhcp/lease-store/journal", test_journal);
  g_test_add_func ("/dhcp/lease-store/journal-error", test_journal_error);
  g_test_add_func ("/dhcp/lease-store/memory", test_memory);
  return g_test_run ();
}
