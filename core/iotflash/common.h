/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Types shared by front ends and plugins: error codes, log levels, checksums. */
#ifndef IOTFLASH_COMMON_H
#define IOTFLASH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IOTFLASH_BUILDING_LIBRARY) && defined(__GNUC__)
#define IOTFLASH_API __attribute__((visibility("default")))
#else
#define IOTFLASH_API
#endif

#if defined(__GNUC__)
#define IOTFLASH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IOTFLASH_PRINTF(f, a)
#endif

/* One error space, negative values, grouped in ranges: general, transport,
 * protocol/device, database/plugin.  iotflash_strerror() names each. */
enum iotflash_err {
	IOTFLASH_OK = 0,
	IOTFLASH_ERR_ARG = -1,          /* invalid argument from the caller */
	IOTFLASH_ERR_NOMEM = -2,
	IOTFLASH_ERR_FILE = -3,         /* host file I/O */
	IOTFLASH_ERR_CANCELLED = -4,
	IOTFLASH_ERR_UNSUPPORTED = -5,  /* the chip or driver cannot do this */
	IOTFLASH_ERR_INTERNAL = -6,

	IOTFLASH_ERR_PORT_NOT_FOUND = -100,
	IOTFLASH_ERR_PORT_ACCESS = -101,  /* permission denied */
	IOTFLASH_ERR_PORT_BUSY = -102,
	IOTFLASH_ERR_PORT = -103,         /* any other port failure */
	IOTFLASH_ERR_TIMEOUT = -104,
	IOTFLASH_ERR_BAUD = -105,         /* rate refused by the port or the chip */

	IOTFLASH_ERR_NO_LINK = -200,      /* the chip did not answer */
	IOTFLASH_ERR_PROTOCOL = -201,     /* malformed or unexpected reply */
	IOTFLASH_ERR_DEVICE = -202,       /* the chip reported a failure status */
	IOTFLASH_ERR_CHECKSUM = -203,     /* transfer failed its device-side check */
	IOTFLASH_ERR_VERIFY = -204,       /* flash content differs from the image */
	IOTFLASH_ERR_PROTECTED = -205,    /* protected region, needs --force */
	IOTFLASH_ERR_MISMATCH = -206,     /* device is not what --chip says */
	IOTFLASH_ERR_RANGE = -207,        /* address/size outside the flash */
	IOTFLASH_ERR_ALIGN = -208,

	IOTFLASH_ERR_CHIPDB = -300,
	IOTFLASH_ERR_UNKNOWN_CHIP = -301,
	IOTFLASH_ERR_PLUGIN = -302,
	IOTFLASH_ERR_ABI = -303,
	IOTFLASH_ERR_LOADER_MISSING = -304, /* vendor RAM loader file needed */
};

IOTFLASH_API const char *iotflash_strerror(int err);

enum iotflash_log_level {
	IOTFLASH_LOG_ERROR = 0,
	IOTFLASH_LOG_WARN,
	IOTFLASH_LOG_INFO,
	IOTFLASH_LOG_DEBUG,
	IOTFLASH_LOG_WIRE,  /* every byte on the wire */
};

/* Device-side checksums the core knows how to compute on the host. */
enum iotflash_checksum {
	IOTFLASH_SUM_NONE = 0,       /* no device-side checksum: read-back compare */
	IOTFLASH_SUM_CRC32_BEKEN,    /* CRC-32 (zlib poly), init ~0, no final xor */
	IOTFLASH_SUM_CRC32,          /* zlib crc32 */
	IOTFLASH_SUM_SHA256,
	IOTFLASH_SUM_WORDSUM32,      /* 32-bit sum of little-endian words */
	IOTFLASH_SUM_CRC32_SUM4K,    /* 32-bit sum of the zlib crc32 of each 4 KiB piece (OPL1000A2 stub) */
};

#define IOTFLASH_SUM_MAX 32  /* bytes of the largest checksum */

/* Compute a checksum on the host; returns its length in bytes (0 for NONE). */
IOTFLASH_API size_t iotflash_checksum_compute(enum iotflash_checksum kind,
                                              const uint8_t *data, size_t len,
                                              uint8_t out[IOTFLASH_SUM_MAX]);

/* CRC-16/XMODEM (poly 0x1021, init 0, no reflection): the CRC of XMODEM and
 * YMODEM frames, shared by every family that speaks them. */
IOTFLASH_API uint16_t iotflash_crc16_xmodem(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
