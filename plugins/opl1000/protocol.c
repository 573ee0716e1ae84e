/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OPL1000A2 ROM stage: S-records, the stage-1 baud word, stage recognition
 * (docs/protocols/a5-stub-families.md §3.3, §4). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <iotflash/common.h>
#include <nettle/sha2.h>

#include "protocol.h"

static const uint8_t stored_baud[4] = { 0x00, 0x08, 0x07, 0x00 };  /* 460 800 LE */

static size_t put_hex(char *out, const uint8_t *p, size_t n, uint8_t *sum)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
		*sum = (uint8_t)(*sum + p[i]);
	}
	return 2 * n;
}

/* count, address (big-endian), data, then ~sum. */
static size_t record(char *out, char type, uint32_t addr, const uint8_t *data, size_t n)
{
	uint8_t head[5] = { (uint8_t)(4 + n + 1), (uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
		            (uint8_t)addr };
	uint8_t sum = 0, chk;
	size_t k = 0;

	out[k++] = 'S';
	out[k++] = type;
	k += put_hex(out + k, head, sizeof head, &sum);
	k += put_hex(out + k, data, n, &sum);
	chk = (uint8_t)~sum;
	k += put_hex(out + k, &chk, 1, &sum);
	out[k] = '\0';
	return k;
}

size_t opl_srec_s3(char *out, uint32_t addr, const uint8_t *data, size_t n)
{
	return record(out, '3', addr, data, n > 250 ? 250 : n);
}

size_t opl_srec_s7(char *out, uint32_t addr)
{
	return record(out, '7', addr, NULL, 0);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int opl_srec_parse(const char *text, size_t len, char *type, uint32_t *addr, uint8_t *data, size_t *n)
{
	uint8_t b[256], sum = 0;
	size_t nb;

	if (len < 2 + 2 * 6 || len % 2 || text[0] != 'S' || (text[1] != '3' && text[1] != '7'))
		return -1;
	nb = (len - 2) / 2;
	if (nb > sizeof b)
		return -1;
	for (size_t i = 0; i < nb; i++) {
		int hi = hexval(text[2 + 2 * i]), lo = hexval(text[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	if (b[0] != nb - 1 || b[0] < 5)
		return -1;
	for (size_t i = 0; i + 1 < nb; i++)
		sum = (uint8_t)(sum + b[i]);
	sum = (uint8_t)(0xFF - sum);  /* the record's checksum: one's complement */
	if (sum != b[nb - 1])
		return -2;
	*type = text[1];
	*addr = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
	*n = nb - 6;
	if (*n)
		memcpy(data, b + 5, *n);
	return 0;
}

bool opl_text_has(const uint8_t *buf, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if (memcmp(buf + i, needle, k) == 0)
			return true;
	return false;
}

uint32_t opl_stage1_baud(uint32_t chosen)
{
	return chosen > 1419000 ? OPL_STAGE1_BAUD_MAX : chosen;
}

void opl_stage1_set_baud(uint8_t *img, uint32_t baud)
{
	for (int i = 0; i < 4; i++)
		img[OPL_STAGE1_BAUD_OFF + i] = (uint8_t)(baud >> (8 * i));
}

uint32_t opl_stage1_get_baud(const uint8_t *img)
{
	const uint8_t *p = img + OPL_STAGE1_BAUD_OFF;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void masked_sha(const uint8_t *img, size_t n, bool mask, uint8_t out[32])
{
	struct sha256_ctx c;
	sha256_init(&c);
	if (mask && n >= OPL_STAGE1_BAUD_OFF + 4) {
		sha256_update(&c, OPL_STAGE1_BAUD_OFF, img);
		sha256_update(&c, 4, stored_baud);
		sha256_update(&c, n - OPL_STAGE1_BAUD_OFF - 4, img + OPL_STAGE1_BAUD_OFF + 4);
	} else {
		sha256_update(&c, n, img);
	}
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void opl_stage1_masked_sha256(const uint8_t *img, size_t n, uint8_t out[32])
{
	masked_sha(img, n, true, out);
}

static bool hex_is(const uint8_t d[32], const char *hex)
{
	char s[65];
	if (!hex)
		return false;
	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return strcasecmp(s, hex) == 0;
}

size_t opl_stage_len(const uint8_t *img, size_t n, bool stage1, const char *sha256_hex, size_t real_len)
{
	size_t tl = strlen(OPL_STANDIN_TAG), len;
	uint8_t d[32];
	const uint8_t *p;

	if (real_len && real_len <= n) {
		masked_sha(img, real_len, stage1, d);
		if (hex_is(d, sha256_hex))
			return real_len;
	}
	if (n < OPL_STANDIN_TAG_OFF + tl + 4 || memcmp(img + OPL_STANDIN_TAG_OFF, OPL_STANDIN_TAG, tl) != 0)
		return 0;
	p = img + OPL_STANDIN_TAG_OFF + tl;
	len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
	if (len < OPL_STANDIN_TAG_OFF + tl + 4 + 32 || len > n)
		return 0;
	masked_sha(img, len - 32, stage1, d);
	return memcmp(d, img + len - 32, 32) == 0 ? len : 0;
}
