/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Configuration errors: the message always starts with "FILE:LINE:COL: ". */
#define PXED_CONFIG_ERROR (pxed_config_error_quark ())
typedef enum {
  PXED_CONFIG_ERROR_FAILED,
  PXED_CONFIG_ERROR_SYNTAX,
  PXED_CONFIG_ERROR_UNKNOWN_KEY,
  PXED_CONFIG_ERROR_TYPE,
  PXED_CONFIG_ERROR_RANGE,
  PXED_CONFIG_ERROR_MISSING,
  PXED_CONFIG_ERROR_DUPLICATE,
  PXED_CONFIG_ERROR_ALIAS,
  PXED_CONFIG_ERROR_UNKNOWN_PLUGIN,
  PXED_CONFIG_ERROR_CONFLICT,
  PXED_CONFIG_ERROR_INVALID,
} PxedConfigError;

/* Plugin loading errors. */
#define PXED_PLUGIN_ERROR (pxed_plugin_error_quark ())
typedef enum {
  PXED_PLUGIN_ERROR_FAILED,
  PXED_PLUGIN_ERROR_NOT_FOUND,
  PXED_PLUGIN_ERROR_INSECURE,
  PXED_PLUGIN_ERROR_MODULE,
  PXED_PLUGIN_ERROR_ABI,
  PXED_PLUGIN_ERROR_NAME_MISMATCH,
  PXED_PLUGIN_ERROR_DESCRIPTOR,
} PxedPluginError;

/* Network service errors. */
#define PXED_NET_ERROR (pxed_net_error_quark ())
typedef enum {
  PXED_NET_ERROR_FAILED,
  PXED_NET_ERROR_INVALID_ADDRESS,
  PXED_NET_ERROR_BIND,
  PXED_NET_ERROR_SEND,
} PxedNetError;

/* Content service errors. Transports map them to protocol codes with the
 * helpers in pxed-content.h and never show the message to a client. */
#define PXED_CONTENT_ERROR (pxed_content_error_quark ())
typedef enum {
  PXED_CONTENT_ERROR_FAILED,
  PXED_CONTENT_ERROR_NOT_FOUND,
  PXED_CONTENT_ERROR_DENIED,
  PXED_CONTENT_ERROR_INVALID_PATH,
  PXED_CONTENT_ERROR_TOO_LARGE,
  PXED_CONTENT_ERROR_IS_DIRECTORY,
} PxedContentError;

/* Clients and inventory service errors. */
#define PXED_CLIENTS_ERROR (pxed_clients_error_quark ())
typedef enum {
  PXED_CLIENTS_ERROR_FAILED,
  PXED_CLIENTS_ERROR_INVALID,
} PxedClientsError;

GQuark pxed_config_error_quark (void);
GQuark pxed_plugin_error_quark (void);
GQuark pxed_net_error_quark (void);
GQuark pxed_content_error_quark (void);
GQuark pxed_clients_error_quark (void);

G_END_DECLS
