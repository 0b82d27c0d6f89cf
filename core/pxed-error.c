/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pxed-config.h"

#include <pxed/pxed.h>

G_DEFINE_QUARK (pxed-config-error-quark, pxed_config_error)
G_DEFINE_QUARK (pxed-plugin-error-quark, pxed_plugin_error)
G_DEFINE_QUARK (pxed-net-error-quark, pxed_net_error)
G_DEFINE_QUARK (pxed-content-error-quark, pxed_content_error)
G_DEFINE_QUARK (pxed-clients-error-quark, pxed_clients_error)
