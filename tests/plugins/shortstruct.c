/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Test plugin: the right ABI major, but a descriptor shorter than ABI 1.0's. */
#include <iotflash/plugin.h>

IOTFLASH_PLUGIN_EXPORT const struct iotflash_plugin iotflash_plugin = {
	.abi_major = IOTFLASH_PLUGIN_ABI_MAJOR,
	.abi_minor = 0,
	.struct_size = 16,
	.name = "shortstruct",
};
