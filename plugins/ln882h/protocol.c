/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Lightning LN882H / LN8825 protocol: pure encoders and decoders. */
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <iotflash/common.h>

static void put_le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

void ln_put_le32(uint8_t b[4], uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

uint32_t ln_get_le32(const uint8_t b[4])
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0L, p, (uInt)n);
}

/* ---- X/YMODEM blocks ---- */

size_t ln_block_encode(uint8_t *out, uint8_t seq, const uint8_t *data, size_t n, size_t size, uint8_t pad)
{
	uint16_t crc;

	out[0] = size == LN_SOH_SIZE ? LN_SOH : LN_STX;
	out[1] = seq;
	out[2] = (uint8_t)(0xFF - seq);
	if (n)
		memcpy(out + 3, data, n);
	memset(out + 3 + n, pad, size - n);
	crc = iotflash_crc16_xmodem(out + 3, size);
	out[3 + size] = (uint8_t)(crc >> 8);
	out[4 + size] = (uint8_t)crc;
	return size + LN_BLOCK_OVERHEAD;
}

size_t ln_ymodem_header(uint8_t *out, const char *name, uint32_t size)
{
	uint8_t data[LN_SOH_SIZE] = {0};
	size_t k = strlen(name);

	if (k > LN_SOH_SIZE - 16)
		k = LN_SOH_SIZE - 16;
	memcpy(data, name, k);
	snprintf((char *)data + k + 1, LN_SOH_SIZE - k - 1, "%u", (unsigned)size);
	return ln_block_encode(out, 0, data, LN_SOH_SIZE, LN_SOH_SIZE, 0);
}

size_t ln_ymodem_end(uint8_t *out)
{
	return ln_block_encode(out, 0, NULL, 0, LN_SOH_SIZE, 0);
}

size_t ln_block_size(uint8_t marker, size_t stx_size)
{
	return marker == LN_SOH ? LN_SOH_SIZE : marker == LN_STX ? stx_size : 0;
}

int ln_block_check(const uint8_t *frame, size_t frame_len, size_t stx_size, uint8_t *seq)
{
	size_t n = ln_block_size(frame[0], stx_size);
	uint16_t crc;

	if (!n || frame_len != n + LN_BLOCK_OVERHEAD || (uint8_t)(frame[1] + frame[2]) != 0xFF)
		return -1;
	crc = (uint16_t)(frame[3 + n] << 8 | frame[4 + n]);
	if (iotflash_crc16_xmodem(frame + 3, n) != crc)
		return -1;
	*seq = frame[1];
	return (int)n;
}

uint8_t ln_sum8(const uint8_t *data, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + data[i]);
	return s;
}

static uint32_t parse_size_field(const char *p, const char *end)
{
	uint32_t v = 0;
	int base = 10;

	while (p < end && *p == ' ')
		p++;
	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; p < end; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
		      : base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
		      : base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v * (uint32_t)base + (uint32_t)d;
	}
	return v;
}

bool ln_ymodem_parse_header(const uint8_t *data, size_t n, char *name, size_t name_cap, uint32_t *size)
{
	const char *p = (const char *)data, *end = p + n;
	size_t k = 0;

	while (p + k < end && p[k])
		k++;
	if (k == 0 && (n < 2 || data[1] == 0))
		return false;
	if (name_cap) {
		size_t c = k < name_cap - 1 ? k : name_cap - 1;
		memcpy(name, p, c);
		name[c] = '\0';
	}
	*size = p + k < end ? parse_size_field(p + k + 1, end) : 0;
	return true;
}

/* ---- ROM ---- */

