/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken on-flash code encryption (bootloader and application partitions):
 * the address-dependent XOR keystream of Beken's reference encrypt tool,
 * the 32+2-byte CRC-16 packet interleave, and key recovery from a stored
 * bootloader by known plaintext. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotflash/beken.h"
#include "formats-internal.h"

IOTFLASH_API const uint32_t iotflash_beken_tuya_key[4] = {
	0x510fb093, 0xa3cbeadc, 0x5993a17e, 0xc7adeb03,
};

#define PACKET_DATA 32
#define PACKET_SIZE 34

static uint32_t rotl32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x << n) | (x >> (32 - n)) : x;
}

static uint32_t rotr32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

static uint32_t bswap16(uint32_t x)
{
	return ((x & 0xFF) << 8) | ((x >> 8) & 0xFF);
}

static uint32_t pn15(uint32_t x)
{
	x &= 0xFFFF;
	uint32_t n = (x >> 5) & 0xF;
	uint32_t rot = ((x >> 7) | (x << 9)) & 0xFFFF;
	return rot ^ (0x6371 & (n * 0x1111));
}

static uint32_t bit(uint32_t x, unsigned n)
{
	return (x >> n) & 1;
}

/* Only the low 16 bits of PN16 reach the keystream (the 17th is a
 * well-known bk7231tools bug). */
static uint32_t pn16(uint32_t x)
{
	uint32_t m = bit(x, 13) | bit(x, 9) << 1 | bit(x, 5) << 2 | bit(x, 1) << 3;
	uint32_t perm = ((x & 0x3FF) << 7) | ((x >> 10) & 0x7F);
	return (perm ^ (0x13659 & (bit(x, 4) << 16 | m * 0x1111))) & 0xFFFF;
}

static uint32_t pn32(uint32_t x)
{
	uint32_t n = (x >> 2) & 0xF;
	return rotl32(x, 17) ^ (0xE519A4F1 & (n * 0x11111111u));
}

IOTFLASH_API uint32_t iotflash_beken_pnout(const uint32_t key[4], uint32_t addr)
{
	uint32_t c0 = key[0], c1 = key[1], c2 = key[2], c3 = key[3];
	uint32_t top = c3 >> 24;
	if (top == 0x00 || top == 0xFF)
		return 0;

	uint32_t s15 = (c3 >> 5) & 3, s16 = (c3 >> 8) & 3, s32 = (c3 >> 11) & 3;
	uint32_t b16 = (c3 >> 4) & 1;
	uint32_t out = 0;

	if (!(c3 & 1)) {
		uint32_t hi = addr >> 16, lo = addr & 0xFFFF;
		if (s15 & 1)
			lo = bswap16(lo);
		if (s15 & 2)
			hi = bswap16(hi);
		out ^= pn15(hi ^ lo ^ (c1 >> 16)) << 16;
	}
	if (!(c3 & 2)) {
		uint32_t seed = (((c1 >> 8) & 0xFF) << 9) | (b16 << 8) | (c1 & 0xFF);
		out ^= pn16(((addr >> s16) & 0x1FFFF) ^ seed);
	}
	if (!(c3 & 4))
		out ^= pn32(rotr32(addr, 8 * s32) ^ c0);
	if (!(c3 & 8))
		out ^= c2;
	return out;
}

IOTFLASH_API void iotflash_beken_crypt(const uint32_t key[4], uint32_t addr, uint8_t *buf, size_t len)
{
	for (size_t off = 0; off < len; off += 4, addr += 4) {
		uint32_t ks = iotflash_beken_pnout(key, addr);
		for (size_t b = 0; b < 4 && off + b < len; b++)
			buf[off + b] ^= (uint8_t)(ks >> (8 * b));
	}
}

IOTFLASH_API uint16_t iotflash_beken_crc16(const uint8_t *data, size_t len)
{
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(data[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x8005) : (uint16_t)(crc << 1);
	}
	return crc;
}

