/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxed/pxed.h>

#include "pxed-config-private.h"

G_BEGIN_DECLS

typedef struct _PxedNet PxedNet;
typedef struct _PxedContentService PxedContentService;
typedef struct _PxedClients PxedClients;

struct _PxedHost {
  GMainContext       *context;
  PxedConfig         *config;     /* snapshot in force; NULL in unit tests */
  char               *state_dir;
  guint64             generation;
  PxedNet            *net;
  PxedContentService *content;
  PxedClients        *clients;
};

/* A host with every service and no configuration (unit tests, --check-config). */
PxedHost *pxed_host_new        (GMainContext *context);
void      pxed_host_free       (PxedHost *host);
/* Installs @config as the snapshot in force (takes a reference). */
void      pxed_host_set_config (PxedHost *host, PxedConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PxedHost, pxed_host_free)

/* Service constructors, called by pxed_host_new(). */
PxedNet            *pxed_net_new              (GMainContext *context);
void                pxed_net_free             (PxedNet *net);
/* Holds closing of endpoints whose last subscriber left until released, so a
 * reload that restarts an instance keeps its sockets (bound before the
 * privilege drop). */
void                pxed_net_hold             (PxedNet *net);
void                pxed_net_release          (PxedNet *net);
PxedContentService *pxed_content_service_new  (void);
void                pxed_content_service_free (PxedContentService *svc);
PxedClients        *pxed_clients_new          (GMainContext *context);
void                pxed_clients_free         (PxedClients *clients);

G_END_DECLS
