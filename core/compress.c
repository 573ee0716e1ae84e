/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Raw DEFLATE (RFC 1951, no zlib or gzip header) for drivers whose loaders
 * compress transfers, and the one rule for when compressing pays. */
#include <stdlib.h>
#include <zlib.h>

#include "internal.h"
#include <iotflash/plugin.h>

IOTFLASH_API int iotflash_deflate_raw(const uint8_t *in, size_t len, int level, uint8_t **out, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap = compressBound((uLong)len) + 64;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return IOTFLASH_ERR_NOMEM;
	if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return IOTFLASH_ERR_NOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(buf);
		return IOTFLASH_ERR_INTERNAL;
	}
	*out_len = z.total_out;
	*out = buf;
	deflateEnd(&z);
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_inflate_raw(const uint8_t *in, size_t len, uint8_t *out, size_t out_len, size_t *produced)
{
	z_stream z = { 0 };
	int zr;

	if (inflateInit2(&z, -15) != Z_OK)
		return IOTFLASH_ERR_NOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)out_len;
	zr = inflate(&z, Z_FINISH);
	*produced = z.total_out;
	inflateEnd(&z);
	if (zr == Z_STREAM_END)
		return IOTFLASH_OK;
	return zr == Z_BUF_ERROR && z.avail_out == 0 ? IOTFLASH_ERR_RANGE : IOTFLASH_ERR_PROTOCOL;
}

/* Worth it when the wire time saved is at least a tenth and 2 ms: below
 * that the chip's (de)compression costs about what it saves. */
IOTFLASH_API bool iotflash_compress_worth(struct iotflash_dev *dev, size_t plain, size_t compressed)
{
	unsigned saved;
	if (compressed >= plain || (plain - compressed) * 10 < plain)
		return false;
	saved = iotflash_io_wire_ms(dev, plain) - iotflash_io_wire_ms(dev, compressed);
	return saved >= 2;
}
