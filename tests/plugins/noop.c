/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Test plugin: the smallest valid plugin (no drivers, transports or models),
 * so loading, deduplication and listing are tested without any real plugin. */
#include <iotflash/plugin.h>

IOTFLASH_PLUGIN_DEFINE("noop", "test: an empty plugin", NULL, NULL, NULL);
