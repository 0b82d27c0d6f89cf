/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXED_INSIDE) && !defined(PXED_COMPILATION)
#error "Only <pxed/pxed.h> can be included directly."
#endif

#include <glib.h>
#include <gmodule.h>

#include "pxed-section.h"

G_BEGIN_DECLS

/* The plugin ABI. The core refuses a plugin whose major differs from its own
 * or whose minor is newer than its own. PxedPluginInfo only ever grows at its
 * end or into its reserved slots within one major. */
#define PXED_PLUGIN_ABI_MAJOR 1
#define PXED_PLUGIN_ABI_MINOR 0

typedef struct _PxedHost PxedHost;

/* One instance of a plugin (one conf.d file); private to the plugin. */
typedef struct _PxedPlugin PxedPlugin;

typedef enum {
  PXED_PLUGIN_KIND_PROTOCOL = 1,  /* transports: open sockets, serve content */
  PXED_PLUGIN_KIND_GENERATOR = 2, /* content providers: open no sockets */
} PxedPluginKind;

typedef enum {
  PXED_OPTION_STRING = 1, /* any scalar; `choices` restricts it to "a|b|c" */
  PXED_OPTION_BOOL,       /* true/false/yes/no/on/off */
  PXED_OPTION_UINT,       /* decimal or 0x hex, within [min, max] */
  PXED_OPTION_DURATION,   /* "30s", "250ms", "2m", "1h"; a bare number is seconds; range in ms */
  PXED_OPTION_SIZE,       /* "1400", "64KiB", "2MiB", "1GiB"; range in bytes */
  PXED_OPTION_PATH,       /* an absolute path */
  PXED_OPTION_LIST,       /* a sequence of scalars (a lone scalar is a list of one) */
  PXED_OPTION_MAP,        /* a mapping; its contents are checked by the plugin's validate() */
  PXED_OPTION_ANY,        /* any YAML value; checked by the plugin's validate() */
} PxedOptionType;

typedef enum {
  PXED_OPTION_FLAG_NONE = 0,
  PXED_OPTION_FLAG_REQUIRED = 1 << 0,
  /* Each value (each item of a LIST) names a resource that only one
   * instance of this plugin may claim, such as a listen address. */
  PXED_OPTION_FLAG_EXCLUSIVE = 1 << 1,
  PXED_OPTION_FLAG_DEPRECATED = 1 << 2,
} PxedOptionFlags;

typedef struct {
  const char    *key;           /* kebab-case, "block-size-max" */
  PxedOptionType type;
  const char    *default_value; /* as it would be written in YAML; NULL: none */
  guint64        min, max;      /* UINT/DURATION(ms)/SIZE(bytes); both 0: unbounded */
  guint          flags;         /* PxedOptionFlags */
  const char    *doc;           /* one line */
  const char    *choices;       /* STRING: "octet|netascii", else NULL */
  gpointer       reserved[2];
} PxedOptionSpec;

typedef void (*PxedDoneFunc) (gpointer user_data);

typedef struct {
  guint16               abi_major;
  guint16               abi_minor;
  guint32               info_size; /* sizeof (PxedPluginInfo) at build time */
  const char           *name;      /* "tftp" for pxed-tftp.so */
  PxedPluginKind        kind;
  const char           *summary;
  const char           *version;
  const char           *license;   /* SPDX identifier */
  const PxedOptionSpec *options;   /* terminated by { NULL } */

  /* Pure cross-key validation, after the core checked every key's type and
   * range. Errors should be located with pxed_section_set_error(). */
  gboolean    (*validate)       (const PxedSection *sec, GError **error);
  /* Allocates the instance; no I/O, no sockets (--check-config runs this). */
  PxedPlugin *(*create)         (PxedHost *host, const PxedSection *sec, GError **error);
  /* Binds sockets, registers providers. Runs before privileges are dropped. */
  gboolean    (*start)          (PxedPlugin *self, GError **error);
  /* Reload: prepare may fail and changes nothing; commit cannot fail. A NULL
   * reload_prepare means the core restarts the instance when it changed. */
  gpointer    (*reload_prepare) (PxedPlugin *self, const PxedSection *sec, GError **error);
  void        (*reload_commit)  (PxedPlugin *self, gpointer prepared);
  void        (*reload_abort)   (PxedPlugin *self, gpointer prepared);
  /* Stops accepting new work at once (unsubscribes, frees its listeners and
   * content providers before returning, so a replacement instance can take
   * them over), drains work in progress, then calls @done (possibly at
   * once). The core bounds the drain with a deadline, after which it calls
   * destroy(): destroy() must cancel whatever is still running, and @done
   * must not be called after it. */
  void        (*stop)           (PxedPlugin *self, PxedDoneFunc done, gpointer done_data);
  void        (*destroy)        (PxedPlugin *self);

  gpointer              reserved[8];
} PxedPluginInfo;

#define PXED_PLUGIN_ENTRY_SYMBOL "pxed_plugin_get_info"

/* Exports the one entry point of a plugin module. */
#define PXED_PLUGIN_DEFINE(info)                                            \
  G_MODULE_EXPORT const PxedPluginInfo *pxed_plugin_get_info (void);        \
  G_MODULE_EXPORT const PxedPluginInfo *pxed_plugin_get_info (void)         \
  {                                                                         \
    return &(info);                                                         \
  }

/* Initialiser for the fixed head of a descriptor. */
#define PXED_PLUGIN_INFO_INIT                                               \
  .abi_major = PXED_PLUGIN_ABI_MAJOR, .abi_minor = PXED_PLUGIN_ABI_MINOR,   \
  .info_size = sizeof (PxedPluginInfo)

G_END_DECLS
