/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Host-side versions of the checksums chips compute over their flash. */
#include "internal.h"

#include <nettle/sha2.h>
#include <string.h>
#include <zlib.h>

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint32_t crc32_big(const uint8_t *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	while (len > 0) {  /* zlib takes uInt lengths */
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = crc32(crc, data, n);
		data += n;
		len -= n;
	}
	return (uint32_t)crc;
}

IOTFLASH_API size_t iotflash_checksum_compute(enum iotflash_checksum kind, const uint8_t *data,
                                              size_t len, uint8_t out[IOTFLASH_SUM_MAX])
{
	struct sha256_ctx sha;
	uint32_t sum = 0;

	switch (kind) {
	case IOTFLASH_SUM_CRC32_BEKEN:  /* Beken: init ~0, no final xor = ~zlib */
		put_le32(out, crc32_big(data, len) ^ 0xffffffffu);
		return 4;
	case IOTFLASH_SUM_CRC32:
		put_le32(out, crc32_big(data, len));
		return 4;
	case IOTFLASH_SUM_SHA256:
		sha256_init(&sha);
		sha256_update(&sha, len, data);
		sha256_digest(&sha, SHA256_DIGEST_SIZE, out);
		return SHA256_DIGEST_SIZE;
	case IOTFLASH_SUM_WORDSUM32:
		for (size_t i = 0; i < len; i += 4) {
			uint8_t w[4] = {0, 0, 0, 0};
			memcpy(w, data + i, len - i < 4 ? len - i : 4);
			sum += (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
		}
		put_le32(out, sum);
		return 4;
	case IOTFLASH_SUM_CRC32_SUM4K:
		for (size_t i = 0; i < len; i += 4096)
			sum += (uint32_t)crc32(0L, data + i, (uInt)(len - i < 4096 ? len - i : 4096));
		put_le32(out, sum);
		return 4;
	case IOTFLASH_SUM_NONE:
	default:
		return 0;
	}
}

void sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	uint8_t d[IOTFLASH_SUM_MAX];
	static const char hex[] = "0123456789abcdef";

	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, data, len, d);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

IOTFLASH_API uint16_t iotflash_crc16_xmodem(const uint8_t *data, size_t len)
{
	uint16_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(data[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}