IOTFLASH_API int iotflash_beken_crc_strip(const uint8_t *phys, size_t len, uint8_t **out,
                                          size_t *out_len)
{
	if (!out || !out_len || (!phys && len))
		return IOTFLASH_ERR_ARG;
	size_t packets = len / PACKET_SIZE;
	uint8_t *logical = malloc(packets * PACKET_DATA + 1);
	if (!logical)
		return IOTFLASH_ERR_NOMEM;
	size_t n = 0;
	for (; n < packets; n++) {
		const uint8_t *p = phys + n * PACKET_SIZE;
		uint16_t stored = (uint16_t)(p[PACKET_DATA] << 8 | p[PACKET_DATA + 1]);
		if (iotflash_beken_crc16(p, PACKET_DATA) != stored)
			break;
		memcpy(logical + n * PACKET_DATA, p, PACKET_DATA);
	}
	*out = logical;
	*out_len = n * PACKET_DATA;
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_beken_crc_add(const uint8_t *logical, size_t len, uint8_t **out,
                                        size_t *out_len)
{
	if (!out || !out_len || (!logical && len))
		return IOTFLASH_ERR_ARG;
	size_t packets = (len + PACKET_DATA - 1) / PACKET_DATA;
	uint8_t *phys = malloc(packets * PACKET_SIZE + 1);
	if (!phys)
		return IOTFLASH_ERR_NOMEM;
	for (size_t n = 0; n < packets; n++) {
		uint8_t *p = phys + n * PACKET_SIZE;
		size_t take = len - n * PACKET_DATA < PACKET_DATA ? len - n * PACKET_DATA : PACKET_DATA;
		memset(p, 0xFF, PACKET_DATA);
		memcpy(p, logical + n * PACKET_DATA, take);
		uint16_t crc = iotflash_beken_crc16(p, PACKET_DATA);
		p[PACKET_DATA] = (uint8_t)(crc >> 8);
		p[PACKET_DATA + 1] = (uint8_t)crc;
	}
	*out = phys;
	*out_len = packets * PACKET_SIZE;
	return IOTFLASH_OK;
}

/* ---- key recovery ---- */

/* Strings every known Beken bootloader carries: the plaintext we search for. */
static const char *const boot_strings[] = {
	"[ARM ANOMALY]", "0123456789ABCDEF", "pwm_iconfig_fail\r\n", "incorrect header check",
	"invalid window size", "unknown compression method", "Custom verify RAW firmware failed!",
	"[E/OTA] (%s:%d) ", "unknown header flags set", "header crc mismatch",
	"invalid block type", "invalid stored block lengths", "too many length or distance symbols",
	"invalid code lengths set",
};
/* Where bootloaders keep a copy of the key (logical addresses). */
static const uint32_t key_copy_addrs[] = { 0x48, 0x1F08, 0x44 };

#define MIN_BOOT_LOGICAL 27168

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The stage setting word for combination i of 125: per stage (PN15, PN16,
 * PN32) either off or one of 4 selectors; the constant c2 stays on. */
static uint32_t stage_setting(unsigned i)
{
	uint32_t s = 0x55000000;
	for (unsigned stage = 0; stage < 3; stage++, i /= 5) {
		unsigned choice = i % 5;
		if (choice == 4)
			s |= 1u << stage;
		else
			s |= (uint32_t)choice << (5 + 3 * stage);
	}
	return s;
}

/* With the keystream linear in the key, key (0, 0, F, S) is equivalent to the
 * real one; check it by decrypting the bootloader's own key copy, which must
 * then reproduce itself. */
static bool verify_key_copy(const uint8_t *img, size_t len, const uint32_t equiv[4], uint32_t real[4])
{
	for (size_t a = 0; a < sizeof(key_copy_addrs) / sizeof(key_copy_addrs[0]); a++) {
		uint32_t addr = key_copy_addrs[a];
		if (addr + 16 > len)
			continue;
		uint32_t cand[4], again[4];
		for (int w = 0; w < 4; w++)
			cand[w] = le32(img + addr + 4 * w) ^ iotflash_beken_pnout(equiv, addr + 4 * (uint32_t)w);
		for (int w = 0; w < 4; w++)
			again[w] = le32(img + addr + 4 * w) ^ iotflash_beken_pnout(cand, addr + 4 * (uint32_t)w);
		if (cand[3] >> 24 != 0 && cand[3] >> 24 != 0xFF && !memcmp(cand, again, sizeof(cand))) {
			memcpy(real, cand, sizeof(cand));
			return true;
		}
	}
	return false;
}

/* Word-XOR with the next word cancels the unknown constant F. */
static void make_delta(const uint8_t *img, size_t len, uint32_t setting, uint8_t *xored, uint8_t *delta)
{
	const uint32_t g_key[4] = { 0, 0, 0, setting };
	memcpy(xored, img, len);
	iotflash_beken_crypt(g_key, 0, xored, len);
	for (size_t j = 0; j + 4 < len; j++)
		delta[j] = xored[j] ^ xored[j + 4];
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen)
{
	for (size_t i = 0; nlen <= hlen && i <= hlen - nlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return hay + i;
	return NULL;
}

enum { NO_HIT, HIT_UNVERIFIED, HIT_VERIFIED };

/* Search one keystream setting; on a hit, equiv holds the equivalent key. */
static int try_setting(const uint8_t *img, size_t len, uint32_t setting, uint8_t *xored,
                       uint8_t *delta, uint32_t equiv[4], uint32_t real[4])
{
	int result = NO_HIT;
	make_delta(img, len, setting, xored, delta);
	for (size_t s = 0; s < sizeof(boot_strings) / sizeof(boot_strings[0]); s++) {
		const uint8_t *str = (const uint8_t *)boot_strings[s];
		size_t slen = strlen(boot_strings[s]);
		uint8_t pattern[64];
		for (size_t k = 0; k + 4 < slen; k++)
			pattern[k] = str[k] ^ str[k + 4];
		const uint8_t *hit = find_bytes(delta, len - 4, pattern, slen - 4);
		if (!hit)
			continue;
		size_t h = (size_t)(hit - delta);
		uint8_t fb[4];
		for (int k = 0; k < 4; k++)
			fb[k] = xored[h + (size_t)k] ^ str[k];
		uint32_t f = rotl32(le32(fb), 8 * (unsigned)(h % 4));
		equiv[0] = equiv[1] = 0;
		equiv[2] = f;
		equiv[3] = setting;
		if (verify_key_copy(img, len, equiv, real))
			return HIT_VERIFIED;
		result = HIT_UNVERIFIED;
	}
	return result;
}

IOTFLASH_API int iotflash_beken_recover_key(const uint8_t *boot_phys, size_t len, uint32_t key[4],
                                            char *err, size_t errlen)
{
	uint8_t *img = NULL, *xored = NULL, *delta = NULL;
	size_t img_len = 0;
	int rc = IOTFLASH_ERR_ARG;
	if (!boot_phys || !key)
		goto out_msg;
	if (len > 0x11000)
		len = 0x11000;
	rc = iotflash_beken_crc_strip(boot_phys, len, &img, &img_len);
	if (rc)
		goto out_msg;
	if (img_len < MIN_BOOT_LOGICAL) {
		rc = IOTFLASH_ERR_UNSUPPORTED;
		snprintf(err, errlen, "only %zu bytes of bootloader pass the CRC check (%d needed): "
		         "not a Beken bootloader", img_len, MIN_BOOT_LOGICAL);
		goto out;
	}
	const char *anomaly = "[ARM ANOMALY]";
	const uint8_t *plain = find_bytes(img, img_len, (const uint8_t *)anomaly, strlen(anomaly));
	if (plain && plain > img) {
		memset(key, 0, 4 * sizeof(uint32_t));
		rc = IOTFLASH_OK;
		goto out;
	}
	xored = malloc(img_len);
	delta = malloc(img_len);
	if (!xored || !delta) {
		rc = IOTFLASH_ERR_NOMEM;
		goto out_msg;
	}
	uint32_t equiv[4] = { 0 };
	bool have_equiv = false;
	for (unsigned i = 0; i < 125; i++) {
		uint32_t real[4], cand[4];
		int found = try_setting(img, img_len, stage_setting(i), xored, delta, cand, real);
		if (found == HIT_VERIFIED) {
			memcpy(key, real, sizeof(real));
			rc = IOTFLASH_OK;
			goto out;
		}
		if (found == HIT_UNVERIFIED && !have_equiv) {
			memcpy(equiv, cand, sizeof(equiv));
			have_equiv = true;
		}
	}
	if (have_equiv) {
		/* Decrypts like the real key, but the bootloader holds no copy we know. */
		memcpy(key, equiv, sizeof(equiv));
		rc = IOTFLASH_ERR_VERIFY;
		snprintf(err, errlen, "found an equivalent key %08x %08x %08x %08x, but no key copy "
		         "in the bootloader confirms it", key[0], key[1], key[2], key[3]);
		goto out;
	}
	rc = IOTFLASH_ERR_UNSUPPORTED;
	snprintf(err, errlen, "no known bootloader string found under any keystream setting: "
	         "key not recovered");
	goto out;
out_msg:
	snprintf(err, errlen, "%s", formats_error_text(rc));
out:
	free(img);
	free(xored);
	free(delta);
	return rc;
}
