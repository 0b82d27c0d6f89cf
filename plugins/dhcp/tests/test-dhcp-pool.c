/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-pool.h"

static void
test_basic (void)
{
  DhcpRange ranges[] = { { 200, 201 }, { 10, 12 } };
  g_autoptr(DhcpPool) pool = dhcp_pool_new (ranges, 2);
  guint32 a, got[5];

  g_assert_cmpuint (dhcp_pool_get_size (pool), ==, 5);
  g_assert_true (dhcp_pool_contains (pool, 11));
  g_assert_true (dhcp_pool_contains (pool, 201));
  g_assert_false (dhcp_pool_contains (pool, 13));
  g_assert_false (dhcp_pool_contains (pool, 9));
  g_assert_false (dhcp_pool_contains (pool, 202));
  /* allocation order: ranges ascending */
  for (guint i = 0; i < 5; i++)
    g_assert_true (dhcp_pool_alloc (pool, &got[i]));
  g_assert_cmpuint (got[0], ==, 10);
  g_assert_cmpuint (got[2], ==, 12);
  g_assert_cmpuint (got[3], ==, 200);
  g_assert_cmpuint (got[4], ==, 201);
  g_assert_false (dhcp_pool_alloc (pool, &a));
  g_assert_cmpuint (dhcp_pool_get_n_free (pool), ==, 0);
  /* release goes to the tail: least recently freed is reused last */
  dhcp_pool_release (pool, 12);
  dhcp_pool_release (pool, 10);
  dhcp_pool_release (pool, 10); /* twice: no-op */
  dhcp_pool_release (pool, 99); /* outside: no-op */
  g_assert_cmpuint (dhcp_pool_get_n_free (pool), ==, 2);
  g_assert_true (dhcp_pool_is_free (pool, 12));
  g_assert_false (dhcp_pool_is_free (pool, 11));
  g_assert_true (dhcp_pool_alloc (pool, &a));
  g_assert_cmpuint (a, ==, 12);
  /* take a specific one */
  dhcp_pool_release (pool, 200);
  g_assert_true (dhcp_pool_take (pool, 200));
  g_assert_false (dhcp_pool_take (pool, 200));
  g_assert_false (dhcp_pool_take (pool, 99));
  g_assert_true (dhcp_pool_alloc (pool, &a));
  g_assert_cmpuint (a, ==, 10);
  g_assert_false (dhcp_pool_alloc (pool, &a));
}

static void
test_large (void)
{
  /* 65,536 addresses: allocate all, free all, take in the middle: O(1) each */
  DhcpRange r = { 0xc6120000, 0xc612ffff };
  g_autoptr(DhcpPool) pool = dhcp_pool_new (&r, 1);
  gint64 t0 = g_get_monotonic_time ();
  guint32 a;

  for (guint i = 0; i < 65536; i++)
    g_assert_true (dhcp_pool_alloc (pool, &a));
  g_assert_false (dhcp_pool_alloc (pool, &a));
  for (guint32 i = 0; i < 65536; i += 2)
    dhcp_pool_release (pool, 0xc6120000 + i);
  for (guint32 i = 0; i < 65536; i += 4)
    g_assert_true (dhcp_pool_take (pool, 0xc6120000 + i));
  g_assert_cmpuint (dhcp_pool_get_n_free (pool), ==, 16384);
  g_assert_true (dhcp_pool_alloc (pool, &a));
  g_assert_cmpuint (a, ==, 0xc6120002);
  g_test_message ("65536-address pool workout: %" G_GINT64_FORMAT " us", g_get_monotonic_time () - t0);
}

static void
test_empty (void)
{
  g_autoptr(DhcpPool) pool = dhcp_pool_new (NULL, 0);
  guint32 a;

  g_assert_cmpuint (dhcp_pool_get_size (pool), ==, 0);
  g_assert_false (dhcp_pool_alloc (pool, &a));
  g_assert_false (dhcp_pool_contains (pool, 1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/pool/basic", test_basic);
  g_test_add_func ("/dhcp/pool/large", test_large);
  g_test_add_func ("/dhcp/pool/empty", test_empty);
  return g_test_run ();
}
