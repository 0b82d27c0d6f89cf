/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dynamic addresses of one subnet: O(1) allocate, take and release with
 * an index-linked free list (least recently freed address is reused last). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Inclusive range in host byte order. */
typedef struct {
  guint32 start, end;
} DhcpRange;

typedef struct _DhcpPool DhcpPool;

/* Ranges must not overlap; at most DHCP_POOL_MAX addresses in total. */
#define DHCP_POOL_MAX (1u << 22)
DhcpPool *dhcp_pool_new      (const DhcpRange *ranges, guint n_ranges);
void      dhcp_pool_free     (DhcpPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpPool, dhcp_pool_free)
guint32   dhcp_pool_get_size (DhcpPool *pool);
guint32   dhcp_pool_get_n_free (DhcpPool *pool);
/* Addresses in host byte order. */
gboolean  dhcp_pool_contains (DhcpPool *pool, guint32 addr);
gboolean  dhcp_pool_is_free  (DhcpPool *pool, guint32 addr);
/* Removes the least recently freed address; FALSE when none is free. */
gboolean  dhcp_pool_alloc    (DhcpPool *pool, guint32 *addr);
/* Removes @addr from the free list; FALSE when not in the pool or not free. */
gboolean  dhcp_pool_take     (DhcpPool *pool, guint32 addr);
/* Puts @addr back at the end of the free list (no-op outside the pool or
 * when already free). */
void      dhcp_pool_release  (DhcpPool *pool, guint32 addr);

G_END_DECLS