size_t ln_download_cmd(char *out, size_t cap, uint32_t size)
{
	int n = snprintf(out, cap, "download [rambin] [0x20000000] [%u]\r\n", (unsigned)size);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* "[NUMBER]" at *p, then one space unless last; advances *p. */
static bool bracketed(const char **p, int base, bool last, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (**p != '[' || !((*p)[1] >= '0' && (*p)[1] <= '9'))
		return false;
	v = strtoul(*p + 1, &end, base);
	if (*end != ']' || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	*p = end + 1;
	if (last)
		return **p == '\0';
	return *(*p)++ == ' ';
}

bool ln_parse_download(const char *line, uint32_t *addr, uint32_t *size)
{
	static const char word[] = "download [rambin] ";
	const char *p = line + sizeof(word) - 1;

	return strncmp(line, word, sizeof(word) - 1) == 0 && bracketed(&p, 16, false, addr) &&
	       bracketed(&p, 10, true, size);
}

static bool is_stamp(const char *p)
{
	for (int i = 0; i < LN_STAMP_LEN; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return false;
	return p[11] == '/' && p[14] == ':' && p[17] == ':';
}

bool ln_find_stamp(const char *text, size_t len, char stamp[LN_STAMP_LEN + 1])
{
	for (size_t i = 0; i + LN_STAMP_LEN + 2 <= len; i++) {
		const char *p = text + i;
		if ((i == 0 || p[-1] == '\n') && p[LN_STAMP_LEN] == '\r' && p[LN_STAMP_LEN + 1] == '\n' && is_stamp(p)) {
			memcpy(stamp, p, LN_STAMP_LEN);
			stamp[LN_STAMP_LEN] = '\0';
			return true;
		}
	}
	return false;
}

bool ln_find_ramcode(const char *text, size_t len)
{
	static const char word[] = "RAMCODE\r\n";
	for (size_t i = 0; i + sizeof(word) - 1 <= len; i++)
		if (memcmp(text + i, word, sizeof(word) - 1) == 0)
			return true;
	return false;
}

/* ---- RAM image header ---- */

enum ln_ramhdr_err ln_ramhdr_parse(const uint8_t *img, size_t len, struct ln_ramhdr *h)
{
	if (len < LN_RAMHDR_LEN)
		return LN_RAMHDR_SHORT;
	h->load_addr = ln_get_le32(img);
	h->length = (uint16_t)(img[4] | img[5] << 8);
	h->crc_offset = (uint16_t)(img[6] | img[7] << 8);
	h->body_crc = ln_get_le32(img + 8);
	h->vector_addr = ln_get_le32(img + 12);
	h->crp = ln_get_le32(img + 16);
	h->header_crc = ln_get_le32(img + 20);
	if (crc32_of(img, 0x14) != h->header_crc)
		return LN_RAMHDR_HEADER_CRC;
	if (h->length != len || h->crc_offset > len)
		return LN_RAMHDR_LENGTH;
	if (crc32_of(img + h->crc_offset, len - h->crc_offset) != h->body_crc)
		return LN_RAMHDR_BODY_CRC;
	return LN_RAMHDR_OK;
}

const char *ln_ramhdr_strerror(enum ln_ramhdr_err e)
{
	switch (e) {
	case LN_RAMHDR_OK: return "valid";
	case LN_RAMHDR_SHORT: return "shorter than its 32-byte header";
	case LN_RAMHDR_HEADER_CRC: return "header CRC-32 is wrong";
	case LN_RAMHDR_LENGTH: return "length field differs from the file size";
	case LN_RAMHDR_BODY_CRC: return "body CRC-32 is wrong";
	}
	return "invalid";
}

void ln_ramhdr_build(uint8_t *img, size_t len, uint32_t load_addr)
{
	memset(img, 0, LN_RAMHDR_LEN);
	ln_put_le32(img, load_addr);
	put_le16(img + 4, (uint16_t)len);
	put_le16(img + 6, LN_RAMHDR_LEN);
	ln_put_le32(img + 8, crc32_of(img + LN_RAMHDR_LEN, len - LN_RAMHDR_LEN));
	ln_put_le32(img + 12, load_addr + 0x100);
	ln_put_le32(img + 20, crc32_of(img, 0x14));
}

static bool contains(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

bool ln_image_is_gui(const uint8_t *img, size_t len)
{
	return contains(img, len, "flash_crc32") || contains(img, len, "fwrite");
}

/* ---- RAM code text ---- */

int ln_split_args(char *line, char *argv[LN_MAX_ARGS])
{
	int argc = 0;
	char *p = line;

	while (*p && argc < LN_MAX_ARGS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

bool ln_parse_flash_info(const char *text, size_t len, uint32_t *id)
{
	static const char key[] = "id:0x";
	for (size_t i = 0; i + sizeof(key) - 1 < len; i++) {
		uint32_t v = 0;
		size_t j = i + sizeof(key) - 1, digits = 0;
		if (memcmp(text + i, key, sizeof(key) - 1) != 0)
			continue;
		for (; j < len && digits < 8; j++, digits++) {
			char c = text[j];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				break;
			v = v << 4 | (uint32_t)d;
		}
		if (digits == 0 || j >= len || text[j] != ',')
			return false;
		*id = v;
		return true;
	}
	return false;
}

uint32_t ln_id_to_jedec(uint32_t id)
{
	return (id >> 16 & 0xFF) | (id & 0xFF00) | (id & 0xFF) << 16;
}

uint32_t ln_flash_size(uint32_t id)
{
	unsigned cap = id & 0xFF;
	return cap >= 0x11 && cap <= 0x1F ? 1u << cap : 0;
}

size_t ln_flash_read_reply_len(size_t n)
{
	return 2 + 3 * (n + 2);
}

size_t ln_flash_read_format(char *out, const uint8_t *data, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	uint16_t crc = iotflash_crc16_xmodem(data, n);
	size_t k = 0;

	out[k++] = '\r';
	out[k++] = '\n';
	for (size_t i = 0; i < n + 2; i++) {
		uint8_t b = i < n ? data[i] : i == n ? (uint8_t)(crc >> 8) : (uint8_t)crc;
		out[k++] = hex[b >> 4];
		out[k++] = hex[b & 15];
		out[k++] = ' ';
	}
	return k;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool ln_flash_read_parse(const char *text, size_t len, uint8_t *out, size_t n)
{
	uint8_t crc[2];

	if (len != ln_flash_read_reply_len(n) || text[0] != '\r' || text[1] != '\n')
		return false;
	for (size_t i = 0; i < n + 2; i++) {
		const char *p = text + 2 + 3 * i;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
		if (hi < 0 || lo < 0 || p[2] != ' ')
			return false;
		if (i < n)
			out[i] = (uint8_t)(hi << 4 | lo);
		else
			crc[i - n] = (uint8_t)(hi << 4 | lo);
	}
	return iotflash_crc16_xmodem(out, n) == (uint16_t)(crc[0] << 8 | crc[1]);
}
