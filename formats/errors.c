/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Error texts of the format readers: iotflash_strerror() lives in
 * libiotflash, which this library does not link. */
#include "config.h"

#include "formats-internal.h"

const char *formats_error_text(int rc)
{
	switch (rc) {
	case IOTFLASH_OK: return "success";
	case IOTFLASH_ERR_ARG: return "invalid argument";
	case IOTFLASH_ERR_NOMEM: return "out of memory";
	case IOTFLASH_ERR_UNSUPPORTED: return "not a format this reader knows";
	case IOTFLASH_ERR_CHECKSUM: return "the data fails its checksum";
	case IOTFLASH_ERR_VERIFY: return "the result could not be confirmed";
	}
	return "unknown error";
}
