/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp-pool.h"

#include <stdlib.h>

#define NIL G_MAXUINT32

struct _DhcpPool {
  DhcpRange *ranges;
  guint32 *base; /* index of each range's first address */
  guint n_ranges;
  guint32 size, n_free;
  guint32 *next, *prev; /* free list; prev[i] == NIL && head != i: not free */
  guint32 head, tail;
  guint8 *in_list;
};

static gint
range_cmp (gconstpointer a, gconstpointer b)
{
  const DhcpRange *ra = a, *rb = b;

  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

DhcpPool *
dhcp_pool_new (const DhcpRange *ranges, guint n_ranges)
{
  DhcpPool *pool = g_new0 (DhcpPool, 1);
  guint64 total = 0;

  pool->ranges = g_memdup2 (ranges, sizeof (DhcpRange) * n_ranges);
  pool->n_ranges = n_ranges;
  if (n_ranges > 1)
    qsort (pool->ranges, n_ranges, sizeof (DhcpRange), range_cmp);
  pool->base = g_new0 (guint32, n_ranges + 1);
  for (guint i = 0; i < n_ranges; i++)
    {
      pool->base[i] = (guint32) total;
      total += (guint64) pool->ranges[i].end - pool->ranges[i].start + 1;
    }
  g_return_val_if_fail (total <= DHCP_POOL_MAX, pool);
  pool->size = (guint32) total;
  pool->next = g_new (guint32, pool->size + 1);
  pool->prev = g_new (guint32, pool->size + 1);
  pool->in_list = g_new0 (guint8, pool->size + 1);
  for (guint32 i = 0; i < pool->size; i++)
    {
      pool->next[i] = i + 1 < pool->size ? i + 1 : NIL;
      pool->prev[i] = i > 0 ? i - 1 : NIL;
      pool->in_list[i] = 1;
    }
  pool->head = pool->size > 0 ? 0 : NIL;
  pool->tail = pool->size > 0 ? pool->size - 1 : NIL;
  pool->n_free = pool->size;
  return pool;
}

void
dhcp_pool_free (DhcpPool *pool)
{
  if (pool == NULL)
    return;
  g_free (pool->ranges);
  g_free (pool->base);
  g_free (pool->next);
  g_free (pool->prev);
  g_free (pool->in_list);
  g_free (pool);
}

guint32 dhcp_pool_get_size (DhcpPool *pool) { return pool->size; }
guint32 dhcp_pool_get_n_free (DhcpPool *pool) { return pool->n_free; }

/* Address -> index, NIL when outside. Binary search over the few ranges. */
static guint32
pool_index (DhcpPool *pool, guint32 addr)
{
  guint lo = 0, hi = pool->n_ranges;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (addr < pool->ranges[mid].start)
        hi = mid;
      else if (addr > pool->ranges[mid].end)
        lo = mid + 1;
      else
        return pool->base[mid] + (addr - pool->ranges[mid].start);
    }
  return NIL;
}

static guint32
pool_addr (DhcpPool *pool, guint32 index)
{
  guint lo = 0, hi = pool->n_ranges - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi + 1) / 2;
      if (pool->base[mid] <= index)
        lo = mid;
      else
        hi = mid - 1;
    }
  return pool->ranges[lo].start + (index - pool->base[lo]);
}

gboolean
dhcp_pool_contains (DhcpPool *pool, guint32 addr)
{
  return pool_index (pool, addr) != NIL;
}

gboolean
dhcp_pool_is_free (DhcpPool *pool, guint32 addr)
{
  guint32 i = pool_index (pool, addr);

  return i != NIL && pool->in_list[i];
}

static void
pool_unlink (DhcpPool *pool, guint32 i)
{
  if (pool->prev[i] != NIL)
    pool->next[pool->prev[i]] = pool->next[i];
  else
    pool->head = pool->next[i];
  if (pool->next[i] != NIL)
    pool->prev[pool->next[i]] = pool->prev[i];
  else
    pool->tail = pool->prev[i];
  pool->in_list[i] = 0;
  pool->n_free--;
}

gboolean
dhcp_pool_alloc (DhcpPool *pool, guint32 *addr)
{
  guint32 i = pool->head;

  if (i == NIL)
    return FALSE;
  pool_unlink (pool, i);
  *addr = pool_addr (pool, i);
  return TRUE;
}

gboolean
dhcp_pool_take (DhcpPool *pool, guint32 addr)
{
  guint32 i = pool_index (pool, addr);

  if (i == NIL || !pool->in_list[i])
    return FALSE;
  pool_unlink (pool, i);
  return TRUE;
}

void
dhcp_pool_release (DhcpPool *pool, guint32 addr)
{
  guint32 i = pool_index (pool, addr);

  if (i == NIL || pool->in_list[i])
    return;
  pool->next[i] = NIL;
  pool->prev[i] = pool->tail;
  if (pool->tail != NIL)
    pool->next[pool->tail] = i;
  else
    pool->head = i;
  pool->tail = i;
  pool->in_list[i] = 1;
  pool->n_free++;
}
