/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Test plugin: a descriptor from a future, incompatible ABI (2.0).  Its
 * struct_size is bogus on purpose: the loader must refuse on abi_major
 * before it trusts any other field. */
#include <iotflash/plugin.h>

IOTFLASH_PLUGIN_EXPORT const struct iotflash_plugin iotflash_plugin = {
	.abi_major = 1,  /* a plugin built before the model services table (2.0) */
	.abi_minor = 1,
	.struct_size = 4,
	.name = "badabi",
	.description = "test: wrong ABI major",
	.version = "0",
};
