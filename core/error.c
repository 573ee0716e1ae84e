/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* One short name for every enum iotflash_err value. */
#include "config.h"

#include "internal.h"

IOTFLASH_API const char *iotflash_strerror(int err)
{
	switch (err) {
	case IOTFLASH_OK: return "success";
	case IOTFLASH_ERR_ARG: return "invalid argument";
	case IOTFLASH_ERR_NOMEM: return "out of memory";
	case IOTFLASH_ERR_FILE: return "file error";
	case IOTFLASH_ERR_CANCELLED: return "cancelled";
	case IOTFLASH_ERR_UNSUPPORTED: return "not supported";
	case IOTFLASH_ERR_INTERNAL: return "internal error";

	case IOTFLASH_ERR_PORT_NOT_FOUND: return "no such port";
	case IOTFLASH_ERR_PORT_ACCESS: return "permission denied on the port";
	case IOTFLASH_ERR_PORT_BUSY: return "port is in use";
	case IOTFLASH_ERR_PORT: return "port error";
	case IOTFLASH_ERR_TIMEOUT: return "timed out";
	case IOTFLASH_ERR_BAUD: return "baud rate not supported";

	case IOTFLASH_ERR_NO_LINK: return "no answer from the chip";
	case IOTFLASH_ERR_PROTOCOL: return "protocol error";
	case IOTFLASH_ERR_DEVICE: return "the chip reported a failure";
	case IOTFLASH_ERR_CHECKSUM: return "transfer checksum error";
	case IOTFLASH_ERR_VERIFY: return "flash content differs";
	case IOTFLASH_ERR_PROTECTED: return "protected region";
	case IOTFLASH_ERR_MISMATCH: return "device does not match the chip asked for";
	case IOTFLASH_ERR_RANGE: return "address out of range";
	case IOTFLASH_ERR_ALIGN: return "misaligned address or size";

	case IOTFLASH_ERR_CHIPDB: return "chip database error";
	case IOTFLASH_ERR_UNKNOWN_CHIP: return "unknown chip";
	case IOTFLASH_ERR_PLUGIN: return "plugin error";
	case IOTFLASH_ERR_ABI: return "plugin ABI mismatch";
	case IOTFLASH_ERR_LOADER_MISSING: return "vendor loader file needed";
	}
	return "unknown error";
}
