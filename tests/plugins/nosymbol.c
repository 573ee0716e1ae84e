/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Test plugin: a valid shared object that does not export iotflash_plugin. */
#include <iotflash/plugin.h>

IOTFLASH_PLUGIN_EXPORT const int iotflash_not_a_plugin = 1;
