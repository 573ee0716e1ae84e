/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RTL8721DA / RTL8720E A5 stub: capacity table and stub recognition. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <iotflash/common.h>

#include "protocol.h"
#include "protocol-a5.h"

uint32_t rtl_a5_flash_size(uint8_t capacity)
{
	if (capacity >= 0x15 && capacity <= 0x19)
		return 1u << capacity;
	if (capacity == 0x20)  /* sic: 64 MiB parts report 0x20, not 0x1A [src] */
		return 64u << 20;
	return 4u << 20;
}

static bool sha_is(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t d[IOTFLASH_SUM_MAX];
	char s[65];

	if (!hex)
		return false;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, p, n, d);
	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return strcasecmp(s, hex) == 0;
}

size_t rtl_a5_stub_len(const uint8_t *img, size_t n, const char *sha256_hex, size_t real_len, uint32_t entry)
{
	size_t tl = strlen(RTL_A5_STANDIN_TAG), len;
	uint8_t d[IOTFLASH_SUM_MAX];

	if (n < 4 * RTL_A5_START_WORDS)
		return 0;
	for (unsigned i = 0; i < RTL_A5_START_WORDS; i++)
		if (rtl_get_u32(img + 4 * i) != entry)
			return 0;
	if (real_len && real_len <= n && sha_is(img, real_len, sha256_hex))
		return real_len;
	if (n < RTL_A5_STANDIN_TAG_OFF + tl + 4 || memcmp(img + RTL_A5_STANDIN_TAG_OFF, RTL_A5_STANDIN_TAG, tl) != 0)
		return 0;
	len = rtl_get_u32(img + RTL_A5_STANDIN_TAG_OFF + tl);
	if (len < RTL_A5_STANDIN_TAG_OFF + tl + 4 + 32 || len > n)
		return 0;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len - 32, d);
	return memcmp(d, img + len - 32, 32) == 0 ? len : 0;
}
