/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For the dhcp, proxydhcp and shared PXE config tests: a section checked
 * against a plugin's option table, from YAML text. */
#pragma once

#include <pxed/pxed.h>

/* Loads @yaml as file "@instance.yaml" and checks it as a section of
 * @plugin against @options (keys `plugin` and `enabled` allowed too). */
PxedSection *dhcp_test_section_new (const char *plugin, const char *instance,
                                    const PxedOptionSpec *options, const char *yaml,
                                    GError **error);

/* Fails the test unless @error is set and its message contains @part. */
void dhcp_test_assert_error_contains (const GError *error, const char *part);
