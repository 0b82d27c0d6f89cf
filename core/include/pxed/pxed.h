/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The pxed plugin SDK. Plugins include only this header. */
#define PXED_INSIDE
#include "pxed-error.h"
#include "pxed-section.h"
#include "pxed-plugin.h"
#include "pxed-host.h"
#include "pxed-log.h"
#include "pxed-net.h"
#include "pxed-content.h"
#include "pxed-clients.h"
#include "pxed-inventory.h"
#undef PXED_INSIDE
