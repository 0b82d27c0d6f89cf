/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

#include "pxed-plugin.h"

G_BEGIN_DECLS

/* What the network learned about one machine. In an update, NULL strings and
 * a negative arch leave the recorded value unchanged. MACs are lower-case
 * "aa:bb:cc:dd:ee:ff"; pxed_clients_normalize_mac() makes one. */
typedef struct {
  char  *mac;
  char  *ip;
  gint   arch;         /* option 93, -1 unknown */
  char  *uuid;         /* option 97, "8a6a7d3e-2e2e-4d1d-...", as the client sent it */
  char  *hostname;
  char  *vendor_class; /* option 60 */
  char  *user_class;   /* option 77 */
  char  *stage;        /* last boot stage reached: "dhcp-offer", "tftp:pxelinux.0", "http:ks/..." */
  char  *last_file;    /* last file requested over any transport */
  gint64 updated_us;   /* set by the service (monotonic) */
} PxedClientFacts;

PxedClientFacts *pxed_client_facts_copy (const PxedClientFacts *facts);
void             pxed_client_facts_free (PxedClientFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedClientFacts, pxed_client_facts_free)

/* Returns a lower-case colon form of a MAC written with ':' '-' or '.'
 * separators or none, or NULL when it is not 6 bytes of hex. */
char *pxed_clients_normalize_mac (const char *text);

/* Merges @facts into what is known. At least one of mac/ip must be set. An
 * update by IP only attaches to the machine last seen with that IP. Events
 * are dispatched from the main loop after the caller returns. */
void             pxed_clients_update     (PxedHost *host, const PxedClientFacts *facts);
/* A copy of what is known, or NULL. */
PxedClientFacts *pxed_clients_lookup_mac (PxedHost *host, const char *mac);
PxedClientFacts *pxed_clients_lookup_ip  (PxedHost *host, const char *ip);

typedef void (*PxedClientsFunc) (const PxedClientFacts *facts, gpointer user_data);
guint pxed_clients_connect    (PxedHost *host, PxedClientsFunc func, gpointer user_data);
void  pxed_clients_disconnect (PxedHost *host, guint id);

G_END_DECLS
